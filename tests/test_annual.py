"""年度考核结果 (三: 纳入年度考核): per unit score, group rank, 评优资格 and counts, all from 得分明细."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl.annual import annual
from duban_xl.cli import main
from duban_xl.contract import Col, Sheet
from duban_xl.reader import read_ledger
from duban_xl.score import score

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx"


def test_every_figure_is_the_year_end_score_and_its_points():
    ledger = read_ledger(SAMPLE)
    table = annual(ledger, 2022).set_index(Col.UNIT)
    result = score(ledger, dt.date(2022, 12, 31))
    ranking = result.ranking.set_index(Col.UNIT)
    assert list(table.index) == list(ranking.index)
    assert (table[Col.SUPERVISION_SCORE] == ranking[Col.TOTAL]).all()
    assert (table[Col.GROUP_RANK] == ranking[Col.RANK]).all() and (table[Col.ELIGIBILITY] == ranking[Col.ELIGIBILITY]).all()
    detail = result.detail
    for unit in ("县财政局", "赤石乡"):
        mine = detail[detail[Col.SCORING_UNIT] == unit]
        assert table.at[unit, Col.OVERDUE_COUNT] == (mine[Col.RULE_CODE] == "R2E").sum()
        assert table.at[unit, Col.DEFECT_COUNT] == (mine[Col.RULE_CODE] == "R3A").sum()
        assert table.at[unit, Col.PLUS] + table.at[unit, Col.MINUS] == pytest.approx(mine[Col.POINTS].sum())
        assert 100 + table.at[unit, Col.PLUS] + table.at[unit, Col.MINUS] == pytest.approx(table.at[unit, Col.SUPERVISION_SCORE])


def test_annual_writes_the_sheet_and_an_xlsx(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")
    ledger = Path(shutil.copy(SAMPLE, tmp_path / "督查台账.xlsx"))
    assert main(["annual", str(ledger), "--year", "2022", "--out", str(tmp_path / "out")]) == 0
    book = load_workbook(tmp_path / "out" / "2022年度" / "年度考核结果_2022.xlsx")
    assert [c.value for c in book[Sheet.ANNUAL][1]][:5] == ["单位", "单位类别", "督查得分", "组内排名", "评优资格"]
    assert Sheet.ANNUAL in load_workbook(ledger, read_only=True).sheetnames
    assert main(["annual", str(ledger), "--year", "2021", "--out", str(tmp_path / "out")]) == 2
    assert "考评年度是 2022 年" in capsys.readouterr().err
