"""The 报送表: one workbook per unit for a month's reports, signed so intake can trust what comes back.

二（四）: every unit reports on each item it hosts — 每月反馈 items by the 月度反馈截止日
(5th) of each month, 办结即反馈 items once done — in a report its head has
signed (核签). The form lists, locked, what the office assigned (as of the
day it is made: the deadline in force then) and asks, unlocked, with
dropdowns and date checks, what the unit reports. A hidden sheet carries the
form's identity and an HMAC-SHA256 over it and every locked cell, with a key
kept in ``.duban/`` beside the ledger (SPEC «Returned sheets»). Sheet
protection only keeps honest clerks from typing in the wrong place; integrity
comes from the HMAC and from comparing the locked cells with the ledger.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .contract import (
    FORM_COLUMNS, FORM_LABEL_DUE, FORM_LABEL_MONTH, FORM_LABEL_UNIT, FORM_LOCKED, FORM_ROLE, Col,
    FeedbackType, FormField, FormRole, FormSheet,
)
from . import palette
from .dates import cn_date, day_of_month, parse_month, workday_on_or_before
from .deadlines import effective_deadlines
from .ledger import ROW, Ledger, split_units
from .normalize import EXCEL_EPOCH, clean_text
from .sheet_style import DATE_FORMAT, HEADER_FILL, HEADER_FONT, LINE_HEIGHT, landscape, lines_needed

FORMAT_VERSION = "1"
TITLE_ROW, INFO_ROW, HOWTO_ROW, LEGEND_ROW, HEADER_ROW = 1, 2, 3, 4, 5
FIRST_ROW = HEADER_ROW + 1
UNIT_AT, MONTH_AT, DUE_AT, FORM_NO_AT = 1, 5, 8, 11  # header labels on INFO_ROW; each value is right of it
WIDTHS = {Col.ITEM_NO: 10, FORM_ROLE: 5, Col.SUBJECT: 24, Col.LEAD: 8, Col.DEADLINE: 11, Col.FEEDBACK_MODE: 9,
          Col.REQUIREMENTS: 18, Col.FEEDBACK_TYPE: 10, Col.PROGRESS: 34, Col.CLAIMED_DONE: 11, Col.PROBLEMS: 18,
          Col.NEXT_STEPS: 18, Col.SIGNER: 8, Col.CONTACT: 8, Col.PHONE: 13}
HOST_ROW_HEIGHT, COHOST_ROW_HEIGHT = 72, 60  # room to write (and to print and fill by hand)
LOCKED_FILL = PatternFill("solid", fgColor=palette.FORM_LOCKED)
COHOST_FILL = PatternFill("solid", fgColor=palette.FORM_COHOST)
INPUT_FILL = PatternFill("solid", fgColor=palette.FORM_INPUT)
COHOST_FONT = Font(color=palette.FORM_COHOST_TEXT, italic=True)
SIDE = Side(style="thin", color=palette.FORMULA)
GRID = Border(left=SIDE, right=SIDE, top=SIDE, bottom=SIDE)
WRAP = Alignment(vertical="top", wrap_text=True)
UNLOCKED = Protection(locked=False)
MAX_TEXT = 2000  # characters per text input (a 办理进展 longer than this belongs in the report .docx)


@dataclass(frozen=True)
class Form:
    """One unit's form as made: its identity and the locked rows it carries."""

    form_no: str
    unit: str
    month: str
    issued: dt.date
    due: dt.date
    rows: pd.DataFrame  # FORM_LOCKED columns, one row per item, hosts first

    def identity(self) -> dict[str, str]:
        return {FormField.FORM_NO: self.form_no, FormField.UNIT: self.unit, FormField.MONTH: self.month,
                FormField.ISSUED: self.issued.isoformat(), FormField.DUE: self.due.isoformat(),
                FormField.ROWS: str(len(self.rows)), FormField.VERSION: FORMAT_VERSION}

    def locked_cells(self) -> list[list[str]]:
        return [[canonical(v) for v in row] for row in self.rows[list(FORM_LOCKED)].itertuples(index=False)]


# ---- what a form holds ---------------------------------------------------------------------

def open_items(ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """Items assigned by ``as_of`` and not finished by then, with the deadline in force on that day."""
    day = pd.Timestamp(as_of)
    items = ledger.items
    chosen = items[(items[Col.ASSIGNED] <= day) & ~(items[Col.DONE] <= day) & items[Col.ITEM_NO].notna()].copy()
    deadlines = effective_deadlines(ledger, as_of)
    chosen[Col.DEADLINE] = chosen[Col.ITEM_NO].map(deadlines).fillna(chosen[Col.DEADLINE])
    return chosen


def form_rows(ledger: Ledger, unit: str, as_of: dt.date, cache: dict | None = None) -> pd.DataFrame:
    """The locked rows of a unit's form: items it hosts, then items it co-handles (read-only).

    ``cache`` (one per ledger) keeps every unit's rows of a day: an intake run checks many forms of one day.
    """
    by_unit = cache.get(as_of) if cache is not None else None
    if by_unit is None:
        by_unit = _rows_by_unit(ledger, as_of)
        if cache is not None:
            cache[as_of] = by_unit
    return pd.DataFrame(by_unit.get(unit, []), columns=list(FORM_LOCKED), dtype=object)


def _rows_by_unit(ledger: Ledger, as_of: dt.date) -> dict[str, list[dict]]:
    """单位 → its form's rows (hosted items by 交办单号, then co-handled ones), for every unit at once."""
    items = open_items(ledger, as_of).sort_values([Col.ITEM_NO, ROW], kind="stable")
    rows: dict[str, list[dict]] = {}
    seen: set[tuple[str, str]] = set()
    for role, column in ((FormRole.HOST, Col.HOST), (FormRole.COHOST, Col.COHOSTS)):
        for rec in items.to_dict("records"):
            for unit in split_units(rec[column]):
                if (unit, rec[Col.ITEM_NO]) in seen:
                    continue
                seen.add((unit, rec[Col.ITEM_NO]))
                rows.setdefault(unit, []).append({
                    Col.ITEM_NO: rec[Col.ITEM_NO], FORM_ROLE: role, Col.SUBJECT: _plain(rec[Col.SUBJECT]),
                    Col.LEAD: _plain(rec[Col.LEAD]), Col.DEADLINE: _day(rec[Col.DEADLINE]),
                    Col.FEEDBACK_MODE: _plain(rec[Col.FEEDBACK_MODE]), Col.REQUIREMENTS: _plain(rec[Col.REQUIREMENTS])})
    return rows


def units_with_forms(ledger: Ledger, as_of: dt.date) -> list[str]:
    """Units, in 单位 sheet order, that host at least one open item (the others have nothing to report)."""
    hosts = {u for v in open_items(ledger, as_of)[Col.HOST] for u in split_units(v)}
    return [u for u in ledger.units[Col.UNIT_NAME] if isinstance(u, str) and u in hosts]


def due_date(ledger: Ledger, month: str) -> dt.date:
    """二（四）每月5日前: the last working day on or before the 参数 月度反馈截止日 of the month."""
    first, _ = parse_month(month)
    return workday_on_or_before(day_of_month(first.year, first.month, ledger.params.feedback_due_day))


def new_form_no(month: str) -> str:
    """BS202207-3F9A1C: 报送 + month + 6 random hex digits (unique; never reused)."""
    return f"BS{month.replace('-', '')}-{secrets.token_hex(3).upper()}"


def make_form(ledger: Ledger, unit: str, month: str, as_of: dt.date, cache: dict | None = None) -> Form:
    """A new form (its own 表单编号) for one unit; ``cache`` shared across the units of one issue."""
    parse_month(month)
    return Form(new_form_no(month), unit, month, as_of, due_date(ledger, month), form_rows(ledger, unit, as_of, cache))


# ---- integrity -----------------------------------------------------------------------------

def canonical(value: object) -> str:
    """A cell as the HMAC sees it: dates as YYYY-MM-DD, whole numbers without .0, spaces folded."""
    if value is pd.NaT or isinstance(value, float) and value != value:  # NaT is a datetime without a time()
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return clean_text(value) or ""


def form_mac(key: bytes, identity: Mapping[str, str], locked: Sequence[Sequence[str]]) -> str:
    """HMAC-SHA256 (hex) over the identity (without its own 校验码) and every locked cell."""
    fields = [identity.get(name, "") for name in FormField.ALL if name != FormField.MAC]
    message = json.dumps([fields, [list(row) for row in locked]], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


# ---- the workbook --------------------------------------------------------------------------

def build_form(form: Form, key: bytes, office: str, county: str, mailbox: str | None = None) -> Workbook:
    """The 报送表 workbook: the form sheet (protected, inputs unlocked) and the hidden identity.

    ``mailbox``: the office's address (duban.toml [mail] from), named in the header as where to reply.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = FormSheet.FORM
    wb.properties.creator = office
    wb.properties.title = f"{form.unit}{_month_cn(form.month)}督查事项报送表"
    _header(ws, form, office, county, mailbox)
    _body(ws, form)
    _print_setup(ws, len(form.rows))
    identity = form.identity()
    identity[FormField.MAC] = form_mac(key, identity, form.locked_cells())
    _identity_sheet(wb.create_sheet(FormSheet.IDENTITY), identity)
    return wb


def info_cell(label_at: int) -> str:
    """The header cell holding a value (报送单位 → B2), for findings about the header."""
    return f"{get_column_letter(label_at + 1)}{INFO_ROW}"


def _month_cn(month: str) -> str:
    first, _ = parse_month(month)
    return f"{first.year}年{first.month}月"


def _header(ws: Worksheet, form: Form, office: str, county: str, mailbox: str | None) -> None:
    last = get_column_letter(len(FORM_COLUMNS))
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = ws.cell(TITLE_ROW, 1, f"{county}督查事项{_month_cn(form.month)}办理情况报送表")
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30
    info = ((UNIT_AT, FORM_LABEL_UNIT, form.unit, 3), (MONTH_AT, FORM_LABEL_MONTH, form.month, 6),
            (DUE_AT, FORM_LABEL_DUE, cn_date(form.due), 9), (FORM_NO_AT, FormField.FORM_NO, form.form_no, 12))
    for col, label, value, end in info:
        ws.cell(INFO_ROW, col, label).font = Font(bold=True)
        ws.cell(INFO_ROW, col + 1, value).data_type = "s"
        if end > col + 1:
            ws.merge_cells(start_row=INFO_ROW, start_column=col + 1, end_row=INFO_ROW, end_column=end)
    ws.row_dimensions[INFO_ROW].height = 20
    howto = (f"填报说明：请于{cn_date(form.due)}前（二（四）：每月按时反馈办理情况，办结事项办结即反馈）"
             f"在白色单元格中填写每个主办事项的本月情况：反馈类型从下拉列表选择；办结的选“办结反馈”并填写申报办结日期；"
             f"核签人为本单位主要负责人，必须填写。填好后直接保存（.xlsx 格式，不要另存为 .xls 或 .et，不要增删行列），"
             f"作为邮件附件回复{'到 ' + mailbox if mailbox else '给' + office}，或交回{office}；"
             f"书面反馈报告（.docx）可一并附上。收到后会回复回执，"
             f"回执写明是否已登记，需修改的会指出具体单元格。")
    ws.merge_cells(f"A{HOWTO_ROW}:{last}{HOWTO_ROW}")
    cell = ws.cell(HOWTO_ROW, 1, howto)
    cell.alignment = WRAP
    ws.row_dimensions[HOWTO_ROW].height = 44
    ws.merge_cells(f"A{LEGEND_ROW}:{last}{LEGEND_ROW}")
    legend = ws.cell(LEGEND_ROW, 1, f"灰色列为督查室交办的内容，不能修改；标“{FormRole.COHOST}”的行是本单位协办的事项，"
                                    f"仅供参阅，由主办单位报送，不必填写。")
    legend.font = Font(color=palette.FORM_COHOST_TEXT)
    for i, name in enumerate(FORM_COLUMNS, 1):
        head = ws.cell(HEADER_ROW, i, name + ("*" if name == Col.SIGNER else ""))
        head.font, head.fill, head.border = HEADER_FONT, HEADER_FILL, GRID
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[name]
    ws.row_dimensions[HEADER_ROW].height = 30


def _body(ws: Worksheet, form: Form) -> None:
    inputs_from = len(FORM_LOCKED) + 1
    host_rows = []
    for r, rec in enumerate(form.rows.to_dict("records"), FIRST_ROW):
        cohost = rec[FORM_ROLE] == FormRole.COHOST
        for c, name in enumerate(FORM_COLUMNS, 1):
            cell = ws.cell(r, c, rec.get(name))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text from the ledger stays text, never a formula
            if name == Col.DEADLINE or name == Col.CLAIMED_DONE:
                cell.number_format = DATE_FORMAT
            cell.border, cell.alignment = GRID, WRAP
            if c >= inputs_from and not cohost:
                cell.fill, cell.protection = INPUT_FILL, UNLOCKED
            else:
                cell.fill = COHOST_FILL if cohost else LOCKED_FILL
            if cohost:
                cell.font = COHOST_FONT
        needed = max(lines_needed(rec.get(n), WIDTHS[n]) for n in FORM_LOCKED) * LINE_HEIGHT
        ws.row_dimensions[r].height = max(needed, COHOST_ROW_HEIGHT if cohost else HOST_ROW_HEIGHT)
        if not cohost:
            host_rows.append(r)
    if host_rows:
        _validations(ws, form, host_rows)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # a clerk may still widen columns and rows to read
    ws.protection.formatRows = False


def _validations(ws: Worksheet, form: Form, rows: list[int]) -> None:
    """Dropdowns and checks on the input cells of the 主办 rows (they warn in Excel, WPS and LibreOffice)."""
    def ref(name: str) -> str:
        letter = get_column_letter(FORM_COLUMNS.index(name) + 1)
        return f"{letter}{rows[0]}:{letter}{rows[-1]}"  # 主办 rows come first, one block

    year = parse_month(form.month)[0].year
    low, high = (dt.date(year - 1, 1, 1) - EXCEL_EPOCH).days, (dt.date(year + 1, 12, 31) - EXCEL_EPOCH).days
    checks = [
        (Col.FEEDBACK_TYPE, DataValidation(type="list", formula1='"' + ",".join(FeedbackType.ALL) + '"',
                                           errorStyle="stop", error="请从下拉列表选择：" + "、".join(FeedbackType.ALL),
                                           prompt="进展反馈：本月进展；办结反馈：事项已办结。")),
        (Col.CLAIMED_DONE, DataValidation(type="date", operator="between", formula1=str(low), formula2=str(high),
                                          errorStyle="stop", error="请填写日期，例如 2022-07-01。",
                                          prompt="办结反馈填写实际办结的日期，例如 2022-07-01；进展反馈不填。")),
        (Col.SIGNER, DataValidation(type="textLength", operator="between", formula1="2", formula2="20",
                                    errorStyle="stop", error="请填写核签的主要负责人姓名。",
                                    prompt="必填：二（四）反馈须经本单位主要负责人核签，填写其姓名。")),
        (Col.PHONE, DataValidation(type="textLength", operator="between", formula1="7", formula2="30",
                                   errorStyle="warning", error="请填写联系电话，例如 0578-5123456 或 13812345678。",
                                   prompt="联系人的电话，例如 0578-5123456。")),
    ]
    for name in (Col.PROGRESS, Col.PROBLEMS, Col.NEXT_STEPS):
        checks.append((name, DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_TEXT),
                                            errorStyle="stop", error=f"最多 {MAX_TEXT} 字，详细情况请写在书面报告中。",
                                            prompt="请如实、具体填写，写明数据和节点。")))
    for name, dv in checks:
        dv.allow_blank = True
        dv.showErrorMessage = dv.showInputMessage = True
        dv.errorTitle, dv.promptTitle = "输入有误", name
        dv.add(ref(name))
        ws.add_data_validation(dv)


def _print_setup(ws: Worksheet, n_rows: int) -> None:
    """A4 landscape, one page wide, the column header on every page, narrow side margins."""
    landscape(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A1:{get_column_letter(len(FORM_COLUMNS))}{max(FIRST_ROW, FIRST_ROW + n_rows - 1)}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom, ws.page_margins.footer = 0.6, 0.9, 0.4


def _identity_sheet(ws: Worksheet, identity: Mapping[str, str]) -> None:
    for name in FormField.ALL:
        ws.append([name, identity[name]])
        ws.cell(ws.max_row, 2).data_type = "s"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 70
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def _plain(value: object) -> object:
    """A frame value as a cell takes it: missing (None / NaN) as None."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def _day(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
