"""Monthly bulletin (一月一通报, 二（六）): what the office publishes about month M.

二（六）: 县政府督查室 reports the state of the supervised items once a month
and publishes it county-wide before the 10th; units that do well are praised,
units that lag are named. SPEC «Monthly bulletin» fixes the exact reading used
here. Everything is computed as of E, the last day of M. The 通报记录 rows
produced here are a record: 进度滞后 / 逾期未办结 rows later cost points (R2D,
三（二）), so they are listed once per unit of each item.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .dates import cn_date, day_of_month, issue_date, parse_month, workdays_after
from .contract import (
    EVENT_RULES, PRAISE_RULES, Col, FeedbackMode, NoticeType, Out,
    OverdueReason, Pace, Sheet,
)
from .deadlines import EFFECTIVE
from .ledger import ROW, Ledger
from .views import item_view, progress_reports

TOTAL, OPEN, DONE, OVERDUE, ON_TIME_RATE = Out.TOTAL_ITEMS, Out.OPEN, Out.DONE, Out.OVERDUE, Out.ON_TIME_RATE

OVERDUE_COLUMNS = [Col.ITEM_NO, Col.SUBJECT, Col.UNIT, EFFECTIVE]
LAGGING_COLUMNS = [Col.ITEM_NO, Col.SUBJECT, Col.UNIT, EFFECTIVE, Col.CHECK_NOTE]
LATE_COLUMNS = [Col.ITEM_NO, Col.SUBJECT, Col.UNIT, EFFECTIVE]
PRAISE_COLUMNS = [Col.UNIT, Col.EVENT_TYPE, Col.REASON, Col.DATE]
RECORD_COLUMNS = [Col.ISSUE, Col.NOTICE_DATE, Col.ITEM_NO, Col.UNIT, Col.NOTICE_TYPE, Col.NOTE]
# 责成报告: the units named answer within this many working days of 通报日期 (the source gives no figure)
ANSWER_WORKDAYS = 5

@dataclass
class MonthlyBulletin:
    """One issue of 一月一通报 (二（六）), as data for the sheet, the Word file and 通报记录."""

    month: str  # "2022-06"
    issue: str  # 通报期次 "2022年第6期"
    date: dt.date  # 通报日期
    as_of: dt.date  # E, the last day of the month
    county: str
    office: str
    totals: dict  # 总数, 在办, 办结, 逾期 (int), 按时办结率 (float 0..1; 0.0 when 办结 = 0)
    overdue: pd.DataFrame  # 交办单号, 督查事项, 单位, 有效时限
    lagging: pd.DataFrame  # 交办单号, 督查事项, 单位, 有效时限, 核查意见
    late_feedback: pd.DataFrame  # 交办单号, 督查事项, 单位, 有效时限
    praise: pd.DataFrame  # 单位, 事件类型, 事由, 日期
    records: pd.DataFrame  # 通报期次, 通报日期, 交办单号, 单位, 通报类型, 说明 — one row per unit
    ordered: list[str] = field(default_factory=list)  # units listed under 逾期未办结 or 进度滞后: 责成报告
    answer_by: dt.date | None = None  # the working day by which they report 原因及改进意见


def monthly_bulletin(ledger: Ledger, month: str, date: dt.date | None = None) -> MonthlyBulletin:
    """Compute the bulletin of ``month`` as of its last day (SPEC «Monthly bulletin»).

    ``date`` is 通报日期; by default the last working day on or before the 通报截止日 of the
    following month (二（六）: 每月10日前).
    """
    first, end = parse_month(month)
    params = ledger.params
    if date is None:
        date = issue_date(end, params.bulletin_due_day)
    month_key = first.strftime("%Y-%m")
    issue = f"{first.year}年第{first.month}期"
    items = item_view(ledger, end)
    due = day_of_month(first.year, first.month, params.feedback_due_day)

    overdue = _overdue(items, end)
    lagging = _lagging(ledger, items, first, end)
    late = _late_feedback(ledger, items, first, month_key, due)
    praise = _praise(ledger, first, end)
    unit_lists = ledger.item_units()
    records = pd.concat([
        _records(overdue, unit_lists, NoticeType.OVERDUE,
                 lambda r: f"有效时限为{cn_date(r[EFFECTIVE])}，截至{cn_date(end)}仍未办结。"),
        _records(lagging, unit_lists, NoticeType.LAGGING,
                 lambda r: _sentence(f"{first.month}月报送的反馈经核查办理进度滞后", r[Col.CHECK_NOTE])),
        _records(late, unit_lists, NoticeType.LATE_FEEDBACK,
                 lambda r: f"截至{cn_date(due)}未报送{first.month}月份进展反馈。"),
        _praise_records(praise),
    ], ignore_index=True)
    records.insert(0, Col.NOTICE_DATE, pd.Timestamp(date).as_unit("ns"))
    records.insert(0, Col.ISSUE, issue)
    # 二（六）: 对工作进度滞后、敷衍塞责的单位进行通报，责成报告原因及改进意见
    ordered = list(dict.fromkeys(records.loc[records[Col.NOTICE_TYPE].isin(NoticeType.PENALISED), Col.UNIT]))
    return MonthlyBulletin(
        month=month_key, issue=issue, date=date, as_of=end,
        county=params.county, office=params.office,
        totals=_totals(items, end), overdue=overdue, lagging=lagging,
        late_feedback=late, praise=praise, records=records[RECORD_COLUMNS],
        ordered=ordered, answer_by=workdays_after(date, ANSWER_WORKDAYS) if ordered else None,
    )


def bulletin_records_replacement(b: MonthlyBulletin) -> dict:
    """What to write into 通报记录: this issue's rows replace any earlier rows of the same 通报期次.

    The CLI turns it into ``RowsReplacement(**result)``; a re-run of a month never duplicates
    rows, so R2D (三（二）) is charged once per unit and listing.
    """
    rows = []
    for record in b.records.to_dict("records"):
        record[Col.NOTICE_DATE] = record[Col.NOTICE_DATE].date()
        record[Col.ITEM_NO] = record[Col.ITEM_NO] or None
        rows.append(record)
    return {"sheet": Sheet.NOTICES, "key_column": Col.ISSUE, "key_value": b.issue, "rows": rows}


# -- the lists ------------------------------------------------------------------------------------

def _done_by(items: pd.DataFrame, day: dt.date) -> pd.Series:
    return items[Col.DONE] <= pd.Timestamp(day)


def _totals(items: pd.DataFrame, end: dt.date) -> dict:
    assigned = items[Col.ASSIGNED] <= pd.Timestamp(end)
    done = assigned & _done_by(items, end)
    overdue = assigned & ~done & (items[EFFECTIVE] < pd.Timestamp(end))
    on_time = done & (items[Col.DONE] <= items[EFFECTIVE])
    completed = int(done.sum())
    return {
        TOTAL: int(assigned.sum()),
        OPEN: int(assigned.sum()) - completed,
        DONE: completed,
        OVERDUE: int(overdue.sum()),
        ON_TIME_RATE: float(on_time.sum()) / completed if completed else 0.0,
    }


def _overdue(items: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """逾期未办结: D < E, not completed by E, and the delay not recognised as 正当理由 (三（二）)."""
    mask = ((items[EFFECTIVE] < pd.Timestamp(end)) & ~_done_by(items, end)
            & (items[Col.OVERDUE_REASON] != OverdueReason.JUSTIFIED))
    return _listing(items[mask], OVERDUE_COLUMNS)


def _lagging(ledger: Ledger, items: pd.DataFrame, first: dt.date, end: dt.date) -> pd.DataFrame:
    """进度滞后: a 反馈记录 row dated in M whose 核查 rated the progress 滞后 (二（五）、（六）)."""
    fb = ledger.feedback
    rows = fb[_in_month(fb[Col.FEEDBACK_DATE], first, end) & (fb[Col.PACE] == Pace.LAGGING)]
    notes = (rows.groupby(Col.ITEM_NO, sort=False)[Col.CHECK_NOTE]
             .agg(lambda s: "；".join(dict.fromkeys(v for v in s if isinstance(v, str) and v.strip()))))
    listed = items[items[Col.ITEM_NO].isin(notes.index)].copy()
    listed[Col.CHECK_NOTE] = listed[Col.ITEM_NO].map(notes)
    return _listing(listed, LAGGING_COLUMNS)


def _late_feedback(ledger: Ledger, items: pd.DataFrame, first: dt.date, month_key: str,
                   due: dt.date) -> pd.DataFrame:
    """未按时反馈: 每月反馈 items owe a 进展反馈 for M by the 5th (二（四）: 一月一反馈，于每月5日前)."""
    required = items[(items[Col.FEEDBACK_MODE] == FeedbackMode.MONTHLY)
                     & (items[Col.ASSIGNED] < pd.Timestamp(first)) & ~_done_by(items, due)]
    reported = progress_reports(ledger.feedback, month_key, due)
    return _listing(required[~required[Col.ITEM_NO].isin(reported)], LATE_COLUMNS)


def _praise(ledger: Ledger, first: dt.date, end: dt.date) -> pd.DataFrame:
    """表扬: praise events (三（四）, R4A/R4B/R4D/R4F) dated in M, one row per unit praised.

    An event naming a 交办单号 but no 单位 praises every unit of that item (SPEC «Scoring»).
    """
    ev = ledger.events
    praise_types = [t for t, code in EVENT_RULES.items() if code in PRAISE_RULES]
    ev = ev[ev[Col.EVENT_TYPE].isin(praise_types) & _in_month(ev[Col.DATE], first, end)]
    ev = ev.sort_values([Col.DATE, ROW], kind="stable")
    units_of = ledger.item_units().groupby(Col.ITEM_NO, sort=False)[Col.UNIT].agg(list)
    rows = []
    for rec in ev.to_dict("records"):
        named = rec[Col.UNIT]
        units = [named] if isinstance(named, str) and named else units_of.get(rec[Col.ITEM_NO], [])
        rows += [{Col.UNIT: unit, Col.EVENT_TYPE: rec[Col.EVENT_TYPE], Col.REASON: rec[Col.REASON] or "",
                  Col.DATE: rec[Col.DATE]} for unit in units]
    return pd.DataFrame(rows, columns=PRAISE_COLUMNS).astype({Col.DATE: "datetime64[ns]"})


def _in_month(dates: pd.Series, first: dt.date, end: dt.date) -> pd.Series:
    return (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(end))


def _listing(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.sort_values(Col.ITEM_NO, kind="stable")[columns].reset_index(drop=True)


# -- 通报记录 ------------------------------------------------------------------------------------

def _records(listing: pd.DataFrame, unit_lists: pd.DataFrame, kind: str, note) -> pd.DataFrame:
    """One 通报记录 row per unit of each listed item (三（二）: 均实行一样的加分或扣分)."""
    merged = listing.merge(unit_lists[[Col.ITEM_NO, Col.UNIT]], on=Col.ITEM_NO, how="inner",
                           suffixes=("_all", ""))
    return pd.DataFrame({
        Col.ITEM_NO: merged[Col.ITEM_NO],
        Col.UNIT: merged[Col.UNIT],
        Col.NOTICE_TYPE: kind,
        Col.NOTE: [note(r) for r in merged.to_dict("records")],
    }, columns=RECORD_COLUMNS[2:])


def _sentence(text: str, detail: str) -> str:
    """'…滞后' + '进度慢' → '…滞后：进度慢。' — one short sentence for 说明."""
    return f"{text}：{detail.rstrip('。')}。" if detail else f"{text}。"


def _praise_records(praise: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        Col.ITEM_NO: "",
        Col.UNIT: praise[Col.UNIT],
        Col.NOTICE_TYPE: NoticeType.PRAISE,
        Col.NOTE: [_sentence(f"{cn_date(r[Col.DATE])}受到{r[Col.EVENT_TYPE]}", r[Col.REASON])
                   for r in praise.to_dict("records")],
    }, columns=RECORD_COLUMNS[2:])
