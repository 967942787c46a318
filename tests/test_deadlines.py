"""二（五）: effective deadline after approved extensions filed before the deadline in force."""
import pandas as pd

from duban_xl.deadlines import COUNTED, LATE, NOT_GRANTED, EXTENSION_STATUS, effective_deadlines, extension_outcomes
from duban_xl.ledger import Ledger


def _ledger(extensions):
    return Ledger.from_frames(
        台账=[{"交办单号": "2022-001", "完成时限": "2022-06-30"}, {"交办单号": "2022-002", "完成时限": "2022-06-30"}],
        延期申请=extensions,
    )


def test_timely_approved_extension_moves_deadline():
    ledger = _ledger([{"交办单号": "2022-001", "申请日期": "2022-06-29", "申请完成时限": "2022-07-31", "审批结果": "同意"}])
    assert effective_deadlines(ledger)["2022-001"] == pd.Timestamp("2022-07-31")
    assert effective_deadlines(ledger)["2022-002"] == pd.Timestamp("2022-06-30")


def test_application_on_deadline_day_is_too_late():
    ledger = _ledger([{"交办单号": "2022-001", "申请日期": "2022-06-30", "申请完成时限": "2022-07-31", "审批结果": "同意"}])
    assert effective_deadlines(ledger)["2022-001"] == pd.Timestamp("2022-06-30")
    assert extension_outcomes(ledger)[EXTENSION_STATUS].tolist() == [LATE]


def test_second_extension_counts_only_before_the_moved_deadline():
    ledger = _ledger([
        {"交办单号": "2022-001", "申请日期": "2022-07-20", "申请完成时限": "2022-09-30", "审批结果": "同意"},
        {"交办单号": "2022-001", "申请日期": "2022-06-01", "申请完成时限": "2022-07-31", "审批结果": "同意"},
    ])
    # taken in order of 申请日期: 06-01 moves to 07-31, then 07-20 < 07-31 moves to 09-30
    assert effective_deadlines(ledger)["2022-001"] == pd.Timestamp("2022-09-30")


def test_refused_or_pending_extensions_change_nothing():
    ledger = _ledger([
        {"交办单号": "2022-001", "申请日期": "2022-06-01", "申请完成时限": "2022-07-31", "审批结果": "不同意"},
        {"交办单号": "2022-001", "申请日期": "2022-06-02", "申请完成时限": "2022-08-31", "审批结果": "待审批"},
    ])
    assert effective_deadlines(ledger)["2022-001"] == pd.Timestamp("2022-06-30")
    assert set(extension_outcomes(ledger)[EXTENSION_STATUS]) == {NOT_GRANTED}
    assert COUNTED not in set(extension_outcomes(ledger)[EXTENSION_STATUS])
