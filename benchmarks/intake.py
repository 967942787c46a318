"""``python -m benchmarks.intake [--forms 35,350]``: intake of N returned 报送表 against a bare read of them.

One county's month is about 35 forms; a city's about 350 (issue 10). The forms
are issued from the bundled sample ledger (as of 2022-06-25 for 2022-07, again
and again until there are N, each with its own 表单编号) and every 主办 row is
filled as a unit would. The baseline reads every sheet of the same files with
python-calamine and nothing else; intake is ``duban intake --dir`` end to end
(safety gate, checks, one ledger write, receipts, moves). Speed is a ratio,
never a timed test. Writes ``benchmarks/INTAKE.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .report import write_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = ROOT / "samples" / "云和县2022年督查台账.xlsx"
REPORT = HERE / "INTAKE.md"
RECEIVED = dt.datetime(2022, 7, 4, 9, 30)


def _forms(office: Path, n: int) -> tuple[Path, list[Path]]:
    from duban_xl import api

    ledger = office / "督查台账.xlsx"
    shutil.copy(SAMPLE, ledger)
    made: list[Path] = []
    batch = 0
    while len(made) < n:
        batch += 1
        out = office / f"批次{batch}"
        issued = api.make_forms(ledger, "2022-07", as_of=dt.date(2022, 6, 25), out=out)
        made += [path for _, path, _ in issued.files]
    return ledger, made[:n]


def _fill(forms: list[Path], inbox: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from intake_files import fill

    return [fill(form, inbox / f"{i:04d}_{form.name}", received=RECEIVED) for i, form in enumerate(forms)]


def bare_read(files: list[Path]) -> float:
    """Every sheet of every file to Python rows with python-calamine: the least any intake must do."""
    import python_calamine

    start = time.perf_counter()
    for path in files:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def measure(n: int) -> dict:
    from duban_xl import api

    with tempfile.TemporaryDirectory(prefix="duban_bench_intake_") as tmp:
        office, inbox = Path(tmp) / "office", Path(tmp) / "收件"
        office.mkdir()
        ledger, forms = _forms(office, n)
        files = _fill(forms, inbox)
        baseline = min(bare_read(files) for _ in range(3))
        start = time.perf_counter()
        run = api.intake_folder(ledger, inbox, RECEIVED.date())
        seconds = time.perf_counter() - start
        assert run.refused == 0 and len(run.files) == n, [f.findings for _, f in run.files if f.outcome != "已合并"]
        return {"forms": n, "rows": run.merged_rows, "baseline": baseline, "intake": seconds,
                "ratio": seconds / baseline}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", default="35,350")
    args = parser.parse_args(argv)
    rows = [measure(int(n)) for n in args.forms.split(",")]
    print(write_page(REPORT, "Intake benchmark (`python -m benchmarks.intake`)",
                     ["+returned forms", "+rows merged", "+bare read (s)", "+intake (s)", "+×bare read"],
                     ([f"{r['forms']}", f"{r['rows']}", f"{r['baseline']:.3f}", f"{r['intake']:.2f}", f"{r['ratio']:.0f}×"]
                      for r in rows),
                     ["Bare read: python-calamine reads every sheet of every returned file, nothing else (best of 3).",
                      "Intake: `intake --dir` end to end — safety gate, form checks against the ledger, one safe ledger",
                      "write, a 回执 per file, moves to 已处理/ — on a copy of the sample ledger (322 反馈记录 rows).",
                      "Where the time goes (cProfile): per form, building its 回执 workbook with openpyxl is the largest part,",
                      "then the safety gate and the read; once per run, reading, validating and writing the ledger."]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
