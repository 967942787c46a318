"""The gate every workbook passes before it is opened: sizes, bombs, DTDs, encrypted or legacy files.

WHY: files arrive by email from any sender (SPEC «everything from outside is
untrusted»); a refusal is a typed error with a Chinese message (exit 2).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import olefile
from lxml import etree

from .ns import NS_STRICT_MAIN, REL_OFFICE_DOCUMENT, STRICT_OFFICE_DOCUMENT

from ..errors import EncryptedWorkbook, FileMissing, LegacyXls, NotAWorkbook, UnsafeWorkbook

# Safety limits for files that arrive by email.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 500  # deflate of real XML stays far below this; zero-filled bombs reach ~1000
RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress oddly; only judge big ones
XML_HEAD_BYTES = 4096  # a DOCTYPE can only sit in the prolog, before the root element

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    main = main_part(zf, names)
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
    if book.find("{*}sheets/{*}sheet") is None:
        raise NotAWorkbook(f"文件{name}中没有任何工作表，文件可能已损坏。请在 Excel 中打开检查并另存为 .xlsx 后再试。",
                           "workbook without sheets")


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
