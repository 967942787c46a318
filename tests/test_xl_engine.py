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

from duban_xl.contract import FINDING_COLUMNS, SCORE_DETAIL_COLUMNS, Col, Sheet  # noqa: E402
from duban_xl.xl import _button, run_score, run_validate  # noqa: E402
from workbooks import D, item, write_ledger  # noqa: E402

FEEDBACK = {Col.ITEM_NO: "2022-001", Col.REPORTER: "县发展和改革局", Col.FEEDBACK_DATE: D(2022, 6, 20),
            Col.FEEDBACK_TYPE: "办结反馈", Col.SIGNER: "李四", Col.CHECK_RESULT: "通过"}
HEADER_BLUE, MARK_RED = "#1f4e78", "#ffc7ce"


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


def click(run, book) -> list[dict]:
    """Run a button on ``book`` the way a click does; the actions xlwings would send to Excel,
    each with the name of the sheet it acts on (Excel applies them in order, so a sheet's
    position shifts as sheets are added before it)."""
    names = [sheet.name for sheet in book.sheets]
    _button(run, book)
    sent = []
    for action in book.json()["actions"]:
        if action["func"] == "addSheet":
            names.insert(*action["args"])
        at = action["sheet_position"]
        sent.append({**action, "sheet": None if at is None else names[at]})
    return sent


def only(sent: list[dict], func: str, args: list | None = None) -> list[dict]:
    return [a for a in sent if a["func"] == func and (args is None or a["args"] == args)]


def written(sent: list[dict], sheet: str) -> list[dict]:
    """The rows written to ``sheet``, each as {header: value}."""
    [[header, *rows]] = [a["values"] for a in only(sent, "setValues") if a["sheet"] == sheet]
    return [dict(zip(header, row)) for row in rows]


def test_validate_button_adds_findings_sheet_marks_the_cell_and_alerts(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}))
    sent = click(run_validate, book)

    assert sent[0]["func"] == "addSheet" and sent[0]["args"] == [0, Sheet.FINDINGS]  # before the first sheet
    [finding] = written(sent, Sheet.FINDINGS)
    assert list(finding) == list(FINDING_COLUMNS)
    assert (finding["工作表"], finding["单元格"]) == (Sheet.ITEMS, "G2")
    assert "县发展和改革局" in finding["建议"]

    [header] = only(sent, "setRangeColor", [HEADER_BLUE])
    assert (header["sheet"], header["start_row"], header["start_column"]) == (Sheet.FINDINGS, 0, 0)
    assert (header["row_count"], header["column_count"]) == (1, len(FINDING_COLUMNS))  # the whole header row
    [white] = only(sent, "setFontProperty", ["color", "#ffffff"])
    assert (white["sheet"], white["column_count"]) == (Sheet.FINDINGS, len(FINDING_COLUMNS))

    [mark] = only(sent, "setRangeColor", [MARK_RED])
    assert mark["sheet"] == Sheet.ITEMS
    assert (mark["start_row"], mark["start_column"], mark["row_count"], mark["column_count"]) == (1, 6, 1, 1)  # G2

    [alert] = only(sent, "alert")
    assert "错误 1 处" in alert["args"][0] and alert["args"][1] == "督查台账"


def test_second_click_rewrites_the_existing_findings_sheet(tmp_path):
    old = (Sheet.FINDINGS, [list(FINDING_COLUMNS), ["错误", "old", Sheet.ITEMS, "Z9", "", "", "旧问题", ""]])
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}), old)
    sent = click(run_validate, book)

    assert only(sent, "addSheet") == []
    assert [a["sheet"] for a in only(sent, "sheetClear")] == [Sheet.FINDINGS]
    assert [f["单元格"] for f in written(sent, Sheet.FINDINGS)] == ["G2"]


def test_formula_looking_text_reaches_excel_as_text(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(ITEM_NO="=1+2")]}))
    sent = click(run_validate, book)

    values = [v for a in only(sent, "setValues") for row in a["values"] for v in row]
    assert "'=1+2" in values and "=1+2" not in values


def test_score_button_writes_ranking_and_detail(tmp_path):
    ledger = {Sheet.ITEMS: [item(DONE=D(2022, 6, 18))], Sheet.FEEDBACK: [FEEDBACK]}
    book = open_book(write_ledger(tmp_path / "台账.xlsx", ledger))
    sent = click(run_score, book)

    assert {a["args"][1] for a in only(sent, "addSheet")} == {Sheet.RANKING, Sheet.SCORE_DETAIL}
    tabs = [sheet.name for sheet in book.sheets]  # the engine's book after the click
    assert tabs[:2] == [Sheet.RANKING, Sheet.SCORE_DETAIL]  # the ranking is the first tab a clerk sees
    ranking = {row[Col.UNIT]: row[Col.TOTAL] for row in written(sent, Sheet.RANKING)}
    # 按时办结并按时反馈 +2, 提前办结 +1 — for host and co-host alike (三（二）)
    assert ranking["县发展和改革局"] == 103 and ranking["县财政局"] == 103 and ranking["浮云街道"] == 100
    detail = written(sent, Sheet.SCORE_DETAIL)
    assert list(detail[0]) == list(SCORE_DETAIL_COLUMNS)
    assert sum(row[Col.POINTS] for row in detail if row[Col.UNIT] == "县财政局") == 3

    assert {a["sheet"] for a in only(sent, "setRangeColor", [HEADER_BLUE])} == {Sheet.RANKING, Sheet.SCORE_DETAIL}
    [alert] = only(sent, "alert")
    assert alert["args"][0].startswith(f"已计算 {len(detail)} 条得分明细")


def test_score_button_refuses_an_invalid_ledger_and_shows_why(tmp_path):
    book = open_book(write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]}))
    sent = click(run_score, book)

    assert [a["args"] for a in only(sent, "addSheet")] == [[0, Sheet.FINDINGS]]
    assert [f["单元格"] for f in written(sent, Sheet.FINDINGS)] == ["G2"]
    [alert] = only(sent, "alert")
    assert "请先点“校验”" in alert["args"][0]
