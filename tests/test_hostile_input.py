"""Broken and hostile files, made here by code, each through the real CLI under a 1 GiB address-space
limit: every one ends with exit 2 and one line naming the file and what is wrong (issue 9)."""
from __future__ import annotations

import io
import os
import re
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from workbooks import write_ledger

pytestmark = pytest.mark.slow  # a subprocess per file
MEMORY = 1 << 30


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(dest: Path, parts: dict[str, bytes], stored: bool = False) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dest


def _sheet(parts: dict[str, bytes]) -> str:
    return next(n for n in parts if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))


def _edited(base: Path, dest: Path, **edit) -> Path:
    parts = _parts(base)
    for key, change in edit.items():
        name = _sheet(parts) if key == "sheet" else key.replace("__", "/").replace("_DOT_", ".")
        if change is None:
            parts.pop(name, None)
        else:
            parts[name] = change(parts.get(name, b""))
    return _zip(dest, parts)


def _patch(path: Path, old: bytes, new: bytes) -> Path:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    return path


def _corrupt_deflate(base: Path, dest: Path) -> Path:
    parts = _parts(base)
    _zip(dest, parts)
    with zipfile.ZipFile(dest) as zf:
        info = zf.getinfo(_sheet(parts))
    data = bytearray(dest.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 8
    for i in range(start, start + 64):
        data[i] ^= 0x5A
    dest.write_bytes(bytes(data))
    return dest


def _bad_crc(base: Path, dest: Path) -> Path:
    parts = _parts(base)
    name = _sheet(parts)
    _zip(dest, parts, stored=True)
    data = dest.read_bytes()
    at = data.index(b"<sheetData>") + 3
    return _write(dest, data[:at] + b"X" + data[at + 1:])


def _write(dest: Path, data: bytes) -> Path:
    dest.write_bytes(data)
    return dest


def _understated_size(base: Path, dest: Path) -> Path:
    """An entry whose central-directory size says 100 bytes, far fewer than it inflates to."""
    parts = _parts(base)
    name = _sheet(parts)
    _zip(dest, parts)
    with zipfile.ZipFile(dest) as zf:
        info = zf.getinfo(name)
    data = bytearray(dest.read_bytes())
    central = data.rindex(b"PK\x01\x02" + data[data.index(b"PK\x01\x02") + 4:data.index(b"PK\x01\x02") + 4][:0])
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + name_len] == name.encode():
            data[pos + 24:pos + 28] = struct.pack("<I", 100)
        pos = data.find(b"PK\x01\x02", pos + 4)
    local = info.header_offset
    data[local + 22:local + 26] = struct.pack("<I", 100)
    del central
    return _write(dest, bytes(data))


def _bomb(dest: Path, base: Path) -> Path:
    parts = _parts(base)
    name = _sheet(parts)
    parts[name] = parts[name].replace(b"</sheetData>", b"</sheetData>" + b"<!--" + b" " * (300 << 20) + b"-->", 1)
    return _zip(dest, parts)


def _after_prolog(data: bytes, insert: bytes) -> bytes:
    """``insert`` after the XML declaration (or first, when there is none)."""
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        return data[:end] + insert + data[end:]
    return insert + data


WITH_STRINGS = Path(__file__).resolve().parent / "data" / "realworld" / "excelize-Book1.xlsx"  # has sharedStrings


def _case(tmp: Path, name: str) -> Path:
    base = write_ledger(tmp / "base.xlsx")
    if name in ("missing_shared_strings", "unique_count_2e9"):
        base = tmp / "sample.xlsx"
        base.write_bytes(WITH_STRINGS.read_bytes())
    out = tmp / f"{name}.xlsx"
    long_comment = b"<!--" + b"x" * 8000 + b"-->"
    cases = {
        "corrupt_deflate": lambda: _corrupt_deflate(base, out),
        "bad_crc": lambda: _bad_crc(base, out),
        "entry_larger_than_declared": lambda: _understated_size(base, out),
        "not_well_formed": lambda: _edited(base, out, sheet=lambda d: d.replace(b"</sheetData>", b"<row>", 1)),
        "not_utf8": lambda: _edited(base, out, sheet=lambda d: d.replace(b"<sheetData>", b"<sheetData>\xff\xfe\xc3", 1)),
        "dtd_after_long_comment": lambda: _edited(base, out, sheet=lambda d: _after_prolog(
            d, long_comment + b'<!DOCTYPE worksheet [<!ENTITY a "b">]>')),
        "missing_shared_strings": lambda: _edited(base, out, xl__sharedStrings_DOT_xml=None),
        "missing_styles": lambda: _edited(base, out, xl__styles_DOT_xml=None),
        "relationship_outside": lambda: _edited(
            base, out, xl___rels__workbook_DOT_xml_DOT_rels=lambda d: re.sub(
                rb'Target="/?(?:xl/)?worksheets/sheet1.xml"', b'Target="../../../etc/passwd"', d, count=1)),
        "cell_A0": lambda: _edited(base, out, sheet=lambda d: re.sub(rb'r="A2"', b'r="A0"', d, count=1)),
        "cell_XFD1048576": lambda: _edited(base, out, sheet=lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1)),
        "dimension_XFD1048576": lambda: _edited(base, out, sheet=lambda d: re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d, count=1)),
        "unique_count_2e9": lambda: _edited(base, out, xl__sharedStrings_DOT_xml=lambda d: re.sub(
            rb'uniqueCount="\d+"', b'uniqueCount="2000000000"', d, count=1)),
        "zip_bomb": lambda: _bomb(out, base),
        "truncated": lambda: _write(out, base.read_bytes()[: len(base.read_bytes()) // 2]),
        "empty": lambda: _write(out, b""),
        "not_a_zip": lambda: _write(out, "这不是表格".encode() * 100),
    }
    return cases[name]()


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "DUBAN_TODAY": "2022-12-31"}
    return subprocess.run([sys.executable, "-m", "duban_xl.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, preexec_fn=limit, env=env)


def _one_line_exit_2(done: subprocess.CompletedProcess, name: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, f"{name}: exit {done.returncode}\n{done.stderr[-3000:]}"
    assert len(lines) == 1 and "Traceback" not in done.stderr, f"{name}: {done.stderr[-3000:]}"


SAYS = {  # what the one line must say, so that no case passes for another case's reason
    "corrupt_deflate": "损坏", "bad_crc": "损坏", "entry_larger_than_declared": "声明|损坏", "not_well_formed": "XML",
    "not_utf8": "XML", "dtd_after_long_comment": "DTD", "missing_shared_strings": "缺少 xl/sharedStrings.xml",
    "missing_styles": "缺少 xl/styles.xml", "relationship_outside": "之外", "cell_A0": "工作表|损坏",
    "cell_XFD1048576": "范围过大|超出", "dimension_XFD1048576": "范围过大|超出", "unique_count_2e9": "字符串",
    "zip_bomb": "压缩|超过", "truncated": "损坏|不是", "empty": "不是", "not_a_zip": "不是",
}
CASES = ["corrupt_deflate", "bad_crc", "entry_larger_than_declared", "not_well_formed", "not_utf8",
         "dtd_after_long_comment", "missing_shared_strings", "missing_styles", "relationship_outside", "cell_A0",
         "cell_XFD1048576", "dimension_XFD1048576", "unique_count_2e9", "zip_bomb", "truncated", "empty", "not_a_zip"]


@pytest.mark.parametrize("name", CASES)
def test_a_broken_or_hostile_ledger_is_exit_2_in_one_line(tmp_path, name):
    path = _case(tmp_path, name)
    done = _run(["validate", path.name, "--write", "--in-place"], tmp_path)
    _one_line_exit_2(done, name)
    assert path.name in done.stderr
    assert re.search(SAYS[name], done.stderr), f"{name}: {done.stderr}"  # refused for its own fault


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev_zero", "newline_name"])
def test_what_is_not_a_ledger_file_is_exit_2_in_one_line(tmp_path, kind):
    if kind == "directory":
        target = tmp_path / "台账.xlsx"
        target.mkdir()
    elif kind == "fifo":
        target = tmp_path / "台账.xlsx"
        os.mkfifo(target)
    elif kind == "dev_zero":
        target = Path("/dev/zero")
    else:
        target = write_ledger(tmp_path / "台账\n第二行.xlsx")
        target.write_bytes(b"broken")
    done = _run(["validate", str(target)], tmp_path)
    _one_line_exit_2(done, kind)
    assert "找不到文件" not in done.stderr


@pytest.mark.parametrize("blocker", ["output_folder_is_a_file", "backup_folder_is_a_file", "read_only_folder"])
def test_where_the_writes_go_is_unusable_exit_2_in_one_line(tmp_path, blocker):
    folder = tmp_path / "台账夹"
    folder.mkdir()
    ledger = write_ledger(folder / "台账.xlsx")
    if blocker == "output_folder_is_a_file":
        (folder / "督查输出").write_text("挡路的文件")
        args = ["remind", ledger.name, "--as-of", "2022-06-25"]
    elif blocker == "backup_folder_is_a_file":
        (folder / "duban_备份").write_text("挡路的文件")
        args = ["validate", ledger.name, "--write", "--in-place"]
    else:
        args = ["validate", ledger.name, "--write"]
    if blocker == "read_only_folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder anyway")
        folder.chmod(0o555)
    done = _run(args, folder)
    _one_line_exit_2(done, blocker)


def _docx(tmp: Path, name: str, document: bytes | None = None, big: int = 0) -> Path:
    from docx import Document

    path = tmp / f"{name}.docx"
    buffer = io.BytesIO()
    Document().save(buffer)
    parts = _parts(buffer)
    if document is not None:
        parts["word/document.xml"] = document
    if big:
        parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", b"<!--" + b" " * big + b"-->"
                                                                        + b"</w:body>", 1)
    return _zip(path, parts)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10))
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol9;</w:document>')


@pytest.mark.parametrize("name", ["billion_laughs", "malformed", "bomb", "not_a_docx"])
def test_a_hostile_report_is_exit_2_in_one_line(tmp_path, name):
    if name == "billion_laughs":
        path = _docx(tmp_path, name, LAUGHS)
    elif name == "malformed":
        path = _docx(tmp_path, name, b"<w:document><w:body>")
    elif name == "bomb":
        path = _docx(tmp_path, name, big=600 << 20)
    else:
        path = tmp_path / "not.docx"
        path.write_bytes(b"\x00" * 1000)
    done = _run(["check-report", path.name], tmp_path)
    _one_line_exit_2(done, name)
