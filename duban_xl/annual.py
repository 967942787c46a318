"""年度考核结果 (三: 评分结果纳入年度考核; 三（二）: 评优评先资格): the year's result per unit.

For the assessment office: each 乡镇（街道） and 县直部门 unit's 督查得分 (基准分 plus every
point of the year, as of 12月31日 — the final score, SPEC «Time-true views»), its rank in
its group, 评优资格, and the counts behind them, each the number of 得分明细 rows of a rule,
so every figure can be traced to its points.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .contract import ANNUAL_COLUMNS, Col
from .errors import BadArgument
from .ledger import Ledger
from .score import ScoreResult, score

# count column → the rule whose 得分明细 rows it counts
COUNTED_RULES = {Col.ON_TIME_COUNT: "R2A", Col.EARLY_COUNT: "R2B", Col.OVERDUE_COUNT: "R2E",
                 Col.NOTICED_COUNT: "R2D", Col.DEFECT_COUNT: "R3A", Col.FALSIFIED_COUNT: "R3B"}


def year_end(ledger: Ledger, year: int) -> dt.date:
    """12月31日 of ``year``, which must be the ledger's 年度 (a ledger scores one year)."""
    if year != ledger.params.year:
        raise BadArgument(f"台账的考评年度是 {ledger.params.year} 年（「参数」年度），不能出 {year} 年的年度考核结果。",
                          f"ledger year {ledger.params.year}, asked for {year}")
    return dt.date(year, 12, 31)


def annual_result(result: ScoreResult) -> pd.DataFrame:
    """ANNUAL_COLUMNS per ranked unit, in ranking order (group, then rank)."""
    detail, ranking = result.detail, result.ranking
    table = pd.DataFrame({
        Col.UNIT: ranking[Col.UNIT], Col.UNIT_CATEGORY: ranking[Col.UNIT_CATEGORY],
        Col.SUPERVISION_SCORE: ranking[Col.TOTAL], Col.GROUP_RANK: ranking[Col.RANK],
        Col.ELIGIBILITY: ranking[Col.ELIGIBILITY],
    })
    for column, code in COUNTED_RULES.items():
        counts = detail.loc[detail[Col.RULE_CODE] == code, Col.SCORING_UNIT].value_counts()
        table[column] = table[Col.UNIT].map(counts).fillna(0).astype(int)
    points = detail[Col.POINTS]
    plus = detail[points > 0].groupby(Col.SCORING_UNIT)[Col.POINTS].sum()
    minus = detail[points < 0].groupby(Col.SCORING_UNIT)[Col.POINTS].sum()
    table[Col.PLUS] = table[Col.UNIT].map(plus).fillna(0.0).round(6)
    table[Col.MINUS] = table[Col.UNIT].map(minus).fillna(0.0).round(6)
    return table[list(ANNUAL_COLUMNS)].reset_index(drop=True)


def annual(ledger: Ledger, year: int) -> pd.DataFrame:
    """The 年度考核结果 of ``year`` (the score as of its last day)."""
    return annual_result(score(ledger, year_end(ledger, year)))
