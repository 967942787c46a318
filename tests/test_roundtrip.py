"""A ledger that other programs saved between duban's writes: LibreOffice, openpyxl, Excel-made files.

A clerk opens the marked ledger in LibreOffice, fixes cells and presses Save
(LibreOffice renumbers styles, rewrites comment authors and writes VML without
o:idmap, notes/libreoffice.md); the next ``validate --write`` must clear the old
marks and bring back the clerk's own fill. Every write here also passes the
package lint (conftest ``lint_every_write``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from duban_xl.cli import main
from duban_xl.contract import Sheet
from duban_xl.reader import read_ledger
from duban_xl.xlsx.graft import OwnedSheet
from duban_xl.xlsx.marks import CellMark
from duban_xl.xlsx.package import Package
from duban_xl.xlsx.rows import RowsReplacement
from duban_xl.xlsx.transaction import write_workbook
from workbooks import write_ledger

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]
REAL = Path(__file__).parent / "data" / "realworld"
YELLOW = "FFFFFF00"
RED = "FFFFC7CE"


def _ledger(path: Path) -> Path:
    """A ledger whose clerk filled 台账 D2 yellow and left a comment on B2."""
    write_ledger(path)
    book = openpyxl.load_workbook(path)
    items = book[Sheet.ITEMS]
    items["D2"].fill = PatternFill("solid", fgColor=YELLOW)
    items["B2"].comment = Comment("记得核对", "张三")
    book.save(path)
    return path


def _findings(ws) -> None:
    ws.append(["级别", "问题"])
    ws.append(["错误", "完成时限早于交办日期"])


FINDINGS = OwnedSheet(Sheet.FINDINGS, _findings, first=True)


def _fill(path: Path, ref: str, sheet: str = Sheet.ITEMS) -> str | None:
    cell = openpyxl.load_workbook(path)[sheet][ref]
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def _comments(path: Path, sheet: str = Sheet.ITEMS) -> dict[str, str]:
    """Cell → comment text, read from the parts (what Excel will show)."""
    found = {}
    with Package(path) as pkg:
        part = pkg.sheets()[sheet]
        for rel, target in pkg.targets(part):
            if rel.get("Type", "").endswith("/comments"):
                for comment in pkg.xml(target).iter("{*}comment"):
                    found[comment.get("ref")] = "".join(comment.itertext())
    return found


def _saved_by_libreoffice(libreoffice, paths: list[Path], tmp_path: Path) -> list[Path]:
    return libreoffice(paths, "xlsx", tmp_path / "lo")


def test_marks_cleared_and_the_clerks_fill_back_after_a_libreoffice_save(libreoffice, tmp_path):
    ledger = _ledger(tmp_path / "台账.xlsx")
    write_workbook(ledger, sheets=[FINDINGS], marks=[CellMark(Sheet.ITEMS, "D2", "请填写日期"),
                                                     CellMark(Sheet.ITEMS, "E2", "请改正")])
    assert _fill(ledger, "D2") == RED and _fill(ledger, "E2") == RED
    saved = _saved_by_libreoffice(libreoffice, [ledger], tmp_path)[0]
    assert _fill(saved, "D2") == RED and "duban_xl" in _comments(saved)["D2"]

    # The clerk fixed D2 and E2; the next validation marks only F2.
    write_workbook(saved, sheets=[FINDINGS], marks=[CellMark(Sheet.ITEMS, "F2", "请改正")])
    assert _fill(saved, "D2") == YELLOW  # the clerk's own fill, not duban's red
    assert _fill(saved, "E2") is None
    assert _fill(saved, "F2") == RED
    comments = _comments(saved)
    assert set(comments) == {"B2", "F2"} and "记得核对" in comments["B2"]

    # A clean validation after a second LibreOffice save clears the last mark.
    again = libreoffice(saved, "xlsx", tmp_path / "lo2")
    write_workbook(again, sheets=[FINDINGS])
    assert _fill(again, "F2") is None and _fill(again, "D2") == YELLOW
    assert set(_comments(again)) == {"B2"}
    assert read_ledger(again).items.shape[0] == 1


def test_rows_and_sheets_written_into_a_libreoffice_saved_ledger(libreoffice, tmp_path):
    ledger = _ledger(tmp_path / "台账.xlsx")
    write_workbook(ledger, sheets=[FINDINGS], marks=[CellMark(Sheet.ITEMS, "D2", "请改正")])
    saved = _saved_by_libreoffice(libreoffice, [ledger], tmp_path)[0]
    record = {"通报期次": "2022年第6期", "单位": "县财政局", "通报类型": "进度滞后"}
    write_workbook(saved, sheets=[FINDINGS, OwnedSheet("得分明细", _findings)],
                   replace_rows=[RowsReplacement(Sheet.NOTICES, "通报期次", "2022年第6期", [record, record])])
    write_workbook(saved, replace_rows=[RowsReplacement(Sheet.NOTICES, "通报期次", "2022年第6期", [record])])
    book = openpyxl.load_workbook(saved)
    rows = [r for r in book[Sheet.NOTICES].iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == 1 and rows[0][0] == "2022年第6期"
    assert book.sheetnames[0] == Sheet.FINDINGS and book.sheetnames.count(Sheet.FINDINGS) == 1
    assert _fill(saved, "D2") == YELLOW  # rewriting 校验结果 cleared the marks it belongs with


def test_a_formula_counting_the_records_shows_the_fresh_count_in_libreoffice(libreoffice, tmp_path):
    ledger = write_ledger(tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(ledger)
    book[Sheet.UNITS]["H1"] = "通报数"
    book[Sheet.UNITS]["H2"] = f"=COUNTA({Sheet.NOTICES}!A:A)-1"
    book.save(ledger)
    saved = _saved_by_libreoffice(libreoffice, [ledger], tmp_path)[0]  # caches 0
    record = {"通报期次": "2022年第6期", "单位": "县财政局", "通报类型": "进度滞后"}
    write_workbook(saved, replace_rows=[RowsReplacement(Sheet.NOTICES, "通报期次", "2022年第6期", [record] * 3)])
    with Package(saved) as pkg:
        assert b'fullCalcOnLoad="1"' in pkg.read(pkg.workbook)  # what Excel needs
    csv = libreoffice(saved, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2",
                      tmp_path / "csv")  # sheet 2: 单位
    assert csv.read_text(encoding="utf-8").splitlines()[1].split(",")[-1] == "3"


def test_marks_cleared_after_an_openpyxl_save(tmp_path):
    ledger = _ledger(tmp_path / "台账.xlsx")
    write_workbook(ledger, sheets=[FINDINGS], marks=[CellMark(Sheet.ITEMS, "E2", "请改正")])
    book = openpyxl.load_workbook(ledger)  # a clerk's script: openpyxl keeps comments, drops our record
    book.save(ledger)
    write_workbook(ledger, sheets=[FINDINGS])
    assert _fill(ledger, "E2") is None and _fill(ledger, "D2") == YELLOW
    assert set(_comments(ledger)) == {"B2"}


@pytest.mark.parametrize("name", ["excelize-Book1.xlsx", "poi-56644.xlsx", "poi-WithTextBox.xlsx",
                                  "poi-NewStyleConditionalFormattings.xlsx"])
def test_excel_made_files_survive_duban_libreoffice_duban(libreoffice, tmp_path, name):
    path = tmp_path / name
    shutil.copy(REAL / name, path)
    with Package(path) as pkg:
        sheet = next(iter(pkg.sheets()))
    write_workbook(path, sheets=[FINDINGS], marks=[CellMark(sheet, "B3", "请改正")])
    saved = libreoffice(path, "xlsx", tmp_path / "lo")
    write_workbook(saved, sheets=[FINDINGS], marks=[CellMark(sheet, "C4", "请改正")])
    assert _fill(saved, "B3", sheet) != RED and _fill(saved, "C4", sheet) == RED
    assert [k for k, v in _comments(saved, sheet).items() if "duban_xl" in v] == ["C4"]


def test_strict_open_xml_is_read_and_refused_for_writing_with_a_true_message(tmp_path, capsys):
    import zipfile
    plain = write_ledger(tmp_path / "plain.xlsx")
    strict = tmp_path / "strict.xlsx"
    swaps = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
             (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
              b"http://purl.oclc.org/ooxml/officeDocument/relationships")]
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(strict, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            for a, b in swaps:
                data = data.replace(a, b)
            zout.writestr(name, data)
    assert read_ledger(strict).items.shape[0] == 1
    before = strict.read_bytes()
    code = main(["validate", str(strict), "--as-of", "2022-12-31", "--write", "--in-place"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Strict Open XML" in err and "另存为" in err and len(err.splitlines()) == 1
    assert strict.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (["plain.xlsx", "strict.xlsx"],
                                                          ["duban_备份", "plain.xlsx", "strict.xlsx"])
    assert not list(tmp_path.glob("duban_备份/*.xlsx"))  # duban's lock at most, no backup
