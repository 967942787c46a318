"""How our output sheets look, in one place: header, fills, widths, safe values.

Output sheets (校验结果, 得分明细, 季度排名, 月度通报, 催办清单) are built on an
empty openpyxl worksheet and grafted into the user's workbook by
``xlsx.graft``. Text that came from a ledger or an emailed sheet is
untrusted: a value like ``=HYPERLINK(...)`` must stay text, never become a
formula (formula injection): ``put`` stores every string as a string cell, and
``quote_formula_text`` quotes formula-looking text for CSV files, which have no cell types.
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import palette
from .xlsx.graft import OwnedSheet, TableBody
from .xlsx.styles import CellStyle

HEADER_FILL = PatternFill("solid", fgColor=palette.HEADER)  # the template's header blue
HEADER_FONT = Font(bold=True, color=palette.HEADER_TEXT)
TITLE_FONT = Font(bold=True, size=14)
RED = PatternFill("solid", fgColor=palette.ROW_RED)
YELLOW = PatternFill("solid", fgColor=palette.ROW_YELLOW)
ORANGE = PatternFill("solid", fgColor=palette.ROW_ORANGE)
GREY = PatternFill("solid", fgColor=palette.SECTION_GREY)
GREEN = PatternFill("solid", fgColor=palette.GOOD_FILL)
BAD = PatternFill("solid", fgColor=palette.BAD_FILL)
THIN = Side(style="thin", color=palette.GRID)
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
LINK_FONT = Font(color=palette.LINK, underline="single")
# The looks a big table's body cells can take (see table_sheet).
PALETTE: dict[str, CellStyle] = {
    "text": CellStyle(border=GRID, alignment=Alignment(vertical="top")),
    "wrap": CellStyle(border=GRID, alignment=Alignment(vertical="top", wrap_text=True)),
    "date": CellStyle(border=GRID, number_format=DATE_FORMAT, alignment=Alignment(vertical="top")),
    "link": CellStyle(font=LINK_FONT, border=GRID, alignment=Alignment(vertical="top")),
    "red": CellStyle(fill=RED, border=GRID, alignment=Alignment(vertical="top")),
    "yellow": CellStyle(fill=YELLOW, border=GRID, alignment=Alignment(vertical="top")),
    "plus": CellStyle(font=Font(color=palette.GOOD_TEXT), fill=GREEN, border=GRID,  # points gained
                      alignment=Alignment(vertical="top")),
    "minus": CellStyle(font=Font(color=palette.BAD_TEXT), fill=BAD, border=GRID, alignment=Alignment(vertical="top")),
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINE_HEIGHT = 15.0  # points a line of 11-pt text with Chinese characters needs (Excel and LibreOffice)
PAGE_FOOTER = "第 &P 页，共 &N 页"
# Marks of Unicode's "ambiguous" width that a Chinese font draws full-width: messages quote with them.
WIDE_MARKS = "—‘’“”…"
WIDE = rf"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6{WIDE_MARKS}]"


def safe_value(value: object) -> object:
    """A plain cell value: dates as dates, NA as empty, whole numbers as ints (3, not 3.0), else text."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, float):
        return None if pd.isna(value) else int(value) if value.is_integer() else value
    if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def quote_formula_text(value: object) -> object:
    """Where cells have no type (CSV, values set through Excel itself): formula-looking text
    gets Excel's leading apostrophe, which marks a typed value as text (OWASP CSV injection)."""
    value = safe_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def put(ws: Worksheet, row: int, column: int, value: object):
    """Write one cell safely; strings that look like formulas stay strings."""
    cell = ws.cell(row=row, column=column)
    cell.value = safe_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif isinstance(cell.value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def write_table(ws: Worksheet, frame: pd.DataFrame, *, start_row: int = 1, start_column: int = 1,
                widths: Sequence[int] | None = None, freeze: bool = True, autofilter: bool = True) -> int:
    """Header + rows at (start_row, start_column); returns the last row written."""
    for offset, name in enumerate(frame.columns):
        cell = put(ws, start_row, start_column + offset, name)
        cell.fill, cell.font, cell.border = HEADER_FILL, HEADER_FONT, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = start_row
    for row, record in enumerate(frame.itertuples(index=False), start=start_row + 1):
        for offset, value in enumerate(record):
            put(ws, row, start_column + offset, value).border = GRID
    if widths:
        for offset, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(start_column + offset)].width = width
    if freeze and start_row == 1 and start_column == 1:
        ws.freeze_panes = ws.cell(row=2, column=1)
    if autofilter and len(frame.columns):
        last_col = get_column_letter(start_column + len(frame.columns) - 1)
        ws.auto_filter.ref = f"{get_column_letter(start_column)}{start_row}:{last_col}{max(row, start_row)}"
    return row


def fill_rows(ws: Worksheet, rows: Iterable[int], fill: PatternFill, first_column: int, last_column: int) -> None:
    for row in rows:
        for column in range(first_column, last_column + 1):
            ws.cell(row=row, column=column).fill = fill


def landscape(ws: Worksheet, title_rows: str | None = "1:1") -> None:
    """A4 landscape, fit to width, the header (if any) repeated on every printed page, page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
    if title_rows:
        ws.print_title_rows = title_rows


def text_width(value: object) -> int:
    """Width in Excel's units (one digit): a Chinese character or full-width mark counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" or ch in WIDE_MARKS else 1 for ch in str(value))


def lines_needed(value: object, width: float) -> int:
    """Lines a wrapped cell of ``width`` needs for ``value`` (its own line breaks included)."""
    if value is None or value == "":
        return 1
    per_line = max(1.0, width - 1.5)  # cell padding
    return sum(max(1, math.ceil(text_width(part) / per_line)) for part in str(value).split("\n"))


def fit_row_heights(ws: Worksheet, first_row: int, last_row: int, columns: Sequence[int] | None = None) -> None:
    """Give each row the height its wrapped cells need — neither Excel nor LibreOffice grows a row
    on open, so without it wrapped text overprints the next row or is cut off."""
    for row in range(first_row, last_row + 1):
        lines = 1
        for cell in ws[row]:
            if (columns is None or cell.column in columns) and cell.alignment.wrap_text and cell.value is not None:
                width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
                lines = max(lines, lines_needed(cell.value, width))
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines


def wrapped_heights(frame: pd.DataFrame, widths: Mapping[str, float]) -> dict[int, float]:
    """Row index → height for a big table's wrapped columns, computed column-wise (fast at 300k rows)."""
    if frame.empty or not widths:
        return {}
    lines = np.ones(len(frame), dtype=int)
    for name, width in widths.items():
        text = frame[name].fillna("").astype(str)
        units = (text.str.len() + text.str.count(WIDE)).to_numpy()  # a Chinese character counts two
        lines = np.maximum(lines, np.ceil(units / max(1.0, width - 1.5)).astype(int))
    return {i: LINE_HEIGHT * int(n) for i, n in enumerate(lines) if n > 1}


class FrameRows(Sequence):
    """A frame's rows as cell values, made one row at a time when the sheet is written (memory stays flat)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, index: int) -> list:
        return [safe_value(v) for v in self.frame.iloc[index]]

    def __iter__(self):
        for record in self.frame.itertuples(index=False, name=None):
            yield [safe_value(v) for v in record]


def table_sheet(name: str, frame: pd.DataFrame, *, widths: Sequence[int] = (), first: bool = False,
                column_styles: Mapping[str, str] | None = None, cell_styles: Mapping[tuple[int, int], str] | None = None,
                links: Mapping[tuple[int, int], str] | None = None) -> OwnedSheet:
    """An output sheet that is one big table: header by openpyxl, rows serialised straight to XML.

    ``column_styles`` names a PALETTE look per column (default: "date" for dates,
    else "text"); ``cell_styles`` and ``links`` are keyed by (row index, column index).
    """
    column_styles = column_styles or {}
    looks = [column_styles.get(c) or ("date" if pd.api.types.is_datetime64_any_dtype(frame[c]) else "text")
             for c in frame.columns]
    rows = FrameRows(frame)
    wrapped = {c: widths[i] for i, c in enumerate(frame.columns) if looks[i] == "wrap" and i < len(widths)}

    def build(ws: Worksheet) -> None:
        write_table(ws, frame.iloc[0:0], widths=widths)
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(frame.columns), 1))}{len(rows) + 1}"
        landscape(ws)

    body = TableBody(2, rows, PALETTE, looks, dict(cell_styles or {}), dict(links or {}),
                     wrapped_heights(frame, wrapped))
    return OwnedSheet(name, build, first=first, body=body)
