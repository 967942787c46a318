"""Every output sheet duban builds, in one place: the stages give frames, this gives sheets.

校验结果 (from a ``Report``), 月度通报 (from a ``MonthlyBulletin``) and the
催办清单 workbook (from the reminder rows) are laid out here with the one
palette (``sheet_style`` / ``palette``); 得分明细 and 季度排名 are in
``score_sheets``. Builders fill an empty openpyxl worksheet handed over by the
safe writer (``xlsx.graft.OwnedSheet``) and never open a user's workbook.
Ledger text goes through ``sheet_style.put``, so a 督查事项 starting with = stays text.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .bulletin import MonthlyBulletin
from .contract import BULLETIN_FIGURES, FINDING_COLUMNS, FINDING_SHEET_COLUMNS, REMINDER_COLUMNS, Col, Out, ReminderKind, Sheet
from .dates import cn_date
from .catalogue import CATALOGUE
from .findings import Report
from .score_sheets import VALUES_ONLY
from .sheet_style import (
    GREEN, GREY, ORANGE, RED, TITLE_FONT, YELLOW, fill_rows, fit_row_heights, landscape, put, table_sheet, write_table,
)
from .xlsx.atomic import save_new_workbook
from .xlsx.graft import OwnedSheet


# -- 校验结果 ----------------------------------------------------------------------------------------

def findings_sheet(report: Report) -> OwnedSheet:
    """The 校验结果 sheet (first tab): one row per finding, 级别 in red/yellow, 单元格 linked to the cell."""
    findings = report.sorted()
    frame = report.frame()
    if frame.empty:
        frame = pd.DataFrame([{"级别": "通过", "问题": report.summary()}], columns=list(FINDING_COLUMNS))
    # the clerk reads the clause a finding enforces, not its machine code (that stays in --json)
    frame["依据"] = frame["代码"].map(lambda code: CATALOGUE[code].clause if code in CATALOGUE else "")
    frame = frame[list(FINDING_SHEET_COLUMNS)]
    link = list(frame.columns).index("单元格")
    cell_styles = {(i, 0): "red" if f.is_error else "yellow" for i, f in enumerate(findings)}
    cell_styles.update({(i, link): "link" for i, f in enumerate(findings) if f.cell})
    links = {(i, link): f"'{f.sheet}'!{f.cell}" for i, f in enumerate(findings) if f.cell}
    return table_sheet(Sheet.FINDINGS, frame, widths=(6, 12, 8, 12, 11, 50, 50, 12), first=True,
                       column_styles={"问题": "wrap", "建议": "wrap", "依据": "wrap"},
                       cell_styles=cell_styles, links=links)


# -- 月度通报 ----------------------------------------------------------------------------------------

def monthly_sheet(b: MonthlyBulletin) -> OwnedSheet:
    """The 月度通报 sheet the safe writer puts into the ledger (二（六）)."""
    return OwnedSheet(Sheet.MONTHLY, lambda ws: build_monthly_sheet(ws, b))


_MONTHLY_WIDTHS = (12, 40, 30, 14, 36)
_MONTHLY_CHART_ANCHOR = "C5"  # beside the figures (columns A–B), above the lists
_MONTHLY_LISTS_FROM = 17  # the chart (5.5 cm) ends about row 15


def build_monthly_sheet(ws: Worksheet, b: MonthlyBulletin) -> None:
    """Fill an empty worksheet with the bulletin: title, figures with a status chart, the four lists.

    Ledger text goes through ``sheet_style.put`` so a 督查事项 starting with = stays text.
    """
    put(ws, 1, 1, f"{b.county}督查事项办理情况通报（{b.issue}）").font = TITLE_FONT
    ws.row_dimensions[1].height = 24
    put(ws, 2, 1, f"{b.office}　{cn_date(b.date)}　统计截至{cn_date(b.as_of)}")
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_MONTHLY_WIDTHS))
        ws.cell(row, 1).alignment = Alignment(horizontal="center")
    for index, width in enumerate(_MONTHLY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    _section(ws, 4, "一、总体情况", GREY)
    figures = pd.DataFrame({Out.FIGURE: list(BULLETIN_FIGURES),
                            Out.COUNT: [b.totals[k] for k in BULLETIN_FIGURES[:-1]]
                            + [b.totals[Out.ON_TIME_RATE] if b.totals[Out.DONE] else "—"]})
    row = write_table(ws, figures, start_row=5, freeze=False, autofilter=False)
    ws.cell(row, 2).number_format = "0.0%"
    _status_chart(ws, first_row=7)  # 在办, 办结, 逾期: rows 7–9 under the header on row 5
    row = max(row, _MONTHLY_LISTS_FROM - 2)

    sections = (
        ("二、逾期未办结", b.overdue, RED, "件"),
        ("三、进度滞后", b.lagging, YELLOW, "件"),
        ("四、未按时反馈", b.late_feedback, ORANGE, "件"),
        ("五、表扬", b.praise, GREEN, "个（次）"),
    )
    for title, frame, fill, unit in sections:
        _section(ws, row + 2, f"{title}（{len(frame)}{unit}）", fill)
        row = write_table(ws, frame, start_row=row + 3, freeze=False, autofilter=False)
        if frame.empty:
            row += 1
            put(ws, row, 1, "本月无。")
        for cells in ws.iter_rows(min_row=row - len(frame) + 1, max_row=row, max_col=len(frame.columns)):
            for cell in cells:
                cell.alignment = Alignment(vertical="center", wrap_text=True)
        fit_row_heights(ws, row - len(frame), row)  # the header row wraps too
    ws.freeze_panes = "A3"
    landscape(ws, "1:2")


def _section(ws: Worksheet, row: int, title: str, fill: PatternFill) -> None:
    cell = put(ws, row, 1, title)
    cell.font = Font(size=12, bold=True)
    cell.fill = fill


def _status_chart(ws: Worksheet, first_row: int) -> None:
    """Column chart of 在办 / 办结 / 逾期 from the figures table (rows first_row..first_row+2)."""
    chart = BarChart()
    chart.type = "col"
    chart.title = "事项办理状态"
    chart.legend = None
    chart.y_axis.title = "件数"
    chart.add_data(Reference(ws, min_col=2, min_row=first_row, max_row=first_row + 2), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=first_row + 2))
    chart.height, chart.width = 5.5, 12
    chart.x_axis.delete = chart.y_axis.delete = False  # LibreOffice and new Excel hide them otherwise
    chart.dataLabels = VALUES_ONLY
    ws.add_chart(chart, _MONTHLY_CHART_ANCHOR)


# -- 催办清单 ----------------------------------------------------------------------------------------

def reminder_workbook(rows: pd.DataFrame, dest: Path) -> Path:
    """催办清单_YYYYMMDD.xlsx: a workbook of our own (never the ledger), saved atomically."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = Sheet.REMINDERS
    build_reminder_sheet(book.active, rows)
    return save_new_workbook(book, dest)


_REMINDER_FILLS = {ReminderKind.OVERDUE: RED, ReminderKind.DUE_SOON: YELLOW}
_REMINDER_WIDTHS = {Col.UNIT: 22, Col.ITEM_NO: 11, Col.SUBJECT: 40, Col.EFFECTIVE_DEADLINE: 12, Col.DAYS_LEFT: 9,
                     Out.REMINDER_KIND: 13, Col.NOTE: 48}


def build_reminder_sheet(ws: Worksheet, rows: pd.DataFrame) -> None:
    """Fill a worksheet of the 催办清单 workbook: a filterable table, 逾期 rows red, 临期 rows yellow."""
    write_table(ws, rows[list(REMINDER_COLUMNS)], widths=[_REMINDER_WIDTHS[c] for c in REMINDER_COLUMNS])
    if rows.empty:
        put(ws, 2, 1, "当前没有需要催办的事项。")
    for kind, fill in _REMINDER_FILLS.items():
        excel_rows = [i + 2 for i, k in enumerate(rows[Out.REMINDER_KIND]) if k == kind]
        fill_rows(ws, excel_rows, fill, 1, len(REMINDER_COLUMNS))
    for cells in ws.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=len(REMINDER_COLUMNS)):
        for cell in cells:
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if cell.column == REMINDER_COLUMNS.index(Col.DAYS_LEFT) + 1:
                cell.number_format = '0"天";"已逾期"0"天";"今天"'
    fit_row_heights(ws, 2, len(rows) + 1)
    landscape(ws)


# -- 年度考核结果 ------------------------------------------------------------------------------------

_ANNUAL_WIDTHS = (28, 14, 10, 9, 20, 11, 11, 12, 12, 12, 12, 10, 10)


def annual_sheet(table: pd.DataFrame) -> OwnedSheet:
    """年度考核结果 in the ledger (三: 纳入年度考核): one row per unit, figures traceable to 得分明细."""
    return table_sheet(Sheet.ANNUAL, table, widths=_ANNUAL_WIDTHS)


def annual_workbook(table: pd.DataFrame, dest: Path) -> Path:
    """年度考核结果_YYYY.xlsx for the assessment office: the same table in a workbook of its own."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = Sheet.ANNUAL
    write_table(ws, table, widths=list(_ANNUAL_WIDTHS))
    landscape(ws)
    return save_new_workbook(book, dest)


# -- 得分告知单 --------------------------------------------------------------------------------------

_STATEMENT_WIDTHS = (12, 11, 9, 9, 60, 8, 40)


def statement_workbook(s, dest: Path) -> Path:
    """得分告知单 as a workbook of its own: the score line on top, then every point (三、考评标准)."""
    from openpyxl import Workbook

    from .statement import POINT_COLUMNS, score_line

    book = Workbook()
    ws = book.active
    ws.title = "得分告知单"
    put(ws, 1, 1, f"{s.unit} {s.year}年第{s.quarter}季度督查考评得分告知单").font = TITLE_FONT
    put(ws, 2, 1, score_line(s))
    put(ws, 3, 1, f"如有异议，请于{cn_date(s.objection_by)}前书面提出。")
    write_table(ws, s.points[list(POINT_COLUMNS)], start_row=5, widths=list(_STATEMENT_WIDTHS))
    landscape(ws, title_rows="5:5")
    return save_new_workbook(book, dest)
