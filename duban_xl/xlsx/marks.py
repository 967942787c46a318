"""validate --write's marks: a red fill and a comment on each bad cell, recorded so the next run clears them.

WHY: SPEC «validate --write»: the marks belong to 校验结果 and disappear when it
is rewritten; the user's own fill comes back.
"""
from __future__ import annotations

import posixpath
import uuid
from xml.sax.saxutils import escape as xml_escape
from copy import deepcopy
from dataclasses import dataclass
from typing import Sequence

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from ..errors import MissingSheet
from .cells import SheetCells, split
from .sheet_bytes import SheetBytes
from .comments import Notes
from .ns import CT_ITEM_PROPS, M, NS_DS, NS_MAIN, NS_MARKS, REL_COMMENTS, REL_CUSTOM_PROPS, REL_CUSTOM_XML
from .package import Package, relative, rels_name, resolve
from .safety import parse_xml, to_bytes
from .styles import Styles, is_mark_fill, no_fill


@dataclass(frozen=True)
class CellMark:
    """validate --write: a user's bad cell gets a red fill and a comment (author duban_xl)."""

    sheet: str
    cell: str
    comment: str


XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
Record = list[tuple[str, str, etree._Element | None, str | None]]  # sheet, cell, the user's fill, applyFill


def apply_marks(pkg: Package, styles: Styles, marks: Sequence[CellMark]) -> None:
    """Red fill + comment on each bad cell; the user's own fill is recorded for the next run.

    Linear in the number of marks: cells are restyled in the part's bytes (sheet_bytes.py),
    comments and styles are indexed once. A cell absent from the XML (an empty cell
    never typed in) is created through the parsed sheet.
    """
    parts = pkg.sheets()
    record: Record = []
    by_sheet: dict[str, list[CellMark]] = {}
    for mark in marks:
        by_sheet.setdefault(mark.sheet, []).append(mark)
    for sheet_name, sheet_marks in by_sheet.items():
        if sheet_name not in parts:
            raise MissingSheet(f"要标记的工作表「{sheet_name}」不在台账中。")
        part = parts[sheet_name]
        try:
            sheet: SheetBytes | etree._Element = SheetBytes(pkg.read(part), part)  # no second copy held
            tail = sheet.tail
        except ValueError:
            sheet = tail = pkg.xml(part)
        merges = _merges(tail)
        shown = {m: _visible_cell(merges, m.cell.upper()) for m in sheet_marks}
        refs = set(shown.values())

        def red(ref: str, original: int) -> int:
            record.append((sheet_name, ref, styles.fill_of(original), styles.xf(original).get("applyFill")))
            return styles.red(original)

        missing = refs - sheet.restyle(refs, red) if isinstance(sheet, SheetBytes) else refs
        if missing:  # cells to create: the parsed sheet it is
            root = parse_xml(sheet.to_bytes(), part) if isinstance(sheet, SheetBytes) else sheet
            cells = SheetCells(root)
            for ref in sorted(missing):
                c = cells.cell(ref)
                c.set("s", str(red(c.get("r"), int(c.get("s") or 0))))
            sheet = tail = root
        notes = Notes(pkg, part, tail)
        for mark in sheet_marks:
            notes.add(shown[mark], mark.comment)
        notes.save()
        pkg.write(part, sheet.to_bytes() if isinstance(sheet, SheetBytes) else to_bytes(sheet))
    _write_record(pkg, record)


def _merges(sheet: etree._Element) -> list[tuple[int, int, int, int, str]]:
    found = []
    for merged in sheet.iter(M + "mergeCell"):
        start, _, end = merged.get("ref", "").partition(":")
        if end:
            (r1, c1), (r2, c2) = split(start), split(end)
            found.append((r1, c1, r2, c2, start))
    return found


def _visible_cell(merges: list[tuple[int, int, int, int, str]], ref: str) -> str:
    """Inside a merged range only the top-left cell shows its fill and comment."""
    row, col = split(ref)
    for r1, c1, r2, c2, start in merges:
        if r1 <= row <= r2 and c1 <= col <= c2:
            return start
    return ref


def clear_marks(pkg: Package, styles: Styles) -> None:
    """Undo a previous run's marks: the user's fill comes back, our comments go.

    Found again after LibreOffice saved the file (it renumbers styles and rewrites
    comment authors, notes/libreoffice.md): a cell is restored when its fill still
    looks like our red, to the fill recorded by look, not by index.
    """
    recorded: dict[str, dict[str, tuple[etree._Element | None, str | None, tuple[str, str] | None]]] = {}
    for sheet_name, ref, fill, apply_fill, by_index in _read_record(pkg):
        recorded.setdefault(sheet_name, {})[ref.upper()] = (fill, apply_fill, by_index)
    for sheet_name, part in pkg.sheets().items():
        has_notes = any(r.get("Type") == REL_COMMENTS for r, _ in pkg.targets(part))
        if not pkg.has(part) or not (sheet_name in recorded or has_notes):
            continue
        try:
            sheet = SheetBytes(pkg.read(part), part)
        except ValueError:
            continue  # no cells: nothing of ours can be there
        mine = recorded.get(sheet_name, {})

        def restore(ref: str, current: int) -> int | None:
            fill, apply_fill, by_index = mine[ref]
            if by_index is not None:  # a record of an older duban: styles by index
                return int(by_index[0]) if str(current) == by_index[1] else None
            if not is_mark_fill(styles.fill_of(current)):
                return None  # the user restyled it: leave it
            return styles.with_fill(current, fill, apply_fill) if fill is not None else 0

        changed = bool(mine) and bool(sheet.restyle(set(mine), restore))
        if has_notes:
            notes = Notes(pkg, part, sheet.tail)
            removed = notes.remove_ours()
            if removed:
                notes.save()
                changed = True
                if not mine:  # a program that drops customXml (openpyxl) lost the record
                    _unfill(sheet, styles, removed)
        if changed:
            pkg.write(part, sheet.to_bytes())
    _write_record(pkg, [])


def _unfill(sheet: SheetBytes, styles: Styles, refs: set[tuple[int, int]]) -> None:
    """Without a record, a cell that has our comment and still our red gets no fill: the best guess."""
    def plain(ref: str, current: int) -> int | None:
        return styles.with_fill(current, no_fill(), None) if is_mark_fill(styles.fill_of(current)) else None

    sheet.restyle({f"{get_column_letter(col)}{row}" for row, col in refs}, plain)


def _record_part(pkg: Package) -> str | None:
    """Our customXml item, found by its content (LibreOffice moves its relationship, see _relink)."""
    for name in pkg.names():
        if name.lower().startswith("customxml/item") and "props" not in name.lower() and name.endswith(".xml"):
            if pkg.xml(name).tag == f"{{{NS_MARKS}}}marks":
                return name
    return None


def _read_record(pkg: Package) -> list[tuple[str, str, etree._Element | None, str | None, tuple[str, str] | None]]:
    part = _record_part(pkg)
    if part is None:
        return []
    root = pkg.xml(part)
    fills = list(root.iterfind(f"{{{NS_MARKS}}}fills/{M}fill"))
    found = []
    for m in root.iterfind(f"{{{NS_MARKS}}}mark"):
        by_index = (m.get("style"), m.get("marked")) if m.get("marked") is not None else None
        at = m.get("fill")
        fill = fills[int(at)] if at is not None and at.isdigit() and int(at) < len(fills) else None
        found.append((m.get("sheet"), m.get("cell"), fill, m.get("applyFill"), by_index))
    return found


def _write_record(pkg: Package, record: Record) -> None:
    """Keep the marks in a customXml part: Excel and LibreOffice both keep those on save."""
    part = _record_part(pkg)
    if not record and part is None:
        return
    if part is None:
        part = pkg.unique_name("customXml/item{}.xml")
        props = part.replace("/item", "/itemProps")
        item_rels = pkg.rels(part)
        pkg.add_rel(item_rels, REL_CUSTOM_PROPS, relative(part, props))
        pkg.put_xml(rels_name(part), item_rels)
        store = etree.Element(f"{{{NS_DS}}}datastoreItem", nsmap={"ds": NS_DS})
        store.set(f"{{{NS_DS}}}itemID", "{" + str(uuid.uuid4()).upper() + "}")
        etree.SubElement(store, f"{{{NS_DS}}}schemaRefs")
        pkg.put_xml(props, store)
        pkg.set_content_types({props: CT_ITEM_PROPS}, set())
        pkg.ensure_default("xml", "application/xml")
    _relink(pkg, part)
    fills: dict[int, tuple[str, etree._Element]] = {}  # each distinct user fill once (by identity)
    lines = []
    for sheet, ref, fill, apply_fill in record:
        attrs = f' sheet="{xml_escape(sheet, {chr(34): "&quot;"})}" cell="{ref}"'
        if apply_fill is not None:
            attrs += f' applyFill="{xml_escape(apply_fill, {chr(34): "&quot;"})}"'
        if fill is not None:
            fills.setdefault(id(fill), (str(len(fills)), fill))
            attrs += f' fill="{fills[id(fill)][0]}"'
        lines.append(f"<mark{attrs}/>")
    box = etree.Element(f"{{{NS_MARKS}}}fills", nsmap={None: NS_MARKS, "x": NS_MAIN})
    box.extend(deepcopy(fill) for _, fill in fills.values())
    head = f'<marks xmlns="{NS_MARKS}" xmlns:x="{NS_MAIN}">'.encode()
    pkg.write(part, XML_DECLARATION + head + etree.tostring(box) + "".join(lines).encode("utf-8") + b"</marks>")


def _relink(pkg: Package, part: str) -> None:
    """The record is related from the workbook part. LibreOffice moves that relationship to the
    package root with a target outside the package («../customXml/item1.xml»): drop that one."""
    root_rels = pkg.rels("")
    stray = [r for r in root_rels if r.get("Type") == REL_CUSTOM_XML
             and posixpath.normpath(r.get("Target", "")).lstrip("./") == part]
    for rel in stray:
        root_rels.remove(rel)
    if stray:
        pkg.put_xml(rels_name(""), root_rels)
    rels = pkg.rels(pkg.workbook)
    if not any(r.get("Type") == REL_CUSTOM_XML and resolve(pkg.workbook, r.get("Target", "")) == part for r in rels):
        pkg.add_rel(rels, REL_CUSTOM_XML, relative(pkg.workbook, part))
        pkg.put_xml(rels_name(pkg.workbook), rels)
