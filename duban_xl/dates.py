"""Dates as the office writes and reads them: 2022年7月1日, months as 2022-06.

GB/T 9704 writes 成文日期 as 2022年7月1日 (no leading zeros); commands take
months as YYYY-MM. One place for both, used by every document and sheet.
Working days follow the official calendar (法定节假日 and 调休) through the
``chinese-calendar`` package; SPEC «Monthly close…»: dates documents carry by
default fall on working days, "每月10日前" is the last working day on or before the 10th.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import warnings

import chinese_calendar
import pandas as pd

from .errors import BadArgument, CalendarFallback

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def parse_month(month: str) -> tuple[dt.date, dt.date]:
    """'2022-06' → (2022-06-01, 2022-06-30); anything else is a BadArgument a clerk can fix."""
    match = _MONTH.fullmatch(str(month).strip())
    if match is None:
        raise BadArgument(f"月份「{month}」格式不对：请按 YYYY-MM 填写月份，例如 2022-06。",
                          f"month must be YYYY-MM, got {month!r}")
    year, mon = int(match[1]), int(match[2])
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


def day_of_month(year: int, month: int, day: int) -> dt.date:
    """The given day of a month, or its last day when the month is shorter (a 参数 of 31)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cn_date(value: dt.date | pd.Timestamp) -> str:
    """2022年7月1日 — the date form of official documents (GB/T 9704), no leading zeros."""
    return f"{value.year}年{value.month}月{value.day}日"


def quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of a quarter (二（八）: 每季度通报分数排名情况)."""
    if quarter not in (1, 2, 3, 4):
        raise BadArgument(f"季度应为 1 到 4 之间的数字，收到的是「{quarter}」。", "quarter must be 1-4")
    return dt.date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])


def is_workday(day: dt.date) -> bool:
    """A working day by the State Council's calendar (调休 Saturdays count, 法定节假日 do not).

    For a year the installed ``chinese-calendar`` has no data for, only weekends
    are days off, and a ``CalendarFallback`` warning says so (update the package
    each December when the new year's 放假安排 is published).
    """
    day = _as_date(day)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        warnings.warn(CalendarFallback(
            f"节假日日历尚无{day.year}年的数据，{day.year}年的日期只按周末推算（未计法定节假日和调休）；"
            f"请升级 chinese-calendar 后重新生成。 (no holiday data for {day.year}: weekends only)"),
            stacklevel=2)
        return day.weekday() < 5


def workday_on_or_before(day: dt.date) -> dt.date:
    """The last working day on or before ``day`` — how "每月10日前" (二（六）) is met."""
    day = _as_date(day)
    while not is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def workday_on_or_after(day: dt.date) -> dt.date:
    """The first working day on or after ``day`` — when a document written on a day off goes out."""
    day = _as_date(day)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def workdays_after(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` — a deadline given «within N working days»."""
    day = _as_date(day)
    for _ in range(count):
        day = workday_on_or_after(day + dt.timedelta(days=1))
    return day


def issue_date(period_end: dt.date, due_day: int) -> dt.date:
    """通报日期 by default: the last working day on or before the due day (参数 通报截止日, 10)
    of the month after the period (二（六）: 每月10日前 通报; the quarter's ranking likewise)."""
    following = period_end + dt.timedelta(days=1)
    return workday_on_or_before(day_of_month(following.year, following.month, due_day))


def _as_date(day: dt.date | pd.Timestamp) -> dt.date:
    return day.date() if isinstance(day, (dt.datetime, pd.Timestamp)) else day
