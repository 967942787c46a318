"""The benchmark runner works end to end on a small ledger (no timing assertions: issue 5)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl.contract import OUTPUT_SHEETS, Sheet

pytestmark = pytest.mark.slow  # runs the benchmark scripts in subprocesses

ROOT = Path(__file__).resolve().parent.parent


def generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.generate", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_generated_ledger_follows_the_template(tmp_path):
    first = generate("200", "--cache", str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    stamp = path.stat().st_mtime_ns
    assert Path(generate("200", "--cache", str(tmp_path)).stdout.strip()) == path
    assert path.stat().st_mtime_ns == stamp  # cached, not generated twice
    book = load_workbook(path, read_only=True)
    assert {Sheet.UNITS, Sheet.ITEMS, Sheet.FEEDBACK, Sheet.RULES} <= set(book.sheetnames)
    assert not set(OUTPUT_SHEETS) & set(book.sheetnames)
    items = [row[0] for row in book[Sheet.ITEMS].iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(items) == 200


def test_runner_prints_the_table_and_writes_json_and_markdown(tmp_path):
    out_json, out_md = tmp_path / "latest.json", tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--sizes", "200", "--repeats", "1", "--json", str(out_json),
                           "--markdown", str(out_md)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0].split()
    assert header[:3] == ["stage", "N", "seconds"] and "×baseline" in header
    for stage in ("baseline: python-calamine", "read + validate + score", "write-back"):
        assert stage in done.stdout
    data = json.loads(out_json.read_text(encoding="utf-8"))
    rows = {row["stage"]: row for row in data["rows"]}
    assert rows["read + validate"]["n"] == 200 and rows["read + validate"]["ratio"] > 0
    assert rows["write-back (得分明细 + 季度排名)"]["counts"]["detail_rows"] > 0
    assert data["machine"]["cores"] >= 1
    assert "| read + validate + score | 200 |" in out_md.read_text(encoding="utf-8")
