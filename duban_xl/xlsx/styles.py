"""The user's styles.xml, only ever appended to, and the looks our cells take.

WHY: existing style indices keep their meaning (every user cell refers to one
by number), so new looks are appended or an identical entry is reused.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from lxml import etree
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from .. import palette
from .ns import M
from .package import Package

MARK_FILL = palette.argb(palette.BAD_FILL)  # Excel's own «bad» red, dark text stays readable
DATE_NUMFMT = 14  # the locale's short date


@dataclass(frozen=True)
class CellStyle:
    """One look of body cells, registered once in styles.xml and shared by every cell that has it."""

    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    number_format: str = "General"
    alignment: Alignment | None = None


STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")


def shape(el: etree._Element) -> tuple:
    """An element's content regardless of namespace prefixes: what «identical style» means."""
    return (etree.QName(el).localname, sorted(el.attrib.items()), (el.text or "").strip(),
            [shape(child) for child in el.iterchildren(tag=etree.Element)])


class Styles:
    """The user's styles.xml, only ever appended to: existing indices keep their meaning."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.part = next((t for r, t in pkg.targets(pkg.workbook) if r.get("Type", "").endswith("/styles")),
                         "xl/styles.xml")
        self.root = pkg.xml(self.part)
        self.dirty = False

    def container(self, kind: str) -> etree._Element:
        found = self.root.find(M + kind)
        if found is None:
            found = etree.Element(M + kind)
            later = [self.root.find(M + k) for k in STYLE_ORDER[STYLE_ORDER.index(kind) + 1:]]
            anchor = next((el for el in later if el is not None), None)
            if anchor is None:
                self.root.append(found)
            else:
                anchor.addprevious(found)
        return found

    def items(self, kind: str) -> list[etree._Element]:
        return list(self.container(kind).iterchildren(tag=etree.Element))

    def add(self, kind: str, element: etree._Element) -> int:
        """Index of an identical entry, or of the new one appended."""
        key = shape(element)
        items = self.items(kind)
        for i, item in enumerate(items):
            if shape(item) == key:
                return i
        box = self.container(kind)
        box.append(deepcopy(element))
        box.set("count", str(len(items) + 1))
        self.dirty = True
        return len(items)

    def num_fmt(self, code: str) -> int:
        for fmt_id, builtin in BUILTIN_FORMATS.items():
            if builtin == code:
                return fmt_id
        fmts = self.items("numFmts")
        for fmt in fmts:
            if fmt.get("formatCode") == code:
                return int(fmt.get("numFmtId", "0"))
        new_id = max([163] + [int(f.get("numFmtId", "0")) for f in fmts]) + 1
        box = self.container("numFmts")
        etree.SubElement(box, M + "numFmt", numFmtId=str(new_id), formatCode=code)
        box.set("count", str(len(fmts) + 1))
        self.dirty = True
        return new_id

    def format_code(self, fmt_id: int) -> str:
        for fmt in self.items("numFmts"):
            if fmt.get("numFmtId") == str(fmt_id):
                return fmt.get("formatCode", "")
        return BUILTIN_FORMATS.get(fmt_id, "General")

    def xf(self, index: int) -> etree._Element:
        xfs = self.items("cellXfs")
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def is_date(self, index: int) -> bool:
        return is_date_format(self.format_code(int(self.xf(index).get("numFmtId", "0"))))

    def variant(self, index: int, **attrs: str) -> int:
        """A cellXfs entry like ``index`` with some attributes changed (appended, or reused if present)."""
        xf = deepcopy(self.xf(index))
        for key, value in attrs.items():
            xf.set(key, value)
        return self.add("cellXfs", xf)

    def red(self, index: int) -> int:
        fill = etree.Element(M + "fill")
        pattern = etree.SubElement(fill, M + "patternFill", patternType="solid")
        etree.SubElement(pattern, M + "fgColor", rgb=MARK_FILL)
        etree.SubElement(pattern, M + "bgColor", indexed="64")
        return self.variant(index, fillId=str(self.add("fills", fill)), applyFill="1")

    def import_xf(self, other: "Styles", index: int) -> int:
        """Bring a scratch workbook's cell format into the user's table, remapping its parts."""
        xf = deepcopy(other.xf(index))
        for attr, kind in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            xf.set(attr, str(self.add(kind, other.items(kind)[int(xf.get(attr, "0"))])))
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id >= 164:
            xf.set("numFmtId", str(self.num_fmt(other.format_code(fmt_id))))
        xf.set("xfId", "0")
        return self.add("cellXfs", xf)

    def save(self) -> None:
        if self.dirty:
            self.pkg.put_xml(self.part, self.root)
