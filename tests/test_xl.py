"""The Excel buttons' work, fed with cell values as xlwings hands them over (None for blanks, datetimes)."""
from __future__ import annotations

from openpyxl import load_workbook

from duban_xl.xl import run_score, run_validate
from workbooks import D, item, write_ledger

FEEDBACK = {"交办单号": "2022-001", "反馈单位": "县发展和改革局", "反馈日期": D(2022, 6, 20), "反馈类型": "办结反馈",
            "核签人": "李四", "核查结果": "通过"}


def values(path):
    book = load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_validate_button_lists_findings_and_cells_to_mark(tmp_path):
    rows = values(write_ledger(tmp_path / "l.xlsx", {"台账": [item(HOST="县发改委")]}))
    result = run_validate(rows, D(2022, 12, 31))
    assert "错误 1 处" in result.message
    sheet = result.sheets["校验结果"]
    assert sheet.iloc[0]["单元格"] == "G2" and "县发展和改革局" in sheet.iloc[0]["建议"]
    assert ("台账", "G2") in result.marks


def test_score_button_refuses_an_invalid_ledger(tmp_path):
    rows = values(write_ledger(tmp_path / "l.xlsx", {"台账": [item(HOST="县发改委")]}))
    result = run_score(rows, D(2022, 12, 31))
    assert "请先点“校验”" in result.message and "季度排名" not in result.sheets


def test_score_button_scores_a_valid_ledger(tmp_path):
    rows = values(write_ledger(tmp_path / "l.xlsx", {"台账": [item(DONE=D(2022, 6, 18))], "反馈记录": [FEEDBACK]}))
    result = run_score(rows, D(2022, 12, 31))
    ranking = result.sheets["季度排名"].set_index("单位")
    # 按时办结并按时反馈 +2, 提前办结 +1 — for host and co-host alike (三（二）)
    assert ranking.loc["县发展和改革局", "总分"] == 103 and ranking.loc["县财政局", "总分"] == 103


def test_missing_sheet_is_a_message_not_a_crash(tmp_path):
    rows = values(write_ledger(tmp_path / "l.xlsx", drop=("台账",)))
    assert "缺少工作表" in run_validate(rows, D(2022, 12, 31)).message
