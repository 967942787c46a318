"""Every view of the committed sample as of a date sees only the extensions approved by then.

SPEC «Time-true views» (二（五）): 2022-037 applied on 2022-08-20 to move its deadline
from 8月31日 to 10月31日, approved 8月23日. The June bulletin, a 6月25日 reminder and
the 交办单 must show 8月31日; a view from September on shows 10月31日. Three sample items
(2022-001, 021, 023, 049) carry extensions applied for after they were finished: reported, ignored.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pandas as pd
import pytest

from duban_xl.bulletin import monthly_bulletin
from duban_xl.contract import Col
from duban_xl.deadlines import EFFECTIVE
from duban_xl.documents import render_slip
from duban_xl.ledger import Ledger
from duban_xl.reader import read_ledger
from duban_xl.remind import reminders
from duban_xl.score import score
from duban_xl.validate import validate

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx"
ITEM = "2022-037"


@pytest.fixture(scope="module")
def ledger():
    return read_ledger(SAMPLE)


def _deadline_of(rows: pd.DataFrame) -> set[pd.Timestamp]:
    return set(rows.loc[rows[Col.ITEM_NO] == ITEM, EFFECTIVE])


def test_a_june_reminder_uses_the_deadline_in_force_in_june(ledger):
    june = reminders(ledger, dt.date(2022, 6, 25))
    assert _deadline_of(june) == {pd.Timestamp("2022-08-31")}
    assert set(june.loc[june[Col.ITEM_NO] == ITEM, Col.DAYS_LEFT]) == {67}


@pytest.mark.parametrize("day, deadline", [
    (dt.date(2022, 8, 22), "2022-08-31"),  # the day before the approval
    (dt.date(2022, 8, 23), "2022-10-31"),  # the approval day
    (dt.date(2022, 8, 24), "2022-10-31"),
])
def test_reminders_around_the_approval_day(ledger, day, deadline):
    assert _deadline_of(reminders(ledger, day)) == {pd.Timestamp(deadline)}


def test_the_june_bulletin_lists_the_item_with_its_june_deadline(ledger):
    late = monthly_bulletin(ledger, "2022-06").late_feedback
    assert set(late.loc[late[Col.ITEM_NO] == ITEM, EFFECTIVE]) == {pd.Timestamp("2022-08-31")}


def test_the_slip_shows_the_deadline_of_its_own_day(ledger, tmp_path):
    for item_no, original in (("2022-037", "2022年8月31日"), ("2022-049", "2022年9月3日")):
        fields = {r.cells[0].text: r.cells[1].text
                  for r in docx.Document(str(render_slip(ledger, item_no, tmp_path))).tables[0].rows}
        assert fields["完成时限"] == original


def test_extensions_applied_after_completion_are_reported(ledger):
    found = [f for f in validate(ledger, dt.date(2022, 12, 31)).findings if f.code == "extension_after_done"]
    # 2022-021 was also applied for after its deadline; after completion is the reason given
    assert sorted(f.item_no for f in found) == ["2022-001", "2022-021", "2022-023", "2022-049"]
    assert all(f.level == "警告" and f.sheet == "延期申请" for f in found)


def test_extensions_applied_after_completion_are_ignored_by_scoring(ledger):
    detail = score(ledger, dt.date(2022, 12, 31)).detail
    early = detail[(detail[Col.ITEM_NO] == "2022-001") & (detail[Col.RULE_CODE] == "R2B")]
    assert early[Col.NOTE].str.contains("有效时限2022-02-25").all() and early[Col.NOTE].str.contains("提前17天").all()
    assert not detail[Col.NOTE].str.contains("提前84天").any()


def _one_item(approved: str) -> Ledger:
    """Due 6月30日, finished 7月20日 and reported 7月21日; an extension to 7月31日 applied 6月20日."""
    return Ledger.from_frames(
        单位=[{"单位名称": "甲镇", "单位类别": "乡镇（街道）"}],
        台账=[{"交办单号": "2022-001", "主办单位": "甲镇", "交办日期": "2022-03-01", "完成时限": "2022-06-30",
              "办结日期": "2022-07-20", "反馈方式": "办结即反馈"}],
        延期申请=[{"交办单号": "2022-001", "申请单位": "甲镇", "申请日期": "2022-06-20", "申请完成时限": "2022-07-31",
                 "审批领导": "王副县长", "审批结果": "同意", "审批日期": approved}],
        反馈记录=[{"交办单号": "2022-001", "反馈单位": "甲镇", "反馈日期": "2022-07-21", "反馈类型": "办结反馈",
                 "核签人": "张三", "核查结果": "通过"}],
    )


@pytest.mark.parametrize("as_of, codes", [
    (dt.date(2022, 7, 1), ["R2E"]),          # approval (7月2日) not yet known: overdue the day after 6月30日
    (dt.date(2022, 7, 2), []),               # approved that day: due 7月31日, nothing yet
    (dt.date(2022, 12, 31), ["R2A", "R2B"]),  # the year-end score is the final one
])
def test_a_score_as_of_a_date_uses_the_deadline_of_that_date(as_of, codes):
    detail = score(_one_item("2022-07-02"), as_of).detail
    assert sorted(detail[Col.RULE_CODE]) == codes


def test_an_extension_applied_after_completion_gives_no_early_credit():
    ledger = _one_item("2022-07-23")
    ledger.extensions.loc[:, Col.APPLIED] = pd.Timestamp("2022-07-22")  # after 办结 7月20日
    detail = score(ledger, dt.date(2022, 12, 31)).detail
    assert sorted(detail[Col.RULE_CODE]) == ["R2E"]
    found = [f for f in validate(ledger, dt.date(2022, 12, 31)).findings if f.code == "extension_after_done"]
    assert [(f.level, f.cell) for f in found] == [("警告", "C2")]
