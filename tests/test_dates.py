"""Working days by the official calendar (法定节假日 and 调休): the dates documents carry."""
from __future__ import annotations

import datetime as dt
import warnings

import pytest

from duban_xl.cli import main
from duban_xl.dates import CalendarFallback, is_workday, issue_date, workday_on_or_after, workday_on_or_before
from workbooks import write_ledger


def test_a_sunday_is_not_a_working_day_and_the_friday_before_is_used():
    assert not is_workday(dt.date(2022, 7, 10))
    assert workday_on_or_before(dt.date(2022, 7, 10)) == dt.date(2022, 7, 8)


def test_a_tiaoxiu_saturday_is_a_working_day():
    assert is_workday(dt.date(2022, 10, 8))
    assert workday_on_or_before(dt.date(2022, 10, 8)) == dt.date(2022, 10, 8)


def test_national_day_holidays_are_skipped_both_ways():
    assert not is_workday(dt.date(2022, 10, 3))  # 国庆节, a Monday
    assert workday_on_or_before(dt.date(2022, 10, 7)) == dt.date(2022, 9, 30)
    assert workday_on_or_after(dt.date(2022, 10, 1)) == dt.date(2022, 10, 8)
    assert workday_on_or_after(dt.date(2022, 6, 25)) == dt.date(2022, 6, 27)


def test_issue_date_is_the_last_working_day_by_the_due_day_of_the_next_month():
    assert issue_date(dt.date(2022, 6, 30), 10) == dt.date(2022, 7, 8)
    assert issue_date(dt.date(2022, 12, 31), 10) == dt.date(2023, 1, 10)


def test_a_year_without_holiday_data_falls_back_to_weekends_with_a_warning():
    with pytest.warns(CalendarFallback, match="2027"):
        assert workday_on_or_before(dt.date(2027, 1, 10)) == dt.date(2027, 1, 8)  # a Sunday
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarFallback)
        assert is_workday(dt.date(2026, 12, 31))  # a known year says nothing


def test_the_cli_tells_the_clerk_when_a_default_date_had_no_holiday_data(capsys, tmp_path):
    ledger = write_ledger(tmp_path / "督查台账.xlsx", {"台账": []})
    code = main(["bulletin", str(ledger), "--month", "2026-12", "--dry-run", "--as-of", "2027-01-05"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "（2027-01-08）" in captured.out
    assert captured.err.count("节假日日历尚无2027年的数据") == 1
