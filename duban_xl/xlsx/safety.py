"""The gate every workbook passes before it is opened: sizes, bombs, DTDs, encrypted or legacy files.

WHY: files arrive by email from any sender (SPEC «everything from outside is
untrusted»); a refusal is a typed error with a Chinese message (exit 2).
"""
from __future__ import annotations

import hashlib
import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
from lxml import etree

from .ns import NS_STRICT_MAIN, REL_OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT

from ..errors import DubanError, EncryptedWorkbook, FileMissing, LegacyXls, NotADocument, NotAWorkbook, UnsafeWorkbook
from .scan import Refusal, scan

# Safety limits for files that arrive by email.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                          load_dtd=False, remove_blank_text=False)


def parse_xml(data: bytes, where: str = "", source: str = "") -> etree._Element:
    """Parse one part with a hardened parser; refuse DTDs (entity expansion, external reach).
    ``source``: the file's name for the message, when the caller knows it."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAWorkbook(f"文件{source}内部的 {where} 已损坏，无法读取。请在 Excel 中打开并另存为新的 .xlsx 文件后再试。",
                           f"damaged XML part {where}: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise UnsafeWorkbook(f"文件{source}内部的 {where} 含有不安全的 XML 声明（DTD），已拒绝读取。请在 Excel 中另存为新的 .xlsx 文件后再试。",
                             f"DTD in XML part {where}")
    return root


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def shown(path: Path) -> str:
    """A file's name for a one-line message: control characters (a newline in a name) made visible."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in Path(path).name)


def check_file(path: Path, what: str) -> str:
    """The file is a regular file we may read (not a folder, FIFO or device); its name for messages."""
    path = Path(path)
    name = f"「{shown(path)}」"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileMissing(f"找不到文件{name}（{shown(path.parent)}）。请检查文件名和所在文件夹。",
                          f"file not found: {ascii(str(path))}") from None
    except OSError as exc:
        raise NotAWorkbook(f"无法读取文件{name}（{exc.strerror}）。请检查文件权限。", f"cannot stat: {exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotAWorkbook(f"{name}是文件夹，不是{what}。请指定文件本身。", "a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise NotAWorkbook(f"{name}不是普通文件（设备或管道），不是{what}。请指定一个真正的文件。", "not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise UnsafeWorkbook(f"文件{name}超过 {MAX_FILE_BYTES >> 20} MB，超出安全上限。请确认是否为正确的文件。",
                             f"file larger than {MAX_FILE_BYTES} bytes")
    return name


def open_package(path: Path, name: str, damaged: type[DubanError], what: str) -> zipfile.ZipFile:
    """The zip of an Office file after every part passed scan.py; typed errors otherwise."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(f"文件{name}不是{what}或已损坏，无法读取。请用原程序打开并另存后再试。", f"damaged zip: {exc}") from None
    try:
        if len(zf.infolist()) > MAX_ENTRIES:
            raise UnsafeWorkbook(f"文件{name}内部条目过多（{len(zf.infolist())} 个），超出安全上限，已拒绝读取。",
                                 "too many zip entries")
        _refuse_twins(zf, name)
        scan(zf)
    except Refusal as refusal:
        zf.close()
        error = UnsafeWorkbook if refusal.kind == "unsafe" else damaged
        raise error(f"文件{name}{refusal.what}，已拒绝读取。请用原程序打开检查并另存为新文件后再试。",
                    refusal.english) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        zf.close()
        raise damaged(f"文件{name}已损坏，无法读取。请用原程序打开并另存后再试。", f"damaged zip: {exc}") from None
    except DubanError:
        zf.close()
        raise
    return zf


def _refuse_twins(zf: zipfile.ZipFile, name: str) -> None:
    """Two entries of one name (part names ignore case, ISO/IEC 29500-2 §6.2.2.3): a reader and the
    writer could each take a different one, so what is checked would not be what is written."""
    seen: set[str] = set()
    for info in zf.infolist():
        folded = info.filename.lower()
        if folded in seen:
            raise UnsafeWorkbook(f"文件{name}内部有两个同名的条目（{info.filename}），已拒绝读取。"
                                 "请用原程序打开检查并另存为新文件后再试。", f"duplicate zip entry {info.filename}")
        seen.add(folded)


def check_workbook_file(path: Path) -> None:
    """Refuse, with a typed Chinese error, any file we cannot or must not open as an .xlsx.

    Every part is decompressed once as a bounded stream (scan.py) before calamine
    or the writer allocate anything for it.
    """
    path = Path(path)
    name = check_file(path, "Excel 工作簿")
    digest = _digest(path)
    if digest in _PASSED:  # these very bytes passed in this process: the write after a read, a re-read
        return
    if _magic(path, name) == OLE_MAGIC:
        _refuse_ole(path, name, XLS)
    if not zipfile.is_zipfile(path):
        raise NotAWorkbook(f"文件{name}不是 Excel 工作簿（.xlsx）。请确认选对了文件；如是其他格式，请在 Excel 中另存为 .xlsx。",
                           "not a zip/xlsx file")
    with open_package(path, name, NotAWorkbook, "Excel 工作簿") as zf:
        try:
            _check_zip(zf, name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as exc:
            raise NotAWorkbook(f"文件{name}已损坏，无法读取。请在 Excel 中打开并另存为新的 .xlsx 文件后再试。",
                               f"damaged zip: {exc}") from exc
    _remember(digest)


# Content digests of workbooks that passed, newest last. The verdict is a function of the bytes, so
# the same bytes need not be decompressed and parsed twice: every api command reads the ledger
# (the full gate) and then writes it, and the write first checks the file is what was read.
_PASSED: dict[str, None] = {}
_PASSED_KEPT = 8


def _digest(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""  # not readable: the checks below say so in their own words


def _remember(digest: str) -> None:
    if digest:
        _PASSED[digest] = None
        while len(_PASSED) > _PASSED_KEPT:
            del _PASSED[next(iter(_PASSED))]


def check_document_file(path: Path) -> None:
    """The same gate for a Word .docx (a returned report, an office's template): bounded, no DTD, whole."""
    path = Path(path)
    name = check_file(path, "Word 文档（.docx）")
    if _magic(path, name) == OLE_MAGIC:
        _refuse_ole(path, name, DOC)
    if not zipfile.is_zipfile(path):
        raise NotADocument(f"文件{name}不是可以读取的 Word 文档（.docx）。如果是 .doc 或 WPS 格式，请在 Word/WPS 中「另存为」.docx 后再试。",
                           "not a zip/docx file")
    with open_package(path, name, NotADocument, "Word 文档") as zf:
        if "word/document.xml" not in zf.namelist():
            raise NotADocument(f"文件{name}缺少文档主体（word/document.xml），不是完整的 Word 文档。请另存为 .docx 后再试。",
                               "no word/document.xml")


def _magic(path: Path, name: str) -> bytes:
    """The file's first bytes; a file we may not read (another clerk's, mode 000) is one line."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(OLE_MAGIC))
    except OSError as exc:
        raise NotAWorkbook(f"无法读取文件{name}（{exc.strerror}）。请检查文件权限。", f"cannot read: {exc.strerror}") from None


@dataclass(frozen=True)
class Legacy:
    """What an OLE (CFB) container holds when it is not an encrypted OOXML file: the old binary format."""

    streams: tuple[str, ...]  # the legacy file's main stream
    old: type[DubanError]  # the error for a legacy file
    locked: type[DubanError]  # for a password-protected one
    damaged: type[DubanError]  # for anything else
    kind: str
    program: str  # Excel / Word
    suffix: str
    save_as: str


XLS = Legacy(("Workbook", "Book"), LegacyXls, EncryptedWorkbook, NotAWorkbook, "Excel 工作簿", "Excel", ".xls", "Excel 工作簿（*.xlsx）")
DOC = Legacy(("WordDocument",), NotADocument, NotADocument, NotADocument, "Word 文档", "Word", ".doc", "Word 文档（*.docx）")


def _refuse_ole(path: Path, name: str, legacy: Legacy) -> None:
    """An OLE container is either a password-protected OOXML file (the same wrapper for Excel and
    Word, [MS-OFFCRYPTO]) or a legacy binary file (.xls BIFF, .doc)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
            old = any(ole.exists(stream) for stream in legacy.streams)
    except (OSError, ValueError) as exc:  # olefile raises ValueError on truncated sector tables
        raise legacy.damaged(f"文件{name}已损坏，无法读取。请用 {legacy.program} 打开检查后另存为 {legacy.suffix}x。",
                           f"damaged OLE file: {exc}") from exc
    if encrypted:
        raise legacy.locked(
            f"文件{name}设置了打开密码，无法读取。请在 {legacy.program} 中取消密码（文件→信息→保护→用密码进行加密，"
            "清空密码）后保存，再试一次。", "the file is password-protected")
    if old:
        raise legacy.old(f"文件{name}是旧版 {legacy.suffix} 格式。请在 {legacy.program} 中打开，"
                           f"另存为「{legacy.save_as}」后再试。", f"legacy {legacy.suffix} file")
    raise legacy.damaged(f"文件{name}不是 {legacy.kind}（{legacy.suffix}x）。请确认选对了文件。",
                       f"OLE file without a {legacy.suffix} stream")


def _check_zip(zf: zipfile.ZipFile, name: str) -> None:
    """The package is a workbook: its main part exists and names at least one sheet."""
    infos = zf.infolist()
    names = {i.filename for i in infos}
    main = main_part(zf, names)
    if main is None or main not in names:
        raise NotAWorkbook(f"文件{name}缺少工作簿主体（xl/workbook.xml），不是完整的 Excel 工作簿。请在 Excel 中另存为 .xlsx 后再试。",
                           "no xl/workbook.xml")
    if not main.lower().endswith(".xml"):  # xl/workbook.bin: an .xlsb renamed, or saved under the wrong name
        raise NotAWorkbook(f"文件{name}是 Excel 二进制工作簿（.xlsb），不是 .xlsx。请在 Excel 中打开，"
                           "另存为「Excel 工作簿（*.xlsx）」后再试。", f"binary workbook part {main}")
    _check_targets(zf, names, main, name)
    book = parse_xml(zf.read(main), main, name)
    if book.find("{*}sheets/{*}sheet") is None:
        raise NotAWorkbook(f"文件{name}中没有任何工作表，文件可能已损坏。请在 Excel 中打开检查并另存为 .xlsx 后再试。",
                           "workbook without sheets")


def _check_targets(zf: zipfile.ZipFile, names: set[str], main: str, name: str) -> None:
    """Every part the workbook relates to (sheets, strings, styles) is in the package, and inside it."""
    folder, base = posixpath.split(main)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return
    folded = {n.lower() for n in names}
    for rel in parse_xml(zf.read(rels), rels, name):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        part = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        if part.startswith(".."):
            raise UnsafeWorkbook(f"文件{name}内部的引用指向工作簿之外（{target}），已拒绝读取。请在 Excel 中另存为新的 .xlsx 文件后再试。",
                                 f"relationship target outside the package: {target}")
        if part.lower() not in folded:
            raise NotAWorkbook(f"文件{name}内部缺少 {part}（工作簿引用了它），文件不完整。请在 Excel 中打开检查并另存为 .xlsx 后再试。",
                               f"missing part {part}")


def main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The workbook part named by the package relationships (usually xl/workbook.xml)."""
    if "_rels/.rels" not in names:
        return "xl/workbook.xml"
    for rel in parse_xml(zf.read("_rels/.rels"), "_rels/.rels"):
        if rel.get("Type") in (REL_OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT):
            return rel.get("Target", "").lstrip("/")
    return None


def is_strict(book: etree._Element) -> bool:
    """A Strict Open XML workbook (an Excel «Save as» choice): other namespaces throughout (ISO/IEC 29500-1 §A)."""
    return etree.QName(book).namespace == NS_STRICT_MAIN
