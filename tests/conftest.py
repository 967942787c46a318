"""Shared fixtures. Real files on disk, real LibreOffice where a file must open.

Tests that need LibreOffice skip when it is missing, saying so — unless
DUBAN_REQUIRE_LIBREOFFICE=1 (set by .ci/run), where they fail instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """convert(path, fmt) → converted file path; runs real headless LibreOffice.

    ``fmt`` is a LibreOffice filter spec such as "pdf", "csv" or
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
    (the last one writes every sheet of a workbook to its own csv).
    """
    exe = _soffice()
    if exe is None:
        message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc libreoffice-writer"
        if os.environ.get("DUBAN_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(path: Path, fmt: str = "pdf", outdir: Path | None = None) -> Path:
        outdir = outdir or path.parent / f"lo-{path.stem}"
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(path)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        ext = fmt.split(":")[0]
        produced = sorted(outdir.glob(f"{path.stem}*.{ext}"))
        assert done.returncode == 0 and produced, f"LibreOffice could not convert {path.name}: {done.stdout} {done.stderr}"
        return produced[0]

    return convert
