"""One page of results for the benchmarks that run on their own (``benchmarks.intake``, ``benchmarks.junk``):
a title naming the command, when and on what it ran, a table, and how to read it."""
from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path
from typing import Iterable, Sequence


def write_page(path: Path, title: str, columns: Sequence[str], rows: Iterable[Sequence[str]],
               notes: Sequence[str]) -> str:
    """The markdown page at ``path`` (and returned); a column whose name starts with «+» is right-aligned."""
    names = [c.lstrip("+") for c in columns]
    aligns = ["--:" if c.startswith("+") else "---" for c in columns]
    lines = [f"# {title}", "",
             f"{dt.datetime.now():%Y-%m-%d %H:%M}; Python {platform.python_version()} on {platform.platform()}.", "",
             "| " + " | ".join(names) + " |", "|" + "|".join(aligns) + "|",
             *("| " + " | ".join(row) + " |" for row in rows), "", *notes, ""]
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    return text
