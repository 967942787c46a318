"""The 得分明细 and 季度排名 output sheets, and their CSV export.

Builders fill an empty openpyxl worksheet handed over by the safe writer
(``xlsx.graft.OwnedSheet``); they never open or save a workbook. The
sheets are for reading aloud to units (三、考评标准): real dates, signs in
colour, one table and one bar chart per group (乡镇（街道） / 县直部门).
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import palette
from .dates import cn_date
from .contract import Col, Sheet, UnitCategory
from .contract import DETAIL_SHEET_COLUMNS, QUARTER_NAMES, QUARTERS, RANKING_COLUMNS, Eligibility, Out
from .score import ScoreResult, plain_number
from .xlsx.graft import OwnedSheet
from .sheet_style import BAD, TITLE_FONT, fit_row_heights, landscape, put, quote_formula_text, table_sheet, write_table

GROUP_FONT = Font(bold=True, size=12, color=palette.HEADER)
CANCELLED_STYLE = (Font(bold=True, color=palette.BAD_TEXT), BAD)
DETAIL_WIDTHS = {Col.UNIT: 22, Col.SCORING_UNIT: 22, Col.ITEM_NO: 11, Col.DATE: 12, Col.QUARTER: 10,
                 Col.RULE_CODE: 9, Col.CLAUSE: 9, Col.NOTE: 70, Col.POINTS: 7, Col.EVIDENCE: 40}
RANKING_WIDTHS = {Col.UNIT_CATEGORY: 13, Col.RANK: 6, Col.UNIT: 24, Col.ELIGIBILITY: 22, Col.SUM_POINTS: 12,
                  Col.ON_TIME_COUNT: 12, Col.OVERDUE_COUNT: 14, **{q: 10 for q in QUARTERS}}
# 季度排名 as a clerk reads it: quarters by name, the R2E count once and by its name (no rule codes)
RANKING_SHEET_COLUMNS = tuple(c for c in RANKING_COLUMNS if c != Col.R2E_COUNT)
RANKING_LABELS = {**QUARTER_NAMES, Col.OVERDUE_COUNT: Out.LATE_COUNT}
POINTS_FORMAT = '+0.##;-0.##;0'  # 加减分 with its sign
# a bar's label is its value only (LibreOffice adds series and category names unless told not to)
VALUES_ONLY = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                            showPercent=False)


def _widths(columns: tuple[str, ...], widths: dict[str, int], default: int) -> list[int]:
    return [widths.get(name, default) for name in columns]


def result_sheets(result: ScoreResult) -> list[OwnedSheet]:
    """What `duban score --write` puts in the workbook: 季度排名, then 得分明细."""
    return [OwnedSheet(Sheet.RANKING, lambda ws: build_ranking_sheet(ws, result)), detail_sheet(result)]


def detail_sheet(result: ScoreResult) -> OwnedSheet:
    """得分明细: one row per point with its 来源 cells, 分值 green or red by sign; header frozen, filterable."""
    frame = result.detail[list(DETAIL_SHEET_COLUMNS)].copy()
    frame[Col.QUARTER] = frame[Col.QUARTER].map(QUARTER_NAMES).fillna(frame[Col.QUARTER])  # 第二季度, not Q2
    points = DETAIL_SHEET_COLUMNS.index(Col.POINTS)
    signs = {(i, points): "plus" if value > 0 else "minus" for i, value in enumerate(frame[Col.POINTS]) if value}
    return table_sheet(Sheet.SCORE_DETAIL, frame, widths=_widths(DETAIL_SHEET_COLUMNS, DETAIL_WIDTHS, 30),
                       column_styles={Col.NOTE: "wrap", Col.EVIDENCE: "wrap"}, cell_styles=signs)


def _chart_height(units: int) -> float:
    """Chart height in cm: enough for one readable bar per unit."""
    return max(7.5, 0.6 * units + 3)


def _group_chart(ws: Worksheet, category: str, header_row: int, last_row: int, anchor: str) -> None:
    """A bar chart of 总分 per unit beside the group's table: every unit named, every bar its value."""
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Chinese unit names stay readable
    chart.title = f"{category}总分"
    chart.y_axis.title = Col.TOTAL
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 on top, as in the table
    chart.x_axis.tickLblSkip = 1  # without it only every other unit is named
    chart.x_axis.txPr = _axis_text(900)
    chart.dataLabels = VALUES_ONLY
    unit_col = RANKING_SHEET_COLUMNS.index(Col.UNIT) + 1
    total_col = RANKING_SHEET_COLUMNS.index(Col.TOTAL) + 1
    chart.add_data(Reference(ws, min_col=total_col, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=unit_col, min_row=header_row + 1, max_row=last_row))
    chart.height = _chart_height(last_row - header_row)
    chart.width = 16
    ws.add_chart(chart, anchor)


def _axis_text(size: int) -> RichText:
    """Axis labels at ``size`` hundredths of a point (9 pt fits one unit name per bar)."""
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=size)),
                                 endParaRPr=CharacterProperties(sz=size))])


def build_ranking_sheet(ws: Worksheet, result: ScoreResult) -> None:
    """季度排名: a titled table per group, 总分 coloured around the base score, cancelled 评优资格 in red,
    one bar chart per group; quarters not reached yet are left empty (not 0)."""
    columns = RANKING_SHEET_COLUMNS
    put(ws, 1, 1, f"{result.year}年度督查考评得分及季度排名（截至{cn_date(result.as_of)}，"
                  f"基准分{plain_number(result.base)}分）").font = TITLE_FONT
    total_col = columns.index(Col.TOTAL) + 1
    eligibility_col = columns.index(Col.ELIGIBILITY) + 1
    chart_anchor_col = get_column_letter(len(columns) + 2)
    as_of = pd.Timestamp(result.as_of)
    reached = [q for i, q in enumerate(QUARTERS) if as_of >= pd.Timestamp(result.year, 3 * i + 1, 1)]
    row = 3
    for category in UnitCategory.RANKED:
        group = result.ranking[result.ranking[Col.UNIT_CATEGORY] == category][list(columns)].copy()
        for q in QUARTERS:
            if q not in reached:
                group[q] = None
        put(ws, row, 1, f"{category}（{len(group)}个单位）").font = GROUP_FONT
        title_row, header_row = row, row + 1
        last_row = write_table(ws, group.rename(columns=RANKING_LABELS), start_row=header_row, freeze=False,
                               autofilter=False)
        for cells in ws.iter_rows(min_row=header_row + 1, max_row=last_row, min_col=columns.index("Q1") + 1,
                                  max_col=columns.index(Col.SUM_POINTS) + 1):
            for cell in cells:
                cell.number_format = POINTS_FORMAT
        for offset, eligibility in enumerate(group[Col.ELIGIBILITY]):
            if eligibility == Eligibility.CANCELLED:
                cell = ws.cell(row=header_row + 1 + offset, column=eligibility_col)
                cell.font, cell.fill = CANCELLED_STYLE
        if len(group):
            letter = get_column_letter(total_col)
            ws.conditional_formatting.add(f"{letter}{header_row + 1}:{letter}{last_row}",
                                          base_scale(result.base, group[Col.TOTAL]))
            _group_chart(ws, category, header_row, last_row, f"{chart_anchor_col}{title_row}")
        # leave room for the chart before the next group's table (a default row is about 0.53 cm)
        row = max(last_row + 1, title_row + math.ceil(_chart_height(len(group)) / 0.53)) + 1
    for offset, width in enumerate(_widths(columns, RANKING_WIDTHS, 9), start=1):
        ws.column_dimensions[get_column_letter(offset)].width = width
    fit_row_heights(ws, 2, ws.max_row)
    ws.freeze_panes = "A2"
    landscape(ws, title_rows="1:1")


def base_scale(base: float, totals: pd.Series) -> ColorScaleRule:
    """总分 red below the base score, white at it, green above (三: 基准分100分, 累计加扣分):
    a unit at 100 with no points is neutral, whatever the others scored."""
    span = max(1.0, float((totals - base).abs().max()))
    return ColorScaleRule(start_type="num", start_value=base - span, start_color=palette.SCALE_LOW,
                          mid_type="num", mid_value=base, mid_color=palette.SCALE_MID,
                          end_type="num", end_value=base + span, end_color=palette.SCALE_HIGH)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as 2022-06-30, whole numbers without .0, and no text Excel would run as a formula."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(out[name]):
            out[name] = out[name].map(plain_number).astype(object)
        else:
            out[name] = out[name].map(quote_formula_text).astype(object)
    return out


def write_csv(result: ScoreResult, folder: Path) -> list[Path]:
    """得分明细.csv and 季度排名.csv in ``folder``, UTF-8 with BOM so Excel shows the Chinese correctly."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame, columns in ((Sheet.SCORE_DETAIL, result.detail, DETAIL_SHEET_COLUMNS),
                                 (Sheet.RANKING, result.ranking, RANKING_COLUMNS)):
        path = folder / f"{name}.csv"
        _csv_frame(frame[list(columns)]).to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths
