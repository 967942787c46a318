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
from .ns import CT_STYLES, M, NS_MAIN, REL_STYLES
from .package import Package, relative, rels_name
from .safety import parse_xml

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
    return (etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(shape(child) for child in el.iterchildren(tag=etree.Element)))


MINIMAL_STYLES = (
    f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def mark_fill() -> etree._Element:
    """The red fill of a marked cell."""
    fill = etree.Element(M + "fill")
    pattern = etree.SubElement(fill, M + "patternFill", patternType="solid")
    etree.SubElement(pattern, M + "fgColor", rgb=MARK_FILL)
    etree.SubElement(pattern, M + "bgColor", indexed="64")
    return fill


def no_fill() -> etree._Element:
    fill = etree.Element(M + "fill")
    etree.SubElement(fill, M + "patternFill", patternType="none")
    return fill


def is_mark_fill(fill: etree._Element | None) -> bool:
    """Whether a fill looks like ours, however an office suite renumbered or rewrote it."""
    if fill is None:
        return False
    pattern = fill.find(M + "patternFill")
    color = None if pattern is None else pattern.find(M + "fgColor")
    return (pattern is not None and pattern.get("patternType") == "solid" and color is not None
            and (color.get("rgb") or "").upper()[-6:] == MARK_FILL[-6:])


class Styles:
    """The user's styles.xml, only ever appended to: existing indices keep their meaning.

    Lookups are indexed (shape → index per table), so registering a look is O(1)
    however many cells are marked (issue 9: marks in linear time).
    """

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        found = next((t for r, t in pkg.targets(pkg.workbook) if r.get("Type", "").endswith("/styles")), None)
        self.part = found or "xl/styles.xml"
        if found is not None and pkg.has(found):
            self.root = pkg.xml(found)
            self.dirty = False
        else:  # a workbook without styles (allowed): every cell has the default look
            self.root = parse_xml(MINIMAL_STYLES.encode(), "styles")
            self.dirty = True
            if found is None:
                rels = pkg.rels(pkg.workbook)
                pkg.add_rel(rels, REL_STYLES, relative(pkg.workbook, self.part))
                pkg.put_xml(rels_name(pkg.workbook), rels)
            pkg.set_content_types({self.part: CT_STYLES}, set())
        if not self.items("cellXfs"):
            etree.SubElement(self.container("cellXfs"), M + "xf", numFmtId="0", fontId="0", fillId="0",
                             borderId="0", xfId="0")
        self._lists: dict[str, list[etree._Element]] = {}
        self._index: dict[str, dict[tuple, int]] = {}
        self._red: dict[int, int] = {}

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

    def _listed(self, kind: str) -> list[etree._Element]:
        """The entries of a table, listed once (kept current by ``add``)."""
        if kind not in self._lists:
            self._lists[kind] = self.items(kind)
        return self._lists[kind]

    def add(self, kind: str, element: etree._Element) -> int:
        """Index of an identical entry, or of the new one appended."""
        items = self._listed(kind)
        if kind not in self._index:
            self._index[kind] = {}
            for i, item in enumerate(items):
                self._index[kind].setdefault(shape(item), i)
        key = shape(element)
        if key in self._index[kind]:
            return self._index[kind][key]
        box = self.container(kind)
        copy = deepcopy(element)
        box.append(copy)
        items.append(copy)
        box.set("count", str(len(items)))
        self._index[kind][key] = len(items) - 1
        self.dirty = True
        return len(items) - 1

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
        xfs = self._listed("cellXfs")
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def fill_of(self, index: int) -> etree._Element | None:
        fills = self._listed("fills")
        fill_id = int(self.xf(index).get("fillId", "0") or 0)
        return fills[fill_id] if 0 <= fill_id < len(fills) else None

    def is_date(self, index: int) -> bool:
        return is_date_format(self.format_code(int(self.xf(index).get("numFmtId", "0"))))

    def variant(self, index: int, **attrs: str | None) -> int:
        """A cellXfs entry like ``index`` with some attributes changed or (None) removed."""
        xf = deepcopy(self.xf(index))
        for key, value in attrs.items():
            if value is None:
                xf.attrib.pop(key, None)
            else:
                xf.set(key, value)
        return self.add("cellXfs", xf)

    def red(self, index: int) -> int:
        """The look of ``index`` with our red fill."""
        if index not in self._red:
            self._red[index] = self.variant(index, fillId=str(self.add("fills", mark_fill())), applyFill="1")
        return self._red[index]

    def with_fill(self, index: int, fill: etree._Element, apply_fill: str | None) -> int:
        """The look of ``index`` with a given fill (the user's own, restored after a mark)."""
        return self.variant(index, fillId=str(self.add("fills", fill)), applyFill=apply_fill)

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
