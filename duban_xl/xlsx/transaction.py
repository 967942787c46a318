"""One write of a user's workbook: refuse if open or changed, back up, edit the parts we own, replace atomically.

WHY: the ledger is the office's authoritative record (SPEC «The ledger
workbook»; 二（六）: issuing a bulletin is a record written into the ledger).
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..contract import Sheet
from ..errors import FileChanged, FileLocked, StrictWorkbook
from .atomic import atomic_path, make_folder, real_target, refuse_unwritable
from .fingerprint import Fingerprint
from .graft import OwnedSheet, graft
from .lock import BACKUP_DIR, holding
from .marks import CellMark, apply_marks, clear_marks
from .package import Package
from .recalc import refresh_formulas
from .rows import CellValues, RecordsUpsert, RowsReplacement, write_cells, write_rows, write_upsert
from .safety import check_workbook_file, is_strict
from .styles import Styles

BACKUPS_KEPT = 20


@dataclass(frozen=True)
class WriteResult:
    path: Path
    backup: Path | None


def write_workbook(source: Path, *, target: Path | None = None, sheets: Sequence[OwnedSheet] = (),
                   marks: Sequence[CellMark] = (), replace_rows: Sequence[RowsReplacement] = (),
                   cells: Sequence[CellValues] = (), upserts: Sequence[RecordsUpsert] = (),
                   expected: Fingerprint | None = None) -> WriteResult:
    """Write our sheets, marks and records into the workbook; every other part stays byte-identical.

    ``target`` None writes in place (after a backup in ``duban_备份/``); otherwise
    the source is left untouched. One writer at a time holds the target's lock
    (lock.py); a symlink is written through to its target (atomic.py). Previous duban marks are cleared whenever
    marks are written or 校验结果 is rewritten, since they belong to it.
    """
    source = real_target(Path(source))
    dest = real_target(Path(target)) if target is not None else source
    with holding(dest):
        return _write(source, dest, sheets, marks, replace_rows, cells, upserts, expected)


def _write(source: Path, dest: Path, sheets: Sequence[OwnedSheet], marks: Sequence[CellMark],
           replace_rows: Sequence[RowsReplacement], cells: Sequence[CellValues], upserts: Sequence[RecordsUpsert],
           expected: Fingerprint | None) -> WriteResult:
    check_workbook_file(source)
    refuse_locked(source)
    if dest != source:
        refuse_locked(dest)
    refuse_unwritable(dest)
    if expected is not None and Fingerprint.of(source).sha256 != expected.sha256:
        raise FileChanged(f"「{source.name}」在读取之后被修改过（可能有人刚刚保存了它）。为免覆盖这些修改，本次未写入。请重新运行一次。")
    with atomic_path(dest) as temp:
        with temp.open("wb") as out, Package(source) as pkg:
            if is_strict(pkg.xml(pkg.workbook)):
                raise StrictWorkbook(f"「{source.name}」是「Strict Open XML 电子表格」格式：本工具能读取，但不能写入。"
                                     "请在 Excel 中「另存为」→「Excel 工作簿（*.xlsx）」后再运行。")
            _edit(pkg, sheets, marks, replace_rows, cells, upserts)
            pkg.save(out)
        kept = backup(source) if dest == source else None
    return WriteResult(dest, kept)


def _edit(pkg: Package, sheets: Sequence[OwnedSheet], marks: Sequence[CellMark],
          replace_rows: Sequence[RowsReplacement], cells: Sequence[CellValues] = (),
          upserts: Sequence[RecordsUpsert] = ()) -> None:
    styles = Styles(pkg)
    if marks or any(s.name == Sheet.FINDINGS for s in sheets):
        clear_marks(pkg, styles)
    for replacement in replace_rows:
        write_rows(pkg, styles, replacement)
    for values in cells:
        write_cells(pkg, styles, values)
    for upsert in upserts:
        write_upsert(pkg, styles, upsert)
    for owned in sheets:
        graft(pkg, styles, owned)
    if marks:
        apply_marks(pkg, styles, marks)
    changed = {r.sheet for r in replace_rows} | {c.sheet for c in cells} | {s.name for s in sheets}
    if changed:
        refresh_formulas(pkg, changed)
    styles.save()


# -- refusals, backup -----------------------------------------------------------------------

def refuse_locked(path: Path) -> None:
    """Excel and WPS keep «~$name» beside an open workbook (Excel drops the first two characters of long names)."""
    names = {f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"}
    if any((path.parent / n).exists() for n in names):
        raise FileLocked(f"「{path.name}」正在被 Excel 或 WPS 打开。请先保存并关闭该文件，再运行本命令。")


def backup(source: Path) -> Path:
    """Copy the original to duban_备份/<name>_YYYYmmdd-HHMMSS.xlsx, keeping the newest 20."""
    folder = source.parent / BACKUP_DIR
    make_folder(folder)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    copy = folder / f"{source.stem}_{stamp}{source.suffix}"
    n = 1
    while copy.exists():
        n += 1
        copy = folder / f"{source.stem}_{stamp}-{n}{source.suffix}"
    with atomic_path(copy, like=source) as temp:  # a full copy or none: never a truncated backup
        shutil.copyfile(source, temp)
    pattern = re.compile(re.escape(source.stem) + r"_\d{8}-\d{6}(-\d+)?" + re.escape(source.suffix) + "$")
    olds = sorted((p for p in folder.iterdir() if pattern.match(p.name)), key=lambda p: p.stat().st_mtime_ns)
    for old in olds[:-BACKUPS_KEPT]:
        old.unlink()
    return copy
