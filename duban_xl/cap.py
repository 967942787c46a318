"""The cap on findings: per sheet and kind (code), the first ``CAP`` are listed, the rest only counted.

WHY (issue 9): a ledger pasted full of junk has millions of problems; listing each one took
minutes and gigabytes and gave the clerk a list nobody reads. What a clerk needs is which
kinds of problem each sheet has, where a few of them are, and how many of each: so every
kind shows its first ``CAP`` findings (those are marked in the ledger) and one line
«还有 N 处同类问题» with the count per column. The rules ask ``Tally`` before they make a
finding, so the work of a hidden one is one counter increment — or none, when a rule counts
a whole mask at once (``many``).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Iterable

from . import catalogue as cat
from .findings import ERROR, Code, Finding

CAP = 50  # findings listed per sheet and code; a clerk fixes a kind of mistake from a few examples


class Tally:
    """How many findings of each kind (sheet, code) there are; which of them are listed."""

    def __init__(self, cap: int = CAP) -> None:
        self.cap = cap
        self.seen: Counter[tuple[str, str]] = Counter()  # (sheet, code) → findings so far, listed or not
        self.hidden: Counter[tuple[str, str, str]] = Counter()  # (sheet, code, column) → not listed
        self.levels: dict[tuple[str, str], str] = {}

    def room(self, entry: Code, sheet: str, column: str = "") -> bool:
        """Count one finding of ``entry`` in ``sheet``: True when it is listed (then make it)."""
        return self.many(entry, sheet, column, 1) == 1

    def many(self, entry: Code, sheet: str, column: str, n: int) -> int:
        """Count ``n`` findings of ``entry`` at once: how many of them (the first ones) are listed."""
        if n <= 0:
            return 0
        key = (sheet, entry.code)
        listed = max(0, min(n, self.cap - self.seen[key]))
        self.seen[key] += n
        if listed < n:
            self.hidden[(sheet, entry.code, column)] += n - listed
            self.levels[key] = entry.level
        return listed

    def absorb(self, other: "Tally") -> None:
        """Continue counting from ``other`` (the reader's tally, then the rules')."""
        self.seen.update(other.seen)
        self.hidden.update(other.hidden)
        self.levels.update(other.levels)

    def lines(self, listed: Iterable[Finding], source: str = "") -> list[Finding]:
        """One «还有 N 处同类问题» finding per capped (sheet, code), after the listed examples."""
        examples: dict[tuple[str, str], Finding] = {}
        for f in listed:
            examples.setdefault((f.sheet, f.code), f)
        columns: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for (sheet, code, column), n in self.hidden.items():
            columns.setdefault((sheet, code), []).append((column, n))
        lines = []
        for (sheet, code), spread in columns.items():
            total = sum(n for _, n in spread)
            example = examples.get((sheet, code))
            entry = cat.MORE_ERRORS if self.levels[(sheet, code)] == ERROR else cat.MORE_WARNINGS
            named = [(column, n) for column, n in spread if column]
            where = "：" + "、".join(f"“{c}”列 {n} 处" for c, n in named) if named else ""
            line = entry.at(sheet, "", named[0][0] if len(named) == 1 else "", "", source, n=total,
                            shown=self.cap, example=example.message.rstrip("。") if example else code, where=where)
            lines.append(replace(line, more=total))
        return lines
