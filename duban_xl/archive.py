"""归档 (二（七）): one zip per month with the ledger snapshot and the month's documents.

二（七）: materials produced by supervision are recorded, filed (立卷归档) and
kept for later reference. A filed record must be checkable years later, so the
zip carries manifest.json (name, size, SHA-256 of every file) and a 索引.csv a
clerk can open in Excel. The zip is reproducible — same inputs, same bytes
(fixed timestamps, sorted entries) — so re-filing a month changes nothing
unless a file did, and it replaces the old zip atomically.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Sequence

import pandas as pd

from .contract import Col
from .dates import parse_month
from .xlsx.atomic import atomic_path
from .errors import BadArgument, FileMissing
from .ledger import ROW

MANIFEST, INDEX = "manifest.json", "索引.csv"
REMINDER_INDEX, REMINDER_KIND = "催办记录.csv", "催办记录索引"
REMINDER_COLUMNS = (Col.REMIND_DATE, Col.ITEM_NO, Col.UNIT, Col.REMIND_METHOD, Col.REMIND_CONTENT, Col.HANDLER,
                    Col.REPLY, Col.REPORTED)
INDEX_COLUMNS = ("序号", "文件名", "类型", "大小", "SHA-256")
LEDGER_KIND = "督查台账（快照）"
_KINDS = {".docx": "Word文档", ".doc": "Word文档", ".xlsx": "Excel工作簿", ".xlsm": "Excel工作簿",
          ".pdf": "PDF文件", ".csv": "CSV表格", ".zip": "压缩包"}
_FILE_MODE = 0o100644 << 16  # regular file, rw-r--r--, whatever the source's mode


def archive_name(month: str) -> str:
    """'2022-06' → '督查归档_2022年6月.zip'."""
    first, _ = parse_month(month)
    return f"督查归档_{first.year}年{first.month}月.zip"


def build_archive(out_zip: Path, month: str, files: Sequence[Path], ledger_path: Path,
                  reminders: Sequence[Sequence[object]] = ()) -> Path:
    """Write the month's archive zip (a directory ``out_zip`` gets the standard name) and return its path.

    ``reminders`` are the month's 催办记录 rows (REMINDER_COLUMNS), filed as 催办记录.csv so the
    index shows how each item was chased (二（三）、（七）).
    """
    first, end = parse_month(month)
    out_zip = Path(out_zip)
    if out_zip.is_dir():
        out_zip = out_zip / archive_name(month)
    members = _collect([(Path(ledger_path), LEDGER_KIND)] + [(Path(f), _kind(Path(f))) for f in files])
    if REMINDER_INDEX in members:
        raise BadArgument(f"本月文件中已有「{REMINDER_INDEX}」，与归档包的催办记录索引重名：请改名后再归档。",
                          f"a file named {REMINDER_INDEX!r}")
    members[REMINDER_INDEX] = (REMINDER_KIND, _csv(REMINDER_COLUMNS, reminders))

    entries = [{"name": name, "type": kind, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
               for name, (kind, data) in sorted(members.items())]
    contents = {name: data for name, (_, data) in members.items()}
    contents[MANIFEST] = json.dumps({"month": first.strftime("%Y-%m"), "files": entries},
                                    ensure_ascii=False, indent=2).encode("utf-8")
    contents[INDEX] = _index_csv(entries)

    with atomic_path(out_zip) as temp, zipfile.ZipFile(temp, "w") as zf:
        for name in sorted(contents):
            info = zipfile.ZipInfo(name, date_time=(end.year, end.month, end.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = _FILE_MODE
            zf.writestr(info, contents[name])
    return out_zip


def month_reminders(log: pd.DataFrame, month: str) -> list[list[object]]:
    """The 催办记录 rows dated in ``month``, as text cells in REMINDER_COLUMNS order (by date, then sheet row)."""
    first, end = parse_month(month)
    rows = log[(log[Col.REMIND_DATE] >= pd.Timestamp(first)) & (log[Col.REMIND_DATE] <= pd.Timestamp(end))]
    rows = rows.sort_values([Col.REMIND_DATE, ROW], kind="stable")
    return [[f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else ("" if v is None or v != v else v) for v in row]
            for row in rows[list(REMINDER_COLUMNS)].itertuples(index=False)]


def verify_archive(zip_path: Path) -> list[str]:
    """Check an archive against its manifest; each problem is one Chinese sentence, [] = intact."""
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise FileMissing(f"找不到归档包「{zip_path}」：请确认文件路径。")
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        return [f"「{zip_path.name}」不是完整的 zip 归档包，文件可能已损坏。"]
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return [f"归档包中没有 {MANIFEST}，无法核对文件是否完整。"]
        try:
            listed = {e["name"]: {"name": e["name"], "type": e.get("type", ""), "size": int(e["size"]),
                                  "sha256": str(e["sha256"])}
                      for e in json.loads(zf.read(MANIFEST))["files"]}
        except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile):
            return [f"{MANIFEST} 内容已损坏，无法核对文件是否完整。"]
        problems = [_check(zf, entry) for name, entry in sorted(listed.items()) if name in names]
        problems = [p for p in problems if p]
        problems += [f"缺少文件「{name}」：清单中有，归档包里没有。" for name in sorted(set(listed) - names)]
        problems += [f"文件「{name}」不在清单中，来历不明。" for name in sorted(names - set(listed) - {MANIFEST, INDEX})]
        if INDEX not in names:
            problems.append(f"归档包中缺少{INDEX}。")
        elif zf.read(INDEX) != _index_csv([listed[n] for n in sorted(listed)]):
            problems.append(f"{INDEX}与 {MANIFEST} 记载不一致。")
    return problems


def _collect(paths: list[tuple[Path, str]]) -> dict[str, tuple[str, bytes]]:
    """Read every file once; the same file given twice is filed once, two different files may not share a name."""
    members: dict[str, tuple[str, bytes]] = {}
    sources: dict[str, Path] = {}
    for path, kind in paths:
        if not path.is_file():
            raise FileMissing(f"找不到要归档的文件「{path}」：请确认文件路径后再归档。")
        name = path.name
        if name in sources and sources[name].resolve() == path.resolve():
            continue
        if name in sources or name in (MANIFEST, INDEX):
            raise BadArgument(f"有两个文件都叫「{name}」，归档包里无法区分：请把其中一个改名后再归档。",
                              f"two files named {name!r}")
        sources[name] = path
        members[name] = (kind, path.read_bytes())
    return members


def _kind(path: Path) -> str:
    return _KINDS.get(path.suffix.lower(), "其他文件")


def _check(zf: zipfile.ZipFile, entry: dict) -> str | None:
    name = entry["name"]
    try:
        data = zf.read(name)
    except zipfile.BadZipFile:
        return f"文件「{name}」已损坏，无法读出。"
    if len(data) != entry["size"]:
        return f"文件「{name}」大小不符：清单记载 {entry['size']} 字节，实际 {len(data)} 字节。"
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return f"文件「{name}」内容与清单不符（SHA-256 校验不一致），可能被改动过。"
    return None


def _index_csv(entries: list[dict]) -> bytes:
    """索引.csv: one line per filed file."""
    return _csv(INDEX_COLUMNS, [[number, e["name"], e["type"], e["size"], e["sha256"]]
                                for number, e in enumerate(entries, start=1)])


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with BOM so Excel shows the Chinese headers; CRLF rows as Excel writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
