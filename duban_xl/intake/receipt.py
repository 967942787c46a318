"""The 回执 a unit gets for each returned file: the outcome in one sentence, every problem, the rows as read.

Written for the unit's clerk, who acts on it without help: the first line says
whether the report was registered; each problem names the sheet and cell of
their own file and what to change (SPEC «Returned sheets»).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .. import palette
from ..contract import FORM_INPUTS, Col, FormSheet, IntakeOutcome
from ..dates import parse_month
from ..findings import Finding
from ..sheet_style import GRID, HEADER_FILL, HEADER_FONT, LINE_HEIGHT, RED, YELLOW, landscape, lines_needed, put

WRAP = Alignment(vertical="top", wrap_text=True)
PROBLEM_COLUMNS = ("序号", "级别", "工作表", "单元格", "交办单号", "问题", "怎么改")
PROBLEM_WIDTHS = (6, 7, 10, 9, 11, 48, 48)
READ_SHEET = "读取内容"
READ_WIDTHS = {Col.ITEM_NO: 11, Col.FEEDBACK_TYPE: 10, Col.PROGRESS: 40, Col.CLAIMED_DONE: 12, Col.PROBLEMS: 24,
               Col.NEXT_STEPS: 24, Col.SIGNER: 9, Col.CONTACT: 9, Col.PHONE: 14}


@dataclass(frozen=True)
class Receipt:
    """What goes back to the sender: the 回执 workbook, a mail subject and a plain-text body."""

    name: str  # file name of the 回执
    data: bytes
    subject: str
    body: str
    sentence: str  # the outcome in one sentence (also the first line of the workbook)


def month_cn(month: str | None) -> str:
    if not month:
        return ""
    try:
        first, _ = parse_month(month)
    except Exception:  # a header month the unit mangled: show it as written
        return month
    return f"{first.year}年{first.month}月"


def subject(outcome: str, unit: str | None, month: str | None) -> str:
    """«回执：<单位><年>年<月>月报送表 已合并» / «… 需修改后重报» / «… 已收到，与前次报送相同，未作改动»."""
    what = f"{unit or ''}{month_cn(month)}报送表"
    tail = {IntakeOutcome.MERGED: "已合并", IntakeOutcome.DUPLICATE: "已收到，与前次报送相同，未作改动"}
    return f"回执：{what} {tail.get(outcome, '需修改后重报')}"


def sentence(outcome: str, file_name: str, unit: str | None, month: str | None, merged: int,
             findings: Sequence[Finding], resubmitted: bool = False) -> str:
    errors = sum(f.stands_for for f in findings if f.is_error)
    warnings = sum(f.stands_for for f in findings if not f.is_error)
    what = f"{unit or ''}{month_cn(month)}报送表" if unit else f"文件「{file_name}」"
    if outcome == IntakeOutcome.MERGED:
        again = "（重新报送）" if resubmitted else ""
        note = f"另有 {warnings} 条提醒，请阅下表。" if warnings else ""
        return f"已合并：{what}{again}的 {merged} 个事项已登记到督查台账，待督查室核查。{note}"
    if outcome == IntakeOutcome.DUPLICATE:
        return f"已收到：{what}与前次报送的内容相同，未作改动，无需再次报送。"
    return (f"退回：{what}有 {errors} 处问题需要修改，本次没有登记任何内容。请按下表逐项修改后，"
            f"在原报送表上重新报送。")


def build_receipt(file_name: str, outcome: str, unit: str | None, month: str | None, merged: int,
                  findings: Sequence[Finding], read_rows: Sequence[dict], received: str,
                  form_no: str | None = None, resubmitted: bool = False) -> Receipt:
    line = sentence(outcome, file_name, unit, month, merged, findings, resubmitted)
    wb = Workbook()
    ws = wb.active
    ws.title = FormSheet.RECEIPT
    width = len(PROBLEM_COLUMNS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    colour = palette.BAD_TEXT if outcome == IntakeOutcome.REFUSED else palette.GOOD_TEXT
    put(ws, 1, 1, line).font = Font(bold=True, size=14, color=colour)
    ws.cell(1, 1).alignment = WRAP
    ws.row_dimensions[1].height = 40
    facts = f"文件：{file_name}　单位：{unit or '（未能识别）'}　月份：{month or '（未能识别）'}　收到：{received}"
    if form_no:
        facts += f"　表单编号：{form_no}"
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    put(ws, 2, 1, facts)
    row = 4
    put(ws, row, 1, "问题清单" if findings else "问题清单：没有发现问题。").font = Font(bold=True)
    row += 1
    if findings:
        _head(ws, row, PROBLEM_COLUMNS)
        for n, f in enumerate(sorted(findings, key=lambda f: (not f.is_error, f.more > 0, f.row)), 1):
            row += 1
            values = (n, f.level, f.sheet, f.cell or "—", f.item_no, f.message, f.suggestion)
            _row(ws, row, values, PROBLEM_WIDTHS)
            ws.cell(row, 2).fill = RED if f.is_error else YELLOW
        row += 1
    row += 1
    put(ws, row, 1, f"本单位填写的各行见「{READ_SHEET}」表。" if read_rows else "没有读到本单位填写的行。")
    for i, w in enumerate(PROBLEM_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    landscape(ws, title_rows=None)
    if read_rows:
        rows_sheet = wb.create_sheet(READ_SHEET)
        columns = (Col.ITEM_NO, *FORM_INPUTS)
        widths = [READ_WIDTHS.get(c, 12) for c in columns]
        _head(rows_sheet, 1, columns)
        for r, rec in enumerate(read_rows, 2):
            _row(rows_sheet, r, [rec.get(c) for c in columns], widths)
        for i, w in enumerate(widths, 1):
            rows_sheet.column_dimensions[get_column_letter(i)].width = w
        rows_sheet.freeze_panes = "B2"
        landscape(rows_sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    body = "\n".join([line, "", *(f"{i}. {f.where}{' [' + f.item_no + ']' if f.item_no else ''} {f.message} "
                                  f"怎么改：{f.suggestion}" for i, f in enumerate(findings, 1)),
                      "", "详见附件回执。"])
    stem = file_name.rsplit(".", 1)[0]
    return Receipt(f"{stem}_回执.xlsx", buffer.getvalue(), subject(outcome, unit, month), body, line)


def _row(ws, row: int, values: Sequence[object], widths: Sequence[int]) -> None:
    """One wrapped row, tall enough for its longest cell."""
    for c, value in enumerate(values, 1):
        cell = put(ws, row, c, value)
        cell.border, cell.alignment = GRID, WRAP
    lines = max(lines_needed(value, width) for value, width in zip(values, widths))
    ws.row_dimensions[row].height = LINE_HEIGHT * lines + 2


def _head(ws, row: int, names: Sequence[str]) -> None:
    for c, name in enumerate(names, 1):
        cell = put(ws, row, c, name)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, GRID
