"""The safe workbook writer: our sheets, cell marks and appended records, nothing else touched.

WHY: the ledger is the office's authoritative record (SPEC «The ledger
workbook»; 二（六）: issuing a bulletin is a record written into the ledger).
So a write refuses when Excel has the file open or it changed since it was
read, keeps a timestamped backup, replaces the file atomically, and edits
only the parts it owns at the XML level (see xlsx_package.py for why the
workbook is never re-saved through openpyxl).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import uuid
from xml.sax.saxutils import escape as xml_escape
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .contract import Sheet
from .files import atomic_path
from .errors import FileChanged, FileLocked, MissingHeader, MissingSheet
from .ledger import Fingerprint
from .normalize import EXCEL_EPOCH, HEADER_SEARCH_ROWS, header_key
from .xlsx_package import (
    NS_MAIN, NS_R, REL_WORKSHEET, Package, check_workbook_file, parse_xml, relative, rels_name,
    resolve, to_bytes,
)

AUTHOR = "duban_xl"
BACKUP_DIR = "duban_备份"
BACKUPS_KEPT = 20
MARK_FILL = "FFFFC7CE"  # Excel's own «bad» red, dark text stays readable
DATE_NUMFMT = 14  # the locale's short date

M = f"{{{NS_MAIN}}}"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_ITEM_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
REL_COMMENTS = f"{NS_R}/comments"
REL_VML = f"{NS_R}/vmlDrawing"
REL_TABLE = f"{NS_R}/table"
REL_CALC_CHAIN = f"{NS_R}/calcChain"
REL_CUSTOM_XML = f"{NS_R}/customXml"
REL_CUSTOM_PROPS = f"{NS_R}/customXmlProps"
NS_MARKS = "urn:duban_xl:marks"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
NS_V, NS_O, NS_X = ("urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office",
                    "urn:schemas-microsoft-com:office:excel")
# CT_Worksheet children that must follow <legacyDrawing> (ECMA-376 18.3.1.99).
AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                        "webPublishItems", "tableParts", "extLst")


@dataclass(frozen=True)
class CellStyle:
    """One look of body cells, registered once in styles.xml and shared by every cell that has it."""

    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    number_format: str = "General"
    alignment: Alignment | None = None


@dataclass(frozen=True)
class TableBody:
    """Data rows written straight as sheet XML below what ``build`` wrote, so a big table stays fast.

    openpyxl spends ~60 µs per styled cell to build and save (benchmarks/RESULTS.md);
    a body is serialised at ~1 µs a cell. Value ``rows[i][j]`` goes to Excel row
    ``first_row + i``, column ``j + 1``, styled ``palette[cell_styles.get((i, j),
    column_styles[j])]``; ``links[(i, j)]`` is an internal link such as "'台账'!G2".
    Strings are always written as text, never as formulas.
    """

    first_row: int
    rows: Sequence[Sequence[object]]
    palette: Mapping[str, CellStyle]
    column_styles: Sequence[str]
    cell_styles: Mapping[tuple[int, int], str] = field(default_factory=dict)
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class OwnedSheet:
    """An output sheet (校验结果, 得分明细, …): built by ``build`` in a scratch workbook, replaced whole."""

    name: str
    build: Callable[[Worksheet], None]
    first: bool = False  # place as first tab and make it the active tab
    body: TableBody | None = None  # big tables: rows serialised directly below what build wrote


@dataclass(frozen=True)
class CellMark:
    """validate --write: a user's bad cell gets a red fill and a comment (author duban_xl)."""

    sheet: str
    cell: str
    comment: str


@dataclass(frozen=True)
class RowsReplacement:
    """Records appended to an input sheet (通报记录, 二（六）): rows whose key cell equals key_value are replaced."""

    sheet: str
    key_column: str
    key_value: str
    rows: list[dict[str, object]]


@dataclass(frozen=True)
class WriteResult:
    path: Path
    backup: Path | None


def write_workbook(source: Path, *, target: Path | None = None, sheets: Sequence[OwnedSheet] = (),
                   marks: Sequence[CellMark] = (), replace_rows: Sequence[RowsReplacement] = (),
                   expected: Fingerprint | None = None) -> WriteResult:
    """Write our sheets, marks and records into the workbook; every other part stays byte-identical.

    ``target`` None writes in place (after a backup in ``duban_备份/``); otherwise
    the source is left untouched. Previous duban marks are cleared whenever
    marks are written or 校验结果 is rewritten, since they belong to it.
    """
    source = Path(source)
    dest = Path(target) if target is not None else source
    check_workbook_file(source)
    _refuse_locked(source)
    if dest != source:
        _refuse_locked(dest)
    if expected is not None and Fingerprint.of(source).sha256 != expected.sha256:
        raise FileChanged(f"「{source.name}」在读取之后被修改过（可能有人刚刚保存了它）。为免覆盖这些修改，本次未写入。请重新运行一次。")
    with atomic_path(dest) as temp:
        with temp.open("wb") as out, Package(source) as pkg:
            _edit(pkg, sheets, marks, replace_rows)
            pkg.save(out)
        backup = _backup(source) if dest == source else None
    return WriteResult(dest, backup)


def _edit(pkg: Package, sheets: Sequence[OwnedSheet], marks: Sequence[CellMark],
          replace_rows: Sequence[RowsReplacement]) -> None:
    styles = Styles(pkg)
    if marks or any(s.name == Sheet.FINDINGS for s in sheets):
        _clear_marks(pkg)
    for replacement in replace_rows:
        _replace_rows(pkg, styles, replacement)
    for owned in sheets:
        _graft(pkg, styles, owned)
    if marks:
        _apply_marks(pkg, styles, marks)
    styles.save()


# -- refusals, backup -----------------------------------------------------------------------

def _refuse_locked(path: Path) -> None:
    """Excel and WPS keep «~$name» beside an open workbook (Excel drops the first two characters of long names)."""
    names = {f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"}
    if any((path.parent / n).exists() for n in names):
        raise FileLocked(f"「{path.name}」正在被 Excel 或 WPS 打开。请先保存并关闭该文件，再运行本命令。")


def _backup(source: Path) -> Path:
    """Copy the original to duban_备份/<name>_YYYYmmdd-HHMMSS.xlsx, keeping the newest 20."""
    folder = source.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = folder / f"{source.stem}_{stamp}{source.suffix}"
    n = 1
    while backup.exists():
        n += 1
        backup = folder / f"{source.stem}_{stamp}-{n}{source.suffix}"
    shutil.copy2(source, backup)
    pattern = re.compile(re.escape(source.stem) + r"_\d{8}-\d{6}(-\d+)?" + re.escape(source.suffix) + "$")
    olds = sorted((p for p in folder.iterdir() if pattern.match(p.name)), key=lambda p: p.stat().st_mtime_ns)
    for old in olds[:-BACKUPS_KEPT]:
        old.unlink()
    return backup


# -- styles ------------------------------------------------------------------------------------

STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")


def _shape(el: etree._Element) -> tuple:
    """An element's content regardless of namespace prefixes: what «identical style» means."""
    return (etree.QName(el).localname, sorted(el.attrib.items()), (el.text or "").strip(),
            [_shape(child) for child in el.iterchildren(tag=etree.Element)])


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
        key = _shape(element)
        items = self.items(kind)
        for i, item in enumerate(items):
            if _shape(item) == key:
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


# -- cells -----------------------------------------------------------------------------------------

def _split(ref: str) -> tuple[int, int]:
    letters, row = coordinate_from_string(ref)
    return row, column_index_from_string(letters)


def _cell(sheet: etree._Element, ref: str) -> etree._Element:
    """The <c> of a cell, created in row/column order when absent."""
    row_no, col_no = _split(ref)
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
        r, col = _split(c.get("r"))
        if col == col_no:
            return c
        if col > col_no:
            new = etree.Element(M + "c", r=ref)
            c.addprevious(new)
            return new
    return etree.SubElement(row, M + "c", r=ref)


def _shared_strings(pkg: Package) -> list[etree._Element]:
    part = next((t for r, t in pkg.targets(pkg.workbook) if r.get("Type", "").endswith("/sharedStrings")), None)
    return list(pkg.xml(part).iterfind(M + "si")) if part and pkg.has(part) else []


def _text(c: etree._Element, sst: list[etree._Element]) -> str:
    kind = c.get("t")
    if kind == "s":
        v = c.find(M + "v")
        return "".join(sst[int(v.text)].itertext()) if v is not None and v.text else ""
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(M + "t"))
    v = c.find(M + "v")
    return v.text or "" if v is not None else ""


def _inline(c: etree._Element, content: list[etree._Element]) -> None:
    for child in list(c):
        if child.tag in (M + "v", M + "is"):
            c.remove(child)
    c.set("t", "inlineStr")
    box = etree.SubElement(c, M + "is")
    for part in content:
        box.append(deepcopy(part))


def _text_run(text: str) -> etree._Element:
    t = etree.Element(M + "t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def _drop_calc_chain(pkg: Package) -> None:
    """Excel rebuilds calcChain.xml; a stale one makes it «repair» the file."""
    rels = pkg.rels(pkg.workbook)
    for rel in list(rels):
        if rel.get("Type") == REL_CALC_CHAIN:
            part = resolve(pkg.workbook, rel.get("Target", ""))
            rels.remove(rel)
            pkg.delete(part)
            pkg.set_content_types({}, {part})
            pkg.put_xml(rels_name(pkg.workbook), rels)


# -- owned sheets --------------------------------------------------------------------------------

def _graft(pkg: Package, styles: Styles, owned: OwnedSheet) -> None:
    """Build the sheet in a scratch openpyxl workbook and move its parts into the user's package."""
    wb = Workbook()
    ws = wb.active
    ws.title = owned.name
    owned.build(ws)
    palette = _palette_cells(wb, owned.body.palette) if owned.body else {}
    buffer = io.BytesIO()
    wb.save(buffer)
    with Package(buffer) as scratch:
        part_in_scratch = scratch.sheets()[ws.title]
        root = scratch.xml(part_in_scratch)
        sst = _shared_strings(scratch)
        for c in root.iter(M + "c"):
            if c.get("t") == "s":
                _inline(c, list(sst[int(c.findtext(M + "v"))]))
        _remap_styles(root, Styles(scratch), styles)
        existing = pkg.sheets().get(owned.name)
        if existing:
            part = existing
            if b"<f" in pkg.read(part) or b":f>" in pkg.read(part):
                _drop_calc_chain(pkg)
            _remove_tree(pkg, part)
        else:
            part = pkg.unique_name("xl/worksheets/sheet{}.xml")
        types: dict[str, str] = {part: CT_WORKSHEET}
        _copy_related(scratch, part_in_scratch, pkg, part, {}, types)
        _set_selected(root, owned.first)
        if owned.body:
            style_ids = {key: styles.import_xf(Styles(scratch), index) for key, index in palette.items()}
            pkg.write(part, _with_body(root, owned.body, style_ids, _date1904(pkg)))
        else:
            pkg.put_xml(part, root)
        pkg.set_content_types(types, set())
        _place_in_workbook(pkg, owned, part, scratch.xml(scratch.workbook))


def _palette_cells(wb: Workbook, palette: Mapping[str, CellStyle]) -> dict[str, int]:
    """Give each body style a cell on a scratch-only sheet so openpyxl registers it; key → its xf index."""
    holder = wb.create_sheet("palette")
    ids = {}
    for row, (key, look) in enumerate(palette.items(), start=1):
        cell = holder.cell(row=row, column=1, value=0)
        for attr in ("font", "fill", "border", "alignment"):
            if getattr(look, attr) is not None:
                setattr(cell, attr, getattr(look, attr))
        cell.number_format = look.number_format
        ids[key] = cell.style_id  # openpyxl writes cellXfs in style_id order
    return ids


def _date1904(pkg: Package) -> bool:
    return pkg.xml(pkg.workbook).find(f"{M}workbookPr[@date1904='1']") is not None


def _serial(day: dt.date, date1904: bool) -> int:
    """The Excel serial of a date in this workbook's date system."""
    return (day - EXCEL_EPOCH).days - (1462 if date1904 else 0)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# CT_Worksheet elements that come after <hyperlinks>, in schema order
AFTER_HYPERLINKS = ("printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                    "tableParts", "extLst")


def _cell_xml(ref: str, style: int, value: object, date1904: bool) -> str:
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{style}"><v>{_serial(value, date1904)}</v></c>'
    text = xml_escape(_XML_ILLEGAL.sub("", str(value)))
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _with_body(root: etree._Element, body: TableBody, style_ids: dict[str, int], date1904: bool) -> bytes:
    """The sheet's XML with the body rows after its own rows, its links, and a dimension covering both.

    Rows are encoded one at a time into one buffer: at 100k items 得分明细 has ~300k rows.
    """
    width = len(body.column_styles)
    letters = [get_column_letter(j + 1) for j in range(width)]
    column_ids = [style_ids[key] for key in body.column_styles]
    cell_ids = {at: style_ids[key] for at, key in body.cell_styles.items()}
    if body.links:
        links = etree.Element(M + "hyperlinks")
        for (i, j), location in body.links.items():
            etree.SubElement(links, M + "hyperlink", ref=f"{letters[j]}{body.first_row + i}", location=location)
        anchor = next((el for el in root if etree.QName(el).localname in AFTER_HYPERLINKS), None)
        if anchor is None:
            root.append(links)
        else:
            anchor.addprevious(links)
    dimension = root.find(M + "dimension")
    if dimension is not None and len(body.rows):
        start, _, end = dimension.get("ref", "A1").partition(":")
        end_column = max(width, column_index_from_string(coordinate_from_string(end or start)[0]))
        dimension.set("ref", f"{start}:{get_column_letter(end_column)}{body.first_row + len(body.rows) - 1}")
    data = to_bytes(root).replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    head, _, tail = data.partition(b"</sheetData>")
    out = io.BytesIO()
    out.write(head)
    for i, values in enumerate(body.rows):
        r = body.first_row + i
        cells = "".join(_cell_xml(f"{letters[j]}{r}", cell_ids.get((i, j), column_ids[j]), v, date1904)
                        for j, v in enumerate(values))
        out.write(f'<row r="{r}">{cells}</row>'.encode("utf-8"))
    out.write(b"</sheetData>" + tail)
    return out.getvalue()


def _remap_styles(root: etree._Element, scratch: Styles, styles: Styles) -> None:
    mapped: dict[str, str] = {}
    for el, attr in ([(c, "s") for c in root.iter(M + "c", M + "row")] + [(c, "style") for c in root.iter(M + "col")]):
        old = el.get(attr)
        if old is not None:
            if old not in mapped:
                mapped[old] = str(styles.import_xf(scratch, int(old)))
            el.set(attr, mapped[old])
    dxfs = scratch.items("dxfs")
    for rule in root.iter(M + "cfRule"):
        if rule.get("dxfId") is not None:
            rule.set("dxfId", str(styles.add("dxfs", dxfs[int(rule.get("dxfId"))])))


def _copy_related(scratch: Package, src: str, pkg: Package, dst: str, done: dict[str, str],
                  types: dict[str, str]) -> None:
    """Copy a part's relationship tree (drawing → charts, images) under fresh names."""
    if not scratch.has(rels_name(src)):
        return
    rels = scratch.rels(src)
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(src, rel.get("Target", ""))
        if target not in done:
            folder, base = target.rsplit("/", 1)
            stem, ext = os.path.splitext(base)
            name = pkg.unique_name(folder + "/" + re.sub(r"\d+$", "", stem) + "{}" + ext)
            done[target] = name
            pkg.write(name, scratch.read(target))
            ctype = scratch.content_type(target)
            if ctype and scratch.xml("[Content_Types].xml").find(
                    f"{{*}}Override[@PartName='/{target}']") is not None:
                types[name] = ctype
            elif ctype:
                pkg.ensure_default(ext.lstrip("."), ctype)
            _copy_related(scratch, target, pkg, name, done, types)
        rel.set("Target", relative(dst, done[target]))
    pkg.put_xml(rels_name(dst), rels)


def _remove_tree(pkg: Package, part: str) -> None:
    """Remove an owned sheet's drawing/chart parts that nothing else refers to."""
    tree: set[str] = set()
    stack = [part]
    while stack:
        for _, target in pkg.targets(stack.pop()):
            if target not in tree and target != part and pkg.has(target):
                tree.add(target)
                stack.append(target)
    used: set[str] = set()
    for rels in (n for n in pkg.names() if n.endswith(".rels")):
        folder, base = rels.rsplit("/_rels/", 1) if "/_rels/" in rels else ("", rels[len("_rels/"):])
        owner = f"{folder}/{base[:-5]}" if folder else base[:-5]
        if owner != part and owner not in tree:
            used |= {t for _, t in pkg.targets(owner)}
    gone = tree - used
    for name in gone | {part}:
        if pkg.has(rels_name(name)):
            pkg.delete(rels_name(name))
    for name in gone:
        pkg.delete(name)
    pkg.set_content_types({}, gone)


def _set_selected(root: etree._Element, selected: bool) -> None:
    for view in root.iter(M + "sheetView"):
        if selected:
            view.set("tabSelected", "1")
        elif "tabSelected" in view.attrib:
            del view.attrib["tabSelected"]


_TAB_SELECTED = re.compile(rb"""\stabSelected\s*=\s*["'](?:1|true)["']""")


def _deselect_others(pkg: Package, keep: str) -> None:
    """Only one tab may be selected, or Excel groups the sheets and typing edits both.

    Edits only the sheetViews of the previously selected sheet, by bytes, leaving
    the rest of its XML as it was.
    """
    for part in pkg.sheets().values():
        if part == keep or not pkg.has(part):
            continue
        data = pkg.read(part)
        end = data.find(b"sheetData")
        head = data[:end if end > 0 else len(data)]
        if _TAB_SELECTED.search(head):
            pkg.write(part, _TAB_SELECTED.sub(b"", head) + data[len(head):])


def _place_in_workbook(pkg: Package, owned: OwnedSheet, part: str, scratch_book: etree._Element) -> None:
    book = pkg.xml(pkg.workbook)
    box = book.find(M + "sheets")
    sheet = next((s for s in box if s.get("name") == owned.name), None)
    if sheet is None:
        rels = pkg.rels(pkg.workbook)
        rid = pkg.add_rel(rels, REL_WORKSHEET, relative(pkg.workbook, part))
        pkg.put_xml(rels_name(pkg.workbook), rels)
        sheet_id = max(int(s.get("sheetId", "0")) for s in box) + 1
        sheet = etree.SubElement(box, M + "sheet", name=owned.name, sheetId=str(sheet_id))
        sheet.set(f"{{{NS_R}}}id", rid)
    old = list(box).index(sheet)
    views = book.findall(f"{M}bookViews/{M}workbookView")
    if owned.first:
        box.remove(sheet)
        box.insert(0, sheet)
        names = book.find(M + "definedNames")
        for name in ([] if names is None else names):
            local = name.get("localSheetId")
            if local is not None and int(local) <= old:
                name.set("localSheetId", "0" if int(local) == old else str(int(local) + 1))
        for view in views:
            view.set("activeTab", "0")
            view.set("firstSheet", "0")
        sheet.attrib.pop("state", None)
        _deselect_others(pkg, part)
    index = list(box).index(sheet)
    _copy_defined_names(book, scratch_book, index)
    pkg.put_xml(pkg.workbook, book)


def _copy_defined_names(book: etree._Element, scratch_book: etree._Element, index: int) -> None:
    """Print titles / filters openpyxl wrote for the scratch sheet, now pointing at its new index."""
    ours = [n for n in scratch_book.iterfind(f"{M}definedNames/{M}definedName") if n.get("localSheetId") == "0"]
    names = book.find(M + "definedNames")
    if names is not None:
        for name in list(names):
            if name.get("localSheetId") == str(index) and name.get("name", "").startswith("_xlnm."):
                names.remove(name)
    if not ours:
        if names is not None and len(names) == 0:
            book.remove(names)
        return
    if names is None:
        names = etree.Element(M + "definedNames")
        book.find(M + "sheets").addnext(names)
    for name in ours:
        copy = deepcopy(name)
        copy.set("localSheetId", str(index))
        names.append(copy)


# -- marks ----------------------------------------------------------------------------------------

def _apply_marks(pkg: Package, styles: Styles, marks: Sequence[CellMark]) -> None:
    """Red fill + comment on each bad cell; the original style index is recorded for the next run."""
    parts = pkg.sheets()
    record = []
    for sheet_name in dict.fromkeys(m.sheet for m in marks):
        if sheet_name not in parts:
            raise MissingSheet(f"要标记的工作表「{sheet_name}」不在台账中。")
        part = parts[sheet_name]
        root = pkg.xml(part)
        notes = _Notes(pkg, part, root)
        for mark in (m for m in marks if m.sheet == sheet_name):
            c = _cell(root, _visible_cell(root, mark.cell.upper()))
            original = c.get("s", "0")
            marked = str(styles.red(int(original)))
            c.set("s", marked)
            record.append((sheet_name, c.get("r"), original, marked))
            notes.add(c.get("r"), mark.comment)
        notes.save()
        pkg.put_xml(part, root)
    _write_record(pkg, record)


def _visible_cell(sheet: etree._Element, ref: str) -> str:
    """Inside a merged range only the top-left cell shows its fill and comment."""
    row, col = _split(ref)
    for merged in sheet.iter(M + "mergeCell"):
        start, _, end = merged.get("ref", "").partition(":")
        if end:
            (r1, c1), (r2, c2) = _split(start), _split(end)
            if r1 <= row <= r2 and c1 <= col <= c2:
                return start
    return ref


def _clear_marks(pkg: Package) -> None:
    """Undo a previous run's marks: restore recorded styles, remove comments authored duban_xl."""
    parts = pkg.sheets()
    recorded: dict[str, list[tuple[str, str, str]]] = {}
    for sheet, cell, original, marked in _read_record(pkg):
        recorded.setdefault(sheet, []).append((cell, original, marked))
    for sheet_name, part in parts.items():
        if not pkg.has(part):
            continue
        root = None
        if sheet_name in recorded:
            root = pkg.xml(part)
            cells = {c.get("r"): c for c in root.iter(M + "c")}
            for cell, original, marked in recorded[sheet_name]:
                c = cells.get(cell)
                if c is not None and c.get("s") == marked:  # the user restyled it otherwise: leave it
                    c.set("s", original)
        if any(r.get("Type") == REL_COMMENTS for r, _ in pkg.targets(part)):
            root = root if root is not None else pkg.xml(part)
            notes = _Notes(pkg, part, root)
            if notes.remove_ours():
                notes.save()
                recorded.setdefault(sheet_name, [])
        if sheet_name in recorded and root is not None:
            pkg.put_xml(part, root)
    _write_record(pkg, [])


def _record_part(pkg: Package) -> tuple[str | None, etree._Element]:
    rels = pkg.rels(pkg.workbook)
    for rel in rels:
        if rel.get("Type") == REL_CUSTOM_XML:
            part = resolve(pkg.workbook, rel.get("Target", ""))
            if pkg.has(part) and pkg.xml(part).tag == f"{{{NS_MARKS}}}marks":
                return part, rels
    return None, rels


def _read_record(pkg: Package) -> list[tuple[str, str, str, str]]:
    part, _ = _record_part(pkg)
    if part is None:
        return []
    return [(m.get("sheet"), m.get("cell"), m.get("style"), m.get("marked")) for m in pkg.xml(part)]


def _write_record(pkg: Package, record: list[tuple[str, str, str, str]]) -> None:
    """Keep the marks in a customXml part: Excel preserves those on save."""
    part, rels = _record_part(pkg)
    if not record and part is None:
        return
    if part is None:
        part = pkg.unique_name("customXml/item{}.xml")
        props = part.replace("/item", "/itemProps")
        pkg.add_rel(rels, REL_CUSTOM_XML, relative(pkg.workbook, part))
        pkg.put_xml(rels_name(pkg.workbook), rels)
        item_rels = pkg.rels(part)
        pkg.add_rel(item_rels, REL_CUSTOM_PROPS, relative(part, props))
        pkg.put_xml(rels_name(part), item_rels)
        store = etree.Element(f"{{{NS_DS}}}datastoreItem", nsmap={"ds": NS_DS})
        store.set(f"{{{NS_DS}}}itemID", "{" + str(uuid.uuid4()).upper() + "}")
        etree.SubElement(store, f"{{{NS_DS}}}schemaRefs")
        pkg.put_xml(props, store)
        pkg.set_content_types({props: CT_ITEM_PROPS}, set())
        pkg.ensure_default("xml", "application/xml")
    root = etree.Element(f"{{{NS_MARKS}}}marks", nsmap={None: NS_MARKS})
    for sheet, cell, original, marked in record:
        etree.SubElement(root, f"{{{NS_MARKS}}}mark", sheet=sheet, cell=cell, style=original, marked=marked)
    pkg.put_xml(part, root)


VML_TEMPLATE = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    '<o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype></xml>')
SHAPE_TEMPLATE = (
    '<v:shape xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel" id="_x0000_s{sid}" type="#_x0000_t202" '
    'style="position:absolute;margin-left:60pt;margin-top:2pt;width:160pt;height:60pt;z-index:{sid};'
    'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
    '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
    '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    '<x:Anchor>{c1}, 15, {r0}, 2, {c3}, 15, {r4}, 4</x:Anchor><x:AutoFill>False</x:AutoFill>'
    '<x:Row>{r0}</x:Row><x:Column>{c0}</x:Column></x:ClientData></v:shape>')


class _Notes:
    """A sheet's legacy comments part + VML, merged into (never replacing) the user's own."""

    def __init__(self, pkg: Package, part: str, sheet: etree._Element) -> None:
        self.pkg, self.part, self.sheet = pkg, part, sheet
        self.rels = pkg.rels(part)
        by_type = {r.get("Type"): resolve(part, r.get("Target", "")) for r in self.rels
                   if r.get("TargetMode") != "External"}
        self.comments_part = by_type.get(REL_COMMENTS)
        legacy = sheet.find(M + "legacyDrawing")
        self.vml_part = None
        if legacy is not None:
            rid = legacy.get(f"{{{NS_R}}}id")
            self.vml_part = next((resolve(part, r.get("Target", "")) for r in self.rels if r.get("Id") == rid), None)
        self.comments = pkg.xml(self.comments_part) if self.comments_part else None
        self.vml = parse_xml(pkg.read(self.vml_part), self.vml_part) if self.vml_part else None

    def add(self, ref: str, text: str) -> None:
        if self.comments is None:
            self.comments = etree.Element(M + "comments", nsmap={None: NS_MAIN})
            etree.SubElement(self.comments, M + "authors")
            etree.SubElement(self.comments, M + "commentList")
        if any(c.get("ref") == ref for c in self.comments.iter(M + "comment")):
            return  # the user's (or a threaded) comment stays; the red fill still shows the cell
        authors = self.comments.find(M + "authors")
        names = [a.text for a in authors]
        if AUTHOR not in names:
            etree.SubElement(authors, M + "author").text = AUTHOR
            names.append(AUTHOR)
        comment = etree.SubElement(self.comments.find(M + "commentList"), M + "comment", ref=ref,
                                   authorId=str(names.index(AUTHOR)))
        run = etree.SubElement(etree.SubElement(comment, M + "text"), M + "r")
        run.append(_text_run(f"{AUTHOR}:\n{text}"))
        self._add_shape(ref)

    def _add_shape(self, ref: str) -> None:
        if self.vml is None:
            blocks = [int(b) for n in self.pkg.names() if n.endswith(".vml")
                      for b in re.findall(rb'data="(\d+)', self.pkg.read(n))]
            self.vml = parse_xml(VML_TEMPLATE.format(block=max(blocks, default=0) + 1).encode(), "vml")
        ids = [int(i) for i in re.findall(r"_x0000_s(\d+)", etree.tostring(self.vml).decode())]
        block = int(self.vml.find(f".//{{{NS_O}}}idmap").get("data", "1").split(",")[0])
        if self.vml.find(f".//{{{NS_V}}}shapetype[@id='_x0000_t202']") is None:
            self.vml.append(parse_xml(VML_TEMPLATE.format(block=block).encode(), "vml")[1])
        row, col = _split(ref)
        sid = max(ids, default=block * 1024) + 1
        self.vml.append(parse_xml(SHAPE_TEMPLATE.format(sid=sid, r0=row - 1, c0=col - 1, c1=col, c3=col + 2,
                                                        r4=row + 3).encode(), "vml shape"))

    def remove_ours(self) -> bool:
        """Drop comments authored duban_xl and their VML shapes; True when something was removed."""
        authors = [a.text for a in self.comments.find(M + "authors")]
        if AUTHOR not in authors:
            return False
        ours = str(authors.index(AUTHOR))
        removed = set()
        for comment in list(self.comments.iter(M + "comment")):
            if comment.get("authorId") == ours:
                removed.add(_split(comment.get("ref")))
                comment.getparent().remove(comment)
        if self.vml is not None:
            for shape in list(self.vml.iter(f"{{{NS_V}}}shape")):
                data = shape.find(f"{{{NS_X}}}ClientData")
                if data is not None and data.findtext(f"{{{NS_X}}}Row") is not None:
                    where = (int(data.findtext(f"{{{NS_X}}}Row")) + 1, int(data.findtext(f"{{{NS_X}}}Column")) + 1)
                    if where in removed:
                        self.vml.remove(shape)
        return bool(removed)

    def save(self) -> None:
        if self.comments is None:
            return
        has_comments = self.comments.find(f"{M}commentList/{M}comment") is not None
        has_shapes = self.vml is not None and self.vml.find(f"{{{NS_V}}}shape") is not None
        types: dict[str, str] = {}
        gone: set[str] = set()
        if has_comments:
            if self.comments_part is None:
                self.comments_part = self.pkg.unique_name("xl/comments{}.xml")
                self.pkg.add_rel(self.rels, REL_COMMENTS, relative(self.part, self.comments_part))
                types[self.comments_part] = CT_COMMENTS
            self.pkg.put_xml(self.comments_part, self.comments)
        elif self.comments_part:
            self._unlink(self.comments_part)
            gone.add(self.comments_part)
        if has_shapes:
            if self.vml_part is None:
                self.vml_part = self.pkg.unique_name("xl/drawings/vmlDrawing{}.vml")
                rid = self.pkg.add_rel(self.rels, REL_VML, relative(self.part, self.vml_part))
                legacy = etree.Element(M + "legacyDrawing")
                legacy.set(f"{{{NS_R}}}id", rid)
                after = next((el for el in self.sheet if etree.QName(el).localname in AFTER_LEGACY_DRAWING), None)
                if after is None:
                    self.sheet.append(legacy)
                else:
                    after.addprevious(legacy)
                self.pkg.ensure_default("vml", CT_VML)
            self.pkg.write(self.vml_part, etree.tostring(self.vml))
        elif self.vml_part:
            legacy = self.sheet.find(M + "legacyDrawing")
            self.sheet.remove(legacy)
            self._unlink(self.vml_part)
        self.pkg.put_xml(rels_name(self.part), self.rels)
        self.pkg.set_content_types(types, gone)

    def _unlink(self, target: str) -> None:
        for rel in list(self.rels):
            if rel.get("TargetMode") != "External" and resolve(self.part, rel.get("Target", "")) == target:
                self.rels.remove(rel)
        self.pkg.delete(target)


# -- records appended to an input sheet (通报记录) ---------------------------------------------

def _replace_rows(pkg: Package, styles: Styles, job: RowsReplacement) -> None:
    """Blank the rows of a previous run (same key) and write the records into them, then below the last used row.

    Rows are never moved or renumbered (formulas, comments and merged cells that
    refer to them stay right), and a template's pre-formatted blank rows are filled
    in place, so every <row> stays unique and in order (Excel rejects duplicates).
    """
    parts = pkg.sheets()
    if job.sheet not in parts:
        raise MissingSheet(f"台账中没有「{job.sheet}」工作表。请从模板中复制该工作表（保留表头）后再运行。")
    part = parts[job.sheet]
    root = pkg.xml(part)
    sst = _shared_strings(pkg)
    rows = list(root.find(M + "sheetData").iterfind(M + "row"))
    header, columns = _header(rows, sst, job)
    key_letter = columns[job.key_column]
    blanked, last_used = [], header
    for row in rows:
        number = int(row.get("r"))
        if number <= header:
            continue
        cells = list(row.iterfind(M + "c"))
        key = next((c for c in cells if coordinate_from_string(c.get("r"))[0] == key_letter), None)
        if key is not None and _text(key, sst).strip() == str(job.key_value):
            for c in cells:
                _clear_value(c)
            blanked.append(number)
        elif any(_text(c, sst) or c.find(M + "f") is not None for c in cells):
            last_used = number
    slots = blanked[:len(job.rows)]
    slots += range(max([last_used, *blanked]) + 1, max([last_used, *blanked]) + 1 + len(job.rows) - len(slots))
    date1904 = _date1904(pkg)
    column_styles = _column_styles(root)
    for number, record in zip(slots, job.rows):
        for name, value in record.items():
            if name not in columns:
                continue
            letter = columns[name]
            c = _cell(root, f"{letter}{number}")
            _clear_value(c)
            style = int(c.get("s") or _style_above(root, letter, number) or column_styles.get(letter, 0))
            if value is None or (isinstance(value, float) and value != value):
                pass
            elif isinstance(value, (dt.date, dt.datetime)):
                day = value.date() if isinstance(value, dt.datetime) else value
                if not styles.is_date(style):
                    style = styles.variant(style, numFmtId=str(DATE_NUMFMT), applyNumberFormat="1")
                etree.SubElement(c, M + "v").text = str(_serial(day, date1904))
            elif isinstance(value, bool):
                c.set("t", "b")
                etree.SubElement(c, M + "v").text = "1" if value else "0"
            elif isinstance(value, (int, float)):
                etree.SubElement(c, M + "v").text = repr(value) if isinstance(value, float) else str(value)
            else:
                _inline(c, [_text_run(str(value))])
            if style:
                c.set("s", str(style))
    if blanked and b"<f" in pkg.read(part):
        _drop_calc_chain(pkg)
    _extend_ranges(pkg, part, root, header, max([header + 1, *slots]))
    pkg.put_xml(part, root)


def _clear_value(c: etree._Element) -> None:
    """Empty a cell but keep its look (style)."""
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)


def _style_above(root: etree._Element, letter: str, number: int) -> int:
    """The style of the nearest cell above in the same column (new records look like the old)."""
    best, style = 0, 0
    for c in root.iter(M + "c"):
        ref = c.get("r", "")
        col, row = coordinate_from_string(ref)
        if col == letter and best < row < number and c.get("s"):
            best, style = row, int(c.get("s"))
    return style


def _header(rows: list[etree._Element], sst: list[etree._Element], job: RowsReplacement) -> tuple[int, dict[str, str]]:
    for row in rows:
        if int(row.get("r")) > HEADER_SEARCH_ROWS:
            break
        names = {header_key(_text(c, sst)): coordinate_from_string(c.get("r"))[0] for c in row.iterfind(M + "c")}
        if job.key_column in names:
            missing = [n for n in dict.fromkeys(k for r in job.rows for k in r) if n not in names]
            if missing:
                raise MissingHeader(f"「{job.sheet}」第{row.get('r')}行的表头缺少列：{'、'.join(missing)}。请按模板补上这些列名后再运行。")
            return int(row.get("r")), names
    raise MissingHeader(f"「{job.sheet}」前{HEADER_SEARCH_ROWS}行中找不到表头「{job.key_column}」。请按模板恢复表头后再运行。")


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
        el.set("ref", f"{start}:{column}{max(last, end_row, coordinate_from_string(start)[1] + 1)}")
        return True

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
