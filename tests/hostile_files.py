"""Hostile Office packages made by code for tests/test_hostile_input.py: each streamed into its zip,
so a file holding a gigabyte of XML is written in seconds without a gigabyte in memory (issue 9)."""
from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

LEDGER_SHEET = "xl/worksheets/sheet3.xml"  # 台账 in a workbooks.write_ledger file
NS_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def streamed(dest: Path, package: dict[str, bytes], name: str, chunks: Iterable[bytes], level: int = 6) -> Path:
    """A package whose part ``name`` is written from ``chunks`` as a stream: never held whole in memory."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for other, data in package.items():
            if other != name:
                zf.writestr(other, data)
        with zf.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    return dest


def around_rows(sheet: bytes, rows: Iterable[bytes]) -> Iterator[bytes]:
    """``sheet`` with ``rows`` streamed in at the end of its sheetData."""
    head, tail = sheet.split(b"</sheetData>", 1)
    yield head
    yield from rows
    yield b"</sheetData>" + tail


def text_rows(first: int, size: int, columns: int = 12, width: int = 20, pool: int = 200) -> Iterator[bytes]:
    """About ``size`` bytes of rows of inline-string cells: text drawn from a pool of ``pool`` strings of
    ``width`` characters, so deflate level 1 packs them about 8:1 (like a real 台账 full of text)."""
    rnd = random.Random(2022)
    alphabet = "督查事项推进城区停车位建设县发展和改革局财政0123456789"
    words = ["".join(rnd.choice(alphabet) for _ in range(width)) for _ in range(pool)]
    bodies = ["".join(f'<c t="inlineStr"><is><t>{rnd.choice(words)}</t></is></c>' for _ in range(columns))
              for _ in range(4096)]
    row, written = first, 0
    while written < size:
        batch = "".join(f'<row r="{r}">{bodies[r & 4095]}</row>' for r in range(row, row + 4096)).encode()
        row += 4096
        written += len(batch)
        yield batch


def shared_strings(package: dict[str, bytes], strings: list[str]) -> dict[str, bytes]:
    """``package`` with a shared-string table of ``strings`` (write_ledger writes inline strings only)."""
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS_MAIN.decode()}" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">{items}</sst>').encode()
    types = package["[Content_Types].xml"].replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = package["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", b'<Relationship Id="rIdSst" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>')
    return {**package, "xl/sharedStrings.xml": sst, "[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels}


def low_entropy(size: int) -> Iterator[bytes]:
    """``size`` bytes of four letters at random: about 4:1 under deflate, far from a bomb's ratio."""
    table = bytes(b"abcd"[i & 3] for i in range(256))
    for _ in range(size >> 20):
        yield os.urandom(1 << 20).translate(table)
