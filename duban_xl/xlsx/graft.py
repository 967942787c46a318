"""Output sheets (校验结果, 得分明细, …): built with openpyxl in a scratch workbook, grafted whole.

WHY: openpyxl makes sheets easily but must never re-save the user's workbook
(package.py); so our sheet is built alone, its parts and styles are moved into
the user's package, and a big table's body rows are serialised straight to XML.
"""
from __future__ import annotations

import io
import os
import re
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from lxml import etree
from openpyxl import Workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .cells import cell_xml, inline, shared_strings, uses_1904
from .ns import CT_WORKSHEET, M, NS_R, REL_WORKSHEET
from .package import Package, drop_calc_chain, place, relative, rels_name, resolve
from .safety import to_bytes
from .styles import CellStyle, Styles


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
    heights: Mapping[int, float] = field(default_factory=dict)  # row index → points, for wrapped text


@dataclass(frozen=True)
class OwnedSheet:
    """An output sheet (校验结果, 得分明细, …): built by ``build`` in a scratch workbook, replaced whole."""

    name: str
    build: Callable[[Worksheet], None]
    first: bool = False  # place as first tab and make it the active tab
    body: TableBody | None = None  # big tables: rows serialised directly below what build wrote


def graft(pkg: Package, styles: Styles, owned: OwnedSheet) -> None:
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
        sst = shared_strings(scratch)
        for c in root.iter(M + "c"):
            if c.get("t") == "s":
                inline(c, list(sst[int(c.findtext(M + "v"))]))
        _remap_styles(root, Styles(scratch), styles)
        existing = pkg.sheets().get(owned.name)
        if existing:
            part = existing
            if b"<f" in pkg.read(part) or b":f>" in pkg.read(part):
                drop_calc_chain(pkg)
            _remove_tree(pkg, part)
        else:
            part = pkg.unique_name("xl/worksheets/sheet{}.xml")
        types: dict[str, str] = {part: CT_WORKSHEET}
        _copy_related(scratch, part_in_scratch, pkg, part, {}, types)
        _set_selected(root, owned.first)
        if owned.body:
            style_ids = {key: styles.import_xf(Styles(scratch), index) for key, index in palette.items()}
            pkg.write(part, _with_body(root, owned.body, style_ids, uses_1904(pkg)))
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


# CT_Worksheet elements that come after <hyperlinks>, in schema order
AFTER_HYPERLINKS = ("printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                    "tableParts", "extLst")


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
        place(root, links, AFTER_HYPERLINKS)
    _clear_body_rows(root, body.first_row)
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
        cells = "".join(cell_xml(f"{letters[j]}{r}", cell_ids.get((i, j), column_ids[j]), v, date1904)
                        for j, v in enumerate(values))
        height = body.heights.get(i)
        size = f' ht="{height:g}" customHeight="1"' if height else ""
        out.write(f'<row r="{r}"{size}>{cells}</row>'.encode("utf-8"))
    out.write(b"</sheetData>" + tail)
    return out.getvalue()


def _clear_body_rows(root: etree._Element, first_row: int) -> None:
    """Drop the empty rows ``build`` left where the body goes (openpyxl writes ``<row r="2"/>`` for a
    frozen pane's anchor cell): a second ``<row r>`` of the same number makes Excel «repair» the file."""
    for row in list(root.iter(M + "row")):
        if int(row.get("r", "0")) >= first_row:
            if any(child.tag in (M + "v", M + "is", M + "f") for c in row for child in c):
                raise ValueError(f"build wrote into row {row.get('r')}, where the table body starts")
            row.getparent().remove(row)


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
