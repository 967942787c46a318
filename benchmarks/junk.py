"""``python -m benchmarks.junk [--rows 20000,200000]``: validate a 台账 of junk rows against a bare read of it.

Issue 9 measured 200,000 rows of junk at over two minutes and 1.6 GiB for 2.6 million findings.
The ledger is built by ``tests/junk.py`` (every row wrong 12 ways: unknown units, values off the
lists, bad dates, a bad 交办单号); each mode of ``duban validate`` runs in its own process, reaped
with ``os.wait4`` for its own peak memory (``tests/peak.py``). The findings are capped
(``duban_xl/cap.py``), so the work past the cap is counting; speed is a ratio to python-calamine
reading the same file, never a timed test. Writes ``benchmarks/JUNK.md``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .report import write_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = HERE / "JUNK.md"
MODES = (("--json",), ("--write",), ("--write", "--in-place"))


BARE_READ = "import python_calamine as c, sys; b = c.CalamineWorkbook.from_path(sys.argv[1]); " \
            "[b.get_sheet_by_name(n).to_python() for n in b.sheet_names]"


def measure(rows: int) -> list[dict]:
    sys.path.insert(0, str(ROOT / "tests"))
    from junk import junk_ledger
    from peak import run_measured  # the child's own peak: not what this process held when it started it

    with tempfile.TemporaryDirectory(prefix="duban_bench_junk_") as tmp:
        folder = Path(tmp)
        built = junk_ledger(folder / "junk.xlsx", rows)
        start = time.perf_counter()
        bare = run_measured([sys.executable, "-c", BARE_READ, str(built)], folder)
        bare_seconds = time.perf_counter() - start
        out = [{"rows": rows, "mode": "bare read (python-calamine)", "seconds": bare_seconds, "peak": bare.peak,
                "exit": bare.returncode}]
        for mode in MODES:
            ledger = Path(shutil.copy(built, folder / "督查台账.xlsx"))
            start = time.perf_counter()
            ran = run_measured([sys.executable, "-m", "duban_xl.cli", "validate", str(ledger), *mode], folder)
            seconds = time.perf_counter() - start
            out.append({"rows": rows, "mode": "validate " + " ".join(mode), "seconds": seconds, "peak": ran.peak,
                        "exit": ran.returncode, "ratio": seconds / bare_seconds})
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="20000,200000")
    args = parser.parse_args(argv)
    results = [r for n in args.rows.split(",") for r in measure(int(n))]
    print(write_page(REPORT, "Junk-ledger benchmark (`python -m benchmarks.junk`)",
                     ["+junk rows", "run", "+seconds (with imports)", "+×bare read", "+peak MiB", "+exit"],
                     ([f"{r['rows']:,}", r["mode"], f"{r['seconds']:.1f}", f"{r.get('ratio', 1):.1f}×",
                       f"{r['peak'] >> 20}", f"{r['exit']}"] for r in results),
                     ["Each row of the 台账 holds 12 problems (2.4 million at 200,000 rows); each sheet lists the first 50",
                      "of a kind and one «还有 N 处同类问题» line counts the rest. Each run is one fresh process (imports",
                      "included), its own peak from `os.wait4` (tests/peak.py). Exit 1: the data has errors. The rest of",
                      "the time is reading: every junk cell is a distinct value, parsed once."]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
