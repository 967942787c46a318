"""The safe writer keeps everything of the user's and writes only what we own, on real files."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from duban_xl.xlsx.ns import NS_MAIN
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table
from PIL import Image as PILImage
from python_calamine import CalamineWorkbook

from duban_xl.contract import Col, Sheet
from duban_xl.errors import FileChanged, FileLocked, MissingHeader
from duban_xl.xlsx.comments import AUTHOR
from duban_xl.xlsx.graft import OwnedSheet
from duban_xl.xlsx.marks import CellMark
from duban_xl.xlsx.package import Package
from duban_xl.xlsx.rows import RowsReplacement
from duban_xl.xlsx.fingerprint import Fingerprint
from duban_xl.xlsx.transaction import BACKUP_DIR, write_workbook

DATA = Path(__file__).parent / "data"
REAL = DATA / "realworld"
USER_WORKBOOK = DATA / "user_workbook.xlsx"
REALWORLD = ["excelize-Book1.xlsx", "poi-123233_charts.xlsx", "poi-51850.xlsx", "poi-56644.xlsx",
             "poi-64759.xlsx", "poi-NewStyleConditionalFormattings.xlsx", "poi-ExcelPivotTableSample.xlsx",
             "poi-WithTextBox.xlsx"]


def build_findings(ws) -> None:
    """A 校验结果-like sheet: header, a link to the bad cell, a fill, a bar chart."""
    ws.append(["级别", "工作表", "单元格", "问题", "数量"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in range(4):
        ws.append(["错误", Sheet.ITEMS, f"D{17 + i}", f"完成时限早于交办日期（第{i + 1}条）", i + 1])
    ws["C2"].hyperlink = f"#'{Sheet.ITEMS}'!D17"
    ws["A2"].fill = PatternFill("solid", fgColor="FFFF0000")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=5), titles_from_data=True)
    ws.add_chart(chart, "G2")
    ws.freeze_panes = "A2"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _marked_sheet_parts(path: Path, sheet: str) -> set[str]:
    """The marked sheet, its rels and the comments/VML parts it points to."""
    with Package(path) as pkg:
        part = pkg.sheets()[sheet]
        return {part, f"{part.rsplit('/', 1)[0]}/_rels/{part.rsplit('/', 1)[1]}.rels"} | {
            t for r, t in pkg.targets(part) if r.get("Type", "").endswith(("/comments", "/vmlDrawing"))}


def _comments(path: Path) -> dict[tuple[str, str], str]:
    """(sheet, cell) → text of every legacy comment, read from the parts (openpyxl drops some)."""
    found = {}
    with Package(path) as pkg:
        for sheet, part in pkg.sheets().items():
            for rel, target in pkg.targets(part):
                if rel.get("Type", "").endswith("/comments"):
                    for comment in pkg.xml(target).iter("{*}comment"):
                        found[(sheet, comment.get("ref"))] = "".join(comment.itertext())
    return found


def _shown(ws, ref: str):
    """The cell Excel shows for ref: a merged range shows its top-left cell (where marks go)."""
    merged = next((r for r in ws.merged_cells.ranges if ref in r), None)
    return ws.cell(merged.min_row, merged.min_col) if merged else ws[ref]


WORKBOOK_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
TAB_SELECTED = re.compile(rb"""\stabSelected=["']1["']""")


@pytest.fixture
def realworld(tmp_path, request) -> Path:
    path = tmp_path / request.param
    shutil.copy(REAL / request.param, path)
    return path


@pytest.mark.parametrize("realworld", REALWORLD, indirect=True)
def test_result_sheet_and_mark_keep_every_part_of_an_excel_workbook(realworld):
    before = _parts(realworld)
    with Package(realworld) as pkg:
        user_sheet = next(iter(pkg.sheets()))
    write_workbook(realworld, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings, first=True)],
                   marks=[CellMark(user_sheet, "B3", "此处应填写日期，例如 2022-5-6")])
    after = _parts(realworld)
    allowed = WORKBOOK_PARTS | _marked_sheet_parts(realworld, user_sheet)
    allowed_lower = {a.lower() for a in allowed}
    for name, data in before.items():
        assert name in after, f"{name} was lost"
        if name.lower() in allowed_lower or data == after[name]:
            continue
        # The only other edit: the previously selected tab is deselected (else Excel groups the sheets).
        assert TAB_SELECTED.sub(b"", data) == after[name], f"{name} changed"
    # Our sheet is first, active, and reads back with both readers.
    wb = openpyxl.load_workbook(realworld)
    assert wb.sheetnames[0] == Sheet.FINDINGS and wb.active.title == Sheet.FINDINGS
    ours = wb[Sheet.FINDINGS]
    assert ours["C2"].value == "D17" and ours["C2"].hyperlink.target == f"#'{Sheet.ITEMS}'!D17"
    assert ours["A2"].fill.fgColor.rgb == "FFFF0000" and ours["A1"].font.b
    assert len(ours._charts) == 1
    assert [ws.sheet_view.tabSelected for ws in wb].count(True) == 1
    marked = _shown(wb[user_sheet], "B3")
    assert marked.fill.fgColor.rgb == "FFFFC7CE"
    theirs, ours_now = _comments(REAL / realworld.name), _comments(realworld)
    key = (user_sheet, marked.coordinate)
    assert {k: v for k, v in ours_now.items() if k != key or k in theirs} == theirs  # every user comment kept as is
    if key not in theirs:  # a cell that already has the user's (threaded) comment keeps only theirs
        assert ours_now[key] == f"{AUTHOR}:\n此处应填写日期，例如 2022-5-6"
    rows = CalamineWorkbook.from_path(str(realworld)).get_sheet_by_name(Sheet.FINDINGS).to_python()
    assert rows[1][:4] == ["错误", Sheet.ITEMS, "D17", "完成时限早于交办日期（第1条）"]


@pytest.mark.parametrize("realworld", REALWORLD, indirect=True)
def test_rerun_replaces_our_sheet_and_clears_old_marks(realworld):
    with Package(realworld) as pkg:
        user_sheet = next(iter(pkg.sheets()))
    original_style = _shown(openpyxl.load_workbook(realworld)[user_sheet], "B3").style_id
    user_comments = _comments(realworld)
    findings = OwnedSheet(Sheet.FINDINGS, build_findings, first=True)
    write_workbook(realworld, sheets=[findings], marks=[CellMark(user_sheet, "B3", "请改正")])
    first = _parts(realworld)
    write_workbook(realworld, sheets=[findings])  # a clean validation: no marks any more
    wb = openpyxl.load_workbook(realworld)
    assert wb.sheetnames.count(Sheet.FINDINGS) == 1 and wb.sheetnames[0] == Sheet.FINDINGS
    assert _shown(wb[user_sheet], "B3").style_id == original_style
    assert _comments(realworld) == user_comments
    # The replaced sheet's chart parts did not pile up.
    assert sum(n.startswith("xl/charts/chart") for n in _parts(realworld)) == \
        sum(n.startswith("xl/charts/chart") for n in first)


@pytest.mark.libreoffice
def test_written_realworld_workbooks_open_in_libreoffice(tmp_path, libreoffice):
    for name in REALWORLD:
        path = tmp_path / name
        shutil.copy(REAL / name, path)
        with Package(path) as pkg:
            user_sheet = next(iter(pkg.sheets()))
        write_workbook(path, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings, first=True)],
                       marks=[CellMark(user_sheet, "B3", "请改正")])
        csv = libreoffice(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "out")  # the first (active) sheet: ours
        assert "完成时限早于交办日期（第1条）" in csv.read_text(encoding="utf-8", errors="replace")


# -- a user's own workbook ------------------------------------------------------------------------

NOTICE_HEADERS = [Col.ISSUE, Col.NOTICE_DATE, Col.ITEM_NO, Col.UNIT, Col.NOTICE_TYPE, Col.NOTE]


def make_user_workbook(path: Path) -> None:
    """What a clerk's ledger carries: formats, comments, formulas, chart, image, dropdowns, colours, a table."""
    wb = openpyxl.Workbook()
    items = wb.active
    items.title = Sheet.ITEMS
    items.append([Col.ITEM_NO, Col.SUBJECT, Col.ASSIGNED, Col.DEADLINE, "天数"])
    for i in range(1, 6):
        items.append([f"2022-00{i}", f"事项{i}", dt.date(2022, 3, i), dt.date(2022, 6, i), f"=D{i + 1}-C{i + 1}"])
    for row in items.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "yyyy年m月d日"
    items["A1"].font = Font(bold=True, color="FF0000FF")
    items["B2"].comment = Comment("用户自己的批注", "张三")
    items.column_dimensions["B"].width = 30
    items.freeze_panes = "A2"
    dv = DataValidation(type="list", formula1='"是,否"', showErrorMessage=True, error="请选择是或否")
    items.add_data_validation(dv)
    dv.add("F2:F100")
    items.conditional_formatting.add("E2:E100", CellIsRule(operator="lessThan", formula=["30"],
                                                           fill=PatternFill("solid", bgColor="FFFFFF00")))
    chart = BarChart()
    chart.add_data(Reference(items, min_col=5, min_row=1, max_row=6), titles_from_data=True)
    items.add_chart(chart, "H2")
    png = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(png, format="PNG")
    items.add_image(Image(png), "H20")
    notices = wb.create_sheet(Sheet.NOTICES)
    notices.append(NOTICE_HEADERS)
    notices.append(["2022年第4期", dt.date(2022, 5, 10), "2022-001", "县财政局", "进度滞后", "老记录"])
    notices["B2"].number_format = "yyyy-mm-dd"
    notices.add_table(Table(displayName="通报记录表", ref="A1:F2"))
    wb.create_sheet("备忘").append(["用户自己的表", "=SUM(台账!E2:E6)"])
    wb.save(path)


def test_committed_user_workbook_is_the_one_the_recipe_makes(tmp_path):
    """tests/data/user_workbook.xlsx is made by make_user_workbook (regenerate with it when the recipe changes)."""
    fresh = tmp_path / "fresh.xlsx"
    make_user_workbook(fresh)
    assert openpyxl.load_workbook(fresh).sheetnames == openpyxl.load_workbook(USER_WORKBOOK).sheetnames


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "督查台账.xlsx"
    shutil.copy(USER_WORKBOOK, path)
    return path


def _notice_rows(period: str) -> list[dict[str, object]]:
    return [{Col.ISSUE: period, Col.NOTICE_DATE: dt.date(2022, 6, 10), Col.ITEM_NO: "2022-002",
             Col.UNIT: unit, Col.NOTICE_TYPE: "逾期未办结"} for unit in ("县发改局", "县财政局")]


def test_bulletin_rows_replace_their_month_and_keep_everything_else(ledger):
    before = _parts(ledger)
    job = RowsReplacement(Sheet.NOTICES, Col.ISSUE, "2022年第5期", _notice_rows("2022年第5期"))
    monthly = OwnedSheet(Sheet.MONTHLY, build_findings)
    write_workbook(ledger, sheets=[monthly], replace_rows=[job])
    write_workbook(ledger, sheets=[monthly], replace_rows=[job])  # a re-run for the same month
    wb = openpyxl.load_workbook(ledger)
    notices = wb[Sheet.NOTICES]
    values = [[c.value for c in row] for row in notices.iter_rows(min_row=2)]
    assert [v[0] for v in values] == ["2022年第4期", "2022年第5期", "2022年第5期"]
    assert values[1][1] == dt.datetime(2022, 6, 10) and values[2][3] == "县财政局"
    assert notices["B3"].number_format == "yyyy-mm-dd"  # the style of the cell above
    assert notices.tables["通报记录表"].ref == "A1:F4"
    # Everything of the user's is still there.
    items = wb[Sheet.ITEMS]
    assert wb.sheetnames == [Sheet.ITEMS, Sheet.NOTICES, "备忘", Sheet.MONTHLY]
    assert items["B2"].comment.text.startswith("用户自己的批注") and items["A1"].font.color.rgb == "FF0000FF"
    assert items["E2"].value == "=D2-C2" and items["C2"].number_format == "yyyy年m月d日"
    assert items.column_dimensions["B"].width == 30 and items.freeze_panes == "A2"
    assert len(items._charts) == 1 and len(items._images) == 1
    assert items.data_validations.dataValidation[0].error == "请选择是或否"
    assert len(items.conditional_formatting) == 1
    after = _parts(ledger)
    edited = WORKBOOK_PARTS | {"xl/worksheets/sheet2.xml", "xl/tables/table1.xml"}
    assert all(after[n] == data for n, data in before.items() if n not in edited)


def test_new_period_is_appended_after_the_last_record(ledger):
    for period in ("2022年第5期", "2022年第6期"):
        write_workbook(ledger, replace_rows=[RowsReplacement(Sheet.NOTICES, Col.ISSUE, period, _notice_rows(period))])
    notices = openpyxl.load_workbook(ledger)[Sheet.NOTICES]
    assert [c.value for c in notices["A"]][1:] == ["2022年第4期"] + ["2022年第5期"] * 2 + ["2022年第6期"] * 2


def test_unknown_column_is_refused_in_chinese(ledger):
    job = RowsReplacement(Sheet.NOTICES, Col.ISSUE, "2022年第5期", [{"不存在的列": 1}])
    with pytest.raises(MissingHeader, match="不存在的列"):
        write_workbook(ledger, replace_rows=[job])


@pytest.mark.libreoffice
def test_user_workbook_after_write_opens_in_libreoffice(ledger, libreoffice):
    job = RowsReplacement(Sheet.NOTICES, Col.ISSUE, "2022年第5期", _notice_rows("2022年第5期"))
    write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings, first=True)], replace_rows=[job],
                   marks=[CellMark(Sheet.ITEMS, "D3", "完成时限早于交办日期"), CellMark(Sheet.ITEMS, "B2", "与用户批注同格")])
    assert libreoffice(ledger, "pdf").stat().st_size > 0
    wb = openpyxl.load_workbook(ledger)
    assert wb[Sheet.ITEMS]["B2"].comment.text.startswith("用户自己的批注")  # theirs wins the cell
    assert AUTHOR in wb[Sheet.ITEMS]["D3"].comment.text


# -- refusals, backup, atomicity ------------------------------------------------------------------

def test_open_in_excel_is_refused(ledger):
    (ledger.parent / f"~${ledger.name}").write_bytes(b"owner")
    before = ledger.read_bytes()
    with pytest.raises(FileLocked, match="请先保存并关闭"):
        write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)])
    assert ledger.read_bytes() == before


def test_lock_beside_the_target_is_refused(ledger, tmp_path):
    target = tmp_path / "副本.xlsx"
    (tmp_path / f"~${target.name}").write_bytes(b"owner")
    with pytest.raises(FileLocked, match="副本.xlsx"):
        write_workbook(ledger, target=target, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)])


def test_file_changed_since_read_is_refused(ledger):
    seen = Fingerprint.of(ledger)
    wb = openpyxl.load_workbook(ledger)
    wb[Sheet.ITEMS]["B3"] = "别人刚改的"
    wb.save(ledger)
    with pytest.raises(FileChanged, match="重新运行"):
        write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)], expected=seen)
    write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)], expected=Fingerprint.of(ledger))


def test_in_place_write_keeps_a_backup_equal_to_the_original(ledger):
    original = ledger.read_bytes()
    result = write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)])
    assert result.backup is not None and result.backup.parent == ledger.parent / BACKUP_DIR
    assert result.backup.name.startswith("督查台账_") and result.backup.read_bytes() == original
    assert ledger.read_bytes() != original


def test_copy_mode_leaves_the_source_untouched(ledger, tmp_path):
    original = ledger.read_bytes()
    target = tmp_path / "out" / "结果.xlsx"
    target.parent.mkdir()
    result = write_workbook(ledger, target=target, sheets=[OwnedSheet(Sheet.FINDINGS, build_findings)])
    assert result == type(result)(target, None)
    assert ledger.read_bytes() == original and Sheet.FINDINGS in openpyxl.load_workbook(target).sheetnames
    assert not (ledger.parent / BACKUP_DIR).exists()


def test_failure_while_building_leaves_the_file_and_folder_as_they_were(ledger):
    original = ledger.read_bytes()
    listing = sorted(ledger.parent.iterdir())

    def broken(ws):
        ws["A1"] = "写到一半"
        raise RuntimeError("builder failed")

    with pytest.raises(RuntimeError):
        write_workbook(ledger, sheets=[OwnedSheet(Sheet.FINDINGS, broken)])
    assert ledger.read_bytes() == original
    assert sorted(p for p in ledger.parent.iterdir() if p.name != BACKUP_DIR) == listing
    assert [p.name for p in (ledger.parent / BACKUP_DIR).iterdir()] == [f".~{ledger.name}.lock"]  # no backup


def test_a_table_pre_formatted_over_blank_rows_keeps_them(tmp_path):
    """The template's tables reach row 501 so clerks type into formatted rows; a bulletin must not shrink them."""
    from duban_xl.template import build_template

    path = build_template(tmp_path / "督查台账.xlsx")
    before = openpyxl.load_workbook(path)[Sheet.NOTICES].tables["tblNotices"].ref
    write_workbook(path, replace_rows=[RowsReplacement(Sheet.NOTICES, Col.ISSUE, "2022年第5期", _notice_rows("2022年第5期"))])
    notices = openpyxl.load_workbook(path)[Sheet.NOTICES]
    assert notices.tables["tblNotices"].ref == before == "A1:F501"
    assert [notices["A2"].value, notices["D3"].value, notices["A4"].value] == ["2022年第5期", "县财政局", None]


def test_rows_stay_unique_and_in_order_so_excel_accepts_the_sheet(tmp_path):
    """Excel calls a sheet with two <row r="2"> or rows out of order damaged; the template has 500 blank rows."""
    from duban_xl.template import build_template

    path = build_template(tmp_path / "督查台账.xlsx")
    for period, count in (("2022年第5期", 2), ("2022年第6期", 1), ("2022年第5期", 3)):  # a re-run with more rows
        rows = (_notice_rows(period) * 2)[:count]
        write_workbook(path, replace_rows=[RowsReplacement(Sheet.NOTICES, Col.ISSUE, period, rows)])
    with Package(path) as package:
        root = package.xml(package.sheets()[Sheet.NOTICES])
    numbers = [int(r.get("r")) for r in root.iter("{%s}row" % NS_MAIN)]
    assert numbers == sorted(set(numbers))
    for row in root.iter("{%s}row" % NS_MAIN):
        columns = [column_index_from_string(coordinate_from_string(c.get("r"))[0]) for c in row]
        assert columns == sorted(set(columns)) and all(c.get("r").endswith(row.get("r")) for c in row)
    values = [[c.value for c in r] for r in openpyxl.load_workbook(path)[Sheet.NOTICES].iter_rows(min_row=2, max_row=6)]
    assert [v[0] for v in values] == ["2022年第5期", "2022年第5期", "2022年第6期", "2022年第5期", None]
