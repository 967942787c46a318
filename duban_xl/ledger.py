"""The ledger as typed pandas frames, with the Excel cell of every value.

Every later stage (validate, score, bulletin, documents) works on a ``Ledger``:
plain frames whose columns are the contract's names, plus ``ROW`` — the real
Excel row of each record — so any value can be traced back to its cell.

Frame conventions (what ``read_ledger`` produces and tests build):
- text / choice / unit / item_no / month columns: ``str`` or missing (NA);
- date columns: ``datetime64[ns]`` normalised to midnight, NaT when empty;
- number columns: ``float64``, NaN when empty;
- ``ROW``: int, the Excel row number (header is usually row 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .contract import (
    PARAMS, SPECS, UNIT_SEPARATORS, Col, Kind, Out, Sheet, SheetSpec, UnitCategory,
)
from .cap import Tally
from .findings import Finding
from .xlsx.fingerprint import Fingerprint

ROW = "_row"


@dataclass(frozen=True)
class Params:
    """The 参数 sheet, typed. Defaults are SPEC's."""

    year: int = 2022
    county: str = "云和县"
    office: str = "县政府督查室"
    base_score: float = 100.0
    warn_days: int = 7
    feedback_due_day: int = 5
    bulletin_due_day: int = 10
    early_days: int = 1
    veto_count: int = 3


PARAM_FIELDS: dict[str, str] = {p.name: p.field for p in PARAMS}  # 参数 name → Params attribute
assert all(getattr(Params(), p.field) == p.default for p in PARAMS), "Params defaults must be the contract's"


def split_units(text: object) -> list[str]:
    """'县发改局、县财政局' → ['县发改局', '县财政局'] (also ，,；; / separators)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    value = str(text)
    for sep in UNIT_SEPARATORS:
        value = value.replace(sep, "、")
    return [part.strip() for part in value.split("、") if part.strip()]


@dataclass
class Ledger:
    """A ledger workbook read into frames. Build one with ``read_ledger`` or ``Ledger.from_frames``."""

    params: Params
    frames: dict[str, pd.DataFrame]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → column → letter
    path: Path | None = None
    fingerprint: Fingerprint | None = None
    read_findings: list[Finding] = field(default_factory=list)  # listed ones only: the reader counts into read_tally
    read_tally: Tally = field(default_factory=Tally)
    unreadable: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # sheet → column → Excel rows
    # of the cells the reader could not understand (bad_date / bad_number, listed or not): not also "missing"

    # -- the sheets ------------------------------------------------------------
    @property
    def units(self) -> pd.DataFrame:
        return self.frames[Sheet.UNITS]

    @property
    def items(self) -> pd.DataFrame:
        return self.frames[Sheet.ITEMS]

    @property
    def extensions(self) -> pd.DataFrame:
        return self.frames[Sheet.EXTENSIONS]

    @property
    def feedback(self) -> pd.DataFrame:
        return self.frames[Sheet.FEEDBACK]

    @property
    def events(self) -> pd.DataFrame:
        return self.frames[Sheet.EVENTS]

    @property
    def notices(self) -> pd.DataFrame:
        return self.frames[Sheet.NOTICES]

    @property
    def rules(self) -> pd.DataFrame:
        return self.frames[Sheet.RULES]

    # -- derived views ---------------------------------------------------------
    def item_units(self) -> pd.DataFrame:
        """One row per (交办单号, 单位) with 角色 主办/协办: the units of each item (三（二）)."""
        rows = []
        for rec in self.items[[Col.ITEM_NO, Col.HOST, Col.COHOSTS]].itertuples(index=False):
            item_no, host, cohosts = rec
            seen: set[str] = set()
            for role, names in (("主办", split_units(host)), ("协办", split_units(cohosts))):
                for name in names:
                    if name not in seen:
                        seen.add(name)
                        rows.append((item_no, name, role))
        return pd.DataFrame(rows, columns=[Col.ITEM_NO, Col.UNIT, Out.ROLE])

    def unit_category(self) -> dict[str, str]:
        return dict(zip(self.units[Col.UNIT_NAME], self.units[Col.UNIT_CATEGORY]))

    def scoring_unit(self) -> dict[str, str]:
        """单位 → 计分单位: a 临时机构 scores for its 所属单位 (三（六）)."""
        result = {}
        for name, category, parent in self.units[[Col.UNIT_NAME, Col.UNIT_CATEGORY, Col.PARENT_UNIT]].itertuples(index=False):
            temporary = category == UnitCategory.TEMPORARY and isinstance(parent, str) and parent
            result[name] = parent if temporary else name
        return result

    # -- cells -------------------------------------------------------------------
    def letter(self, sheet: str, column: str) -> str:
        """The column letter of a header in this workbook ("" when the file lacks that optional
        column, so nothing points at someone else's cell); the template's when built in code."""
        if sheet in self.headers:
            return self.headers[sheet].get(column, "")
        return default_letter(sheet, column)

    def cell(self, sheet: str, row: int, column: str) -> str:
        """The A1 address of a value, e.g. ``cell('台账', 17, '完成时限') == 'J17'`` ("" if the column is absent)."""
        letter = self.letter(sheet, column)
        return f"{letter}{int(row)}" if letter else ""

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_frames(cls, params: Params | None = None, **sheets: pd.DataFrame | Iterable[Mapping]) -> "Ledger":
        """Build a ledger in code (tests, generators): ``Ledger.from_frames(台账=[{...}], 单位=df)``.

        Missing sheets are empty; missing columns are added empty; values are
        coerced to the frame conventions; ``ROW`` defaults to 2, 3, … as if the
        header were on row 1.
        """
        frames = {}
        for spec in SPECS.values():
            if spec.name == Sheet.PARAMS:
                continue
            given = sheets.get(spec.name)
            frame = given.copy() if isinstance(given, pd.DataFrame) else pd.DataFrame(list(given or []))
            frames[spec.name] = conform(frame, spec)
        if Sheet.RULES not in sheets:
            frames[Sheet.RULES] = default_rules_frame()
        return cls(params=params or Params(), frames=frames)


def default_letter(sheet: str, column: str) -> str:
    """Column letter in the template's layout (used when a frame was not read from a file)."""
    from openpyxl.utils import get_column_letter

    names = SPECS[sheet].names + tuple(c.name for c in SPECS[sheet].extra + SPECS[sheet].legacy)
    return get_column_letter(names.index(column) + 1) if column in names else "?"


def conform(frame: pd.DataFrame, spec: SheetSpec) -> pd.DataFrame:
    """Give a frame the contract's columns and dtypes (used by tests and the reader)."""
    out = pd.DataFrame(index=frame.index)
    for column in spec.read_columns:
        values = frame[column.name] if column.name in frame else pd.Series([None] * len(frame), index=frame.index)
        if column.kind == Kind.DATE:
            out[column.name] = pd.to_datetime(values, errors="coerce").dt.normalize().astype("datetime64[ns]")
        elif column.kind in (Kind.NUMBER, Kind.INT):
            out[column.name] = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            out[column.name] = values.astype(object).where(values.notna(), None)
    if ROW in frame:
        out[ROW] = frame[ROW].astype(int)
    else:
        out[ROW] = range(2, len(frame) + 2)
    return out.reset_index(drop=True)


def default_rules_frame() -> pd.DataFrame:
    from .contract import DEFAULT_RULES, YES

    rows = [{Col.RULE_CODE: r.code, Col.CLAUSE: r.clause, Col.CONTENT: r.content,
             Col.POINTS: r.points, Col.ENABLED: YES} for r in DEFAULT_RULES]
    return conform(pd.DataFrame(rows), SPECS[Sheet.RULES])
