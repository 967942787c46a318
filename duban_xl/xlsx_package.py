"""The .xlsx file as a zip of XML parts: safety checks, a small part model, raw-copy saving.

WHY: the ledger is the office's record (SPEC «the user's workbook is sacred»).
Re-saving it through openpyxl silently drops x14 dropdowns, icon sets,
threaded comments and text boxes (notes/excel-and-word.md), so every write
edits only the parts it owns and copies every other part's compressed bytes
exactly as they were.
"""
from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import BinaryIO

import olefile
from lxml import etree

from .errors import EncryptedWorkbook, FileMissing, LegacyXls, NotAWorkbook, UnsafeWorkbook

# Safety limits for files that arrive by email.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 500  # deflate of real XML stays far below this; zero-filled bombs reach ~1000
RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress oddly; only judge big ones
XML_HEAD_BYTES = 4096  # a DOCTYPE can only sit in the prolog, before the root element

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOCUMENT = f"{NS_R}/officeDocument"
REL_WORKSHEET = f"{NS_R}/worksheet"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_blank_text=False)


def parse_xml(data: bytes, where: str = "") -> etree._Element:
    """Parse one part with a hardened parser; refuse DTDs (entity expansion, external reach)."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAWorkbook(f"文件内部的 {where} 已损坏，无法读取。请在 Excel 中打开并另存为新的 .xlsx 文件后再试。",
                           f"damaged XML part {where}: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise UnsafeWorkbook(f"文件内部的 {where} 含有不安全的 XML 声明（DTD），已拒绝读取。请在 Excel 中另存为新的 .xlsx 文件后再试。",
                             f"DTD in XML part {where}")
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def check_workbook_file(path: Path) -> None:
    """Refuse, with a typed Chinese error, any file we cannot or must not open as an .xlsx.

    Cheap on purpose (the reader calls it before every read): sizes come from
    the zip directory and only the first bytes of each XML part are inspected.
    """
    path = Path(path)
    name = f"「{path.name}」"
    if not path.is_file():
        raise FileMissing(f"找不到文件{name}（{path}）。请检查文件名和所在文件夹。", f"file not found: {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnsafeWorkbook(f"文件{name}超过 {MAX_FILE_BYTES >> 20} MB，超出安全上限。请确认是否为正确的台账文件。",
                             f"file larger than {MAX_FILE_BYTES} bytes")
    with path.open("rb") as fh:
        magic = fh.read(len(OLE_MAGIC))
    if magic == OLE_MAGIC:
        _refuse_ole(path, name)
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook(f"文件{name}不是 Excel 工作簿（.xlsx）。请确认选对了文件；如是其他格式，请在 Excel 中另存为 .xlsx。",
                           "not a zip/xlsx file")
    try:
        with zipfile.ZipFile(path) as zf:
            _check_zip(zf, name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise NotAWorkbook(f"文件{name}已损坏，无法读取。请在 Excel 中打开并另存为新的 .xlsx 文件后再试。",
                           f"damaged zip: {exc}") from exc


def _refuse_ole(path: Path, name: str) -> None:
    """An OLE container is either an encrypted .xlsx or a legacy .xls (BIFF)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
            legacy = ole.exists("Workbook") or ole.exists("Book")
    except (OSError, ValueError) as exc:  # olefile raises ValueError on truncated sector tables
        raise NotAWorkbook(f"文件{name}已损坏，无法读取。请用 Excel 打开检查后另存为 .xlsx。",
                           f"damaged OLE file: {exc}") from exc
    if encrypted:
        raise EncryptedWorkbook(f"文件{name}设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后保存，再试一次。")
    if legacy:
        raise LegacyXls(f"文件{name}是旧版 .xls 格式。请在 Excel 中打开，另存为「Excel 工作簿（*.xlsx）」后再试。")
    raise NotAWorkbook(f"文件{name}不是 Excel 工作簿（.xlsx）。请确认选对了文件。", "OLE file without a workbook")


def _check_zip(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafeWorkbook(f"文件{name}内部条目过多（{len(infos)} 个），超出安全上限，已拒绝读取。", "too many zip entries")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UnsafeWorkbook(f"文件{name}解压后超过 {MAX_TOTAL_UNCOMPRESSED >> 30} GB，超出安全上限，已拒绝读取。",
                             "total uncompressed size over the limit")
    for info in infos:
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeWorkbook(f"文件{name}内部的 {info.filename} 压缩比异常（疑似压缩炸弹），已拒绝读取。",
                                 f"compression ratio of {info.filename} over {MAX_RATIO}")
    names = {i.filename for i in infos}
    main = _main_part(zf, names)
    if main is None or main not in names:
        raise NotAWorkbook(f"文件{name}缺少工作簿主体（xl/workbook.xml），不是完整的 Excel 工作簿。请在 Excel 中另存为 .xlsx 后再试。",
                           "no xl/workbook.xml")
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as fh:
                head = fh.read(XML_HEAD_BYTES).lower()
            if b"<!doctype" in head or b"<!entity" in head:
                raise UnsafeWorkbook(f"文件{name}内部的 {info.filename} 含有不安全的 XML 声明（DTD），已拒绝读取。请在 Excel 中另存为新的 .xlsx 文件后再试。",
                                     f"DTD in {info.filename}")
    book = parse_xml(zf.read(main), main)
    if book.find(f"{{{NS_MAIN}}}sheets/{{{NS_MAIN}}}sheet") is None:
        raise NotAWorkbook(f"文件{name}中没有任何工作表，文件可能已损坏。请在 Excel 中打开检查并另存为 .xlsx 后再试。",
                           "workbook without sheets")


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The workbook part named by the package relationships (usually xl/workbook.xml)."""
    if "_rels/.rels" not in names:
        return "xl/workbook.xml"
    for rel in parse_xml(zf.read("_rels/.rels"), "_rels/.rels"):
        if rel.get("Type") == REL_OFFICE_DOCUMENT:
            return rel.get("Target", "").lstrip("/")
    return None


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
        self.workbook = _main_part(self._zip, set(self._infos)) or "xl/workbook.xml"

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
