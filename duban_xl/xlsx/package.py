"""An opened .xlsx as a zip of parts: lazy reads, in-memory edits, raw-copy saving.

WHY: re-saving a user's workbook through openpyxl silently drops x14 dropdowns,
icon sets, threaded comments and text boxes (notes/excel-and-word.md), so every
write edits only the parts it owns and copies every other part's compressed
bytes exactly as they were.
"""
from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .ns import NS_CT, NS_MAIN, NS_R, NS_REL, REL_CALC_CHAIN
from .safety import main_part, parse_xml, to_bytes


def rels_name(part: str) -> str:
    """xl/worksheets/sheet1.xml → xl/worksheets/_rels/sheet1.xml.rels"""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    """A relationship target, relative to its source part, as a package part name."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class Package:
    """An opened .xlsx: parts are read lazily; edited parts are held in memory until ``save``."""

    def __init__(self, source: Path | BinaryIO) -> None:
        self._zip = zipfile.ZipFile(source)
        self._infos = {i.filename: i for i in self._zip.infolist()}
        self._order = list(self._infos)
        self._folded = {n.lower(): n for n in self._infos}
        self._new: dict[str, bytes] = {}
        self._deleted: set[str] = set()
        self.workbook = main_part(self._zip, set(self._infos)) or "xl/workbook.xml"

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -------------------------------------------------------------------
    def _name(self, part: str) -> str:
        """OPC part names are case-insensitive (POI writes Sheet1.xml with _rels/sheet1.xml.rels)."""
        if part in self._new or part in self._infos:
            return part
        return self._folded.get(part.lower(), part)

    def names(self) -> list[str]:
        return [n for n in self._order if n not in self._deleted]

    def has(self, part: str) -> bool:
        part = self._name(part)
        return part in self._new or (part in self._infos and part not in self._deleted)

    def read(self, part: str) -> bytes:
        part = self._name(part)
        if part in self._new:
            return self._new[part]
        if part in self._deleted or part not in self._infos:
            raise KeyError(part)
        return self._zip.read(part)

    def write(self, part: str, data: bytes) -> None:
        part = self._name(part)
        self._new[part] = data
        self._deleted.discard(part)
        if part not in self._order:
            self._order.append(part)

    def delete(self, part: str) -> None:
        part = self._name(part)
        self._new.pop(part, None)
        self._deleted.add(part)

    def xml(self, part: str) -> etree._Element:
        return parse_xml(self.read(part), part)

    def put_xml(self, part: str, root: etree._Element) -> None:
        self.write(part, to_bytes(root))


    def unique_name(self, pattern: str) -> str:
        """First free name for a pattern such as 'xl/charts/chart{}.xml'."""
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # -- relationships ---------------------------------------------------------------
    def rels(self, part: str) -> etree._Element:
        name = rels_name(part)
        if self.has(name):
            return self.xml(name)
        return etree.Element(f"{{{NS_REL}}}Relationships", nsmap={None: NS_REL})

    def add_rel(self, rels: etree._Element, rel_type: str, target: str, external: bool = False) -> str:
        used = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rel = etree.SubElement(rels, f"{{{NS_REL}}}Relationship", Id=f"rId{n}", Type=rel_type, Target=target)
        if external:
            rel.set("TargetMode", "External")
        return f"rId{n}"

    def targets(self, part: str) -> list[tuple[etree._Element, str]]:
        """(relationship, resolved internal part) for each internal relationship of a part."""
        if not self.has(rels_name(part)):
            return []
        return [(rel, resolve(part, rel.get("Target", ""))) for rel in self.rels(part)
                if rel.get("TargetMode") != "External"]

    # -- content types ------------------------------------------------------------------
    def content_type(self, part: str) -> str | None:
        types = self.xml("[Content_Types].xml")
        for el in types:
            if el.get("PartName", "").lstrip("/").lower() == part.lower():
                return el.get("ContentType")
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        for el in types:
            if el.get("Extension", "").lower() == ext and el.tag == f"{{{NS_CT}}}Default":
                return el.get("ContentType")
        return None

    def set_content_types(self, add: dict[str, str], remove: set[str]) -> None:
        """Add Overrides for new parts and drop those of removed parts, in one edit."""
        types = self.xml("[Content_Types].xml")
        dropped = {p.lower() for p in remove | set(add)}
        for el in list(types):
            if el.get("PartName", "").lstrip("/").lower() in dropped:
                types.remove(el)
        for part, ctype in add.items():
            etree.SubElement(types, f"{{{NS_CT}}}Override", PartName="/" + part, ContentType=ctype)
        self.put_xml("[Content_Types].xml", types)

    def ensure_default(self, extension: str, ctype: str) -> None:
        types = self.xml("[Content_Types].xml")
        if any(el.get("Extension", "").lower() == extension.lower() for el in types):
            return
        types.insert(0, etree.Element(f"{{{NS_CT}}}Default", Extension=extension, ContentType=ctype))
        self.put_xml("[Content_Types].xml", types)

    # -- sheets -------------------------------------------------------------------------
    def sheets(self) -> dict[str, str]:
        """Sheet name → worksheet part name, in tab order."""
        book = self.xml(self.workbook)
        rels = {r.get("Id"): resolve(self.workbook, r.get("Target", "")) for r in self.rels(self.workbook)}
        return {s.get("name"): rels.get(s.get(f"{{{NS_R}}}id"), "")
                for s in book.iterfind(f"{{{NS_MAIN}}}sheets/{{{NS_MAIN}}}sheet")}

    # -- saving ------------------------------------------------------------------------
    def save(self, out: BinaryIO) -> None:
        """Write the package: untouched entries as their original compressed bytes, edited ones deflated."""
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dest:
            for part in self.names():
                if part in self._new:
                    dest.writestr(_fresh_info(part), self._new[part], compress_type=zipfile.ZIP_DEFLATED)
                else:
                    _raw_copy(self._zip, self._infos[part], dest)


def _fresh_info(part: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


_LOCAL_HEADER = 30


def _raw_copy(source: zipfile.ZipFile, info: zipfile.ZipInfo, dest: zipfile.ZipFile) -> None:
    """Copy one entry's local header and compressed data byte for byte.

    Python's zipfile has no public raw-copy API; this uses its documented
    on-disk layout and the writer's bookkeeping (``fp``, ``filelist``,
    ``NameToInfo``, ``start_dir``) the same way ``ZipFile.write`` does.
    """
    src = source.fp
    assert src is not None and dest.fp is not None
    src.seek(info.header_offset)
    header = src.read(_LOCAL_HEADER)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    length = _LOCAL_HEADER + name_len + extra_len + info.compress_size
    src.seek(info.header_offset)
    blob = src.read(length)
    if info.flag_bits & 0x08:  # a data descriptor follows the data
        tail = src.read(4)
        zip64 = info.compress_size >= zipfile.ZIP64_LIMIT or info.file_size >= zipfile.ZIP64_LIMIT
        size = (20 if zip64 else 12) + (4 if tail == b"PK\x07\x08" else 0)
        src.seek(-4, 1)
        blob += src.read(size)
    copied = zipfile.ZipInfo(info.filename, info.date_time)
    for attr in ("compress_type", "comment", "extra", "create_system", "create_version", "extract_version",
                 "flag_bits", "volume", "internal_attr", "external_attr", "CRC", "compress_size", "file_size"):
        setattr(copied, attr, getattr(info, attr))
    copied.header_offset = dest.fp.tell()
    dest.fp.write(blob)
    dest.filelist.append(copied)
    dest.NameToInfo[copied.filename] = copied
    dest.start_dir = dest.fp.tell()
    dest._didModify = True


def drop_calc_chain(pkg: Package) -> None:
    """Excel rebuilds calcChain.xml; a stale one makes it «repair» the file."""
    rels = pkg.rels(pkg.workbook)
    for rel in list(rels):
        if rel.get("Type") == REL_CALC_CHAIN:
            part = resolve(pkg.workbook, rel.get("Target", ""))
            rels.remove(rel)
            pkg.delete(part)
            pkg.set_content_types({}, {part})
            pkg.put_xml(rels_name(pkg.workbook), rels)


def place(parent: etree._Element, element: etree._Element, followers: tuple[str, ...]) -> None:
    """Insert ``element`` before the first child named in ``followers`` (the schema's order), else last."""
    anchor = next((el for el in parent if isinstance(el.tag, str) and etree.QName(el).localname in followers), None)
    if anchor is None:
        parent.append(element)
    else:
        anchor.addprevious(element)
