"""Ledger queries several stages share (通报, 催办, documents): plain frames in, frames out.

Kept apart from any one stage so that 催办 does not depend on 通报 to ask the ledger
which deadline is in force (二（五）) or which progress reports have arrived (二（四）).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .contract import CheckResult, Col, FeedbackType
from .deadlines import EFFECTIVE, effective_deadlines
from .ledger import Ledger


def item_view(ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """台账 with the deadline in force on ``as_of`` (二（五）) and all units of each item joined with 、."""
    items = ledger.items.copy()
    items[EFFECTIVE] = effective_deadlines(ledger, as_of).reindex(items[Col.ITEM_NO]).to_numpy()
    units = ledger.item_units().groupby(Col.ITEM_NO, sort=False)[Col.UNIT].agg("、".join)
    items[Col.UNIT] = units.reindex(items[Col.ITEM_NO]).fillna("").to_numpy()
    return items


def progress_reports(fb: pd.DataFrame, month_key: str, until: dt.date) -> set[str]:
    """交办单号 with a 进展反馈 for ``month_key`` dated by ``until`` and not 退回 (二（五）: 一律退回重新报送)."""
    ok = ((fb[Col.FEEDBACK_TYPE] == FeedbackType.PROGRESS) & (fb[Col.CHECK_RESULT] != CheckResult.RETURNED)
          & (fb[Col.FEEDBACK_MONTH] == month_key) & (fb[Col.FEEDBACK_DATE] <= pd.Timestamp(until)))
    return set(fb.loc[ok, Col.ITEM_NO])
