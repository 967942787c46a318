"""Effective deadlines: 完成时限 moved by approved, timely extensions (二（五）).

二（五）: a unit that cannot finish in time applies *before the deadline*
(到期前); with a county leader's consent the deadline changes. An application
on or after the deadline in force is too late and is ignored for scoring.
Extensions are taken in order of 申请日期 (ties in sheet order).
"""
from __future__ import annotations

import pandas as pd

from .contract import Approval, Col
from .ledger import ROW, Ledger

EFFECTIVE = Col.EFFECTIVE_DEADLINE
EXTENSION_STATUS = "延期状态"  # per extension row: 生效 / 逾期申请 (late) / 未同意 / 日期不全
IN_FORCE_WHEN_APPLIED = "申请时有效时限"
COUNTED, LATE, NOT_GRANTED, INCOMPLETE = "生效", "逾期申请", "未同意", "日期不全"


def extension_outcomes(ledger: Ledger) -> pd.DataFrame:
    """The 延期申请 frame with EXTENSION_STATUS and the deadline in force when it was filed."""
    ext = ledger.extensions.copy()
    deadlines = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.DEADLINE]))
    ext[EXTENSION_STATUS] = NOT_GRANTED
    ext[IN_FORCE_WHEN_APPLIED] = pd.NaT
    granted = ext[ext[Col.APPROVAL] == Approval.GRANTED].sort_values([Col.APPLIED, ROW], kind="stable")
    in_force: dict[str, pd.Timestamp] = {}
    for idx, item_no, applied, new_deadline in granted[[Col.ITEM_NO, Col.APPLIED, Col.NEW_DEADLINE]].itertuples():
        current = in_force.get(item_no, deadlines.get(item_no, pd.NaT))
        ext.at[idx, IN_FORCE_WHEN_APPLIED] = current
        if pd.isna(applied) or pd.isna(current) or pd.isna(new_deadline):
            ext.at[idx, EXTENSION_STATUS] = INCOMPLETE  # validation reports the missing date; nothing moves
        elif applied < current:
            ext.at[idx, EXTENSION_STATUS] = COUNTED
            in_force[item_no] = new_deadline
        else:
            ext.at[idx, EXTENSION_STATUS] = LATE
    return ext


def effective_deadlines(ledger: Ledger) -> pd.Series:
    """交办单号 → effective deadline D (datetime64), for every item of 台账."""
    ext = extension_outcomes(ledger)
    counted = ext[ext[EXTENSION_STATUS] == COUNTED].sort_values([Col.APPLIED, ROW], kind="stable")
    last = counted.groupby(Col.ITEM_NO, sort=False)[Col.NEW_DEADLINE].last()
    base = pd.Series(ledger.items[Col.DEADLINE].to_numpy(), index=ledger.items[Col.ITEM_NO].to_numpy())
    base = base[~base.index.duplicated()]
    result = base.copy()
    overlap = last.index.intersection(result.index)
    result.loc[overlap] = last.loc[overlap].to_numpy()
    result.name = EFFECTIVE
    return result.astype("datetime64[ns]")
