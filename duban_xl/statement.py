"""得分告知单 (三、考评标准): each unit told its score, line by line, and how to object.

The ranking bulletin (二（八）) tells units where they stand; the 告知单 tells one unit
why: every point of the year up to the quarter's end with its date, item, clause,
explanation and the ledger cells behind it (得分明细), its total and its rank in its
group, and how to raise an objection (异议) within a stated number of working days.
Pure over a ``ScoreResult``; documents and files are the api's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .contract import Col, Eligibility
from .dates import issue_date, quarter_end, workdays_after
from .errors import BadArgument
from .ledger import Ledger
from .score import ScoreResult, plain_number, quarter_ranking

OBJECTION_WORKDAYS = 5  # 异议 within this many working days of the 告知单 (the source gives no figure)
POINT_COLUMNS = (Col.DATE, Col.ITEM_NO, Col.CLAUSE, Col.RULE_CODE, Col.NOTE, Col.POINTS, Col.EVIDENCE)


@dataclass
class Statement:
    """One unit's 告知单 for a quarter."""

    unit: str
    category: str
    year: int
    quarter: int
    as_of: dt.date  # the quarter's last day
    base: float
    total: float
    rank: int
    group_size: int
    eligibility: str
    veto_count: int  # 参数 评优否决次数
    points: pd.DataFrame  # POINT_COLUMNS, by date
    date: dt.date  # the 告知单's date: a working day, as the ranking bulletin's
    objection_by: dt.date  # the working day by which an objection must arrive


def statements(ledger: Ledger, result: ScoreResult, quarter: int, units: list[str] | None = None) -> list[Statement]:
    """The 告知单 of every ranked unit (or of ``units``) as of the end of ``quarter``."""
    end = quarter_end(result.year, quarter)
    ranking = quarter_ranking(result, quarter)
    known = list(ranking[Col.UNIT])
    for unit in units or ():
        if unit not in known:
            raise BadArgument(f"“{unit}”不是参加排名的单位（乡镇（街道）或县直部门），请核对「单位」表中的名称。",
                              f"unit {unit!r} is not ranked")
    date = issue_date(end, ledger.params.bulletin_due_day)
    detail = result.detail[result.detail[Col.DATE] <= pd.Timestamp(end)]
    sizes = ranking[Col.UNIT_CATEGORY].value_counts()
    chosen = ranking[ranking[Col.UNIT].isin(units)] if units else ranking
    return [Statement(
        unit=row[Col.UNIT], category=row[Col.UNIT_CATEGORY], year=result.year, quarter=quarter, as_of=end,
        base=result.base, total=float(row[Col.TOTAL]), rank=int(row[Col.RANK]),
        group_size=int(sizes[row[Col.UNIT_CATEGORY]]), eligibility=row[Col.ELIGIBILITY], veto_count=result.veto_count,
        points=detail.loc[detail[Col.SCORING_UNIT] == row[Col.UNIT], list(POINT_COLUMNS)].reset_index(drop=True),
        date=date, objection_by=workdays_after(date, OBJECTION_WORKDAYS),
    ) for row in chosen.to_dict("records")]


def score_line(s: Statement) -> str:
    """The sentence that gives the score: total, base, points, rank, 评优资格."""
    points = plain_number(s.total - s.base)
    line = (f"截至{s.as_of.year}年{s.as_of.month}月{s.as_of.day}日，你单位{s.year}年度督查得分为{plain_number(s.total)}分"
            f"（基准分{plain_number(s.base)}分，累计加减分{points:+g}分），在{s.group_size}个{s.category}中"
            f"排名第{s.rank}位")
    if s.eligibility == Eligibility.CANCELLED:
        return line + f"；年度内{s.veto_count}次及以上未按时办结且无正当理由，建议取消年度评优评先资格（三（二））。"
    return line + "。"
