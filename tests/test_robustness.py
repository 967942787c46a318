"""Whatever a clerk (or an emailed sheet) puts in a cell, no traceback: findings or a typed error."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban_xl.bulletin import monthly_bulletin
from duban_xl.contract import INPUT_SHEETS, Sheet
from duban_xl.errors import DubanError
from duban_xl.reader import ledger_from_rows
from duban_xl.remind import reminders
from duban_xl.score import score
from duban_xl.validate import validate
from workbooks import DEFAULT_RULES_ROWS, ITEM, UNITS

CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)), st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
    st.text(max_size=30), st.sampled_from(["2022.13.40", "2022-02-30", "２０２２年５月６日", "=1/0", "#N/A", "是 ",
                                          "县发展和改革局、", "、、", "2022-0", "2022年第号", " ", "\u3000", "乡镇(街道)",
                                          "x" * 5000, "R2A", "同意", "进展反馈", "2022-5"]),
)


@st.composite
def sheets(draw):
    """The valid base ledger with random cells overwritten by arbitrary values."""
    base = {Sheet.UNITS: UNITS, Sheet.ITEMS: [ITEM, dict(ITEM, 交办单号="2022-002")], Sheet.RULES: DEFAULT_RULES_ROWS}
    rows = {}
    for spec in INPUT_SHEETS:
        records = base.get(spec.name, [])
        body = [[r.get(name) for name in spec.names] for r in records]
        body += [[None] * len(spec.names) for _ in range(draw(st.integers(0, 2)))]
        for _ in range(draw(st.integers(0, 6))):
            if body:
                row, col = draw(st.integers(0, len(body) - 1)), draw(st.integers(0, len(spec.names) - 1))
                body[row][col] = draw(CELL)
        rows[spec.name] = [list(spec.names)] + body
    return rows


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(), st.dates(dt.date(2022, 1, 1), dt.date(2023, 3, 31)))
def test_any_cell_values_give_findings_never_a_crash(rows, as_of):
    try:
        ledger = ledger_from_rows(rows)
    except DubanError:
        return
    report = validate(ledger, as_of)
    assert all(f.message and f.level in ("错误", "警告") for f in report.findings)
    if report.ok:  # what the commands compute from a valid ledger must not crash either
        score(ledger, as_of)
        monthly_bulletin(ledger, f"{as_of:%Y-%m}")
        reminders(ledger, as_of)
