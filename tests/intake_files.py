"""Returned 报送表 as units make them, for the intake tests: issue forms on a copy of the sample, fill them."""
from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from duban_xl import api
from duban_xl.contract import FORM_COLUMNS, Col, FormRole, FormSheet

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "云和县2022年督查台账.xlsx"
MONTH, ISSUED = "2022-07", dt.date(2022, 6, 25)
RECEIVED = dt.datetime(2022, 7, 4, 9, 30)
FIRST_ROW = 6


def letter(column: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[FORM_COLUMNS.index(column)]


_ISSUED: dict[Path, tuple[Path, dict[str, str]]] = {}  # ledger → its issued office folder, made once per run


def issue(tmp_path: Path, ledger: Path = SAMPLE) -> tuple[Path, dict[str, Path]]:
    """A copy of the ledger and this month's forms, by unit, with the key and the issue records beside it.

    The forms are issued once per test run and the whole office folder copied for each test: issuing
    them is most of an intake test's time, and a copy is what an office has after ``duban forms``.
    """
    if ledger not in _ISSUED:
        root = tempfile.mkdtemp(prefix="duban_forms_")
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        made = Path(root) / "office"
        made.mkdir()
        target = made / "督查台账.xlsx"
        shutil.copy(ledger, target)
        issued = api.make_forms(target, MONTH, as_of=ISSUED)
        _ISSUED[ledger] = made, {unit: str(path.relative_to(made)) for unit, path, _ in issued.files}
    made, forms = _ISSUED[ledger]
    folder = Path(shutil.copytree(made, tmp_path / "office", symlinks=True))
    return folder / "督查台账.xlsx", {unit: folder / name for unit, name in forms.items()}


def host_rows(form: Path) -> list[int]:
    ws = load_workbook(form, read_only=True)[FormSheet.FORM]
    role = FORM_COLUMNS.index("角色")
    return [r for r, row in enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), FIRST_ROW)
            if row[role] == FormRole.HOST]


def fill(form: Path, dest: Path, edits: dict[str, object] | None = None, *, progress: str = "完成年度投资的60%",
         drop_identity: bool = False, identity: dict[str, object] | None = None, delete_row: int | None = None,
         received: dt.datetime = RECEIVED) -> Path:
    """Fill every 主办 row as a unit's clerk would, then apply ``edits`` (cell → value) and ``identity``
    (cells of the hidden sheet), maybe delete a row or the identity sheet; save as ``dest``."""
    wb = load_workbook(form)
    ws = wb[FormSheet.FORM]
    for r in host_rows(form):
        ws[f"{letter(Col.FEEDBACK_TYPE)}{r}"] = "进展反馈"
        ws[f"{letter(Col.PROGRESS)}{r}"] = progress
        ws[f"{letter(Col.NEXT_STEPS)}{r}"] = "加快推进，8月底前完成主体工程"
        ws[f"{letter(Col.SIGNER)}{r}"] = "王建国"
        ws[f"{letter(Col.CONTACT)}{r}"] = "李芳"
        ws[f"{letter(Col.PHONE)}{r}"] = "0578-5123456"
    for cell, value in (edits or {}).items():
        ws[cell] = value
    for cell, value in (identity or {}).items():
        wb[FormSheet.IDENTITY][cell] = value
    if delete_row:
        ws.delete_rows(delete_row)
    if drop_identity:
        del wb[FormSheet.IDENTITY]
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    stamp = received.timestamp()
    os.utime(dest, (stamp, stamp))
    return dest


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
