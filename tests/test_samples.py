"""The bundled ledgers: the sample is valid; each broken one is caught at the right sheet and cell."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from duban_xl.cli import main
from duban_xl.errors import DubanError
from duban_xl.reader import read_ledger
from duban_xl.validate import validate
from workbooks import D

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE = SAMPLES / "云和县2022年督查台账.xlsx"
EXPECTED = json.loads((SAMPLES / "bad" / "expected.json").read_text(encoding="utf-8"))
BAD_FILES = sorted({e["file"] for e in EXPECTED})


def test_sample_is_valid_and_realistic():
    ledger = read_ledger(SAMPLE)
    report = validate(ledger, D(2022, 12, 31))
    assert report.errors == [], [f.where + f.message for f in report.errors]
    units, items = ledger.units, ledger.items
    assert len(units) >= 30 and (units["单位类别"] == "临时机构").sum() >= 2
    assert len(items) >= 80 and items["来源类别"].nunique() == 7


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_ledger_is_caught_where_expected(name):
    expected = [e for e in EXPECTED if e["file"] == name]
    path = SAMPLES / "bad" / name
    if any(e.get("unusable") for e in expected):
        with pytest.raises(DubanError):
            read_ledger(path)
        assert main(["validate", str(path)]) == 2
        return
    found = {(f.sheet, f.cell, f.level) for f in validate(read_ledger(path), D(2022, 12, 31)).findings}
    wanted = {(e["sheet"], e["cell"], e["level"]) for e in expected}
    assert found == wanted, f"not reported: {wanted - found}; not expected: {found - wanted}"
    assert main(["validate", str(path), "--as-of", "2022-12-31"]) == (1 if any(e["level"] == "错误" for e in expected) else 0)
