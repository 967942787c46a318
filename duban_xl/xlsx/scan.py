"""Every part of an Office package read once, bounded, before any reader allocates for it.

WHY: a zip directory can lie (an entry larger than it declares, a CRC that does
not match, deflate data that is corrupt), a DTD can sit after a long comment,
and a small file can hold a sheet whose one cell at XFD1048576 or whose
``uniqueCount="2000000000"`` makes a reader allocate gigabytes (issue 9). So the
gate decompresses each part as a stream with a counter, feeds XML parts to
expat (C, no handlers but the DTD refusal: well-formedness for free), and reads
the extent of each worksheet and the declared size of the string table.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

CHUNK = 1 << 20
MAX_PART_BYTES = 384 * 1024 * 1024  # one part, decompressed (a 100,000-item 台账 is about 200 MB)
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 500  # deflate of real XML stays far below this; zero-filled bombs reach ~1000
RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress oddly; only judge big ones
MAX_CELLS = 16_000_000  # rows × columns of a sheet's extent: a reader allocates a grid of that size
MAX_STRINGS = 5_000_000  # shared strings a workbook may declare

_ROW = re.compile(rb"""row\s+r=["']([0-9]{1,9})["']""")
_WIDE = re.compile(rb""" r=["']([A-Z]{2,9})[0-9]""")  # columns past Z: rare, so cheap to look at
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref=["'][A-Z]*[0-9]*:?([A-Z]{1,9})([0-9]{1,9})["']""")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb"""\b(?:uniqueCount|count)\s*=\s*["']([0-9]+)["']""")
_DTD = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


class Refusal(Exception):
    """Why a package cannot be read: ``kind`` is damaged / unsafe, ``what`` says it in Chinese."""

    def __init__(self, kind: str, what: str, english: str) -> None:
        super().__init__(english)
        self.kind, self.what, self.english = kind, what, english


@dataclass
class Extent:
    rows: int = 0
    columns: int = 0


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def scan(zf: zipfile.ZipFile) -> None:
    """Read every entry of the package within the limits; raise Refusal on the first fault."""
    infos = [info for info in zf.infolist() if not info.is_dir()]
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:  # what the directory declares, first
        raise Refusal("unsafe", f"解压后超过 {MAX_TOTAL_BYTES >> 30} GB", "total uncompressed size over the limit")
    for info in infos:
        _check_size(info.filename, info, info.file_size, MAX_TOTAL_BYTES)
    total = 0
    for info in infos:
        total += _scan_part(zf, info, MAX_TOTAL_BYTES - total)


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    name = info.filename
    xml = name.endswith((".xml", ".rels"))
    parser = expat.ParserCreate() if xml else None
    if parser is not None:
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
    sheet = "worksheets/" in name.lower() and xml
    strings = name.lower().endswith("sharedstrings.xml")
    extent, seen, tail = Extent(), 0, b""
    try:
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                _check_size(name, info, seen, budget)
                window = tail + chunk
                if any(marker in window for marker in _DTD):
                    raise Refusal("unsafe", f"内部的 {name} 含有不安全的 XML 声明（DTD）", f"DTD in {name}")
                if sheet:
                    _measure(window, extent, name, first=seen == len(chunk))
                if strings and seen == len(chunk):
                    _check_strings(window, name)
                if parser is not None:
                    parser.Parse(chunk, False)
                tail = window[-64:]
            if parser is not None:
                parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refusal("damaged", f"内部的 {name} 不是完好的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行）",
                      f"not well-formed XML in {name}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refusal("damaged", f"内部的 {name} 已损坏（压缩数据或校验值不符）", f"damaged entry {name}: {exc}") from None
    return seen


def _refuse_dtd(*_: object) -> None:
    raise Refusal("unsafe", "含有不安全的 XML 声明（DTD）", "DTD in an XML part")


def _check_size(name: str, info: zipfile.ZipInfo, seen: int, budget: int) -> None:
    if seen > info.file_size:
        raise Refusal("unsafe", f"内部的 {name} 实际比声明的大（疑似压缩炸弹）", f"{name} larger than it declares")
    if seen > MAX_PART_BYTES:
        raise Refusal("unsafe", f"内部的 {name} 解压后超过 {MAX_PART_BYTES >> 20} MB", f"{name} over the part limit")
    if seen > budget:
        raise Refusal("unsafe", f"解压后超过 {MAX_TOTAL_BYTES >> 30} GB", "total uncompressed size over the limit")
    if seen > RATIO_MIN_BYTES and seen > MAX_RATIO * max(info.compress_size, 1):
        raise Refusal("unsafe", f"内部的 {name} 压缩比异常（疑似压缩炸弹）", f"compression ratio of {name} over {MAX_RATIO}")


def _measure(window: bytes, extent: Extent, name: str, first: bool) -> None:
    """The sheet's extent so far (its last rows and widest columns); refused once it passes MAX_CELLS."""
    if first:
        dimension = _DIMENSION.search(window)
        if dimension:
            _grow(extent, int(dimension.group(2)), _column(dimension.group(1)), name)
    rows = _ROW.findall(window)
    if rows:
        _grow(extent, max(int(r) for r in rows), 0, name)
    rows_without_r = window.count(b"<row>")  # rows may omit r: each is at least one more row
    if rows_without_r:
        _grow(extent, extent.rows + rows_without_r, 0, name)
    wide = _WIDE.findall(window)
    if wide:
        _grow(extent, 0, max(_column(w) for w in set(wide)), name)
    elif extent.columns == 0 and b"<c " in window:
        extent.columns = 26


def _grow(extent: Extent, rows: int, columns: int, name: str) -> None:
    extent.rows, extent.columns = max(extent.rows, rows), max(extent.columns, columns)
    if extent.rows > 1_048_576 or extent.columns > 16_384:
        raise Refusal("damaged", f"内部的 {name} 含有超出 Excel 范围的单元格", f"cell beyond XFD1048576 in {name}")
    if extent.rows * max(extent.columns, 1) > MAX_CELLS:
        raise Refusal("unsafe", f"内部的 {name} 范围过大（{extent.rows} 行 × {extent.columns} 列），超出安全上限",
                      f"sheet extent {extent.rows}x{extent.columns} over {MAX_CELLS} cells in {name}")


def _check_strings(window: bytes, name: str) -> None:
    tag = _SST.search(window[:65536])
    for count in _COUNT.findall(tag.group(0)) if tag else []:
        if int(count) > MAX_STRINGS:
            raise Refusal("unsafe", f"内部的 {name} 声明了 {int(count)} 个字符串，超出安全上限",
                          f"{name} declares {int(count)} strings")
