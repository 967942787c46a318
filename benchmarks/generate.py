"""Realistic ledger workbooks for the benchmarks, generated once and cached.

The frames come from ``duban_xl.synth`` (N items, about 3N feedback rows,
units and events in proportion) and are written into the real template by
``duban_xl.template.fill_workbook``, so the benchmark reads what an office's
workbook looks like: title-free header row, Excel tables, dropdowns, formulas,
500 blank formatted rows below each table.
"""
from __future__ import annotations

import argparse
import hashlib
import os
from importlib.util import find_spec
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 2022
YEAR = 2022


def generator_version() -> str:
    """Short hash of the generating code, so a changed synth or template never reuses an old ledger."""
    digest = hashlib.sha256()
    for module in ("duban_xl.synth", "duban_xl.template"):
        digest.update(Path(find_spec(module).origin).read_bytes())
    return digest.hexdigest()[:8]


def cached_path(n_items: int, seed: int = SEED, invalid_rows: int = 0, cache: Path = CACHE) -> Path:
    """Where the ledger of ``n_items`` items is (or will be) cached."""
    return cache / f"ledger_n{n_items}_s{seed}_bad{invalid_rows}_{generator_version()}.xlsx"


def ledger_path(n_items: int, seed: int = SEED, invalid_rows: int = 0, cache: Path = CACHE) -> Path:
    """Path of the cached ledger of ``n_items`` items; generated on first use (minutes at 100k)."""
    path = cached_path(n_items, seed, invalid_rows, cache)
    if not path.exists():
        from duban_xl.ledger import Params
        from duban_xl.synth import synth_frames
        from duban_xl.template import fill_workbook

        frames = synth_frames(n_items, seed=seed, year=YEAR, invalid_rows=invalid_rows)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fill_workbook(frames, Params(year=YEAR), partial)
        os.replace(partial, path)  # a killed run never leaves a half-written ledger in the cache
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate (or find cached) benchmark ledgers.")
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of items, e.g. 1000 10000")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--invalid-rows", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    for n in args.sizes:
        print(ledger_path(n, args.seed, args.invalid_rows, args.cache))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
