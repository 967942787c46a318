"""duban_xl as a package: its public API, its version, and a start-up that loads no pandas."""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

import duban_xl

HEAVY = ("pandas", "pandera", "numpy", "openpyxl")
PROBE = """
import json, sys
from duban_xl.cli import main
code = main({args!r})
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["validate", "--help"]])
def test_help_and_version_load_no_pandas(args):
    """`duban --help` is shown at once: the CLI imports the api (pandas, pandera) only when a command runs."""
    run = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
                         capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "heavy": []}


def test_version_is_the_installed_metadata():
    assert duban_xl.__version__ == metadata.version("duban_xl")


def test_public_api_names_the_functions_not_the_modules():
    from duban_xl import api, errors, findings, ledger, reader

    assert duban_xl.validate.__module__ == "duban_xl.validate" and callable(duban_xl.validate)
    assert callable(duban_xl.score) and duban_xl.score.__module__ == "duban_xl.score"
    assert duban_xl.read_ledger is reader.read_ledger
    assert duban_xl.issue_bulletin is api.issue_bulletin
    assert duban_xl.Ledger is ledger.Ledger and duban_xl.Report is findings.Report
    assert issubclass(duban_xl.LedgerInvalid, duban_xl.DubanError) and duban_xl.DubanError is errors.DubanError
    assert set(duban_xl.__all__) <= set(dir(duban_xl))
    with pytest.raises(AttributeError):
        duban_xl.no_such_name  # noqa: B018


def test_every_declared_dependency_is_imported_by_the_package():
    """pyproject declares what the code uses, no more (defusedxml was declared and never imported)."""
    import ast
    import re
    from pathlib import Path

    package = Path(duban_xl.__file__).parent
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add(node.module.split(".")[0])
    provided_by: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            provided_by.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    declared = [re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower().replace("_", "-")
                for r in metadata.requires("duban_xl") if "extra ==" not in r]
    unused = [dist for dist in declared if not provided_by.get(dist, set()) & imported]
    assert declared and unused == []
