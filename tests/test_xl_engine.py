"""The Excel buttons through real xlwings, without Excel.

xlwings' in-memory "remote" engine opens a book from the JSON payload its VBA client
sends (xlwings/addin/Remote.bas: every sheet's values from A1, blanks null, dates as ISO
text) and collects what Excel would be told to do (addSheet, setValues, setRangeColor,
alert, …) in ``book.json()``. The buttons run through ``_button``, the same code path as
a click, and the tests read those actions: what the clerk would see in the workbook.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

# The remote engine is in xlwings/pro and registers when xlwings is imported, only with a
# licence key. PolyForm Noncommercial (xlwings/pro/README.md) permits use by a government
# institution, which the county's supervision office is; a key already set is kept.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
xw = pytest.importorskip("xlwings",
                         reason="xlwings is not installed: pip install 'xlwings==0.37.8' to test the Excel buttons")
if "remote" not in [engine.name for engine in xw.engines]:
    pytest.skip("xlwings' in-memory engine (remote) is not available: it needs XLWINGS_LICENSE_KEY "
                "(this module sets 'noncommercial' unless one is set) before xlwings is first imported",
                allow_module_level=True)

from duban_xl.contract import FINDING_COLUMNS, FINDING_SHEET_COLUMNS, RANKING_COLUMNS, Col, Sheet  # noqa: E402
from duban_xl.xl import BUTTONS, main, render, run  # noqa: E402
from workbooks import D, item, write_ledger  # noqa: E402

FEEDBACK = {Col.ITEM_NO: "2022-001", Col.REPORTER: "县发展和改革局", Col.FEEDBACK_DATE: D(2022, 6, 20),
            Col.FEEDBACK_TYPE: "办结反馈", Col.SIGNER: "李四", Col.CHECK_RESULT: "通过"}
HEADER_BLUE, MARK_RED = "#1f4e78", "#ffc7ce"
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "云和县2022年督查台账.xlsx"


def _cell(value):
    """A cell as the VBA client serialises it (WebHelpers.ConvertToIso: no time zone shift)."""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%dT%H:%M:%S}.000Z"
    return value


def open_book(path, extra_first_sheet: tuple[str, list[list]] | None = None):
    """The workbook at ``path`` as xlwings' remote engine receives it from Excel."""
    sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)])
              for ws in load_workbook(path).worksheets]
    if extra_first_sheet:
        sheets.insert(0, extra_first_sheet)
    payload = {"client": "VBA", "version": xw.__version__,
               "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [],
               "sheets": [{"name": name, "pictures": [], "tables": [],
                           "values": [[_cell(v) for v in row] for row in rows] or [[]]} for name, rows in sheets]}
    return xw.Book(json=json.loads(json.dumps(payload, ensure_ascii=False)))  # what travels is JSON


def click(button: str, book) -> list[dict]:
    """Run a button on ``book`` the way a click does; the actions xlwings would send to Excel,
    each with the name of the sheet it acts on (Excel applies them in order, so a sheet's
    position shifts as sheets are added before it)."""
    names = [sheet.name for sheet in book.sheets]
    run(button, book)
    sent = []
    for action in book.json()["actions"]:
        if action["func"] == "addSheet":
            names.insert(*action["args"])
        at = action["sheet_position"]
        sent.append({**action, "sheet": None if at is None else names[at]})
    return sent


def only(sent: list[dict], func: str, args: list | None = None) -> list[dict]:
    return [a for a in sent if a["func"] == func and (args is None or a["args"] == args)]


def grid(sent: list[dict], sheet: str) -> list[list]:
    """The values written to ``sheet`` from A1 (one setValues per output sheet)."""
    [values] = [a["values"] for a in only(sent, "setValues") if a["sheet"] == sheet and
                (a["start_row"], a["start_column"]) == (0, 0)]
    return values


def written(sent: list[dict], sheet: str) -> list[dict]:
    """The rows of a one-table sheet, each as {header: value}."""
    header, *rows = grid(sent, sheet)
    return [dict(zip(header, row)) for row in rows]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")


def test_validate_button_adds_findings_sheet_marks_the_cell_and_alerts(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}))
    sent = click("校验", book)

    assert sent[0]["func"] == "addSheet" and sent[0]["args"] == [0, Sheet.FINDINGS]  # first tab, as the CLI
    [finding] = written(sent, Sheet.FINDINGS)
    assert list(finding) == list(FINDING_SHEET_COLUMNS)
    assert (finding["工作表"], finding["单元格"]) == (Sheet.ITEMS, "G2")
    assert "县发展和改革局" in finding["建议"]

    [header] = [a for a in only(sent, "setRangeColor", [HEADER_BLUE]) if a["sheet"] == Sheet.FINDINGS]
    assert (header["start_row"], header["start_column"]) == (0, 0)
    assert (header["row_count"], header["column_count"]) == (1, len(FINDING_SHEET_COLUMNS))  # the whole header row
    [link] = only(sent, "addHyperlink")
    assert link["args"][:2] == [f"#'{Sheet.ITEMS}'!G2", "G2"]  # 单元格 jumps to the cell, as in the file

    [mark] = [a for a in only(sent, "setRangeColor", [MARK_RED]) if a["sheet"] == Sheet.ITEMS]
    assert (mark["start_row"], mark["start_column"], mark["row_count"], mark["column_count"]) == (1, 6, 1, 1)  # G2

    [alert] = only(sent, "alert")
    assert "错误 1 处" in alert["args"][0] and alert["args"][1] == "督查台账"


def test_second_click_rewrites_the_existing_findings_sheet(tmp_path):
    old = (Sheet.FINDINGS, [list(FINDING_COLUMNS), ["错误", "old", Sheet.ITEMS, "Z9", "", "", "旧问题", ""]])
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}), old)
    sent = click("校验", book)

    assert only(sent, "addSheet") == []
    assert [a["sheet"] for a in only(sent, "sheetClear")] == [Sheet.FINDINGS]
    assert [f["单元格"] for f in written(sent, Sheet.FINDINGS)] == ["G2"]


def test_formula_looking_text_reaches_excel_as_text(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(ITEM_NO="=1+2")]}))
    sent = click("校验", book)

    values = [v for a in only(sent, "setValues") for row in a["values"] for v in row]
    assert "'=1+2" in values and "=1+2" not in values


def test_score_button_writes_ranking_and_detail(tmp_path):
    ledger = {Sheet.ITEMS: [item(DONE=D(2022, 6, 18))], Sheet.FEEDBACK: [FEEDBACK]}
    book = open_book(write_ledger(tmp_path / "台账.xlsx", ledger))
    sent = click("计分", book)

    assert [a["args"][1] for a in only(sent, "addSheet")] == [Sheet.RANKING, Sheet.SCORE_DETAIL]
    tabs = [sheet.name for sheet in book.sheets]  # the engine's book after the click
    assert tabs[-2:] == [Sheet.RANKING, Sheet.SCORE_DETAIL]  # where `duban score --write` puts them
    rows = grid(sent, Sheet.RANKING)
    unit, total = RANKING_COLUMNS.index(Col.UNIT), RANKING_COLUMNS.index(Col.TOTAL)
    totals = {row[unit]: row[total] for row in rows if row[unit] in ("县发展和改革局", "县财政局", "浮云街道")}
    # 按时办结并按时反馈 +2, 提前办结 +1 — for host and co-host alike (三（二）)
    assert totals == {"县发展和改革局": 103, "县财政局": 103, "浮云街道": 100}
    [alert] = only(sent, "alert")
    assert alert["args"][0].startswith("已计算 ")


def test_score_button_refuses_an_invalid_ledger_and_shows_why(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}))
    sent = click("计分", book)

    assert [a["args"] for a in only(sent, "addSheet")] == [[0, Sheet.FINDINGS]]
    assert [f["单元格"] for f in written(sent, Sheet.FINDINGS)] == ["G2"]
    [alert] = only(sent, "alert")
    assert "请先点“校验”" in alert["args"][0]


def test_a_missing_sheet_is_one_chinese_message(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", drop=(Sheet.ITEMS,)))
    sent = click("校验", book)

    [alert] = only(sent, "alert")
    assert "缺少工作表" in alert["args"][0] and "Traceback" not in alert["args"][0]
    assert only(sent, "setValues") == []


def test_intake_button_checks_the_intake_folder_without_writing_and_names_the_command(tmp_path, monkeypatch):
    """收件 runs `duban intake --dir 收件 --dry-run`: the files' verdicts, the ledger and the book untouched."""
    from duban_xl import api

    monkeypatch.setenv("DUBAN_TODAY", "2023-01-05")
    ledger = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, ledger)
    [(_, form, _), *_] = api.make_forms(ledger, "2022-12", as_of=dt.date(2023, 1, 5)).files
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(form, inbox / form.name)
    before = ledger.read_bytes()
    book = open_book(ledger)
    monkeypatch.setattr("duban_xl.xl._book_path", lambda _: ledger)  # the in-memory engine has no folder
    sent = click("收件", book)

    [alert] = only(sent, "alert")
    assert "「收件」中 1 个文件" in alert["args"][0] and form.name in alert["args"][0]
    assert f'duban intake "{ledger}" --dir "{inbox}"' in alert["args"][0]
    assert only(sent, "setValues") == [] and ledger.read_bytes() == before
    assert sorted(p.name for p in inbox.iterdir()) == [form.name]  # nothing moved, no 回执


def test_close_button_names_the_command_for_last_month(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-07-05")
    path = write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item()]})
    monkeypatch.setattr("duban_xl.xl._book_path", lambda _: path)
    [alert] = only(click("本月结账", open_book(path)), "alert")
    assert f'duban close "{path}" --month 2022-06' in alert["args"][0]


def test_main_without_excel_names_no_button(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item()]}))
    main(book)
    [alert] = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert "没有认出点击的按钮" in alert["args"][0]


# ---- the same sheets as the CLI ----------------------------------------------------------------

def _plain(value):
    """A cell value as both routes carry it: dates as ISO days, whole floats as ints, blanks as None."""
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        return value[:10]  # the remote engine sends datetimes as ISO text
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def _trimmed(rows) -> list[list]:
    rows = [[_plain(v) for v in row] for row in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(row) if v is not None), default=0) for row in rows), default=0)
    return [(row + [None] * width)[:width] for row in rows]


def file_sheet(path: Path, name: str) -> list[list]:
    return _trimmed(load_workbook(path)[name].iter_rows(values_only=True))


@pytest.mark.slow
def test_buttons_write_the_sheets_the_cli_writes_on_the_sample_ledger(tmp_path, monkeypatch):
    """校验, 计分, 月度通报 through the xlwings engine against `duban validate/score --write` and
    `duban bulletin` on the same ledger: the same sheets, cell for cell, and the same 通报记录 rows."""
    from duban_xl import api

    monkeypatch.setenv("DUBAN_TODAY", "2023-01-05")  # the 月度通报 button issues last month: 2022-12
    ledger = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, ledger)
    as_of = dt.date(2023, 1, 5)

    checked = api.validate_workbook(ledger, as_of, write="copy").written
    sent = click("校验", open_book(ledger))
    assert _trimmed(grid(sent, Sheet.FINDINGS)) == file_sheet(checked, Sheet.FINDINGS)

    scored = api.score_workbook(ledger, as_of, write="copy").written
    sent = click("计分", open_book(ledger))
    for name in (Sheet.RANKING, Sheet.SCORE_DETAIL):
        assert _trimmed(grid(sent, name)) == file_sheet(scored, name), name

    before = file_sheet(ledger, Sheet.NOTICES)
    book = open_book(ledger)
    # Excel gives the book's full path; the in-memory engine only its name
    monkeypatch.setattr("duban_xl.xl._book_path", lambda _: ledger)
    sent = click("月度通报", book)
    issued = api.issue_bulletin(ledger, "2022-12", as_of=as_of)
    assert _trimmed(grid(sent, Sheet.MONTHLY)) == file_sheet(ledger, Sheet.MONTHLY)
    after = file_sheet(ledger, Sheet.NOTICES)
    rows = {a["start_row"] + 1: a["values"][0] for a in only(sent, "setValues") if a["sheet"] == Sheet.NOTICES}
    assert rows and len(after) == len(before) + len(rows)
    assert {r: _trimmed([v])[0] for r, v in rows.items()} == {r: after[r - 1][:len(_trimmed([v])[0])]
                                                               for r, v in rows.items()}
    [alert] = only(sent, "alert")
    assert issued.bulletin.issue in alert["args"][0] and "请保存工作簿" in alert["args"][0]
    assert str(issued.document) in alert["args"][0]  # the button's Word 通报 is where the CLI puts it


def test_bulletin_button_on_an_unsaved_book_asks_to_save_it_first(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item()]}))
    [alert] = only(click("月度通报", book), "alert")
    assert "请先保存工作簿" in alert["args"][0]
