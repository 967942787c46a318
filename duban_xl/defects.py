"""三（三） material defects of a report: 材料问题, and the previous template's 格式不符 column.

三（三）: 报送材料不符合格式要求、事实表述不清、内容不完整、数据不准确、针对性不强的，
每件扣1分. 反馈记录 records them in 材料问题 (several joined by 、); a ledger of the
previous template has 格式不符 (是/否) instead, and 是 reads as 材料问题 = 格式不符
(SPEC «三（三） material defects»). Every reader of defects asks here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import pandas as pd

from .contract import YES, Col, MaterialDefect
from .ledger import ROW, split_units
from .normalize import canon_name

if TYPE_CHECKING:
    from .report_check import ReportCheck


def join_defects(values: Iterable[str]) -> str:
    """Distinct defects in the order of 三（三）, joined by 、 ("" when none)."""
    present = set(values)
    return "、".join(d for d in MaterialDefect.ALL if d in present)


def material_defects(feedback: pd.DataFrame) -> pd.Series:
    """Per 反馈记录 row: its defects as one 、-joined text ("" when none), legacy 格式不符=是 included."""
    legacy = feedback[Col.BAD_FORMAT] == YES if Col.BAD_FORMAT in feedback else pd.Series(False, index=feedback.index)
    listed = feedback[Col.MATERIAL_DEFECTS] if Col.MATERIAL_DEFECTS in feedback else pd.Series(None, index=feedback.index)
    return pd.Series([join_defects(split_units(text) + ([MaterialDefect.FORMAT] if old else []))
                      for text, old in zip(listed, legacy)], index=feedback.index, dtype=object)


def with_defects(existing: object, added: Iterable[str]) -> str:
    """A 材料问题 cell after adding ``added`` to what it already says (nothing is ever dropped)."""
    return join_defects(split_units(existing) + list(added))


def report_defects(check: "ReportCheck") -> list[str]:
    """What a check-report verdict adds to 材料问题: 格式不符 when the report breaks the 附件 format."""
    return [] if check.ok else [MaterialDefect.FORMAT]


def report_row(feedback: pd.DataFrame, check: "ReportCheck") -> object | None:
    """The 反馈记录 row a checked report belongs to (frame index), or None.

    Its title names the 交办单号 and the unit; among that unit's reports on the item, the one
    whose 附件 names the file, else the latest by 反馈日期 (the report just returned).
    """
    if not check.item_no or not check.unit:
        return None
    unit = canon_name(check.unit)
    rows = feedback[(feedback[Col.ITEM_NO] == check.item_no) & (feedback[Col.REPORTER] == unit)]
    if rows.empty:
        return None
    named = rows[rows[Col.ATTACHMENT].fillna("").astype(str).str.contains(check.path.name, regex=False)]
    chosen = named if not named.empty else rows
    return chosen.sort_values([Col.FEEDBACK_DATE, ROW], kind="stable", na_position="first").index[-1]
