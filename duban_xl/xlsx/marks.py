"""validate --write's marks: a red fill and a comment on each bad cell, recorded so the next run clears them.

WHY: SPEC «validate --write»: the marks belong to 校验结果 and disappear when it
is rewritten; the user's own fill comes back.
"""
from __future__ import annotations

import posixpath
import uuid
from copy import deepcopy
from dataclasses import dataclass
from typing import Sequence

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from ..errors import MissingSheet
from .cells import SheetCells, split
from .comments import Notes
from .ns import CT_ITEM_PROPS, M, NS_DS, NS_MAIN, NS_MARKS, REL_COMMENTS, REL_CUSTOM_PROPS, REL_CUSTOM_XML
from .package import Package, relative, rels_name, resolve
from .styles import Styles, is_mark_fill, no_fill


@dataclass(frozen=True)
class CellMark:
    """validate --write: a user's bad cell gets a red fill and a comment (author duban_xl)."""

    sheet: str
    cell: str
    comment: str


Record = list[tuple[str, str, etree._Element | None, str | None]]  # sheet, cell, the user's fill, applyFill


def apply_marks(pkg: Package, styles: Styles, marks: Sequence[CellMark]) -> None:
    """Red fill + comment on each bad cell; the user's own fill is recorded for the next run.

    Linear in the number of marks: cells, comments and styles are indexed once.
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
        root = pkg.xml(part)
        cells = SheetCells(root)
        merges = _merges(root)
        notes = Notes(pkg, part, root)
        done: set[str] = set()
        for mark in sheet_marks:
            c = cells.cell(_visible_cell(merges, mark.cell.upper()))
            ref = c.get("r")
            if ref not in done:
                done.add(ref)
                original = int(c.get("s") or 0)
                fill = styles.fill_of(original)
                record.append((sheet_name, ref, fill, styles.xf(original).get("applyFill")))
                c.set("s", str(styles.red(original)))
            notes.add(ref, mark.comment)
        notes.save()
        pkg.put_xml(part, root)
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
    recorded: dict[str, list[tuple[str, etree._Element | None, str | None, tuple[str, str] | None]]] = {}
    for entry in _read_record(pkg):
        recorded.setdefault(entry[0], []).append(entry[1:])
    for sheet_name, part in pkg.sheets().items():
        if not pkg.has(part):
            continue
        root = None
        if sheet_name in recorded:
            root = pkg.xml(part)
            cells = SheetCells(root)
            for ref, fill, apply_fill, by_index in recorded[sheet_name]:
                c = cells.get(ref)
                if c is None:
                    continue
                if by_index is not None:  # a record of an older duban: styles by index
                    if c.get("s") == by_index[1]:
                        c.set("s", by_index[0])
                elif is_mark_fill(styles.fill_of(int(c.get("s") or 0))):  # else the user restyled it: leave it
                    restored = styles.with_fill(int(c.get("s") or 0), fill, apply_fill) if fill is not None else 0
                    c.set("s", str(restored))
        if any(r.get("Type") == REL_COMMENTS for r, _ in pkg.targets(part)):
            root = root if root is not None else pkg.xml(part)
            notes = Notes(pkg, part, root)
            removed = notes.remove_ours()
            if removed:
                notes.save()
                if sheet_name not in recorded:  # a program that drops customXml (openpyxl) lost the record
                    _unfill(SheetCells(root), styles, removed)
                recorded.setdefault(sheet_name, [])
        if sheet_name in recorded and root is not None:
            pkg.put_xml(part, root)
    _write_record(pkg, [])


def _unfill(cells: SheetCells, styles: Styles, refs: set[tuple[int, int]]) -> None:
    """Without a record, a cell that has our comment and still our red gets no fill: the best guess."""
    for row, col in refs:
        c = cells.get(f"{get_column_letter(col)}{row}")
        if c is not None and is_mark_fill(styles.fill_of(int(c.get("s") or 0))):
            c.set("s", str(styles.with_fill(int(c.get("s") or 0), no_fill(), None)))


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
    found = []
    for m in pkg.xml(part).iterfind(f"{{{NS_MARKS}}}mark"):
        by_index = (m.get("style"), m.get("marked")) if m.get("marked") is not None else None
        found.append((m.get("sheet"), m.get("cell"), m.find(M + "fill"), m.get("applyFill"), by_index))
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
    root = etree.Element(f"{{{NS_MARKS}}}marks", nsmap={None: NS_MARKS, "x": NS_MAIN})
    for sheet, ref, fill, apply_fill in record:
        mark = etree.SubElement(root, f"{{{NS_MARKS}}}mark", sheet=sheet, cell=ref)
        if apply_fill is not None:
            mark.set("applyFill", apply_fill)
        if fill is not None:
            mark.append(deepcopy(fill))
    pkg.put_xml(part, root)


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
