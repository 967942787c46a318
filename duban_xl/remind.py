"""Reminders (催办, 二（三）): what the office should chase, unit by unit, on a given day.

二（三）: after assignment the office follows each item and reminds units in
good time (电话问询、信息提醒). Three things are worth a call: an open item near
its deadline (临期, within 临期预警天数), an open item past it (逾期 — even with
a 正当理由 it still has to be done), and a 每月反馈 item whose progress report
for this month (二（四）: 每月5日前) has not arrived.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .dates import cn_date, day_of_month
from .contract import REMINDER_COLUMNS, Col, FeedbackMode, OverdueReason, Out, ReminderKind, RemindMethod, Sheet
from .deadlines import EFFECTIVE
from .ledger import Ledger
from .views import item_view, progress_reports

DAYS_LEFT, KIND = Col.DAYS_LEFT, Out.REMINDER_KIND
DUE_SOON, OVERDUE, MONTHLY_MISSING = ReminderKind.DUE_SOON, ReminderKind.OVERDUE, ReminderKind.MONTHLY_MISSING
COLUMNS = list(REMINDER_COLUMNS)
_URGENCY = {OVERDUE: 0, DUE_SOON: 1, MONTHLY_MISSING: 2}


def reminders(ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """One row per unit of each item to chase on ``as_of``, ordered by 单位 (sheet order) then urgency."""
    today = pd.Timestamp(as_of).normalize()
    as_of = today.date()  # a datetime from the command line compares like a date from here on
    items = item_view(ledger, as_of)
    # an item without a deadline is a validation error (完成时限*): nothing to count down to
    open_items = items[(items[Col.ASSIGNED] <= today) & ~(items[Col.DONE] <= today)
                       & items[EFFECTIVE].notna()].copy()
    open_items[DAYS_LEFT] = (open_items[EFFECTIVE] - today).dt.days
    warn = ledger.params.warn_days

    rows = []
    for rec in open_items.to_dict("records"):
        days = rec[DAYS_LEFT]
        if days < 0:
            rows.append(_row(rec, OVERDUE, _overdue_note(-int(days), rec[Col.OVERDUE_REASON])))
        elif days <= warn:
            rows.append(_row(rec, DUE_SOON, "今天到期，请当天办结并反馈。" if days == 0
                             else f"距有效时限还有{int(days)}天，请抓紧办结并按时反馈。"))

    first = as_of.replace(day=1)
    due = day_of_month(as_of.year, as_of.month, ledger.params.feedback_due_day)
    reported = progress_reports(ledger.feedback, first.strftime("%Y-%m"), as_of)
    monthly = open_items[(open_items[Col.FEEDBACK_MODE] == FeedbackMode.MONTHLY)
                         & (open_items[Col.ASSIGNED] < pd.Timestamp(first))
                         & ~open_items[Col.ITEM_NO].isin(reported)]
    state = "已逾期未报，请立即报送" if as_of > due else "尚未收到，请按时报送"
    note = f"{as_of.month}月份进展反馈（反馈上月办理进展）应于{cn_date(due)}前报送，{state}。"
    rows += [_row(rec, MONTHLY_MISSING, note) for rec in monthly.to_dict("records")]

    return _per_unit(ledger, pd.DataFrame(rows, columns=[c for c in COLUMNS if c != Col.UNIT]))


def _overdue_note(days: int, reason: object) -> str:
    if reason == OverdueReason.JUSTIFIED:
        return f"已超过有效时限{days}天（已认定正当理由），仍须尽快办结并反馈。"
    return f"已超过有效时限{days}天，请尽快办结并说明逾期原因。"


def _row(rec: dict, kind: str, note: str) -> dict:
    return {Col.ITEM_NO: rec[Col.ITEM_NO], Col.SUBJECT: rec[Col.SUBJECT], EFFECTIVE: rec[EFFECTIVE],
            DAYS_LEFT: int(rec[DAYS_LEFT]), KIND: kind, Col.NOTE: note}


def _per_unit(ledger: Ledger, rows: pd.DataFrame) -> pd.DataFrame:
    """Every unit of an item is reminded (三（二）: 主办 and 协办 are judged alike); sort for the clerk."""
    units = ledger.item_units()[[Col.ITEM_NO, Col.UNIT]]
    merged = rows.merge(units, on=Col.ITEM_NO, how="inner")
    order = {name: i for i, name in enumerate(ledger.units[Col.UNIT_NAME])}
    merged["_unit"] = merged[Col.UNIT].map(lambda u: order.get(u, len(order)))
    merged["_urgency"] = merged[KIND].map(_URGENCY)
    merged = merged.sort_values(["_unit", Col.UNIT, "_urgency", DAYS_LEFT, Col.ITEM_NO], kind="stable")
    result = merged[COLUMNS].reset_index(drop=True)
    return result.astype({EFFECTIVE: "datetime64[ns]", DAYS_LEFT: "int64"})


AUTO_HANDLER = "duban自动催办"  # 经办人 of the rows `remind` records; with the day, the key a re-run replaces


def auto_handler(day: dt.date) -> str:
    """经办人 of the 催办记录 rows recorded on ``day``: a same-day re-run replaces exactly these."""
    return f"{AUTO_HANDLER}（{day:%Y-%m-%d}）"


def reminder_log_replacement(rows: pd.DataFrame, day: dt.date, method: str = RemindMethod.MESSAGE) -> dict:
    """What `remind` records in 催办记录 (二（三）): one row per unit and item it chased on ``day``.

    The CLI/api turns it into ``RowsReplacement(**result)``; reminders carry no points.
    """
    records = []
    for (unit, item_no), group in rows.groupby([Col.UNIT, Col.ITEM_NO], sort=False):
        content = "；".join(f"{kind}：{note}" for kind, note in zip(group[KIND], group[Col.NOTE]))
        records.append({Col.REMIND_DATE: day, Col.ITEM_NO: item_no, Col.UNIT: unit, Col.REMIND_METHOD: method,
                        Col.REMIND_CONTENT: f"催办单：{content}", Col.HANDLER: auto_handler(day),
                        Col.REPLY: None, Col.REPORTED: None})
    return {"sheet": Sheet.REMINDER_LOG, "key_column": Col.HANDLER, "key_value": auto_handler(day), "rows": records}
