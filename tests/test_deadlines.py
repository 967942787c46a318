"""二（五）: effective deadline after approved extensions filed before the deadline in force."""
import datetime as dt

import pandas as pd
import pytest

from duban_xl.deadlines import (
    AFTER_DONE, COUNTED, EXTENSION_STATUS, LATE, NOT_GRANTED, NOT_YET_APPROVED, effective_deadlines, extension_outcomes,
)
from duban_xl.ledger import Ledger

LATER = dt.date(2022, 12, 31)  # every approval below is known by then


def _ledger(extensions):
    return Ledger.from_frames(
        台账=[{"交办单号": "2022-001", "完成时限": "2022-06-30"}, {"交办单号": "2022-002", "完成时限": "2022-06-30"}],
        延期申请=extensions,
    )


def test_timely_approved_extension_moves_deadline():
    ledger = _ledger([{"交办单号": "2022-001", "申请日期": "2022-06-29", "申请完成时限": "2022-07-31", "审批结果": "同意"}])
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-07-31")
    assert effective_deadlines(ledger, LATER)["2022-002"] == pd.Timestamp("2022-06-30")


def test_application_on_deadline_day_is_too_late():
    ledger = _ledger([{"交办单号": "2022-001", "申请日期": "2022-06-30", "申请完成时限": "2022-07-31", "审批结果": "同意"}])
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-06-30")
    assert extension_outcomes(ledger, LATER)[EXTENSION_STATUS].tolist() == [LATE]


def test_second_extension_counts_only_before_the_moved_deadline():
    ledger = _ledger([
        {"交办单号": "2022-001", "申请日期": "2022-07-20", "申请完成时限": "2022-09-30", "审批结果": "同意"},
        {"交办单号": "2022-001", "申请日期": "2022-06-01", "申请完成时限": "2022-07-31", "审批结果": "同意"},
    ])
    # taken in order of 申请日期: 06-01 moves to 07-31, then 07-20 < 07-31 moves to 09-30
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-09-30")


def test_refused_or_pending_extensions_change_nothing():
    ledger = _ledger([
        {"交办单号": "2022-001", "申请日期": "2022-06-01", "申请完成时限": "2022-07-31", "审批结果": "不同意"},
        {"交办单号": "2022-001", "申请日期": "2022-06-02", "申请完成时限": "2022-08-31", "审批结果": "待审批"},
    ])
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-06-30")
    assert set(extension_outcomes(ledger, LATER)[EXTENSION_STATUS]) == {NOT_GRANTED}
    assert COUNTED not in set(extension_outcomes(ledger, LATER)[EXTENSION_STATUS])


APPROVED_0702 = {"交办单号": "2022-001", "申请日期": "2022-06-20", "申请完成时限": "2022-08-31", "审批结果": "同意",
                 "审批日期": "2022-07-02"}


@pytest.mark.parametrize("as_of, deadline", [
    (dt.date(2022, 7, 1), "2022-06-30"),   # the day before the approval: not yet in force
    (dt.date(2022, 7, 2), "2022-08-31"),   # the approval day itself
    (dt.date(2022, 7, 3), "2022-08-31"),   # the day after
])
def test_an_extension_counts_from_its_approval_day(as_of, deadline):
    ledger = _ledger([APPROVED_0702])
    assert effective_deadlines(ledger, as_of)["2022-001"] == pd.Timestamp(deadline)


def test_an_extension_not_yet_approved_on_the_day_is_so_marked():
    status = extension_outcomes(_ledger([APPROVED_0702]), dt.date(2022, 7, 1))[EXTENSION_STATUS]
    assert status.tolist() == [NOT_YET_APPROVED]


@pytest.mark.parametrize("as_of, deadline", [
    (dt.date(2022, 6, 19), "2022-06-30"), (dt.date(2022, 6, 20), "2022-08-31")])
def test_without_an_approval_date_the_application_date_counts(as_of, deadline):
    ledger = _ledger([dict(APPROVED_0702, 审批日期=None)])
    assert effective_deadlines(ledger, as_of)["2022-001"] == pd.Timestamp(deadline)


def test_an_extension_applied_for_after_completion_is_ignored():
    ledger = Ledger.from_frames(
        台账=[{"交办单号": "2022-001", "完成时限": "2022-06-30", "办结日期": "2022-06-10"}],
        延期申请=[dict(APPROVED_0702, 申请日期="2022-06-11", 审批日期="2022-06-12")],
    )
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-06-30")
    assert extension_outcomes(ledger, LATER)[EXTENSION_STATUS].tolist() == [AFTER_DONE]


def test_an_extension_applied_on_the_completion_day_still_counts():
    ledger = Ledger.from_frames(
        台账=[{"交办单号": "2022-001", "完成时限": "2022-06-30", "办结日期": "2022-06-11"}],
        延期申请=[dict(APPROVED_0702, 申请日期="2022-06-11", 审批日期="2022-06-12")],
    )
    assert effective_deadlines(ledger, LATER)["2022-001"] == pd.Timestamp("2022-08-31")
