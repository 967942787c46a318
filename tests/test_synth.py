"""Synthetic ledgers, writing frames into the template, and the committed samples."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from duban_xl.contract import EVENT_TYPES, SOURCES, SPECS, Col, Kind, Sheet, UnitCategory
from duban_xl.ledger import Params, split_units
from duban_xl.sample import SAMPLE_NAME, write_samples
from duban_xl.synth import synth_frames
from duban_xl.template import fill_workbook

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def test_same_seed_same_ledger_other_seed_other_ledger():
    first, again, other = synth_frames(300, seed=1), synth_frames(300, seed=1), synth_frames(300, seed=2)
    for sheet in first:
        pd.testing.assert_frame_equal(first[sheet], again[sheet])
    assert not first[Sheet.ITEMS].equals(other[Sheet.ITEMS])


def test_a_big_ledger_looks_like_a_county_year():
    frames = synth_frames(3000, seed=0)
    units, items, feedback = frames[Sheet.UNITS], frames[Sheet.ITEMS], frames[Sheet.FEEDBACK]
    assert 90 <= len(units) <= 110  # about one unit per 30 items
    assert (units[Col.UNIT_CATEGORY] == UnitCategory.TOWNSHIP).sum() == 10
    temporary = units[units[Col.UNIT_CATEGORY] == UnitCategory.TEMPORARY]
    assert len(temporary) and temporary[Col.PARENT_UNIT].isin(units[Col.UNIT_NAME]).all()
    assert set(items[Col.SOURCE]) == set(SOURCES)
    assert set(frames[Sheet.EVENTS][Col.EVENT_TYPE]) == set(EVENT_TYPES)
    assert items[Col.ITEM_NO].is_unique and (items[Col.DEADLINE] >= items[Col.ASSIGNED]).all()
    named = {u for cell in pd.concat([items[Col.HOST], items[Col.COHOSTS]]) for u in split_units(cell)}
    assert named <= set(units[Col.UNIT_NAME])
    assert items[Col.COHOSTS].notna().mean() > 0.2  # multi-unit items
    assert 2 <= len(feedback) / len(items) <= 5
    assert {"退回", "通过"} <= set(feedback[Col.CHECK_RESULT]) and "滞后" in set(feedback[Col.PACE])
    progress = feedback[feedback[Col.FEEDBACK_TYPE] == "进展反馈"]
    assert progress[Col.FEEDBACK_MONTH].notna().all()
    assert set(frames[Sheet.EXTENSIONS][Col.APPROVAL]) == {"同意", "不同意", "待审批"}


def test_planted_mistakes_are_there():
    items = synth_frames(200, seed=3, invalid_rows=5)[Sheet.ITEMS]
    assert (items[Col.HOST] == "县发改局").sum() == 1
    assert (items[Col.ASSIGNED] == "2022.13.40").sum() == 1
    assert not items[Col.ITEM_NO].is_unique
    assert sum(1 for a, d in zip(items[Col.ASSIGNED], items[Col.DEADLINE])
               if isinstance(a, dt.date) and d < pd.Timestamp(a)) == 1


def test_filled_workbook_reads_back_with_real_dates(tmp_path):
    frames = synth_frames(200, seed=4)
    path = fill_workbook(frames, Params(), tmp_path / "ledger.xlsx")
    wb = load_workbook(path)
    for sheet, frame in frames.items():
        spec = SPECS[sheet]
        rows = [r[:len(spec.names)] for r in wb[sheet].iter_rows(min_row=2, max_row=len(frame) + 1, values_only=True)]
        assert len(rows) == len(frame)
        for column_no, column in enumerate(spec.columns):
            got = [r[column_no] for r in rows]
            want = frame[column.name].tolist()
            for g, w in zip(got, want):
                if w is None or (not isinstance(w, str) and pd.isna(w)):
                    assert g is None, (sheet, column.name)
                elif column.kind == Kind.DATE:
                    assert isinstance(g, dt.datetime) and g.date() == pd.Timestamp(w).date(), (sheet, column.name)
                else:
                    assert g == w, (sheet, column.name)


@pytest.mark.slow  # regenerates every sample workbook
def test_committed_samples_are_what_the_code_generates(tmp_path):
    write_samples(tmp_path)
    names = [SAMPLE_NAME] + [f"bad/{p.name}" for p in sorted((tmp_path / "bad").glob("*.xlsx"))]
    assert sorted(p.name for p in (SAMPLES / "bad").glob("*.xlsx")) == sorted(n[4:] for n in names[1:])
    for name in names:
        fresh, committed = load_workbook(tmp_path / name), load_workbook(SAMPLES / name)
        assert fresh.sheetnames == committed.sheetnames, name
        for sheet in fresh.sheetnames:
            assert list(fresh[sheet].values) == list(committed[sheet].values), f"{name} {sheet}"
    assert json.loads((tmp_path / "bad/expected.json").read_text("utf-8")) == \
        json.loads((SAMPLES / "bad/expected.json").read_text("utf-8"))


def test_sample_covers_what_the_office_records():
    wb = load_workbook(SAMPLES / SAMPLE_NAME)
    units = [r for r in wb[Sheet.UNITS].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(units) >= 30 and sum(r[2] == UnitCategory.TEMPORARY for r in units) >= 2
    items = [r for r in wb[Sheet.ITEMS].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(items) >= 80 and {r[1] for r in items} == set(SOURCES)
    assert all(r[4] == "县政府主要领导" for r in items if r[3] == "是")
