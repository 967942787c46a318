"""Cell XML: finding or creating a cell in row/column order, reading its text, writing a value.

WHY: rows and cells must stay unique and ascending (ECMA-376 18.3.1.73; Excel
«repairs» a file otherwise), and text is always written as text, never as a
formula (formula injection).
"""
from __future__ import annotations

import datetime as dt
import re
from copy import deepcopy
from xml.sax.saxutils import escape as xml_escape

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..normalize import EXCEL_EPOCH
from .ns import M
from .package import Package


def split(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def cell(sheet: etree._Element, ref: str) -> etree._Element:
    """The <c> of a cell, created in row/column order when absent."""
    row_no, col_no = split(ref)
    data = sheet.find(M + "sheetData")
    row = None
    for candidate in data.iterfind(M + "row"):
        r = int(candidate.get("r", "0"))
        if r == row_no:
            row = candidate
            break
        if r > row_no:
            row = etree.Element(M + "row", r=str(row_no))
            candidate.addprevious(row)
            break
    if row is None:
        row = etree.SubElement(data, M + "row", r=str(row_no))
    for c in row.iterfind(M + "c"):
        r, col = split(c.get("r"))
        if col == col_no:
            return c
        if col > col_no:
            new = etree.Element(M + "c", r=ref)
            c.addprevious(new)
            return new
    return etree.SubElement(row, M + "c", r=ref)


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
    t = etree.Element(M + "t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def uses_1904(pkg: Package) -> bool:
    return pkg.xml(pkg.workbook).find(f"{M}workbookPr[@date1904='1']") is not None


def serial(day: dt.date, date1904: bool) -> int:
    """The Excel serial of a date in this workbook's date system."""
    return (day - EXCEL_EPOCH).days - (1462 if date1904 else 0)


XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
