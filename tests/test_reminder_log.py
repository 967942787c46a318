"""催办记录 (二（三）): the sheet is read and checked; `remind` records what it issues, once per day.

On a copy of the committed sample: clerks' rows (电话问询, 现场检查 …) are read and validated;
a run of `remind` appends one 信息提醒 row per unit and item, a same-day re-run replaces those
rows (never the clerks'), another day adds its own; reminders carry no points.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from duban_xl import api
from duban_xl.contract import Col, RemindMethod, Sheet
from duban_xl.reader import read_ledger
from duban_xl.remind import auto_handler
from duban_xl.score import score
from duban_xl.validate import validate
from workbooks import write_ledger

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx"
DAY = dt.date(2022, 6, 24)  # a Friday


@pytest.fixture
def ledger_copy(tmp_path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / "督查台账.xlsx"))


def _log(path: Path):
    return read_ledger(path).frames[Sheet.REMINDER_LOG]


def test_the_sample_has_clerks_reminders_and_they_carry_no_points():
    ledger = read_ledger(SAMPLE)
    log = ledger.frames[Sheet.REMINDER_LOG]
    assert set(log[Col.REMIND_METHOD]) >= {RemindMethod.PHONE, RemindMethod.SITE_VISIT, RemindMethod.SPECIAL}
    assert not [f for f in validate(ledger, dt.date(2022, 12, 31)).findings if f.sheet == Sheet.REMINDER_LOG]
    assert not score(ledger, dt.date(2022, 12, 31)).detail[Col.EVIDENCE].str.contains(Sheet.REMINDER_LOG).any()


def test_remind_records_one_row_per_unit_and_item_and_a_rerun_replaces_them(ledger_copy, tmp_path):
    clerks = len(_log(ledger_copy))
    first = api.make_reminders(ledger_copy, DAY, out=tmp_path / "out")
    log = _log(ledger_copy)
    mine = log[log[Col.HANDLER] == auto_handler(DAY)]
    pairs = first.rows[[Col.UNIT, Col.ITEM_NO]].drop_duplicates()
    assert first.recorded == ledger_copy and len(mine) == len(pairs) and len(log) == clerks + len(pairs)
    assert set(mine[Col.REMIND_METHOD]) == {RemindMethod.MESSAGE}
    assert set(mine[Col.REMIND_DATE].dt.strftime("%Y-%m-%d")) == {"2022-06-24"}
    api.make_reminders(ledger_copy, DAY, out=tmp_path / "out")  # same day again: replaced, not duplicated
    assert len(_log(ledger_copy)) == clerks + len(pairs)
    api.make_reminders(ledger_copy, DAY + dt.timedelta(days=3), out=tmp_path / "out")  # Monday: its own rows
    assert len(_log(ledger_copy)) > clerks + len(pairs)
    assert not [f for f in validate(read_ledger(ledger_copy), dt.date(2022, 12, 31)).findings
                if f.sheet == Sheet.REMINDER_LOG]


def test_a_dry_run_records_nothing(ledger_copy, tmp_path):
    before = ledger_copy.read_bytes()
    api.make_reminders(ledger_copy, DAY, out=tmp_path / "out", dry_run=True)
    assert ledger_copy.read_bytes() == before


def test_a_ledger_without_the_sheet_still_reminds_and_says_why_nothing_was_recorded(tmp_path):
    path = write_ledger(tmp_path / "旧台账.xlsx", drop=(Sheet.REMINDER_LOG,))
    result = api.make_reminders(path, dt.date(2022, 6, 25), out=tmp_path / "out")
    assert not result.rows.empty and result.recorded is None and "催办记录" in result.unrecorded


def test_a_reminder_row_with_an_unknown_unit_or_method_is_an_error(tmp_path):
    row = {Col.REMIND_DATE: dt.date(2022, 6, 1), Col.UNIT: "县发改委", Col.REMIND_METHOD: "打电话"}
    found = {(f.code, f.cell) for f in validate(read_ledger(write_ledger(tmp_path / "台账.xlsx",
                                                                          {Sheet.REMINDER_LOG: [row]})),
                                                 dt.date(2022, 12, 31)).findings}
    assert {("unknown_unit", "C2"), ("bad_choice", "D2")} <= found
