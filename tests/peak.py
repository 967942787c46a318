"""Run a command and measure its own peak memory, not its parent's.

On Linux a child's ``ru_maxrss`` starts at what its parent held: fork copies the parent's resident
pages into the child's count, and exec carries that high-water mark over (``/bin/true`` started from
a pytest holding 500 MB reports 500 MB, also after the memory was freed). So the command is started
by a small launcher — a fresh interpreter holding about 10 MB — which reaps it with ``os.wait4`` and
hands its ``ru_maxrss`` back.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")  # Linux counts KiB
"""


@dataclass
class Ran:
    """What a command did: its exit code, its output, its own peak resident memory in bytes."""

    returncode: int
    stdout: str
    stderr: str
    peak: int


def run_measured(command: list[str], cwd: Path, timeout: float = 900,
                 preexec: Callable[[], None] | None = None) -> Ran:
    """``preexec`` runs in the launcher before it starts (limits, dropped capabilities): the command inherits it."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "DUBAN_TODAY": "2022-12-31"}
    with tempfile.TemporaryDirectory(prefix="duban_peak_") as tmp:
        report = Path(tmp) / "peak"
        done = subprocess.run([sys.executable, "-c", LAUNCHER, str(report), *command], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)
        code, peak = report.read_text().split()
    return Ran(int(code), done.stdout, done.stderr, int(peak))


def duban(args: list[str], cwd: Path) -> Ran:
    """``duban ARGS`` in ``cwd``, measured."""
    return run_measured([sys.executable, "-m", "duban_xl.cli", *args], cwd)
