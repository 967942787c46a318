"""Reading what people type into cells: dates, 交办单号, months, names.

Tolerant of the forms clerks use (SPEC «The ledger workbook»): text dates
2022-5-6, 2022/5/6, 2022.5.6, 2022年5月6日; full-width digits, brackets and
dashes; stray spaces. Each parser returns the canonical value and a note when
the input was understood only by being lenient (so validation can say so), or
``None`` when it could not be understood.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import NamedTuple

import pandas as pd

# Excel's serial day 0 (with the 1900 leap-year bug accounted for from 1900-03-01).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers that plausibly mean a date (1982-02-15 … 2064-04-18).
HEADER_SEARCH_ROWS = 10  # a sheet's header is found within its first rows (title rows above are fine)
SERIAL_RANGE = (30000, 60000)
YEARS = (1950, 2099)  # dates a county ledger can hold

_DATE_TEXT = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DIGITS8 = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_ITEM_NO = re.compile(r"^(?P<y>\d{4})\s*(?:-|年)\s*(?:第)?\s*(?P<n>\d{1,6})\s*号?$")
# 交办单号 typed as plain ASCII 'YYYY-N…' (most cells): canonical form without the NFKC pass.
_PLAIN_ITEM_NO = re.compile(r"([0-9]{4})-([0-9]{1,6})")
_MONTH = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?$")
_DASHES = "－—–‐‑−"
_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def halfwidth(text: str) -> str:
    """Full-width digits/letters/punctuation → ASCII (NFKC), dashes → '-'. Keeps CJK as is."""
    text = unicodedata.normalize("NFKC", text)
    for dash in _DASHES:
        text = text.replace(dash, "-")
    return text


def header_key(text: object) -> str:
    """'完成时限*' / ' 完成 时限 ' / '完成时限（必填）' all name the column 完成时限 (reader and writer alike)."""
    return re.sub(r"(\*|＊|（必填）)$", "", canon_name(text) or "")


def header_positions(row: list, names) -> dict[str, int]:
    """Which of ``names`` a row holds as headers, and where (0-based; the first of a repeated name wins)."""
    positions: dict[str, int] = {}
    for c, value in enumerate(row):
        key = header_key(value)
        if key in names and key not in positions:
            positions[key] = c
    return positions


def clean_text(value: object) -> str | None:
    """A cell as text: stripped, runs of spaces (also full-width, non-breaking) made one, None when blank;
    whole numbers without '.0' (联系电话)."""
    if isinstance(value, str):  # most cells; ``str.split()`` splits on exactly the whitespace ``\s`` matches
        return " ".join(value.split()) or None
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return " ".join(str(value).split()) or None


def canon_name(value: object) -> str | None:
    """A unit or choice name as it should match: no spaces, full-width brackets."""
    text = clean_text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    return text.translate(_BRACKETS) if "(" in text or ")" in text else text


class Parsed(NamedTuple):
    """One cell understood (a tuple, not a dataclass: the reader makes one per distinct cell value)."""

    value: object  # canonical value, or None when not understood
    lenient: str = ""  # non-empty: understood only leniently (the raw form), say so

    @property
    def ok(self) -> bool:
        return self.value is not None


def parse_date(value: object) -> Parsed:
    """A real Excel date, or one of the typed text forms, or a bare serial number — of a plausible year.

    A year outside YEARS is a typo (2922, 0222) and is refused rather than read as some other date.
    """
    parsed = _parse_date(value)
    if parsed.ok and not YEARS[0] <= parsed.value.year <= YEARS[1]:
        return Parsed(None)
    return parsed


def _parse_date(value: object) -> Parsed:
    if isinstance(value, dt.datetime):
        return Parsed(pd.Timestamp(value.date()))
    if isinstance(value, dt.date):
        return Parsed(pd.Timestamp(value))
    if isinstance(value, pd.Timestamp):
        return Parsed(value.normalize())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
            return Parsed(pd.Timestamp(EXCEL_EPOCH + dt.timedelta(days=int(value))), lenient=str(int(value)))
        return Parsed(None)
    text = clean_text(value)
    if text is None:
        return Parsed(None)
    plain = halfwidth(text)
    match = _DATE_TEXT.match(plain) or _DIGITS8.match(plain)
    if not match:
        return Parsed(None)
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return Parsed(None)
    return Parsed(pd.Timestamp(day), lenient=text)


def parse_item_no(value: object) -> Parsed:
    """'2022-012', '2022-12', '2022－012', '2022年12号' → '2022-012'; at least three digits
    (a city merging counties' ledgers goes past 999: '2022-1234')."""
    plain = _PLAIN_ITEM_NO.fullmatch(value) if isinstance(value, str) else None
    if plain:
        return Parsed(f"{plain[1]}-{int(plain[2]):03d}") if int(plain[2]) else Parsed(None)
    text = clean_text(value)
    if text is None:
        return Parsed(None)
    match = _ITEM_NO.match(halfwidth(text).replace(" ", ""))
    if not match or int(match["n"]) == 0:
        return Parsed(None)
    canonical = f"{match['y']}-{int(match['n']):03d}"
    return Parsed(canonical)


def parse_month(value: object) -> Parsed:
    """'2022-05', '2022-5', '2022年5月', or a date Excel made of '2022-05' → '2022-05'."""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return Parsed(f"{value.year:04d}-{value.month:02d}")
    text = clean_text(value)
    if text is None:
        return Parsed(None)
    match = _MONTH.match(halfwidth(text))
    if not match or not 1 <= int(match["m"]) <= 12:
        return Parsed(None)
    return Parsed(f"{match['y']}-{int(match['m']):02d}")


def parse_number(value: object) -> Parsed:
    """A finite number: 3, '3', '＋3分'; never a boolean, NaN or infinity."""
    if isinstance(value, bool):
        return Parsed(None)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = clean_text(value)
        if text is None:
            return Parsed(None)
        try:
            number = float(halfwidth(text).replace("分", "").replace("+", ""))
        except ValueError:
            return Parsed(None)
    return Parsed(number) if math.isfinite(number) else Parsed(None)
