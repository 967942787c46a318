"""Read a ledger workbook into a ``Ledger``: typed frames plus each value's cell.

Uses python-calamine (a Rust reader, 10–15× faster than openpyxl; see
notes/excel-and-word.md) because reading needs values, not formatting. The
file is checked for safety first (size, zip bombs, encryption, legacy .xls);
macros are never run — calamine only reads cell values.

Tolerant of what people do: the header may sit below a title row, columns may
be in any order, extra columns and blank rows are ignored, rows pasted below
an Excel table's end are read, stray spaces and full-width forms are folded.
Strict about what matters: a missing sheet or required header makes the file
unusable (exit 2); a value that cannot be understood becomes a finding that
names its cell.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from operator import itemgetter
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import python_calamine
from openpyxl.utils import get_column_letter

from .contract import INPUT_SHEETS, PARAMS, Col, Kind, Sheet, SheetSpec
from .errors import MissingHeader, MissingSheet, NotAWorkbook
from . import catalogue as cat
from .cap import Tally
from .findings import Finding
from .ledger import PARAM_FIELDS, ROW, Ledger, Params, conform, split_units
from .normalize import (
    HEADER_SEARCH_ROWS, Parsed, canon_name, clean_text, header_key, header_positions, is_blank, parse_date, parse_item_no, parse_month,
    parse_number,
)
from .xlsx.safety import check_workbook_file, shown
from .xlsx.fingerprint import Fingerprint

NAT = np.datetime64("NaT", "ns")


def _find_sheet(names: list[str], wanted: str) -> str | None:
    for name in names:
        if header_key(name) == wanted:
            return name
    return None


def _locate_header(rows: list[list], spec: SheetSpec) -> tuple[int, dict[str, int]]:
    """The 0-based header row and column name → 0-based index. Raises MissingHeader."""
    best: tuple[int, dict[str, int]] | None = None
    names = {c.name for c in spec.read_columns}
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions = header_positions(row, names)
        if best is None or len(positions) > len(best[1]):
            best = (r, positions)
        if all(name in positions for name in spec.required):
            return r, positions
    found = best[1] if best else {}
    missing = [name for name in spec.required if name not in found]
    raise MissingHeader(
        f"「{spec.name}」工作表缺少必填列：{'、'.join(missing)}。请在表头行（第1行）补上这些列名，"
        f"或从模板复制表头。",
        f"sheet {spec.name}: missing column(s) {', '.join(missing)}",
    )


# ---- per-kind cell parsing ------------------------------------------------------

def _text(value: object) -> Parsed:
    return Parsed(clean_text(value))


def _name(value: object) -> Parsed:
    return Parsed(canon_name(value))


def _units(value: object) -> Parsed:
    """Several names (units, or values of a closed list) with any separator, joined by 、."""
    text = clean_text(value)
    if text is None:
        return Parsed(None)
    return Parsed("、".join(canon_name(u) for u in split_units(text)) or None)


def _keep_raw(parser: Callable[[object], Parsed]) -> Callable[[object], Parsed]:
    """Values that cannot be parsed stay as their text, for the schema to report."""
    def parse(value: object) -> Parsed:
        result = parser(value)
        return result if result.ok else Parsed(clean_text(value))
    return parse


PARSERS: dict[Kind, Callable[[object], Parsed]] = {
    Kind.TEXT: _text,
    Kind.UNIT: _name,
    Kind.NAME: _name,
    Kind.CHOICE: _name,
    Kind.UNITS: _units,
    Kind.CHOICES: _units,  # 材料问题: a list like units, separators normalised to 、
    Kind.ITEM_NO: _keep_raw(parse_item_no),
    Kind.MONTH: _keep_raw(parse_month),
}


# Cell value types that never compare equal across types, so a value is its own key
# (unlike 1 == 1.0 == True, or a Timestamp equal to a datetime).
PLAIN_KEYS = frozenset({str, float, type(None), dt.date, dt.datetime})


class _Distinct:
    """``parse`` run once per distinct cell value of a column: ledgers repeat units, choices and dates.

    Keyed by (type, value) so 1, 1.0 and True stay apart. The per-cell work is C-level
    (zip, map, set); Python runs once per distinct value.
    """

    def __init__(self, parse: Callable[[object], object], values: Sequence) -> None:
        try:
            if set(map(type, values)) <= PLAIN_KEYS:
                self.keys = values
                self.results = {value: parse(value) for value in set(values)}
            else:
                self.keys = list(zip(map(type, values), values))
                self.results = {key: parse(key[1]) for key in set(self.keys)}
        except TypeError:  # an unhashable value (not from calamine): key each cell by position
            self.keys = list(enumerate(values))
            self.results = {key: parse(key[1]) for key in self.keys}

    def mapped(self, final: Callable[[object], object] = lambda result: result) -> list:
        """Each cell's result, through ``final`` (also evaluated once per distinct value)."""
        finals = {key: final(result) for key, result in self.results.items()}
        return list(map(finals.__getitem__, self.keys))

    def cells_where(self, flagged: Callable[[object], bool]) -> list[tuple[int, object]]:
        """(position, result) of the cells whose result is flagged, in column order."""
        hits = {key for key, result in self.results.items() if flagged(result)}
        if not hits:
            return []
        return [(i, self.results[key]) for i, key in enumerate(self.keys) if key in hits]


def _parse_column(values: Sequence, first_row: int, spec: SheetSpec, column_name: str, letter: str,
                  read: _Read) -> tuple[pd.Series, np.ndarray]:
    """One column of the sheet body (``values[i]`` is on Excel row ``first_row + i``): typed values and
    which cells are filled. Blank cells never make findings, so blank rows can be dropped afterwards."""
    kind = spec.column(column_name).kind
    if kind == Kind.DATE:
        parse = parse_date
    elif kind in (Kind.NUMBER, Kind.INT):
        parse = parse_number
    else:
        parse = PARSERS[kind]
    cells = _Distinct(lambda value: None if is_blank(value) else parse(value), values)  # None: blank
    filled = np.array(cells.mapped(lambda p: p is not None), dtype=bool)
    if kind not in (Kind.DATE, Kind.NUMBER, Kind.INT):
        return pd.Series(cells.mapped(lambda p: None if p is None else p.value), dtype=object), filled
    bad = cells.cells_where(lambda p: p is not None and not p.ok)
    if bad:
        read.unreadable.setdefault(spec.name, {})[column_name] = first_row + np.array([i for i, _ in bad])
    entry = cat.BAD_DATE if kind == Kind.DATE else cat.BAD_NUMBER
    for i, _ in bad[:read.tally.many(entry, spec.name, column_name, len(bad))]:
        read.findings.append(entry.at(spec.name, f"{letter}{first_row + i}", column_name, text=clean_text(values[i])))
    if kind != Kind.DATE:
        numbers = cells.mapped(lambda p: p.value if p is not None and p.ok else float("nan"))
        return pd.Series(numbers, dtype="float64"), filled
    lenient = cells.cells_where(lambda p: p is not None and p.ok and bool(p.lenient))
    for i, p in lenient[:read.tally.many(cat.DATE_AS_TEXT, spec.name, column_name, len(lenient))]:
        read.findings.append(cat.DATE_AS_TEXT.at(spec.name, f"{letter}{first_row + i}", column_name,
                                                 text=p.lenient, day=p.value))
    dates = cells.mapped(lambda p: p.value.asm8 if p is not None and p.ok else NAT)
    return pd.Series(np.array(dates, dtype="datetime64[ns]")), filled


@dataclass
class _Read:
    """What reading a workbook noticed: the listed findings, the count of every kind (cap.py), the bad cells."""

    findings: list[Finding] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    unreadable: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


def _read_sheet(rows: list[list], spec: SheetSpec, read: _Read) -> tuple[pd.DataFrame, dict[str, str]]:
    header_row, positions = _locate_header(rows, spec)
    letters = {name: get_column_letter(idx + 1) for name, idx in positions.items()}
    body = rows[header_row + 1:]
    width = max(positions.values()) + 1
    if any(len(row) < width for row in body):  # ragged rows (values from xlwings): pad with empty cells
        body = [row if len(row) >= width else list(row) + [""] * (width - len(row)) for row in body]
    first_row = header_row + 2
    # Column by column (not cell by cell); a row is kept when any of the contract's columns is filled.
    data: dict[str, object] = {}
    filled = np.zeros(len(body), dtype=bool)
    before = len(read.findings)
    for name in (c.name for c in spec.read_columns):
        i = positions.get(name)
        values = [""] * len(body) if i is None else list(map(itemgetter(i), body))
        data[name], present = _parse_column(values, first_row, spec, name, letters.get(name, "?"), read)
        filled |= present
    data[ROW] = np.arange(first_row, first_row + len(body), dtype="int64")
    frame = pd.DataFrame(data)[filled].reset_index(drop=True)
    if Col.ITEM_NO in frame and len(read.findings) > before:
        item_of_row = dict(zip(frame[ROW], frame[Col.ITEM_NO]))
        read.findings[before:] = [replace(f, item_no=item_of_row.get(f.row) or "") for f in read.findings[before:]]
    return frame, letters


def _read_params(frame: pd.DataFrame, letters: dict[str, str], read: _Read) -> Params:
    """参数 sheet → Params; unknown names are ignored, missing ones take SPEC defaults."""
    values: dict[str, object] = {}
    unreadable: set[str] = set()  # named, but its value is not a number: reported once, as bad_param
    kinds = {p.name: p for p in PARAMS}
    for name, raw, row in frame[[Col.PARAM, Col.VALUE, ROW]].itertuples(index=False):
        key = canon_name(name)
        if key not in kinds:
            continue
        param = kinds[key]
        if param.kind == Kind.TEXT:
            text = clean_text(raw)
            if text:
                values[PARAM_FIELDS[key]] = text
            continue
        parsed = parse_number(raw)
        if not parsed.ok or (param.kind == Kind.INT and not float(parsed.value).is_integer()):
            if read.tally.room(cat.BAD_PARAM, Sheet.PARAMS, Col.VALUE):
                read.findings.append(cat.BAD_PARAM.at(Sheet.PARAMS, f"{letters.get(Col.VALUE, 'B')}{row}", Col.VALUE,
                                                      name=key, text=clean_text(raw) or "", default=param.default,
                                                      kind="整数" if param.kind == Kind.INT else "数字"))
            unreadable.add(key)
            continue
        values[PARAM_FIELDS[key]] = int(parsed.value) if param.kind == Kind.INT else float(parsed.value)
    for param in PARAMS:
        if PARAM_FIELDS[param.name] not in values and param.name not in unreadable:
            read.findings.append(cat.MISSING_PARAM.at(Sheet.PARAMS, "", Col.PARAM, name=param.name, default=param.default))
    return Params(**values)


def read_ledger(path: Path | str, progress: Callable[[str], None] | None = None) -> Ledger:
    """Read and type every input sheet of a ledger workbook file.

    Raises a DubanError subclass (exit 2) when the file cannot be used;
    everything else becomes ``ledger.read_findings``.
    """
    path = Path(path)
    check_workbook_file(path)
    fingerprint = Fingerprint.of(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise NotAWorkbook(f"无法读取「{shown(path)}」：文件已损坏或不是 Excel 工作簿（{exc}）。请用 Excel 打开检查后另存为 .xlsx。",
                           f"cannot read {path.name}") from None
    wanted = list(INPUT_SHEETS)
    _require_sheets(book.sheet_names, wanted, path.name)

    def rows_of(name: str) -> list[list]:
        if progress:
            progress(f"读取「{name}」")
        sheet = _find_sheet(book.sheet_names, name)
        try:
            return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine's own error types: a damaged sheet part
            raise NotAWorkbook(f"无法读取「{shown(path)}」的「{sheet}」工作表：内容已损坏（{exc}）。"
                               "请用 Excel 打开检查后另存为 .xlsx。", f"cannot read sheet {sheet}: {exc}") from None

    ledger = _build(rows_of, _present(book.sheet_names, wanted))
    ledger.path, ledger.fingerprint = path, fingerprint
    ledger.read_findings = [replace(f, source=path.name) for f in ledger.read_findings]
    return ledger


def ledger_from_rows(rows_by_sheet: Mapping[str, list[list]], source: str = "工作簿") -> Ledger:
    """The same reading from cell values already in memory (the Excel button reads them via xlwings)."""
    names = list(rows_by_sheet)
    wanted = list(INPUT_SHEETS)
    _require_sheets(names, wanted, source)
    return _build(lambda name: rows_by_sheet[_find_sheet(names, name)], _present(names, wanted))


def _present(names: list[str], wanted: list[SheetSpec]) -> list[SheetSpec]:
    """The sheets to read: an optional one (催办记录) a ledger of an older template lacks is left out."""
    return [spec for spec in wanted if not spec.optional or _find_sheet(names, spec.name) is not None]


def _require_sheets(present: list[str], wanted: list[SheetSpec], source: str) -> None:
    missing = [spec.name for spec in wanted if not spec.optional and _find_sheet(present, spec.name) is None]
    if missing:
        raise MissingSheet(
            f"「{source}」缺少工作表：{'、'.join('「' + m + '」' for m in missing)}。"
            f"现有工作表：{'、'.join(present)}。请从台账模板复制缺少的工作表（duban init 可生成模板）。",
            f"missing sheet(s): {', '.join(missing)}",
        )


def _build(rows_of: Callable[[str], list[list]], wanted: list[SheetSpec]) -> Ledger:
    read = _Read()
    frames: dict[str, pd.DataFrame] = {}
    headers: dict[str, dict[str, str]] = {}
    for spec in wanted:
        frames[spec.name], headers[spec.name] = _read_sheet(rows_of(spec.name), spec, read)
    for spec in INPUT_SHEETS:  # an optional sheet the workbook lacks: empty, and no header (no cells to name)
        if spec.name not in frames:
            frames[spec.name] = conform(pd.DataFrame(), spec)
    params_frame = frames.pop(Sheet.PARAMS, None)
    params = _read_params(params_frame, headers[Sheet.PARAMS], read) if params_frame is not None else Params()
    return Ledger(params=params, frames=frames, headers=headers, read_findings=read.findings, read_tally=read.tally,
                  unreadable=read.unreadable)
