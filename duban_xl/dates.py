"""Dates as the office writes and reads them: 2022年7月1日, months as 2022-06.

GB/T 9704 writes 成文日期 as 2022年7月1日 (no leading zeros); commands take
months as YYYY-MM. One place for both, used by every document and sheet.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from .errors import BadArgument

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
