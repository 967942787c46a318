"""Every part of an Office package read once, bounded, before any reader allocates for it.

WHY: a zip directory can lie (an entry larger than it declares, a CRC that does
not match, deflate data that is corrupt), a DTD can sit after a long comment,
and a small file can hold a sheet whose one cell at XFD1048576 or whose
``uniqueCount="2000000000"`` makes a reader allocate gigabytes (issue 9). So the
gate decompresses each part as a stream with a counter, feeds XML parts to
expat (C, no handlers but the DTD refusal: well-formedness for free), and reads
the extent of each worksheet and the declared size of the string table.

What a reader will hold is estimated too, per sheet and for the book: cells and
characters, shared strings counted once for every cell that names them (calamine
copies the string into each cell, so one 30,000-character string named by 24,000
cells of an 18 KB file is 720 million characters: minutes and gigabytes). The
weights are measured on calamine's rows (benchmarks/: the 100,000-item ledger's
反馈记录, 3.7 M cells, reads in 664 MB; its estimate is 674 MB).
"""
from __future__ import annotations

import re
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from xml.parsers import expat

CHUNK = 1 << 20
MAX_PART_BYTES = 384 * 1024 * 1024  # one part, decompressed (a 100,000-item 台账 is about 200 MB)
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 500  # deflate of real XML stays far below this; zero-filled bombs reach ~1000
RATIO_MIN_BYTES = 1024 * 1024  # tiny parts may compress oddly; only judge big ones
MAX_CELLS = 16_000_000  # rows × columns of a sheet's extent: a reader allocates a grid of that size
MAX_STRINGS = 5_000_000  # shared strings a workbook may declare
MAX_RUN = 8 << 20  # bytes of one text or one tag with no markup: a cell holds 32,767 characters, and
                   # libxml2 (our writer's parser) stops at 10 MB; expat would buffer it all
CELL_COST = 160  # bytes a reader holds per cell: calamine's value, the Python object, its slot in the row
CHAR_COST = 4  # bytes per character of text: calamine's UTF-8 copy and the Python string
MAX_SHEET_COST = 768 << 20  # one sheet in memory at a time, with room for the reader's frames under 1 GiB
MAX_BOOK_COST = 1280 << 20  # every sheet of the book (the 100,000-item ledger estimates about 1.2 GB)

_ROW = re.compile(rb"""row\s+r=["']([0-9]{1,9})["']""")
_WIDE = re.compile(rb""" r=["']([A-Z]{2,9})[0-9]""")  # columns past Z: rare, so cheap to look at
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\s+ref=["'][A-Z]*[0-9]*:?([A-Z]{1,9})([0-9]{1,9})["']""")
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb"""\b(?:uniqueCount|count)\s*=\s*["']([0-9]+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>\s*([0-9]{1,10})\s*<")  # a value that may name a shared string
_MAIN_PREFIX = re.compile(rb"""xmlns:\w+\s*=\s*["'](?:http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"""
                          rb"""|http://purl\.oclc\.org/ooxml/spreadsheetml/main)["']""")
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


@dataclass
class Strings:
    """The shared-string table as a reader will expand it: each string's length in characters."""

    lengths: array = field(default_factory=lambda: array("L"))
    longest: int = 0


@dataclass
class Load:
    """What reading one worksheet costs: its cells and the characters of its own text."""

    cells: int = 0
    chars: int = 0

    def count(self, chunk: bytes, prefixed: bool) -> None:
        self.cells += chunk.count(b"<c") + (chunk.count(b":c") if prefixed else 0)

    def text(self, data: str) -> None:
        self.chars += len(data)

    def cost(self, shared_chars: int) -> int:
        return self.cells * CELL_COST + (self.chars + shared_chars) * CHAR_COST


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
    strings, total, book = Strings(), 0, 0
    for info in sorted(infos, key=lambda i: not _is_strings(i.filename)):  # the string table first
        seen, load = _scan_part(zf, info, MAX_TOTAL_BYTES - total, strings)
        total += seen
        if load is not None:
            book += _judge(zf, info, load, strings, book)


def _is_strings(name: str) -> bool:
    return name.lower().endswith("sharedstrings.xml")


def _is_sheet(name: str) -> bool:
    lower = name.lower()
    return "worksheets/" in lower and "_rels/" not in lower and lower.endswith(".xml")


def _judge(zf: zipfile.ZipFile, info: zipfile.ZipInfo, load: Load, strings: Strings, book: int) -> int:
    """The sheet's estimated cost in bytes; refused over the sheet or the book limit."""
    shared = load.cells * strings.longest  # every cell naming the longest string: a bound, cheap
    if load.cost(shared) > MAX_SHEET_COST:
        shared = _shared_chars(zf, info, strings)  # the exact sum (a second, bounded pass)
    cost = load.cost(shared)
    if cost > MAX_SHEET_COST or book + cost > MAX_BOOK_COST:
        where = f"内部的 {info.filename} " if cost > MAX_SHEET_COST else "各工作表合计"
        raise Refusal("unsafe", f"{where}内容过多（约 {load.cells} 个单元格、{load.chars + shared} 个字符），"
                                f"读取需要的内存超出安全上限",
                      f"reading {info.filename} would hold about {(book + cost) >> 20} MB")
    return cost


def _shared_chars(zf: zipfile.ZipFile, info: zipfile.ZipInfo, strings: Strings) -> int:
    """Characters of the shared strings this sheet's values name, each time it names them. Every integer
    value counts (a number that happens to be an index too): an overestimate, never an under."""
    lengths, count, total, tail = strings.lengths, len(strings.lengths), 0, b""
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            for index in _VALUE.findall(window):
                if int(index) < count:
                    total += lengths[int(index)]
            tail = window[-64:]
    return total


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, strings: Strings) -> tuple[int, Load | None]:
    name = info.filename
    xml = name.endswith((".xml", ".rels"))
    parser = expat.ParserCreate() if xml else None
    sheet, table = _is_sheet(name), _is_strings(name)
    load = Load() if sheet else None
    if parser is not None:
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.buffer_text = True
        if table:
            _count_strings(parser, strings)
        elif load is not None:
            parser.CharacterDataHandler = load.text
    extent, seen, tail, prefixed, run = Extent(), 0, b"", False, 0
    try:
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                _check_size(name, info, seen, budget)
                window = tail + chunk
                if (b"<!" in window or b"\x00" in window) and any(marker in window for marker in _DTD):
                    raise Refusal("unsafe", f"内部的 {name} 含有不安全的 XML 声明（DTD）", f"DTD in {name}")
                if load is not None:
                    _measure(window, extent, name, first=seen == len(chunk))
                    # cells (a stray «<col» only makes the estimate higher); with the main
                    # namespace bound to a prefix (<x:c>) anything «:c» counts too
                    prefixed = prefixed or bool(b"xmlns:" in window and _MAIN_PREFIX.search(window))
                    load.count(chunk, prefixed)
                if table and seen == len(chunk):
                    _check_strings(window, name)
                if parser is not None:
                    run = _markup_run(chunk, run, name)
                    parser.Parse(chunk, False)
                tail = window[-64:]
            if parser is not None:
                parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refusal("damaged", f"内部的 {name} 不是完好的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行）",
                      f"not well-formed XML in {name}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refusal("damaged", f"内部的 {name} 已损坏（压缩数据或校验值不符）", f"damaged entry {name}: {exc}") from None
    return seen, load


def _markup_run(chunk: bytes, run: int, name: str) -> int:
    """Bytes since the last «<» after ``chunk``; refused past MAX_RUN (one attribute or text of 300 MB)."""
    last = chunk.rfind(b"<")
    if last < 0:
        run += len(chunk)
    elif run + chunk.find(b"<") <= MAX_RUN:
        return len(chunk) - last - 1
    else:
        run += chunk.find(b"<")
    if run > MAX_RUN:
        raise Refusal("unsafe", f"内部的 {name} 含有超长的文字或属性（超过 {MAX_RUN >> 20} MB 不间断），不是正常的表格内容",
                      f"a run of over {MAX_RUN} bytes without markup in {name}")
    return run


def _count_strings(parser, strings: Strings) -> None:
    """Expat handlers that note each <si>'s length in characters (rich-text runs and phonetics included)."""
    lengths = strings.lengths

    def start(tag: str, _attrs: object) -> None:
        if tag == "si" or tag.endswith(":si"):
            if lengths:
                strings.longest = max(strings.longest, lengths[-1])
            lengths.append(0)

    def text(data: str) -> None:
        if lengths:
            lengths[-1] += len(data)

    def end(tag: str) -> None:
        if (tag == "sst" or tag.endswith(":sst")) and lengths:
            strings.longest = max(strings.longest, lengths[-1])

    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, text, end


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
