"""One measured stage in a fresh interpreter: ``python -m benchmarks.stage STAGE LEDGER …``.

Run by ``benchmarks.run`` once per stage and repeat, so each peak memory
(``ru_maxrss`` of this process) belongs to one stage and module imports are
timed apart from the work. Prints one JSON object on stdout.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import pickle
import resource
import tempfile
import time
from pathlib import Path
from typing import Callable

AS_OF = dt.date(2022, 12, 31)  # year end: every scoring rule of 三、考评标准 has had time to apply
MONTH = "2022-06"  # a mid-year 一月一通报 (二（六）)
STAGES = ("baseline-calamine", "baseline-fastexcel", "read", "validate", "score", "bulletin", "write",
          "findings-sheet", "marks", "close")
MARKED_CELLS = 10_000  # issue 9: 10,000 marked cells in at most twice the time of the 校验结果 sheet alone
# (``--cells`` changes it: the same ratio at 4× the cells shows the marks grow linearly)
MODULES = {
    "baseline-calamine": ("python_calamine", "duban_xl.contract"),
    "baseline-fastexcel": ("fastexcel", "duban_xl.contract"),
    "read": ("duban_xl.reader",),
    "validate": ("duban_xl.reader", "duban_xl.validate"),
    "score": ("duban_xl.reader", "duban_xl.validate", "duban_xl.score"),
    "bulletin": ("duban_xl.reader", "duban_xl.bulletin"),
    "write": ("duban_xl.score", "duban_xl.score_sheets", "duban_xl.xlsx.transaction"),
    "findings-sheet": ("duban_xl.sheets", "duban_xl.xlsx.transaction"),
    "marks": ("duban_xl.sheets", "duban_xl.xlsx.transaction"),
    "close": ("duban_xl.api", "duban_xl.close", "duban_xl.score", "duban_xl.bulletin", "duban_xl.documents"),
}


class Clock:
    """Named consecutive laps; ``total`` is what the stage is judged by."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self.counts: dict[str, int] = {}  # sizes that explain a time: findings, detail rows, …
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.parts[name] = now - self._last
        self._last = now

    @property
    def total(self) -> float:
        return sum(self.parts.values())


def _input_sheets() -> list[str]:
    from duban_xl.contract import INPUT_SHEETS

    return [spec.name for spec in INPUT_SHEETS]


def baseline_calamine(args: argparse.Namespace, clock: Clock) -> None:
    """Every input sheet to Python rows with python-calamine, nothing else."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(args.ledger))
    cells = sum(len(row) for name in _input_sheets()
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    clock.lap("calamine")
    assert cells > 0


def baseline_fastexcel(args: argparse.Namespace, clock: Clock) -> None:
    """Every input sheet to Arrow columns with fastexcel, nothing else."""
    import fastexcel

    reader = fastexcel.read_excel(str(args.ledger))
    rows = sum(reader.load_sheet(name).height for name in _input_sheets())
    clock.lap("fastexcel")
    assert rows > 0


def _read(args: argparse.Namespace, clock: Clock):
    from duban_xl.reader import read_ledger

    ledger = read_ledger(args.ledger)
    clock.lap("read")
    return ledger


def read(args: argparse.Namespace, clock: Clock) -> None:
    _read(args, clock)


def validate(args: argparse.Namespace, clock: Clock) -> None:
    from duban_xl.validate import validate as run_validate

    report = run_validate(_read(args, clock), AS_OF)
    clock.lap("validate")
    clock.counts.update(errors=len(report.errors), warnings=len(report.warnings))


def score(args: argparse.Namespace, clock: Clock) -> None:
    from duban_xl.score import score as run_score
    from duban_xl.validate import validate as run_validate

    ledger = _read(args, clock)
    report = run_validate(ledger, AS_OF)
    clock.lap("validate")
    result = run_score(ledger, AS_OF)
    clock.lap("score")
    clock.counts.update(errors=len(report.errors), detail_rows=len(result.detail), ranked_units=len(result.ranking))
    if args.result:  # for the write-back stage, which then measures writing alone
        args.result.write_bytes(pickle.dumps(result))


def bulletin(args: argparse.Namespace, clock: Clock) -> None:
    from duban_xl.bulletin import monthly_bulletin

    issue = monthly_bulletin(_read(args, clock), MONTH)
    clock.lap("bulletin")
    clock.counts.update(records=len(issue.records))


def write(args: argparse.Namespace, clock: Clock) -> None:
    """得分明细 and 季度排名 written into a copy of the ledger (as ``duban score --write copy``)."""
    from duban_xl.score_sheets import result_sheets
    from duban_xl.xlsx.transaction import write_workbook

    result = pickle.loads(args.result.read_bytes())
    _gated_as_when_read(args.ledger)
    with tempfile.TemporaryDirectory(prefix="duban_bench_") as folder:
        clock.lap("load result (not counted)")
        write_workbook(args.ledger, target=Path(folder) / "得分.xlsx", sheets=result_sheets(result))
        clock.lap("write")
    clock.parts.pop("load result (not counted)")
    clock.counts.update(detail_rows=len(result.detail), ranked_units=len(result.ranking))


def _gated_as_when_read(ledger: Path) -> None:
    """The safety gate the ledger passed when it was read: every write follows a read of the same bytes
    (the api reads, computes, then writes), and the gate does not run twice on them (xlsx/safety.py)."""
    from duban_xl.xlsx.safety import check_workbook_file

    check_workbook_file(ledger)


def _findings(ledger: Path, cells: int):
    """``cells`` findings on 台账 cells, row by row across the first columns, as validate reports them."""
    import python_calamine
    from openpyxl.utils import get_column_letter

    from duban_xl.contract import Sheet
    from duban_xl.findings import ERROR, Finding, Report

    rows = len(python_calamine.CalamineWorkbook.from_path(str(ledger)).get_sheet_by_name(Sheet.ITEMS).to_python())
    per_row = -(-cells // max(rows - 1, 1))
    report = Report()
    report.extend(Finding(ERROR, "bench", Sheet.ITEMS, f"{get_column_letter(1 + i % per_row)}{2 + i // per_row}", "列", "",
                          "完成时限早于交办日期", "请核对") for i in range(cells))
    return report


def findings_sheet(args: argparse.Namespace, clock: Clock) -> None:
    """The 校验结果 sheet of ``--cells`` findings written into a copy, without marks: the yardstick."""
    _write_findings(args, clock, marks=False)


def marks(args: argparse.Namespace, clock: Clock) -> None:
    """The same 校验结果 sheet plus a red fill and a comment on each of those cells."""
    _write_findings(args, clock, marks=True)


def _write_findings(args: argparse.Namespace, clock: Clock, marks: bool) -> None:
    from duban_xl.sheets import findings_sheet as sheet_of
    from duban_xl.xlsx.marks import CellMark
    from duban_xl.xlsx.transaction import write_workbook

    report = _findings(args.ledger, args.cells)
    cell_marks = [CellMark(f.sheet, f.cell, f"{f.level}：{f.message}") for f in report.sorted()] if marks else []
    _gated_as_when_read(args.ledger)
    with tempfile.TemporaryDirectory(prefix="duban_bench_") as folder:
        clock.lap("findings (not counted)")
        write_workbook(args.ledger, target=Path(folder) / "校验.xlsx", sheets=[sheet_of(report)], marks=cell_marks)
        clock.lap("write")
    clock.parts.pop("findings (not counted)")
    clock.counts.update(findings=len(report.findings), marks=len(cell_marks))


def close(args: argparse.Namespace, clock: Clock) -> None:
    """`duban close --month 2022-06` on a copy of the ledger: validate, bulletin, score, ranking, archive, one write."""
    import os
    import shutil

    from duban_xl.api import close_month
    from duban_xl.clock import ENV_TODAY

    os.environ[ENV_TODAY] = AS_OF.isoformat()  # the synthetic ledger holds the whole year
    with tempfile.TemporaryDirectory(prefix="duban_bench_") as folder:
        copy = Path(shutil.copy(args.ledger, Path(folder) / "督查台账.xlsx"))
        clock.lap("copy (not counted)")
        summary = close_month(copy, MONTH, out=Path(folder) / "out")
        clock.lap("close")
    clock.parts.pop("copy (not counted)")
    clock.counts.update(refused=len(summary.refused), files=len(summary.files))


RUNNERS: dict[str, Callable[[argparse.Namespace, Clock], None]] = {
    "baseline-calamine": baseline_calamine, "baseline-fastexcel": baseline_fastexcel, "read": read,
    "validate": validate, "score": score, "bulletin": bulletin, "write": write,
    "findings-sheet": findings_sheet, "marks": marks, "close": close,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--result", type=Path, help="score: where to pickle the result; write: where to load it")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the stage here")
    parser.add_argument("--cells", type=int, default=MARKED_CELLS, help="findings-sheet, marks: how many findings")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    for module in MODULES[args.stage]:
        importlib.import_module(module)
    import_seconds = time.perf_counter() - started

    clock = Clock()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(RUNNERS[args.stage], args, clock)
        profiler.dump_stats(str(args.profile))
    else:
        RUNNERS[args.stage](args, clock)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"stage": args.stage, "seconds": clock.total, "parts": clock.parts, "counts": clock.counts,
                      "import_seconds": import_seconds, "peak_mib": peak_kib / 1024}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
