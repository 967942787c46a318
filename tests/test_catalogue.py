"""The findings catalogue is the only source of findings, and every entry of it is exercised."""
from __future__ import annotations

import ast

import pytest

from conftest import PRODUCED_CODES, REPO, whole_suite
from duban_xl.catalogue import CATALOGUE
from duban_xl.findings import ERROR, WARNING

PACKAGE = REPO / "duban_xl"


def test_entries_are_complete():
    """Each code: a level, the clause it enforces, a Chinese message and a suggestion."""
    assert len(CATALOGUE) >= 31
    for code, entry in CATALOGUE.items():
        assert entry.code == code and entry.level in (ERROR, WARNING), code
        assert entry.clause and entry.message and entry.suggestion, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.message), code


def test_findings_are_made_only_from_the_catalogue():
    """Nobody builds a Finding by hand: its code and wording would drift from the catalogue."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "findings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Finding":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


@pytest.mark.after_all_findings
def test_every_code_the_suite_produced_is_in_the_catalogue():
    """(Under pytest-xdist each worker checks the codes its own tests produced.)"""
    assert PRODUCED_CODES <= set(CATALOGUE)


@pytest.mark.after_all_findings
def test_every_catalogue_entry_is_produced_by_some_test(request):
    if not whole_suite(request.config):
        pytest.skip("checked when the whole suite runs (make test): this run selected part of it")
    assert PRODUCED_CODES and sorted(set(CATALOGUE) - PRODUCED_CODES) == []
