"""The ledger workbook (督查台账) built from the contract: the template and filled copies.

二（二）交办: 县政府督查室建立督查台账. The template makes that workbook useful
before any code runs (SPEC «The template»): dropdowns for every closed list,
frozen headers, Excel tables, print setup, and live 有效时限 / 剩余天数 / 状态
formulas with red/yellow/green formatting. ``fill_workbook`` writes ledger
frames into the same layout (samples, benchmarks), streaming rows with
openpyxl's write-only mode so 100,000 items fit in memory.

Run ``python -m duban_xl.template workbook_templates/督查台账.xlsx`` to
regenerate the committed template.
"""
from __future__ import annotations

import datetime as dt
import sys
import warnings
from pathlib import Path
from typing import Iterable, Iterator, Mapping
from zipfile import ZIP_DEFLATED, ZipFile

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from . import palette
from .xlsx.atomic import atomic_path
from .sheet_style import DATE_FORMAT, HEADER_FILL, HEADER_FONT, LINE_HEIGHT, PAGE_FOOTER, lines_needed
from .contract import (
    PARAMS, SPECS, Approval, Col, Column, ItemStatus, Kind, Sheet, SheetSpec,
)
from .errors import FileExists
from .ledger import Params, default_rules_frame

# Sheet order of the workbook: guidance first, then the input sheets of the contract.
SHEET_ORDER = (Sheet.GUIDE, Sheet.PARAMS, Sheet.UNITS, Sheet.ITEMS, Sheet.EXTENSIONS,
               Sheet.FEEDBACK, Sheet.EVENTS, Sheet.NOTICES, Sheet.REMINDER_LOG, Sheet.RULES)
# Unique ASCII Excel table name per sheet.
TABLE_NAMES = {
    Sheet.PARAMS: "tblParams", Sheet.UNITS: "tblUnits", Sheet.ITEMS: "tblItems",
    Sheet.EXTENSIONS: "tblExtensions", Sheet.FEEDBACK: "tblFeedback", Sheet.EVENTS: "tblEvents",
    Sheet.NOTICES: "tblNotices", Sheet.REMINDER_LOG: "tblReminders", Sheet.RULES: "tblRules",
}
# Empty, pre-formatted table rows below the data (the reader also reads rows pasted further down).
BLANK_ROWS = {Sheet.PARAMS: 0, Sheet.RULES: 0, Sheet.UNITS: 200}
DEFAULT_BLANK_ROWS = 500
UNIT_LIST_NAME = "单位名称列表"  # defined name the single-unit dropdowns draw on
UNIT_LIST_ROWS = 2000  # rows of 单位 the dropdown covers (grown when more units are filled)
WARN_DAYS_NAME = "临期预警天数"  # defined name of the 参数 value the 状态 formula reads
LAST_ROW = 1048576
FIXED_TIME = dt.datetime(2022, 1, 1)  # workbook created/modified: a rebuild gives identical XML

FORMULA_HEADER_FILL = PatternFill("solid", fgColor=palette.FORMULA)
FORMULA_FONT = Font(color=palette.FORMULA, italic=True)
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
STATUS_COLOURS = {  # 状态 → (fill, font): 逾期 red, 临期 yellow, 在办 green, 已办结 blue
    ItemStatus.OVERDUE: (palette.BAD_FILL, palette.BAD_TEXT),
    ItemStatus.DUE_SOON: (palette.NEUTRAL_FILL, palette.NEUTRAL_TEXT),
    ItemStatus.OPEN: (palette.GOOD_FILL, palette.GOOD_TEXT),
    ItemStatus.DONE: (palette.DONE_FILL, palette.DONE_TEXT),
}
ITEMS_KEY_COLUMNS = "A:C"  # 交办单号, 来源类别, 督查事项: repeated on every printed page of 台账
ITEMS_PAGES_WIDE = 3
GUIDE_WIDTH = 100  # 说明 column B

GUIDE_ROWS: tuple[tuple[str, str], ...] = (
    ("{county}{year}年度{office}督查台账", ""),
    ("用途", "本工作簿是督查工作的正式台账（二（二）交办：建立督查台账）。请在各表中录入，duban 工具读取本工作簿进行校验、考评赋分、通报和公文生成。"),
    ("工作流程", "立项 → 交办 → 催办 → 反馈 → 核查 → 通报 → 归档 → 运用（二、督查流程）。"),
    ("「参数」", "年度、县名、督查室、基准分、临期预警天数等参数。只改「值」列。"),
    ("「单位」", "所有承办单位。单位类别为 乡镇（街道）/ 县直部门 / 临时机构；临时机构必须填写所属单位（乡镇（街道）或县直部门），其加扣分计入所属单位（三（六））。其他表中的单位名称必须与本表「单位名称」完全一致。"),
    ("「台账」", "每个督查事项一行（立项、交办）。交办单号写成 2022-001 的形式，不得重复。是否重大为“是”的，立项审定须为“县政府主要领导”（二（一））。"),
    ("「延期申请」", "承办单位在完成时限到期前提出的延期申请（二（五））。到期当天或之后提出的申请不计入；原则上每一事项只能更改一次办结时限；同意的申请须填写审批领导。"),
    ("「反馈记录」", "每次书面反馈一行（二（四））。进展反馈须填写反馈月份（如 2022-05）；核签人为承办单位主要负责人，必填；有协办单位的事项由主办单位报送。核查结果“退回”的办结反馈不算按时反馈。"),
    ("「加扣分事件」", "拒不配合督查、领导批示肯定、各级通报表扬或批评、其他问题等加扣分事件（三（一）、（四）、（五））。只填交办单号不填单位的，适用于该事项的全部承办单位。"),
    ("「通报记录」", "每月通报（二（六））列出的事项，每个单位一行。由 duban 生成月度通报时自动追加，也可手工补录。"),
    ("「催办记录」", "二（三）督促检查：每次催办一行（电话问询、信息提醒、邮件、现场检查、专项督办、联合督查），"
                   "写明单位答复，重要情况报告县政府领导。duban 发出催办单时自动追加“信息提醒”行（经办人注明自动生成，"
                   "同日重发只替换这些行）；电话、现场检查等请手工登记。催办不加扣分。"),
    ("「规则」", "考评标准（三、考评标准）各项的分值。可修改分值，或把「启用」改为“否”停用某项；不要删除规则代码。"),
    ("日期怎么填", "日期请输入真正的日期，如 2022-05-06，单元格会显示为 2022-05-06。不要输入 2022.5.6 或“5月6日”之类的文字。"),
    ("多个单位怎么填", "主办单位、协办单位可以填写多个单位，用顿号“、”分隔，如：县财政局、县发展和改革局。单位名称要与「单位」表一致，不要用简称。"),
    ("下拉列表", "带下拉箭头的单元格请从列表中选择，不要自行输入其他内容。"),
    ("公式列（灰色）", "「台账」最后三列 有效时限、剩余天数、状态 是公式，自动计算，请勿修改：有效时限=完成时限（按时提出并经同意的延期顺延）；剩余天数=有效时限-今天（已办结则为空）；状态为 已办结（蓝色）/ 逾期（红色）/ 临期（黄色，剩余天数不超过参数“临期预警天数”）/ 在办（绿色）。公式仅供日常查看，考评和通报以 duban 工具按二（五）计算的有效时限为准。"),
    ("如何检查台账", "保存并关闭本工作簿后，在命令行运行：duban validate 督查台账.xlsx 。工具会逐一列出有问题的单元格（如「台账」J17）和修改建议。"),
    ("工具生成的表", "校验结果、得分明细、季度排名、月度通报 四张表由工具每次整体重写，请不要在其中录入内容。"),
)


# ---- public API -------------------------------------------------------------------

def build_template(path: Path, year: int = 2022, county: str = "云和县", office: str = "县政府督查室") -> Path:
    """Write an empty ledger workbook with the contract's sheets, dropdowns and formulas."""
    return fill_workbook({}, Params(year=year, county=county, office=office), path)


def init_ledger(path: Path, year: int, county: str, office: str = "县政府督查室", force: bool = False) -> Path:
    """Start a new year's ledger; never overwrites a workbook staff may have filled in."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExists(f"文件已存在：{path}。为防止覆盖已录入的台账，请换一个文件名，或确认后加 --force 覆盖。",
                          f"file exists: {path}")
    return build_template(path, year=year, county=county, office=office)


def fill_workbook(frames: Mapping[str, pd.DataFrame], params: Params, path: Path) -> Path:
    """Write ledger frames (contract column names; dates as real Excel dates) into a fresh template.

    Missing sheets stay empty, except 规则 which gets the defaults of 三、考评标准.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = dict(frames)
    if Sheet.RULES not in frames:
        frames[Sheet.RULES] = default_rules_frame()
    wb = Workbook(write_only=True)
    wb.properties.creator = params.office
    wb.properties.title = f"{params.county}{params.year}年度督查台账"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    n_units = len(frames.get(Sheet.UNITS, ()))
    unit_rows = max(UNIT_LIST_ROWS, n_units + BLANK_ROWS[Sheet.UNITS] + 1)
    wb.defined_names[UNIT_LIST_NAME] = DefinedName(
        UNIT_LIST_NAME, attr_text=f"{_quoted(Sheet.UNITS)}!$A$2:$A${unit_rows}")
    warn_row = 2 + [p.name for p in PARAMS].index(WARN_DAYS_NAME)
    wb.defined_names[WARN_DAYS_NAME] = DefinedName(
        WARN_DAYS_NAME, attr_text=f"{_quoted(Sheet.PARAMS)}!$B${warn_row}")

    _write_guide(wb, params)
    for name in SHEET_ORDER[1:]:
        spec = SPECS[name]
        rows = _param_rows(params) if name == Sheet.PARAMS else _frame_rows(frames.get(name), spec)
        _write_sheet(wb, spec, rows, len(frames.get(name, ())) if name != Sheet.PARAMS else len(PARAMS))
    with atomic_path(path) as temp, ZipFile(temp, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook: it stamps 'modified' with now
    return path


# ---- sheets -------------------------------------------------------------------------

def _write_guide(wb: Workbook, params: Params) -> None:
    """说明: every explanation shown whole (row heights for the wrapped text) and printable on A4."""
    ws = wb.create_sheet(Sheet.GUIDE)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = GUIDE_WIDTH
    _print_setup(ws)  # a write-only sheet writes its properties with the first row
    ws.page_setup.fitToHeight = 1  # one sheet of paper to pin up beside the ledger
    ws.print_area = f"A1:B{len(GUIDE_ROWS)}"
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, (topic, text) in enumerate(GUIDE_ROWS, start=1):
        title = WriteOnlyCell(ws, topic.format(county=params.county, year=params.year, office=params.office))
        title.font = Font(bold=True, size=14 if i == 1 else 11)
        if i > 1:  # the sheet's title runs on over the empty B1
            title.alignment = wrap
        body = WriteOnlyCell(ws, text)
        body.alignment = wrap
        ws.row_dimensions[i].height = 24 if i == 1 else LINE_HEIGHT * lines_needed(text, GUIDE_WIDTH) + 3
        ws.append([title, body])


def _print_setup(ws, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = PAGE_FOOTER
    if title_rows:
        ws.print_title_rows = title_rows


def _write_sheet(wb: Workbook, spec: SheetSpec, rows: Iterable[list], n_rows: int) -> None:
    """One input sheet: header, data rows, blank formatted rows, table, dropdowns, print setup."""
    ws = wb.create_sheet(spec.name)
    columns = spec.columns + spec.extra
    extra_from = len(spec.columns)
    for i, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    _print_setup(ws, "1:1")
    if spec.extra:  # 台账: 19 columns print legibly several pages wide, the key columns on each page
        ws.page_setup.fitToWidth = ITEMS_PAGES_WIDE
        ws.print_title_cols = ITEMS_KEY_COLUMNS
        # print only the rows with a 交办单号, not the pre-formatted formula rows below them
        sheet = _quoted(spec.name)
        ws.defined_names["Print_Area"] = DefinedName(
            "Print_Area", attr_text=f"OFFSET({sheet}!$A$1,0,0,MAX(2,COUNTA({sheet}!$A:$A)),{len(columns)})")

    header = []
    for i, column in enumerate(columns):
        cell = WriteOnlyCell(ws, column.name)
        cell.font = HEADER_FONT
        cell.fill = FORMULA_HEADER_FILL if i >= extra_from else HEADER_FILL
        cell.alignment = HEADER_ALIGN
        header.append(cell)
    ws.append(header)

    formulas = _item_formulas() if spec.extra else None
    last = 1 + n_rows + BLANK_ROWS.get(spec.name, DEFAULT_BLANK_ROWS)
    for excel_row, values in enumerate(_padded(rows, len(spec.columns), last - 1), 2):
        cells = [_styled(ws, value, column) for value, column in zip(values, spec.columns)]
        if formulas:
            for formula in formulas:
                cell = WriteOnlyCell(ws, formula.format(r=excel_row))
                cell.font = FORMULA_FONT
                cell.number_format = DATE_FORMAT if formula is formulas[0] else "General"
                cells.append(cell)
        ws.append(cells)

    table = Table(displayName=TABLE_NAMES[spec.name], ref=f"A1:{get_column_letter(len(columns))}{max(last, 2)}",
                  tableColumns=[TableColumn(id=i, name=c.name) for i, c in enumerate(columns, 1)],
                  tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
    with warnings.catch_warnings():  # write-only sheets warn although the columns are given above
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)
    for validation in _validations(spec):
        ws.data_validations.append(validation)
    if spec.extra:
        status = get_column_letter(len(columns))
        for value, (fill, font) in STATUS_COLOURS.items():
            ws.conditional_formatting.add(
                f"{status}2:{status}{LAST_ROW}",
                CellIsRule(operator="equal", formula=[f'"{value}"'],
                           fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font)))


def _styled(ws, value: object, column: Column) -> object:
    """Date cells carry yyyy-mm-dd (also when empty, so a typed date shows the same way)."""
    if column.kind != Kind.DATE:
        return value
    cell = WriteOnlyCell(ws, value)
    cell.number_format = DATE_FORMAT
    return cell


def _padded(rows: Iterable[list], width: int, total: int) -> Iterator[list]:
    count = 0
    for row in rows:
        count += 1
        yield row
    for _ in range(total - count):
        yield [None] * width


# ---- the 台账 formula columns -------------------------------------------------------

def _item_ref(column: str) -> str:
    """A 台账 cell of row ``{r}`` (filled in per row), column fixed: $J{r}."""
    spec = SPECS[Sheet.ITEMS]
    names = spec.names + tuple(c.name for c in spec.extra)
    return f"${get_column_letter(names.index(column) + 1)}{{r}}"


def _extension_range(column: str) -> str:
    """A whole 延期申请 column, so rows added later are included: '延期申请'!$D:$D."""
    letter = get_column_letter(SPECS[Sheet.EXTENSIONS].names.index(column) + 1)
    return f"{_quoted(Sheet.EXTENSIONS)}!${letter}:${letter}"


def _item_formulas() -> tuple[str, str, str]:
    """有效时限, 剩余天数, 状态 for row ``{r}`` (二（五）; the tool's deadlines.py is authoritative).

    有效时限: 完成时限, moved to the latest 申请完成时限 of a 同意 extension filed
    before 完成时限. 剩余天数: empty once 办结日期 is set. 状态: 已办结 / 逾期 /
    临期 (剩余天数 ≤ 参数 临期预警天数) / 在办.
    """
    deadline, done, item_no = _item_ref(Col.DEADLINE), _item_ref(Col.DONE), _item_ref(Col.ITEM_NO)
    effective, left = _item_ref(Col.EFFECTIVE_DEADLINE), _item_ref(Col.DAYS_LEFT)
    extended = (f'_xlfn.MAXIFS({_extension_range(Col.NEW_DEADLINE)},{_extension_range(Col.ITEM_NO)},{item_no},'
                f'{_extension_range(Col.APPROVAL)},"{Approval.GRANTED}",{_extension_range(Col.APPLIED)},"<"&{deadline})')
    effective_f = f'=IF(ISNUMBER({deadline}),MAX({deadline},{extended}),"")'
    left_f = f'=IF(OR({done}<>"",NOT(ISNUMBER({effective}))),"",{effective}-TODAY())'
    status_f = (f'=IF({item_no}="","",IF({done}<>"","{ItemStatus.DONE}",IF(NOT(ISNUMBER({left})),"",'
                f'IF({left}<0,"{ItemStatus.OVERDUE}",IF({left}<={WARN_DAYS_NAME},"{ItemStatus.DUE_SOON}",'
                f'"{ItemStatus.OPEN}")))))')
    return effective_f, left_f, status_f


# ---- dropdowns ------------------------------------------------------------------------

def _validations(spec: SheetSpec) -> Iterator[DataValidation]:
    """A list dropdown for every closed list and single-unit column; a prompt on multi-unit columns."""
    for i, column in enumerate(spec.columns, 1):
        ref = f"{get_column_letter(i)}2:{get_column_letter(i)}{LAST_ROW}"
        if column.kind == Kind.CHOICE:
            dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                                errorStyle="stop", showErrorMessage=True, showInputMessage=True,
                                promptTitle=column.name, prompt="请从下拉列表中选择：" + "、".join(column.choices),
                                errorTitle="输入有误", error=f"「{column.name}」只能填写：" + "、".join(column.choices))
        elif column.kind == Kind.UNIT:
            dv = DataValidation(type="list", formula1=UNIT_LIST_NAME, allow_blank=True,
                                errorStyle="warning", showErrorMessage=True, showInputMessage=True,
                                promptTitle=column.name, prompt="请从下拉列表中选择「单位」表中登记的单位名称。",
                                errorTitle="单位名称未登记",
                                error="该名称不在「单位」表中。请先在「单位」表登记，或改用登记的全称。")
        elif column.kind == Kind.CHOICES:
            dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=column.name,
                                prompt="可填写：" + "、".join(column.choices) + "；多项用顿号“、”分隔。")
        elif column.kind == Kind.UNITS:
            dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=column.name,
                                prompt="填写「单位」表中的单位全称；多个单位用顿号“、”分隔，如：县财政局、县教育局。")
        else:
            continue
        dv.add(ref)
        yield dv


# ---- rows -----------------------------------------------------------------------------

def _param_rows(params: Params) -> Iterator[list]:
    for p in PARAMS:
        yield [p.name, _plain_number(getattr(params, p.field)), p.note]


def _frame_rows(frame: pd.DataFrame | None, spec: SheetSpec) -> Iterator[list]:
    """The frame's rows as cell values in the sheet's column order (column-wise conversion for speed)."""
    if frame is None or len(frame) == 0:
        return iter(())
    columns = [_cells(frame[c.name], c) if c.name in frame else [None] * len(frame) for c in spec.columns]
    return (list(row) for row in zip(*columns))


def _cells(values: pd.Series, column: Column) -> list:
    out = []
    for value in values.tolist():
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
        elif isinstance(value, (pd.Timestamp, dt.datetime)) and column.kind == Kind.DATE:
            out.append(value.date())  # a real Excel date, shown yyyy-mm-dd
        else:
            out.append(_plain_number(value))
    return out


def _plain_number(value: object) -> object:
    """-5.0 → -5 so whole numbers look as typed; other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _quoted(sheet: str) -> str:
    return f"'{sheet}'"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("workbook_templates") / "督查台账.xlsx"
    build_template(target)
    print(f"已生成台账模板：{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
