"""A log beside the ledger for runs nobody watches (a scheduler's intake, a monthly --send).

Whoever looks after the office PC opens `督查输出/日志/<命令>_<年-月>.log` to see
what each run did and how it ended (exit 0 / 1 / 2), without a terminal.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

LOG_FOLDER = Path("督查输出") / "日志"


def append(ledger: Path, command: str, lines: Sequence[str], code: int) -> Path | None:
    """Add one run's block; a folder we cannot write to loses the log, never the run."""
    now = dt.datetime.now()
    path = Path(ledger).parent / LOG_FOLDER / f"{command}_{now:%Y-%m}.log"
    text = "".join(f"{now:%Y-%m-%d %H:%M:%S} [{command}] {line}\n" for line in [*lines, f"退出码 {code}"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        return None
    return path
