"""Shared fixtures. Real files on disk, real LibreOffice where a file must open.

Tests that need LibreOffice skip when it is missing, saying so — unless
DUBAN_REQUIRE_LIBREOFFICE=1 (set by .ci/run), where they fail instead.
Tests that use LibreOffice or hypothesis are marked ``slow`` here (others mark
themselves), so ``pytest -m "not slow"`` is the quick loop; ``make test`` runs all.
The findings catalogue is checked against what the whole suite produced (see the end).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from glob import escape as glob_escape
from pathlib import Path

import pytest
from hypothesis import settings

# CI must judge the submission, not a new random draw: there examples are derandomized.
# Locally each run explores new examples (and hypothesis remembers failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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

    def convert(path: Path | list[Path], fmt: str = "pdf", outdir: Path | None = None) -> Path | list[Path]:
        """One LibreOffice run for one file or a list of files (much faster than one run each)."""
        paths = path if isinstance(path, list) else [path]
        outdir = outdir or paths[0].parent / f"lo-{paths[0].stem}"
        outdir.mkdir(parents=True, exist_ok=True)
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        ext = fmt.split(":")[0]
        produced = [sorted(outdir.glob(f"{glob_escape(p.stem)}*.{ext}")) for p in paths]
        missing = [p.name for p, made in zip(paths, produced) if not made]
        assert done.returncode == 0 and not missing, \
            f"LibreOffice could not convert {missing}: {done.stdout} {done.stderr}"
        return [made[0] for made in produced] if isinstance(path, list) else produced[0][0]

    return convert


def pytest_collection_modifyitems(config, items):
    """LibreOffice users and hypothesis properties are slow; the catalogue check runs last."""
    for item in items:
        function = getattr(item, "function", None)
        if "libreoffice" in getattr(item, "fixturenames", ()) or getattr(function, "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)
    last = [item for item in items if item.get_closest_marker("after_all_findings")]
    items[:] = [item for item in items if item not in last] + last


# ---- the findings catalogue: which codes did the suite produce? -------------------------------

PRODUCED_CODES: set[str] = set()
_RUN = {"deselected": 0}


def pytest_deselected(items):
    _RUN["deselected"] += len(items)


def whole_suite(config) -> bool:
    """True when this session runs every test of tests/ in one process (not some files, a -k or
    -m selection, nor one pytest-xdist worker's share)."""
    chosen = {Path(config.rootpath, a).resolve() for a in config.args}
    return not _RUN["deselected"] and chosen == {REPO / "tests"} and not hasattr(config, "workerinput")


@pytest.fixture(autouse=True, scope="session")
def _record_finding_codes():
    """Every finding is made by ``Code.at``: note the code of each one the suite makes."""
    from duban_xl.findings import Code

    made = Code.at

    def at(self, *args, **kwargs):
        PRODUCED_CODES.add(self.code)
        return made(self, *args, **kwargs)

    Code.at = at
    yield
    Code.at = made


def pdf_pages(pdf: Path) -> int:
    """Pages in a PDF LibreOffice wrote (its page objects are uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.fixture(autouse=True)
def lint_every_write(monkeypatch):
    """Every package the writer saves in any test passes the OOXML lint, and every part it
    emitted is schema-valid where the schemas are at hand (issue 9: «run on every part the
    writer emits»)."""
    import io

    from duban_xl.xlsx.package import Package
    from ooxml_lint import lint, new_xsd_problems, schemas_present

    original = Package.save

    def save(self, out):
        original(self, out)
        copy = io.BytesIO()
        original(self, copy)
        problems = lint(copy)
        if schemas_present():
            for name, data in self._new.items():
                before = self._zip.read(name) if name in self._infos else None
                problems += new_xsd_problems(name, data, before)
        assert not problems, "the writer emitted a faulty package:\n" + "\n".join(problems[:30])

    monkeypatch.setattr(Package, "save", save)


# Real mail servers on loopback (a throwaway Dovecot, an SMTP sink): see tests/mailservers.py
from mailservers import dovecot, smtp_sink  # noqa: E402,F401
