"""Validation findings: one typed object, rendered to terminal, JSON and a sheet.

Modelled on frictionless-py's reports, but with Chinese messages and Excel
cell addresses (「台账」D17) taken from the real header row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from .contract import FINDING_COLUMNS, FINDING_SOURCE

ERROR, WARNING = "错误", "警告"


@dataclass(frozen=True)
class Finding:
    level: str  # 错误 / 警告
    code: str  # stable machine code, e.g. "unknown_unit"
    sheet: str
    cell: str  # "D17", or "" for a whole-sheet finding
    column: str
    item_no: str
    message: str  # 问题: what is wrong, in plain Chinese
    suggestion: str = ""  # 建议: what to do
    source: str = ""  # the file it was found in (a ledger, a returned sheet), "" when read from memory
    more: int = 0  # a «还有 N 处同类问题» line (cap.py): the N findings it stands for; 0 for one finding

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def stands_for(self) -> int:
        """How many findings this line counts for in a summary: 1, or N for a «还有 N 处» line."""
        return self.more or 1

    @property
    def row(self) -> int:
        """The Excel row of the cell (0 for a whole-sheet finding)."""
        return _row_of(self.cell)

    @property
    def where(self) -> str:
        return f"「{self.sheet}」{self.cell}" if self.cell else f"「{self.sheet}」"

    def as_dict(self) -> dict[str, str]:
        """Keys as SPEC/issue name them for --json and the 校验结果 sheet."""
        values = (self.level, self.code, self.sheet, self.cell, self.column,
                  self.item_no, self.message, self.suggestion)
        return dict(zip(FINDING_COLUMNS, values))

    def as_json(self) -> dict[str, str]:
        """``as_dict`` plus the file it was found in: a scheduled job's log names the returned sheet."""
        return {**self.as_dict(), FINDING_SOURCE: self.source}


@dataclass(frozen=True)
class Code:
    """One entry of the findings catalogue (``catalogue.py``): a code with its level, the clause
    it enforces and the Chinese wording, as ``str.format`` templates over the call's fields."""

    code: str
    level: str
    clause: str
    message: str
    suggestion: str

    def at(self, sheet: str, cell: str, column: str = "", item_no: str = "", source: str = "",
           **fields: object) -> Finding:
        """The finding of this code at one cell (``cell=""``: the whole sheet)."""
        fields = {key: _quoted(value) for key, value in fields.items()}
        fields.setdefault("column", column)
        return Finding(self.level, self.code, sheet, cell, column, item_no,
                       self.message.format(**fields), self.suggestion.format(**fields), source)


QUOTE_MAX = 120  # characters of a cell's text a message quotes; our own wording (choices, advice) stays shorter


def _quoted(value: object) -> object:
    """A cell's text as a message quotes it: a 30,000-character cell is not a one-line message."""
    if isinstance(value, str) and len(value) > QUOTE_MAX:
        return f"{value[:QUOTE_MAX // 2]}…（共 {len(value)} 字）"
    return value


def _row_of(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


def _col_of(cell: str) -> tuple[int, str]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    return len(letters), letters


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def extend(self, more: Iterable[Finding]) -> None:
        self.findings.extend(more)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def error_count(self) -> int:
        """Errors found, also those past the cap that a «还有 N 处» line counts."""
        return sum(f.stands_for for f in self.errors)

    @property
    def warning_count(self) -> int:
        return sum(f.stands_for for f in self.warnings)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Finding]:
        """Errors first, then by sheet order of appearance, row, column; a sheet's «还有 N 处» lines last."""
        sheet_order: dict[str, int] = {}
        for f in self.findings:
            sheet_order.setdefault(f.sheet, len(sheet_order))
        return sorted(self.findings, key=lambda f: (not f.is_error, sheet_order[f.sheet], f.more > 0,
                                                    f.row, _col_of(f.cell), f.code))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([f.as_dict() for f in self.sorted()], columns=list(FINDING_COLUMNS))

    def as_json_list(self) -> list[dict[str, str]]:
        return [f.as_json() for f in self.sorted()]

    def summary(self) -> str:
        if not self.findings:
            return "校验通过：没有发现问题。"
        verdict = "校验未通过" if self.errors else "校验通过"
        return f"{verdict}：错误 {self.error_count} 处，警告 {self.warning_count} 处。"

