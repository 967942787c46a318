"""Records written into an input sheet (通报记录, 反馈记录): rows with the same key are replaced in place.

WHY: 二（六）: issuing a bulletin is a record in the ledger; running again for
the same month must replace its rows, never duplicate them, and never move or
renumber the user's rows (formulas, comments and merged cells refer to them).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from ..errors import FileChanged, MissingHeader, MissingSheet
from ..normalize import HEADER_SEARCH_ROWS, header_key
from .cells import SheetCells, inline, serial, shared_strings, text, text_run, uses_1904
from .ns import M, REL_TABLE
from .package import Package, drop_calc_chain
from .styles import DATE_NUMFMT, Styles

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # e.g. text from a returned form


@dataclass(frozen=True)
class RowsReplacement:
    """Records appended to an input sheet (通报记录, 二（六）): rows whose key cell equals key_value are replaced."""

    sheet: str
    key_column: str
    key_value: str
    rows: list[dict[str, object]]


def write_rows(pkg: Package, styles: Styles, job: RowsReplacement) -> None:
    """Blank the rows of a previous run (same key) and write the records into them, then below the last used row.

    Rows are never moved or renumbered (formulas, comments and merged cells that
    refer to them stay right), and a template's pre-formatted blank rows are filled
    in place, so every <row> stays unique and in order (Excel rejects duplicates).
    """
    part = _sheet_part(pkg, job.sheet)
    root = pkg.xml(part)
    sst = shared_strings(pkg)
    sheet = SheetCells(root)
    rows = [sheet.rows[n] for n in sheet.numbers]
    header, columns = _header(rows, sst, job)
    key_letter = columns[job.key_column]
    blanked, last_used = [], header
    for row in rows:
        number = int(row.get("r"))
        if number <= header:
            continue
        cells = list(row.iterfind(M + "c"))
        key = next((c for c in cells if coordinate_from_string(c.get("r"))[0] == key_letter), None)
        if key is not None and text(key, sst).strip() == str(job.key_value):
            for c in cells:
                _clear_value(c)
            blanked.append(number)
        elif any(text(c, sst) or c.find(M + "f") is not None for c in cells):
            last_used = number
    slots = blanked[:len(job.rows)]
    slots += range(max([last_used, *blanked]) + 1, max([last_used, *blanked]) + 1 + len(job.rows) - len(slots))
    date1904 = uses_1904(pkg)
    column_styles = _column_styles(root)
    for number, record in zip(slots, job.rows):
        for name, value in record.items():
            if name in columns:
                _put(sheet, styles, columns[name], number, value, date1904, column_styles)
    if blanked and b"<f" in pkg.read(part):
        drop_calc_chain(pkg)
    _extend_ranges(pkg, part, root, header, max([header + 1, *slots]))
    pkg.put_xml(part, root)


@dataclass(frozen=True)
class CellValues:
    """Values put into cells of an input sheet, e.g. 材料问题 of one 反馈记录 row (三（三）)."""

    sheet: str
    values: dict[str, object]  # "K12" → value


def write_cells(pkg: Package, styles: Styles, job: CellValues) -> None:
    """Put each value into its cell, keeping the cell's look; every other cell stays as it was."""
    part = _sheet_part(pkg, job.sheet)
    root = pkg.xml(part)
    date1904, column_styles, sheet = uses_1904(pkg), _column_styles(root), SheetCells(root)
    for ref, value in job.values.items():
        letter, number = coordinate_from_string(ref)
        _put(sheet, styles, letter, number, value, date1904, column_styles)
    pkg.put_xml(part, root)


@dataclass(frozen=True)
class RecordsUpsert:
    """Records placed by row in an input sheet (反馈记录 rows merged by intake, SPEC «Returned sheets»).

    ``at_rows`` rewrites those Excel rows, ``clear_rows`` empties them (keeping their look),
    ``append`` goes below the last used row; ``expected_keys`` says what ``guard_column``
    (default ``key_column``) holds in each touched row now, so a row moved by hand is never
    overwritten. A column the records need that the header lacks is added at its end.
    """

    sheet: str
    key_column: str  # identifies the header row (交办单号)
    at_rows: Mapping[int, dict[str, object]] = field(default_factory=dict)
    clear_rows: Sequence[int] = ()
    append: Sequence[dict[str, object]] = ()
    expected_keys: Mapping[int, str] = field(default_factory=dict)
    guard_column: str = ""


def write_upsert(pkg: Package, styles: Styles, job: RecordsUpsert) -> None:
    """Rewrite the given rows, empty the stale ones, append the rest below the last used row."""
    part = _sheet_part(pkg, job.sheet)
    root = pkg.xml(part)
    sst = shared_strings(pkg)
    sheet = SheetCells(root)
    rows = [sheet.rows[n] for n in sheet.numbers]
    header, columns = _header_row(rows, sst, job.sheet, job.key_column)
    needed = [n for n in dict.fromkeys(k for r in [*job.at_rows.values(), *job.append] for k in r) if n not in columns]
    if needed:
        columns.update(_add_header_cells(pkg, part, sheet, header, columns, needed))
    guard = columns.get(job.guard_column or job.key_column, "")
    last_used = header
    found: dict[int, str] = {}
    for row in rows:
        number = int(row.get("r"))
        if number <= header:
            continue
        cells = list(row.iterfind(M + "c"))
        if any(text(c, sst) or c.find(M + "f") is not None for c in cells):
            last_used = number
        key = next((c for c in cells if coordinate_from_string(c.get("r"))[0] == guard), None)
        found[number] = text(key, sst).strip() if key is not None else ""
    for number, key in job.expected_keys.items():
        if found.get(number, "") != key:
            raise FileChanged(f"「{job.sheet}」第{number}行已不是“{key}”的记录（可能有人移动了行）。"
                              f"为免写错行，本次未写入。请重新运行一次。")
    date1904, column_styles = uses_1904(pkg), _column_styles(root)
    for number in job.clear_rows:
        for c in sheet.rows[number].iterfind(M + "c"):
            _clear_value(c)
    slots = range(last_used + 1, last_used + 1 + len(job.append))
    for number, record in [*job.at_rows.items(), *zip(slots, job.append)]:
        for name, value in record.items():
            if name in columns:
                _put(sheet, styles, columns[name], number, value, date1904, column_styles)
    if job.clear_rows and b"<f" in pkg.read(part):
        drop_calc_chain(pkg)
    _extend_ranges(pkg, part, root, header, max([header + 1, *slots, *job.at_rows]))
    pkg.put_xml(part, root)


def _header_row(rows: list[etree._Element], sst: list[etree._Element], sheet: str,
                key_column: str) -> tuple[int, dict[str, str]]:
    """The header row holding ``key_column`` and its names → letters."""
    for row in rows:
        if int(row.get("r")) > HEADER_SEARCH_ROWS:
            break
        names = {header_key(text(c, sst)): coordinate_from_string(c.get("r"))[0] for c in row.iterfind(M + "c")
                 if text(c, sst).strip()}
        if key_column in names:
            return int(row.get("r")), names
    raise MissingHeader(f"「{sheet}」前{HEADER_SEARCH_ROWS}行中找不到表头「{key_column}」。请按模板恢复表头后再运行。")


def _add_header_cells(pkg: Package, part: str, sheet: SheetCells, header: int, columns: Mapping[str, str],
                      names: Sequence[str]) -> dict[str, str]:
    """New header cells after the last one, styled like it; a table ending there grows to cover them."""
    last = max(column_index_from_string(letter) for letter in columns.values())
    style = sheet.cell(f"{get_column_letter(last)}{header}").get("s")
    added = {}
    for offset, name in enumerate(names, 1):
        letter = get_column_letter(last + offset)
        c = sheet.cell(f"{letter}{header}")
        inline(c, [text_run(name)])
        if style:
            c.set("s", style)
        added[name] = letter
    for rel, target in pkg.targets(part):
        if rel.get("Type") != REL_TABLE or not pkg.has(target):
            continue
        table = pkg.xml(target)
        start, end = table.get("ref").split(":")
        end_letter, end_row = coordinate_from_string(end)
        if coordinate_from_string(start)[1] != header or column_index_from_string(end_letter) != last:
            continue
        new_end = f"{get_column_letter(last + len(names))}{end_row}"
        table.set("ref", f"{start}:{new_end}")
        auto = table.find(M + "autoFilter")
        if auto is not None:
            auto.set("ref", f"{start}:{new_end}")
        columns_el = table.find(M + "tableColumns")
        next_id = max((int(tc.get("id", "0")) for tc in columns_el), default=0) + 1
        for i, name in enumerate(names):
            etree.SubElement(columns_el, M + "tableColumn", id=str(next_id + i), name=name)
        columns_el.set("count", str(len(columns_el)))
        pkg.put_xml(target, table)
    return added


def _put(sheet: SheetCells, styles: Styles, letter: str, number: int, value: object, date1904: bool,
         column_styles: dict[str, int]) -> None:
    """One typed value into cell ``letter``+``number`` (dates as serials in a date style, text inline)."""
    c = sheet.cell(f"{letter}{number}")
    _clear_value(c)
    style = int(c.get("s") or sheet.style_above(column_index_from_string(letter), number)
                or column_styles.get(letter, 0))
    is_date = isinstance(value, (dt.date, dt.datetime))
    if is_date and not styles.is_date(style):
        style = styles.variant(style, numFmtId=str(DATE_NUMFMT), applyNumberFormat="1")
    if style:  # s before t: a new cell and a reused one give the same XML, so a re-run is byte-identical
        c.set("s", str(style))
    if value is None or (isinstance(value, float) and value != value):
        pass
    elif is_date:
        day = value.date() if isinstance(value, dt.datetime) else value
        etree.SubElement(c, M + "v").text = str(serial(day, date1904))
    elif isinstance(value, bool):
        c.set("t", "b")
        etree.SubElement(c, M + "v").text = "1" if value else "0"
    elif isinstance(value, (int, float)):
        etree.SubElement(c, M + "v").text = repr(value) if isinstance(value, float) else str(value)
    else:
        inline(c, [text_run(_XML_ILLEGAL.sub("", str(value)))])


def _clear_value(c: etree._Element) -> None:
    """Empty a cell but keep its look (style)."""
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)


def _header(rows: list[etree._Element], sst: list[etree._Element], job: RowsReplacement) -> tuple[int, dict[str, str]]:
    """The header row and its columns, which must include every column of the records."""
    header, names = _header_row(rows, sst, job.sheet, job.key_column)
    missing = [n for n in dict.fromkeys(k for r in job.rows for k in r) if n not in names]
    if missing:
        raise MissingHeader(f"「{job.sheet}」第{header}行的表头缺少列：{'、'.join(missing)}。请按模板补上这些列名后再运行。")
    return header, names


def _sheet_part(pkg: Package, name: str) -> str:
    parts = pkg.sheets()
    if name not in parts:
        raise MissingSheet(f"台账中没有「{name}」工作表。请从模板中复制该工作表（保留表头）后再运行。")
    return parts[name]


def _column_styles(root: etree._Element) -> dict[str, int]:
    styles: dict[str, int] = {}
    for col in root.iter(M + "col"):
        if col.get("style"):
            for index in range(int(col.get("min")), min(int(col.get("max")), 200) + 1):
                styles[get_column_letter(index)] = int(col.get("style"))
    return styles


def _extend_ranges(pkg: Package, part: str, root: etree._Element, header: int, last: int) -> None:
    """Tables, the autofilter and the dimension that start at the header now reach the last record.

    They only grow: a template's table pre-formatted over blank rows keeps them.
    """
    def stretch(el: etree._Element | None) -> bool:
        if el is None or ":" not in el.get("ref", ""):
            return False
        start, end = el.get("ref").split(":")
        if coordinate_from_string(start)[1] > header:
            return False
        column, end_row = coordinate_from_string(end)
        ref = f"{start}:{column}{max(last, end_row, coordinate_from_string(start)[1] + 1)}"
        grown = ref != el.get("ref")
        el.set("ref", ref)
        return grown  # an unchanged table part keeps its bytes

    stretch(root.find(M + "autoFilter"))
    dimension = root.find(M + "dimension")
    if dimension is not None and ":" in dimension.get("ref", ""):
        start, end = dimension.get("ref").split(":")
        column, end_row = coordinate_from_string(end)
        dimension.set("ref", f"{start}:{column}{max(last, end_row)}")
    for rel, target in pkg.targets(part):
        if rel.get("Type") == REL_TABLE and pkg.has(target):
            table = pkg.xml(target)
            if coordinate_from_string(table.get("ref").split(":")[0])[1] == header and stretch(table):
                stretch(table.find(M + "autoFilter"))
                pkg.put_xml(target, table)
