"""Effective deadlines as of a date: 完成时限 moved by extensions known then (二（五）).

二（五）: a unit that cannot finish in time applies *before the deadline*
(到期前); with a county leader's consent the deadline changes. This is the one
place every view asks "which deadline was in force on T?" (SPEC «Time-true
views»): validation, scoring, the bulletin of a month (T = its last day),
reminders, slips, forms and statements all call ``effective_deadlines`` with
their own T, so none of them sees an approval from the future.

An extension moves the deadline as of T when 审批结果 = 同意 and it was
approved by T (审批日期 ≤ T; without 审批日期: 申请日期 ≤ T), and it was
applied for before the deadline then in force (on or after it is too late).
Extensions are taken in order of 申请日期 (ties in sheet order). One applied
for after the item's 办结日期 is meaningless and is ignored everywhere.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .contract import Approval, Col, ExtensionStatus, Out
from .ledger import ROW, Ledger

EFFECTIVE = Col.EFFECTIVE_DEADLINE
EXTENSION_STATUS = Out.EXTENSION_STATUS  # per extension row, as of T: one of the statuses below
IN_FORCE_WHEN_APPLIED = Out.IN_FORCE_WHEN_APPLIED
COUNTED, LATE = ExtensionStatus.COUNTED, ExtensionStatus.LATE
NOT_GRANTED, INCOMPLETE = ExtensionStatus.NOT_GRANTED, ExtensionStatus.INCOMPLETE
NOT_YET_APPROVED, AFTER_DONE = ExtensionStatus.NOT_YET_APPROVED, ExtensionStatus.AFTER_DONE


def _known_by(ext: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """同意 and approved by ``as_of`` (审批日期 ≤ T; when it is empty, 申请日期 ≤ T)."""
    t = pd.Timestamp(as_of)
    when = ext[Col.APPROVAL_DATE].where(ext[Col.APPROVAL_DATE].notna(), ext[Col.APPLIED])
    return (ext[Col.APPROVAL] == Approval.GRANTED) & (when <= t)


def after_done(ledger: Ledger) -> pd.Series:
    """Per 延期申请 row: applied for after its item's 办结日期 (a 警告; ignored everywhere)."""
    ext = ledger.extensions
    done = ledger.items.drop_duplicates(Col.ITEM_NO).set_index(Col.ITEM_NO)[Col.DONE]
    finished = pd.Series(done.reindex(ext[Col.ITEM_NO]).to_numpy(), index=ext.index, dtype="datetime64[ns]")
    return finished.notna() & ext[Col.APPLIED].notna() & (ext[Col.APPLIED] > finished)


def extension_outcomes(ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """The 延期申请 frame with EXTENSION_STATUS as of ``as_of`` and the deadline in force when filed."""
    ext = ledger.extensions.copy()
    deadlines = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.DEADLINE]))
    granted_by_t = _known_by(ext, as_of)
    ignored = after_done(ledger)
    ext[EXTENSION_STATUS] = NOT_GRANTED
    ext.loc[(ext[Col.APPROVAL] == Approval.GRANTED) & ~granted_by_t, EXTENSION_STATUS] = NOT_YET_APPROVED
    ext.loc[ignored, EXTENSION_STATUS] = AFTER_DONE
    ext[IN_FORCE_WHEN_APPLIED] = pd.NaT
    known = ext[granted_by_t & ~ignored].sort_values([Col.APPLIED, ROW], kind="stable")
    in_force: dict[str, pd.Timestamp] = {}
    for idx, item_no, applied, new_deadline in known[[Col.ITEM_NO, Col.APPLIED, Col.NEW_DEADLINE]].itertuples():
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


def counted_extensions(ledger: Ledger, as_of: dt.date) -> pd.DataFrame:
    """The extensions that moved a deadline as of ``as_of``, in the order they were taken."""
    ext = extension_outcomes(ledger, as_of)
    return ext[ext[EXTENSION_STATUS] == COUNTED].sort_values([Col.APPLIED, ROW], kind="stable")


def effective_deadlines(ledger: Ledger, as_of: dt.date) -> pd.Series:
    """交办单号 → the deadline in force on ``as_of`` (datetime64), for every item of 台账."""
    last = counted_extensions(ledger, as_of).groupby(Col.ITEM_NO, sort=False)[Col.NEW_DEADLINE].last()
    base = pd.Series(ledger.items[Col.DEADLINE].to_numpy(), index=ledger.items[Col.ITEM_NO].to_numpy())
    base = base[~base.index.duplicated()]
    result = base.copy()
    overlap = last.index.intersection(result.index)
    result.loc[overlap] = last.loc[overlap].to_numpy()
    result.name = EFFECTIVE
    return result.astype("datetime64[ns]")
