"""What ships with duban: the Word and workbook templates and the sample ledgers.

In a wheel they sit inside the package (``duban_xl/workbook_templates/``,
``duban_xl/samples/``: setup.py maps the repository's root folders there), so
an installed duban runs its demo and writes documents from any folder. In a
source checkout or an editable install they are those root folders themselves.
"""
from __future__ import annotations

from pathlib import Path

from .errors import FileMissing

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = "workbook_templates"
SAMPLES = "samples"


def bundled(name: str) -> Path:
    """The shipped folder ``name``: inside the package, or at the root of a source tree."""
    inside, source_tree = PACKAGE / name, PACKAGE.parent / name
    if inside.is_dir():
        return inside
    if (PACKAGE.parent / "pyproject.toml").is_file() and source_tree.is_dir():
        return source_tree
    raise FileMissing(f"安装不完整：找不到随程序提供的文件夹“{name}”（应在 {inside}）。请重新安装 duban_xl。",
                      f"broken installation: {inside} is missing")


def templates_folder() -> Path:
    """The five Word templates (and the ledger template) duban ships (rebuild: make templates)."""
    return bundled(TEMPLATES)


def sample_ledger() -> Path:
    """The 云和县 2022 sample ledger `duban demo` runs on (written by ``duban_xl.sample``)."""
    from .sample import SAMPLE_NAME

    return bundled(SAMPLES) / SAMPLE_NAME
