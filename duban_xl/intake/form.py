"""Read one returned file as a 报送表 without trusting it (SPEC «Returned sheets»: every file is untrusted).

The bytes pass the package safety gate first (size, zip and XML limits,
encrypted and legacy files refused); macro workbooks are refused by name and by
content; values are read with calamine (cells only, macros never run); cells
that hold a formula are found in the sheet XML and kept as their formula text,
never evaluated. A workbook without the 报送表 sheet is not a form.
"""
from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from openpyxl.utils import get_column_letter

from ..contract import (
    FORM_COLUMNS, FORM_LABEL_MONTH, FORM_LABEL_UNIT, Col, FormField, FormSheet,
)
from ..errors import DubanError, NotAWorkbook, UnsafeWorkbook
from ..normalize import canon_name, clean_text, header_key, header_positions
from ..xlsx.ns import NS_MAIN
from ..xlsx.package import Package
from ..xlsx.safety import check_workbook_file

MAX_RETURNED_BYTES = 20 * 1024 * 1024  # SPEC: size ≤ 20 MB
MAX_RETURNED_UNCOMPRESSED = 200 * 1024 * 1024
MAX_FORM_ROWS = 2000  # a unit hosts tens of items; more rows than this is not our form
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm", ".xlam")
HEADER_SEARCH = 12


class MacroWorkbook(DubanError):
    """A macro-enabled workbook: never opened (SPEC: .xlsm, .xls, .xlsb refused)."""

    code = "macro_workbook"
    english = "macro-enabled workbook refused"


class NotAForm(DubanError):
    """An .xlsx that is not a 报送表 (no 报送表 sheet or no header)."""

    code = "not_a_form"
    english = "not a returned report form"


@dataclass
class ReturnedRow:
    row: int  # Excel row
    values: dict[str, object]  # form column → raw cell value (formula cells: their formula text)


@dataclass
class ReturnedForm:
    name: str
    identity: dict[str, str] | None  # None when the hidden identity sheet is missing
    unit: str | None  # as the header says
    month: str | None
    header_row: int
    letters: dict[str, str]  # form column → its letter in this file
    rows: list[ReturnedRow]
    formulas: dict[str, str] = field(default_factory=dict)  # cell → formula text (=…)

    def cell(self, row: int, column: str) -> str:
        letter = self.letters.get(column, "")
        return f"{letter}{row}" if letter else ""


def read_returned(name: str, data: bytes) -> ReturnedForm:
    """The form in a returned file; raises a ``DubanError`` saying what the unit should send instead."""
    label = f"「{name}」"
    if name.lower().endswith(MACRO_SUFFIXES):
        raise MacroWorkbook(f"文件{label}是带宏的工作簿，为安全起见不予打开。请在 Excel 中“另存为”"
                            f"「Excel 工作簿（*.xlsx）」后重新报送。")
    if len(data) > MAX_RETURNED_BYTES:
        raise UnsafeWorkbook(f"文件{label}超过 {MAX_RETURNED_BYTES >> 20} MB，超出安全上限。报送表本身很小，"
                             f"请只回传填好的报送表（.xlsx），照片和附件材料请压缩后另行报送。")
    with tempfile.TemporaryDirectory(prefix="duban_intake_") as tmp:
        path = Path(tmp) / "returned.xlsx"
        path.write_bytes(data)
        try:
            check_workbook_file(path)
        except DubanError as exc:
            exc.message = exc.message.replace("「returned.xlsx」", label)
            raise
        with zipfile.ZipFile(path) as zf:
            names = [i.filename.lower() for i in zf.infolist()]
            if sum(i.file_size for i in zf.infolist()) > MAX_RETURNED_UNCOMPRESSED:
                raise UnsafeWorkbook(f"文件{label}解压后过大，超出安全上限，已拒绝读取。请回传原报送表。")
        if any(n.endswith("vbaproject.bin") for n in names):
            raise MacroWorkbook(f"文件{label}含有宏代码，为安全起见不予打开。请在 Excel 中“另存为”"
                                f"「Excel 工作簿（*.xlsx）」后重新报送。")
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            sheets = {header_key(s): s for s in book.sheet_names}
            if FormSheet.FORM not in sheets:
                raise NotAForm(f"文件{label}不是督查室发出的报送表（没有「{FormSheet.FORM}」工作表）。"
                               f"请使用督查室发来的报送表填写后回传，不要另做表格。")
            form_rows = book.get_sheet_by_name(sheets[FormSheet.FORM]).to_python(skip_empty_area=False)
            identity_rows = (book.get_sheet_by_name(sheets[FormSheet.IDENTITY]).to_python()
                             if FormSheet.IDENTITY in sheets else None)
        except DubanError:
            raise
        except Exception as exc:  # calamine's own error types for a damaged part
            raise NotAWorkbook(f"文件{label}已损坏，无法读取。请重新保存报送表（.xlsx）后回传。",
                               f"calamine: {exc}") from None
        formulas = _formulas(path, sheets[FormSheet.FORM])
    return _parse(name, form_rows, identity_rows, formulas)


def _formulas(path: Path, sheet: str) -> dict[str, str]:
    """Cells of the form sheet that hold a formula, with its text (from the XML; never evaluated)."""
    with Package(path) as pkg:
        part = pkg.sheets().get(sheet)
        if not part or not pkg.has(part):
            return {}
        found = {}
        for c in pkg.xml(part).iter(f"{{{NS_MAIN}}}c"):
            f = c.find(f"{{{NS_MAIN}}}f")
            if f is not None:
                found[c.get("r", "")] = "=" + (f.text or "")
        return found


def _parse(name: str, rows: list[list], identity_rows: list[list] | None, formulas: dict[str, str]) -> ReturnedForm:
    header_row, positions = _header(rows, name)
    unit = month = None
    for row in rows[:header_row]:
        for i, value in enumerate(row[:-1]):
            label = header_key(value)
            if label == FORM_LABEL_UNIT:
                unit = canon_name(_next_value(row, i))
            elif label == FORM_LABEL_MONTH:
                month = clean_text(_next_value(row, i))
    letters = {n: get_column_letter(i + 1) for n, i in positions.items()}
    read: list[ReturnedRow] = []
    for offset, row in enumerate(rows[header_row + 1:]):
        excel_row = header_row + 2 + offset
        values = {}
        for column, i in positions.items():
            cell = f"{letters[column]}{excel_row}"
            values[column] = formulas.get(cell, row[i] if i < len(row) else None)
        if any(clean_text(v) for v in values.values()):
            read.append(ReturnedRow(excel_row, values))
        if len(read) > MAX_FORM_ROWS:
            raise NotAForm(f"「{name}」的「{FormSheet.FORM}」表填写了超过 {MAX_FORM_ROWS} 行，不是督查室发出的报送表"
                           f"（一个单位每月只报送本单位的几十个事项）。请使用督查室发来的报送表原样填写后回传。",
                           f"more than {MAX_FORM_ROWS} filled rows")
    identity = None
    if identity_rows is not None:
        identity = {}
        for row in identity_rows[:len(FormField.ALL) + 20]:
            if len(row) >= 2 and header_key(row[0]) in FormField.ALL:
                identity[header_key(row[0])] = clean_text(row[1]) or ""
    return ReturnedForm(name, identity, unit, month, header_row + 1, letters, read, formulas)


def _next_value(row: list, i: int) -> object:
    return next((v for v in row[i + 1:] if clean_text(v)), None)


def _header(rows: list[list], name: str) -> tuple[int, dict[str, int]]:
    """The 0-based header row of the form sheet and column → index (a clerk's moved column still reads)."""
    for r, row in enumerate(rows[:HEADER_SEARCH]):
        positions = header_positions(row, FORM_COLUMNS)
        if Col.ITEM_NO in positions and len(positions) >= len(FORM_COLUMNS) // 2:
            return r, positions
    raise NotAForm(f"「{name}」的「{FormSheet.FORM}」表中找不到表头（交办单号、督查事项……）。"
                   f"请使用督查室发来的报送表原样填写，不要删改表头。")
