"""``duban intake --dir DIR``: the files of a folder as parcels; receipts to ``回执/``, files to ``已处理/``.

Each file is its own parcel, except a report .docx, which joins the form of the
same unit (the unit in its title, the unit in the form's header) — the folder's
equivalent of attachments of one message. The destination of every file in
``已处理/`` is decided before the ledger is written (it is the 附件 of the merged
rows) and is the same on every run, so a run killed half-way and repeated records
the same place.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from ..errors import BadArgument, DubanError
from .form import MAX_RETURNED_BYTES, read_returned
from .parcel import Attachment, Parcel
from .run import IntakeRun, Progress, finish, intake_parcels

DONE_DIR, RECEIPT_DIR = "已处理", "回执"


def folder_files(folder: Path) -> list[Path]:
    """The files waiting in a folder: not hidden, not Office lock files, not our subfolders."""
    if not folder.is_dir():
        raise BadArgument(f"找不到文件夹「{folder}」。请检查 --dir 的路径。", f"no such folder: {folder}")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(("~$", ".", ".~lock")))


def _read(path: Path) -> bytes:
    """At most one byte over the limit: an oversized file is refused without reading it all."""
    with path.open("rb") as fh:
        return fh.read(MAX_RETURNED_BYTES + 1)


def _unit_of(attachment: Attachment) -> str | None:
    """The unit a file speaks for, to put a report beside its form (None when it cannot be told)."""
    try:
        if attachment.name.lower().endswith(".xlsx"):
            return read_returned(attachment.name, attachment.data).unit
        if attachment.name.lower().endswith(".docx"):
            return _report_unit(attachment)
    except DubanError:
        return None
    return None


def _report_unit(attachment: Attachment) -> str | None:
    import tempfile

    from ..report_check import check_report

    with tempfile.TemporaryDirectory(prefix="duban_report_") as tmp:
        path = Path(tmp) / "report.docx"
        path.write_bytes(attachment.data)
        try:
            return check_report(path).unit
        except Exception:  # judged properly (and refused with a receipt) in the run itself
            return None


def folder_parcels(files: list[Path]) -> list[tuple[Parcel, list[Path]]]:
    """Parcels of a folder run: one per form, each report .docx with the form of its unit."""
    loaded = []
    for path in files:
        data = _read(path)
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
        loaded.append((path, Attachment(path.name, data), mtime, hashlib.sha256(data).hexdigest()))
    reports = any(path.name.lower().endswith(".docx") for path, *_ in loaded)
    units = {path: _unit_of(att) if reports else None for path, att, _, _ in loaded}  # only to seat reports
    forms = [item for item in loaded if not item[0].name.lower().endswith(".docx")]
    by_unit = {units[item[0]]: item for item in forms if units[item[0]]}
    groups: dict[Path, list] = {item[0]: [item] for item in forms}
    for item in loaded:
        if item[0].name.lower().endswith(".docx"):
            owner = by_unit.get(units[item[0]])
            if owner is not None:
                groups[owner[0]].append(item)
            else:
                groups[item[0]] = [item]
    parcels = []
    for first, members in groups.items():
        parcel = Parcel(key=f"file:{members[0][3]}", attachments=tuple(m[1] for m in members),
                        received=max(m[2] for m in members), origin=str(first.parent),
                        extra={m[1].name: m[3] for m in members})
        parcels.append((parcel, [m[0] for m in members]))
    return parcels


def destination(done: Path, path: Path, sha256: str) -> Path:
    """Where a file goes in 已处理/: its own name, or name_<sha8> when another file already has it."""
    target = done / path.name
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
        target = done / f"{path.stem}_{sha256[:8]}{path.suffix}"
    return target


def intake_folder(ledger_path: Path, folder: Path, as_of: dt.date, *, dry_run: bool = False,
                  progress: Progress = None) -> IntakeRun:
    """Take in every file of ``folder``; write each 回执 to ``回执/`` and move the file to ``已处理/``."""
    folder = Path(folder)
    files = folder_files(folder)
    parcels = folder_parcels(files)
    done, receipts = folder / DONE_DIR, folder / RECEIPT_DIR
    paths = {(p.key, name): path for p, members in parcels for path, name in
             zip(members, (a.name for a in p.attachments))}

    def saved_as(parcel: Parcel, attachment: Attachment) -> str:
        """附件: the kept file, relative to the ledger's folder when it is below it."""
        target = destination(done, paths[(parcel.key, attachment.name)], parcel.extra[attachment.name]).resolve()
        base = Path(ledger_path).resolve().parent
        return str(target.relative_to(base)) if target.is_relative_to(base) else str(target)

    run = intake_parcels(ledger_path, [p for p, _ in parcels], as_of, dry_run=dry_run, progress=progress,
                         saved_as=saved_as)
    if dry_run:
        return run
    done.mkdir(exist_ok=True)
    receipts.mkdir(exist_ok=True)
    for parcel_result in run.parcels:
        for result in parcel_result.files:
            source = paths[(parcel_result.parcel.key, result.name)]
            target = destination(done, source, result.sha256)
            if result.receipt is not None:
                (receipts / f"{target.stem}_回执.xlsx").write_bytes(result.receipt.data)
            if target.exists():
                source.unlink(missing_ok=True)
            elif source.exists():
                os.replace(source, target)
    finish(ledger_path, run)
    return run
