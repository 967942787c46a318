"""Broken and hostile files, made here by code, each through the real CLI: every one ends with exit 2
and one line naming the file and what is wrong, and the child's measured peak memory stays under
1 GiB (issue 9: «every such case exit 2 with one line …, never an abort, and memory under 1 GiB»).

Memory is measured, not only capped: each child is started by tests/peak.py's launcher, which reaps
it with ``os.wait4``; its ``ru_maxrss`` is then the peak resident set of that one process (not the
high-water mark a child forked from this pytest would inherit). An address-space limit stays on as
a guard for the machine (a runaway child fails fast instead of swapping), set above 1 GiB: address
space is not memory (thread stacks, allocator arenas, mapped libraries reserve far more than they
touch), so the guard must not be what the test asserts.
"""
from __future__ import annotations

import ctypes
import os
import re
import resource
import shutil
import struct
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterator

import pytest

from hostile_files import (LEDGER_SHEET, NS_MAIN, around_rows, low_entropy, parts as _parts, shared_strings,
                           streamed as _streamed, text_rows)
from peak import Ran, run_measured
from workbooks import write_ledger

pytestmark = pytest.mark.slow  # a subprocess per file
MEMORY = 1 << 30  # what a child may hold resident, at its peak
GUARD = 3 << 30  # the address space a child may reserve: a runaway is stopped, not measured


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
        "zip_bomb": lambda: _streamed(out, _parts(base), _sheet(_parts(base)),
                                      _bomb_chunks(_parts(base)[_sheet(_parts(base))], 300 << 20)),
        "truncated": lambda: _write(out, base.read_bytes()[: len(base.read_bytes()) // 2]),
        "empty": lambda: _write(out, b""),
        "not_a_zip": lambda: _write(out, "这不是表格".encode() * 100),
        # beyond the list, as an attacker would try
        "shared_string_amplification": lambda: _amplified(base, out),
        "huge_attribute": lambda: _streamed(out, _parts(base), LEDGER_SHEET, around_rows(
            _parts(base)[LEDGER_SHEET], [b'<row r="3"><c r="A3" t="inlineStr" x="', *low_entropy(300 << 20),
                                         b'"><is><t>x</t></is></c></row>']), level=1),
        "duplicate_entry": lambda: _twice(base, out, LEDGER_SHEET),
        "xlsb_renamed": lambda: _zip(out, XLSB),
        "encrypted": lambda: _write(out, ENCRYPTED.read_bytes()),
        "too_many_parts": lambda: _zip(out, {**_parts(base), **{f"customXml/item{i}.xml": b"<a/>" for i in range(20000)}}),
        "deep_nesting_workbook": lambda: _edited(base, out, xl__workbook_DOT_xml=lambda d: d.replace(
            b"</workbook>", b"<x>" * 100_000 + b"</x>" * 100_000 + b"</workbook>")),
        # legitimately readable, however odd: read, within the same bounds
        "thousands_of_parts": lambda: _zip(out, {**_parts(base), **{f"customXml/item{i}.xml": b"<a/>" for i in range(5000)}}),
        "deep_nesting_sheet": lambda: _edited(base, out, sheet=lambda d: d.replace(
            b"</sheetData>", b"</sheetData>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1)),
        "prefixed_namespace": lambda: _edited(base, out, sheet=_prefixed),
    }
    return cases[name]()


def _amplified(base: Path, dest: Path) -> Path:
    """24,000 cells of an 18 KB file each naming one 30,000-character shared string: a reader that copies
    the string into every cell holds 720 million characters (6 minutes and 3.6 GB before the gate)."""
    package = shared_strings(_parts(base), ["长" * 30_000])
    rows = b"".join(b'<row r="%d">' % r + b'<c t="s"><v>0</v></c>' * 12 + b"</row>" for r in range(3, 2003))
    package[LEDGER_SHEET] = package[LEDGER_SHEET].replace(b"</sheetData>", rows + b"</sheetData>", 1)
    return _zip(dest, package)


def _twice(base: Path, dest: Path, name: str) -> Path:
    """A zip with two entries called ``name``: a reader and the writer could each take a different one."""
    package = _parts(base)
    _zip(dest, package)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(dest, "a") as zf:
        zf.writestr(name, package[name].replace(b"</sheetData>", b'<row r="3"><c r="A3"><v>1</v></c></row></sheetData>'))
    return dest


def _prefixed(sheet: bytes) -> bytes:
    """The worksheet with its namespace bound to a prefix (<x:c …>): valid XML, read the same."""
    sheet = sheet.replace(b'xmlns="' + NS_MAIN + b'"', b'xmlns:x="' + NS_MAIN + b'"', 1)
    return re.sub(rb"<(/?)(?!\?|!)([\w]+)(?=[\s>/])", lambda m: b"<" + m[1] + b"x:" + m[2], sheet)


XLSB = {  # what an .xlsb renamed .xlsx looks like to the gate: the workbook part is binary
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                           b'package/2006/content-types"><Default Extension="bin" ContentType="application/'
                           b'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>',
    "xl/workbook.bin": bytes(range(256)) * 8,
}


def _run(args: list[str], cwd: Path, then: Callable[[], None] | None = None) -> Ran:
    """``duban ARGS`` in ``cwd``; ``then`` runs in the child before it starts (dropping privileges)."""
    return _spawn([sys.executable, "-m", "duban_xl.cli", *args], cwd, then)


def _spawn(command: list[str], cwd: Path, then: Callable[[], None] | None = None) -> Ran:
    """``command`` measured through tests/peak.py's launcher (so the peak is the child's own, not this
    pytest's); the launcher starts under the address-space guard and ``then``, which the child inherits."""
    def start() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (GUARD, GUARD))
        if then is not None:
            then()

    return run_measured(command, cwd, timeout=300, preexec=start)


def _one_line_exit_2(done: Ran, name: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, f"{name}: exit {done.returncode}\n{done.stderr[-3000:]}"
    assert len(lines) == 1 and "Traceback" not in done.stderr, f"{name}: {done.stderr[-3000:]}"
    assert done.peak < MEMORY, f"{name}: peak memory {done.peak >> 20} MiB"


def test_the_memory_measure_sees_a_child_that_holds_more_than_1_gib(tmp_path):
    """The peak is the child's own resident memory: a child that touches 1.2 GiB is measured so."""
    done = _spawn([sys.executable, "-c", "b = b'x' * (1200 << 20)"], tmp_path)
    assert done.returncode == 0 and done.peak > MEMORY, done
    small = _spawn([sys.executable, "-c", "pass"], tmp_path)
    assert small.peak < 100 << 20


SAYS = {  # what the one line must say, so that no case passes for another case's reason
    "corrupt_deflate": "损坏", "bad_crc": "损坏", "entry_larger_than_declared": "声明|损坏", "not_well_formed": "XML",
    "not_utf8": "XML", "dtd_after_long_comment": "DTD", "missing_shared_strings": "缺少 xl/sharedStrings.xml",
    "missing_styles": "缺少 xl/styles.xml", "relationship_outside": "之外", "cell_A0": "工作表|损坏",
    "cell_XFD1048576": "范围过大|超出", "dimension_XFD1048576": "范围过大|超出", "unique_count_2e9": "字符串",
    "zip_bomb": "压缩|超过", "truncated": "损坏|不是", "empty": "不是", "not_a_zip": "不是",
    "shared_string_amplification": "内容过多", "huge_attribute": "超长", "duplicate_entry": "同名",
    "xlsb_renamed": "xlsb", "encrypted": "密码", "too_many_parts": "条目过多", "deep_nesting_workbook": "workbook.xml",
}
READABLE = ["thousands_of_parts", "deep_nesting_sheet", "prefixed_namespace"]
CASES = list(SAYS)


@pytest.mark.parametrize("name", CASES)
def test_a_broken_or_hostile_ledger_is_exit_2_in_one_line(tmp_path, name):
    path = _case(tmp_path, name)
    done = _run(["validate", path.name, "--write", "--in-place"], tmp_path)
    _one_line_exit_2(done, name)
    assert path.name in done.stderr
    assert re.search(SAYS[name], done.stderr), f"{name}: {done.stderr}"  # refused for its own fault


@pytest.mark.parametrize("name", READABLE)
def test_an_odd_but_valid_ledger_is_read_within_the_same_bounds(tmp_path, name):
    path = _case(tmp_path, name)
    done = _run(["validate", path.name, "--write", "--in-place"], tmp_path)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, f"{name}: {done.stderr[-3000:]}"
    assert "校验结果已写入" in done.stdout + done.stderr and done.peak < MEMORY, (name, done.peak >> 20)


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev_zero", "newline_name", "symlink_loop", "unreadable"])
def test_what_is_not_a_ledger_file_is_exit_2_in_one_line(tmp_path, kind):
    then = None
    if kind == "directory":
        target = tmp_path / "台账.xlsx"
        target.mkdir()
    elif kind == "fifo":
        target = tmp_path / "台账.xlsx"
        os.mkfifo(target)
    elif kind == "dev_zero":
        target = Path("/dev/zero")
    elif kind == "symlink_loop":
        target = tmp_path / "台账.xlsx"
        target.symlink_to(target.name)
    elif kind == "unreadable":  # another clerk's file on a shared folder (mode 000)
        target = write_ledger(tmp_path / "台账.xlsx")
        target.chmod(0)
        then = _read_only_for(tmp_path, probe="open('台账.xlsx', 'rb')")
    else:
        target = write_ledger(tmp_path / "台账\n第二行.xlsx")
        target.write_bytes(b"broken")
    done = _run(["validate", str(target)], tmp_path, then)
    _one_line_exit_2(done, kind)
    assert "找不到文件" not in done.stderr
    if kind in ("symlink_loop", "unreadable"):
        assert "无法读取文件「台账.xlsx」" in done.stderr, done.stderr


CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3
PR_CAPBSET_DROP = 24


def _as_an_ordinary_user() -> None:
    """In the child: root gives up the powers that ignore file permissions, so a read-only folder
    is read-only to it as to any clerk (the kernel enforces the mode bits; nothing is simulated).
    Dropped from the bounding set, the capabilities are gone once the child execs Python."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def _read_only_for(folder: Path, probe: str = "open('probe', 'w')") -> Callable[[], None] | None:
    """How a child meets ``folder`` (mode 0555) or a file in it (mode 000) as a clerk would: ``probe``
    must then fail. A root that cannot drop its powers skips (fails under CI: DUBAN_REQUIRE_READ_ONLY=1)."""
    if os.geteuid() != 0:
        return None
    probe = _spawn([sys.executable, "-c", probe], folder, _as_an_ordinary_user)
    if probe.returncode != 0 and "PermissionError" in probe.stderr:
        return _as_an_ordinary_user
    message = f"root could not give up its file-permission powers here: {probe.stderr[-500:]}"
    if os.environ.get("DUBAN_REQUIRE_READ_ONLY") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.parametrize("blocker", ["output_folder_is_a_file", "backup_folder_is_a_file", "read_only_folder"])
def test_where_the_writes_go_is_unusable_exit_2_in_one_line(tmp_path, blocker):
    folder = tmp_path / "台账夹"
    folder.mkdir()
    ledger = write_ledger(folder / "台账.xlsx")
    then = None
    if blocker == "output_folder_is_a_file":
        (folder / "督查输出").write_text("挡路的文件")
        args = ["remind", ledger.name, "--as-of", "2022-06-25"]
    elif blocker == "backup_folder_is_a_file":
        (folder / "duban_备份").write_text("挡路的文件")
        args = ["validate", ledger.name, "--write", "--in-place"]
    else:
        args = ["validate", ledger.name, "--write"]
        folder.chmod(0o555)
        then = _read_only_for(folder)
    before = ledger.read_bytes()
    done = _run(args, folder, then)
    folder.chmod(0o755)
    _one_line_exit_2(done, blocker)
    assert ledger.read_bytes() == before
    if blocker == "read_only_folder":
        assert "「台账夹」文件夹只读或无写入权限" in done.stderr and "请换一个可写的文件夹" in done.stderr, done.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["台账.xlsx"]


def _bomb_chunks(document: bytes, size: int) -> Iterator[bytes]:
    """``document`` with ``size`` bytes of spaces in a comment before its end: about 1000:1 deflated."""
    end = document.rindex(b"</")
    yield document[:end] + b"<!--"
    for _ in range(size >> 20):
        yield b" " * (1 << 20)
    yield b"-->" + document[end:]


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10))
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&lol9;</w:document>')
ENCRYPTED = Path(__file__).resolve().parent / "data" / "realworld" / "excelize-encryptAES.xlsx"  # a real CFB container


def _hostile_docx(good: Path, dest: Path, kind: str) -> Path:
    """``dest``: the Word file ``good`` turned into one of DOCX_CASES (made here, never committed)."""
    parts = _parts(good)
    if kind == "billion_laughs":
        return _zip(dest, {**parts, "word/document.xml": LAUGHS})
    if kind == "malformed":
        return _zip(dest, {**parts, "word/document.xml": b"<w:document><w:body>"})
    if kind == "dtd_after_long_comment":
        styles = _after_prolog(parts["word/styles.xml"], b"<!--" + b"x" * 8000 + b"-->" + b'<!DOCTYPE w [<!ENTITY a "b">]>')
        return _zip(dest, {**parts, "word/styles.xml": styles})
    if kind == "zip_bomb":
        return _streamed(dest, parts, "word/document.xml", _bomb_chunks(parts["word/document.xml"], 600 << 20))
    if kind == "no_document_part":
        return _zip(dest, {n: d for n, d in parts.items() if n != "word/document.xml"})
    if kind == "not_a_docx":
        return _write(dest, b"\x00" * 1000)
    if kind == "encrypted":
        return _write(dest, ENCRYPTED.read_bytes())
    if kind == "directory":
        dest.mkdir()
    elif kind == "too_big":
        with dest.open("wb") as fh:  # sparse: 600 MB on paper, nothing on disk
            fh.truncate(600 << 20)
    elif kind == "symlink_loop":
        dest.symlink_to(dest.name)
    return dest


DOCX_SAYS = {
    "billion_laughs": "DTD", "malformed": "XML", "dtd_after_long_comment": "DTD", "zip_bomb": "压缩|超过",
    "no_document_part": "document.xml", "not_a_docx": "不是", "encrypted": "密码", "directory": "文件夹",
    "too_big": "超过 512 MB", "symlink_loop": "无法读取",
}


@pytest.mark.parametrize("kind", list(DOCX_SAYS))
def test_a_hostile_report_is_exit_2_in_one_line(tmp_path, kind):
    from docx import Document

    good = tmp_path / "good.docx"
    Document().save(str(good))
    path = _hostile_docx(good, tmp_path / "反馈报告.docx", kind)
    done = _run(["check-report", path.name], tmp_path)
    _one_line_exit_2(done, kind)
    assert "反馈报告.docx" in done.stderr and re.search(DOCX_SAYS[kind], done.stderr), f"{kind}: {done.stderr}"


def _office_with(tmp: Path, template: str, make: Callable[[Path, Path], object]) -> Path:
    """A copy of the shipped templates in which ``make(shipped, dest)`` wrote ``template`` anew."""
    from duban_xl.bundled import templates_folder

    office = tmp / "本单位模板"
    shutil.copytree(templates_folder(), office)
    (office / template).unlink()
    make(templates_folder() / template, office / template)
    return office


def _slip_with(tmp: Path, make: Callable[[Path, Path], object]) -> Ran:
    """``duban slip`` with the office's 交办单 template made by ``make``."""
    from duban_xl import docx_templates as tpl

    office = _office_with(tmp, tpl.SLIP, make)
    ledger = write_ledger(tmp / "台账.xlsx")
    return _run(["slip", ledger.name, "2022-001", "--as-of", "2022-12-31", "--out", "输出", "--templates", office.name],
                tmp)


@pytest.mark.parametrize("kind", list(DOCX_SAYS))
def test_a_hostile_office_template_is_exit_2_in_one_line_and_nothing_is_written(tmp_path, kind):
    """An office's own Word templates (--templates) pass the same gate as a ledger or a report."""
    done = _slip_with(tmp_path, lambda shipped, dest: _hostile_docx(shipped, dest, kind))
    _one_line_exit_2(done, kind)
    assert "公文模板「交办单.docx」无法使用" in done.stderr and re.search(DOCX_SAYS[kind], done.stderr), done.stderr
    assert not list(tmp_path.rglob("交办单_*.docx"))


PLACEHOLDERS = {  # a well-formed template whose jinja would run code or make a giant string
    "runs_a_command": "{{ cycler.__init__.__globals__.os.system('touch 被执行了') }}",
    "giant_string": '{{ "x" * 10**9 }}',
    "giant_number": "{{ 2 ** 100000000 }}",
    "giant_loop": "{% for i in range(10**9) %}x{% endfor %}",
}


@pytest.mark.parametrize("kind", list(PLACEHOLDERS))
def test_an_office_template_cannot_run_code_or_blow_up_exit_2_in_one_line(tmp_path, kind):
    """Placeholders fill in text and nothing else: docxtpl renders in jinja's sandbox."""
    from docx import Document

    def with_placeholder(shipped: Path, dest: Path) -> None:
        template = Document(str(shipped))
        template.add_paragraph(PLACEHOLDERS[kind])
        template.save(str(dest))

    done = _slip_with(tmp_path, with_placeholder)
    _one_line_exit_2(done, kind)
    assert "公文模板「交办单.docx」中有不允许的占位符" in done.stderr, done.stderr
    assert not (tmp_path / "被执行了").exists() and not list(tmp_path.rglob("交办单_*.docx"))


@pytest.mark.parametrize("kind", ["zip_bomb", "billion_laughs"])
def test_bulletin_refuses_a_hostile_template_before_it_touches_the_ledger(tmp_path, kind):
    from duban_xl import docx_templates as tpl

    office = _office_with(tmp_path, tpl.MONTHLY, lambda shipped, dest: _hostile_docx(shipped, dest, kind))
    ledger = write_ledger(tmp_path / "台账.xlsx")
    before = ledger.read_bytes()
    done = _run(["bulletin", ledger.name, "--month", "2022-06", "--as-of", "2022-12-31", "--templates", office.name],
                tmp_path)
    _one_line_exit_2(done, kind)
    assert f"公文模板「{tpl.MONTHLY}」无法使用" in done.stderr and ledger.read_bytes() == before


# ---- a small file holding a big sheet ---------------------------------------------------------

@pytest.mark.parametrize("sheet_bytes, why", [
    (950_000_000, "超过 384 MB"),  # the case: past every file-level limit, then past 4 GiB
    (300_000_000, "内容过多"),  # under the part limit, but 3.5 M text cells: 1.1 GB to read, 5 GB to validate
])
def test_a_small_file_holding_a_huge_sheet_is_exit_2_in_one_line_under_1_gib(tmp_path, sheet_bytes, why):
    """A 118 MB file holding a 0.95 GB sheet (issue 9) — streamed into the zip at deflate level 1 in
    seconds — and a 40 MB one holding 300 MB of dense text: each refused by the gate before a reader
    allocates for it."""
    base = write_ledger(tmp_path / "base.xlsx")
    package = _parts(base)
    path = _streamed(tmp_path / "台账.xlsx", package, LEDGER_SHEET,
                     around_rows(package[LEDGER_SHEET], text_rows(3, sheet_bytes)), level=1)
    with zipfile.ZipFile(path) as zf:
        inside = zf.getinfo(LEDGER_SHEET).file_size
    assert inside >= sheet_bytes and path.stat().st_size < sheet_bytes / 6  # small outside, big inside
    done = _run(["validate", path.name], tmp_path)
    _one_line_exit_2(done, path.name)
    assert "台账.xlsx" in done.stderr and why in done.stderr, done.stderr
