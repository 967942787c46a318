"""Cell XML: finding or creating a cell in row/column order, reading its text, writing a value.

WHY: rows and cells must stay unique and ascending (ECMA-376 18.3.1.73; Excel
«repairs» a file otherwise), and text is always written as text, never as a
formula (formula injection).
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from copy import deepcopy
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from ..normalize import EXCEL_EPOCH
from .ns import M
from .package import Package


XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


@lru_cache(maxsize=None)
def _column(letters: str) -> int:
    return column_index_from_string(letters.upper())


def split(ref: str) -> tuple[int, int]:
    """'D17' → (17, 4). Hot in marks (10,000 cells), hence a regex and a cached column table."""
    m = _REF.match(ref)
    if m is None:
        letters, row = coordinate_from_string(ref)  # raises openpyxl's CellCoordinatesException
        return row, column_index_from_string(letters)
    return int(m.group(2)), _column(m.group(1))


class SheetCells:
    """A worksheet's rows and cells indexed once, so finding or creating a cell is O(log n).

    New rows and cells go in row/column order: rows and cells must stay unique and
    ascending (ECMA-376 18.3.1.73/18.3.1.4). Rows or cells without ``r`` (allowed by
    the schema) get the number their position implies.
    """

    def __init__(self, sheet: etree._Element) -> None:
        self.data = sheet.find(M + "sheetData")
        if self.data is None:
            self.data = etree.SubElement(sheet, M + "sheetData")
        self.rows: dict[int, etree._Element] = {}
        number = 0
        for row in self.data.iterfind(M + "row"):
            number = int(row.get("r") or number + 1)
            row.set("r", str(number))
            self.rows[number] = row
        self.numbers = sorted(self.rows)
        self._cells: dict[int, tuple[dict[int, etree._Element], list[int]]] = {}

    def _row_cells(self, number: int) -> tuple[dict[int, etree._Element], list[int]]:
        if number not in self._cells:
            found: dict[int, etree._Element] = {}
            col = 0
            for c in self.rows[number].iterfind(M + "c"):
                ref = c.get("r")
                if ref:
                    col = _column(ref.rstrip("0123456789"))
                else:
                    col += 1
                    c.set("r", f"{get_column_letter(col)}{number}")
                found[col] = c
            self._cells[number] = (found, sorted(found))
        return self._cells[number]

    def row(self, number: int) -> etree._Element:
        """The <row> of a number, created in order when absent."""
        if number not in self.rows:
            row = etree.Element(M + "row", r=str(number))
            at = bisect.bisect(self.numbers, number)
            if at < len(self.numbers):
                self.rows[self.numbers[at]].addprevious(row)
            else:
                self.data.append(row)
            self.numbers.insert(at, number)
            self.rows[number] = row
        return self.rows[number]

    def get(self, ref: str) -> etree._Element | None:
        number, col = split(ref)
        if number not in self.rows:
            return None
        return self._row_cells(number)[0].get(col)

    def cell(self, ref: str) -> etree._Element:
        """The <c> of a cell, created in row/column order when absent."""
        number, col = split(ref)
        row = self.row(number)
        found, cols = self._row_cells(number)
        if col not in found:
            c = etree.Element(M + "c", r=f"{get_column_letter(col)}{number}")
            at = bisect.bisect(cols, col)
            if at < len(cols):
                found[cols[at]].addprevious(c)
            else:
                row.append(c)
            cols.insert(at, col)
            found[col] = c
        return found[col]

    def style_above(self, col: int, number: int) -> int:
        """The style of the nearest styled cell above in the same column (new records look like the old)."""
        for above in reversed(self.numbers[:bisect.bisect_left(self.numbers, number)]):
            c = self._row_cells(above)[0].get(col)
            if c is not None and c.get("s"):
                return int(c.get("s"))
        return 0


def shared_strings(pkg: Package) -> list[etree._Element]:
    part = next((t for r, t in pkg.targets(pkg.workbook) if r.get("Type", "").endswith("/sharedStrings")), None)
    return list(pkg.xml(part).iterfind(M + "si")) if part and pkg.has(part) else []


def text(c: etree._Element, sst: list[etree._Element]) -> str:
    kind = c.get("t")
    if kind == "s":
        v = c.find(M + "v")
        return "".join(sst[int(v.text)].itertext()) if v is not None and v.text else ""
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(M + "t"))
    v = c.find(M + "v")
    return v.text or "" if v is not None else ""


def inline(c: etree._Element, content: list[etree._Element]) -> None:
    for child in list(c):
        if child.tag in (M + "v", M + "is"):
            c.remove(child)
    c.set("t", "inlineStr")
    box = etree.SubElement(c, M + "is")
    for part in content:
        box.append(deepcopy(part))


def text_run(text: str) -> etree._Element:
    """A <t> holding text; characters XML cannot carry (a pasted \x0b) are dropped."""
    t = etree.Element(M + "t")
    text = XML_ILLEGAL.sub("", text)
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def uses_1904(pkg: Package) -> bool:
    return pkg.xml(pkg.workbook).find(f"{M}workbookPr[@date1904='1']") is not None


def serial(day: dt.date, date1904: bool) -> int:
    """The Excel serial of a date in this workbook's date system."""
    return (day - EXCEL_EPOCH).days - (1462 if date1904 else 0)




def cell_xml(ref: str, style: int, value: object, date1904: bool) -> str:
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{style}"><v>{serial(value, date1904)}</v></c>'
    text = xml_escape(XML_ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
