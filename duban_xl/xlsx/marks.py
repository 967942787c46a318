"""validate --write's marks: a red fill and a comment on each bad cell, recorded so the next run clears them.

WHY: SPEC «validate --write»: the marks belong to 校验结果 and disappear when it
is rewritten; the user's own fill comes back.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Sequence

from lxml import etree

from ..errors import MissingSheet
from .cells import cell, split
from .comments import Notes
from .ns import CT_ITEM_PROPS, M, NS_DS, NS_MARKS, REL_COMMENTS, REL_CUSTOM_PROPS, REL_CUSTOM_XML
from .package import Package, relative, rels_name, resolve
from .styles import Styles


@dataclass(frozen=True)
class CellMark:
    """validate --write: a user's bad cell gets a red fill and a comment (author duban_xl)."""

    sheet: str
    cell: str
    comment: str


def apply_marks(pkg: Package, styles: Styles, marks: Sequence[CellMark]) -> None:
    """Red fill + comment on each bad cell; the original style index is recorded for the next run."""
    parts = pkg.sheets()
    record = []
    for sheet_name in dict.fromkeys(m.sheet for m in marks):
        if sheet_name not in parts:
            raise MissingSheet(f"要标记的工作表「{sheet_name}」不在台账中。")
        part = parts[sheet_name]
        root = pkg.xml(part)
        notes = Notes(pkg, part, root)
        for mark in (m for m in marks if m.sheet == sheet_name):
            c = cell(root, _visible_cell(root, mark.cell.upper()))
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
    row, col = split(ref)
    for merged in sheet.iter(M + "mergeCell"):
        start, _, end = merged.get("ref", "").partition(":")
        if end:
            (r1, c1), (r2, c2) = split(start), split(end)
            if r1 <= row <= r2 and c1 <= col <= c2:
                return start
    return ref


def clear_marks(pkg: Package) -> None:
    """Undo a previous run's marks: restore recorded styles, remove comments authored duban_xl."""
    parts = pkg.sheets()
    recorded: dict[str, list[tuple[str, str, str]]] = {}
    for sheet, ref, original, marked in _read_record(pkg):
        recorded.setdefault(sheet, []).append((ref, original, marked))
    for sheet_name, part in parts.items():
        if not pkg.has(part):
            continue
        root = None
        if sheet_name in recorded:
            root = pkg.xml(part)
            cells = {c.get("r"): c for c in root.iter(M + "c")}
            for ref, original, marked in recorded[sheet_name]:
                c = cells.get(ref)
                if c is not None and c.get("s") == marked:  # the user restyled it otherwise: leave it
                    c.set("s", original)
        if any(r.get("Type") == REL_COMMENTS for r, _ in pkg.targets(part)):
            root = root if root is not None else pkg.xml(part)
            notes = Notes(pkg, part, root)
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
    for sheet, ref, original, marked in record:
        etree.SubElement(root, f"{{{NS_MARKS}}}mark", sheet=sheet, cell=ref, style=original, marked=marked)
    pkg.put_xml(part, root)
