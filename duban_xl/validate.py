"""Validate a ledger: one pandera schema per sheet plus the cross-sheet rules.

Column rules (required, closed lists, 交办单号 and month formats) are pandera
schemas declared from the contract; every rule of SPEC «Validation rules» that
spans columns or sheets is its own small function producing one finding per
problem (a DataFrame-level pandera check would report one failure per column).
Every finding names the real Excel cell and says what to do, in Chinese.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Callable, Iterable, Iterator

import pandas as pd
import pandera.pandas as pa

from .contract import (
    APPROVER_MAJOR, EVENT_RULES, INPUT_SHEETS, RULE_CODES, SPECS, YES, Approval, CheckResult, Col, FeedbackType,
    Kind, NoticeType, Sheet, SheetSpec, UnitCategory,
)
from .deadlines import AFTER_DONE, EXTENSION_STATUS, IN_FORCE_WHEN_APPLIED, LATE, extension_outcomes
from . import catalogue as cat
from .cap import CAP, Tally
from .findings import Code, Finding, Report
from .ledger import ROW, Ledger, split_units

ITEM_NO_PATTERN = r"^\d{4}-\d{3,6}$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

# Column-specific advice for a missing value, citing the clause behind it.
MISSING_ADVICE = {
    Col.SIGNER: "二（四）：反馈报告须经承办单位主要负责人核签，请填写核签人姓名。",
    Col.DEADLINE: "二（二）：交办时须明确完成时限，请填写日期，例如 2022-06-30。",
    Col.HOST: "请填写主办单位全称（须与「单位」表一致）。",
}
# A required column that may stay empty on some rows: (sheet, column) → (other column, value).
OPTIONAL_WHEN = {(Sheet.NOTICES, Col.ITEM_NO): (Col.NOTICE_TYPE, NoticeType.PRAISE)}


def _schema(spec: SheetSpec) -> pa.DataFrameSchema:
    columns = {}
    for column in spec.read_columns:
        checks = []
        if column.kind == Kind.CHOICE:
            checks.append(pa.Check.isin(list(column.choices)))
        elif column.kind == Kind.CHOICES:
            allowed = frozenset(column.choices)
            checks.append(pa.Check(lambda v, allowed=allowed: set(split_units(v)) <= allowed, element_wise=True,
                                   name="choices"))
        elif column.kind == Kind.ITEM_NO:
            checks.append(pa.Check.str_matches(ITEM_NO_PATTERN))
        elif column.kind == Kind.MONTH:
            checks.append(pa.Check.str_matches(MONTH_PATTERN))
        nullable = not column.required or (spec.name, column.name) in OPTIONAL_WHEN
        columns[column.name] = pa.Column(nullable=nullable, checks=checks, coerce=False)
    return pa.DataFrameSchema(columns, name=spec.name, strict=False)


SCHEMAS = {spec.name: _schema(spec) for spec in INPUT_SHEETS if spec.name != Sheet.PARAMS}


class _Where:
    """Turns (sheet, frame index, column) into a finding at the real cell — when the cap lists it.

    Every finding passes the ``Tally`` (cap.py): past the cap of its kind it is only counted,
    and ``None`` comes back instead. A field given as a callable (a suggestion that costs a
    difflib search) is evaluated only for a listed finding.
    """

    def __init__(self, ledger: Ledger, tally: Tally) -> None:
        self.ledger = ledger
        self.tally = tally
        self.source = ledger.path.name if ledger.path else ""
        self._lookups: dict[str, tuple[dict, dict]] = {}

    def _lookup(self, sheet: str) -> tuple[dict, dict]:
        """Frame index → (Excel row, 交办单号) per sheet, built once: ``frame.at`` per finding is slow."""
        if sheet not in self._lookups:
            frame = self.ledger.frames[sheet]
            items = dict(zip(frame.index, frame[Col.ITEM_NO])) if Col.ITEM_NO in frame else {}
            self._lookups[sheet] = (dict(zip(frame.index, frame[ROW])), items)
        return self._lookups[sheet]

    def finding(self, entry: Code, sheet: str, idx, column: str, **fields: object) -> Finding | None:
        """``entry`` (of the catalogue) at the cell of frame row ``idx``, with the row's 交办单号; None past the cap."""
        if not self.tally.room(entry, sheet, column):
            return None
        return self._make(entry, sheet, idx, column, fields)

    def findings(self, entry: Code, sheet: str, idxs: pd.Index, column: str,
                 fields: Callable[[object], dict] = lambda idx: {}) -> Iterator[Finding]:
        """``entry`` at each of the rows ``idxs`` (a mask's index): all counted at once, the first ones made."""
        for idx in idxs[:self.tally.many(entry, sheet, column, len(idxs))]:
            yield self._make(entry, sheet, idx, column, fields(idx))

    def _make(self, entry: Code, sheet: str, idx, column: str, fields: dict) -> Finding:
        rows, items = self._lookup(sheet)
        item_no = items.get(idx)
        fields = {k: v() if callable(v) else v for k, v in fields.items()}
        return entry.at(sheet, self.ledger.cell(sheet, rows[idx], column), column,
                        item_no if isinstance(item_no, str) else "", self.source, **fields)

    def sheet_finding(self, entry: Code, sheet: str, column: str, **fields: object) -> Finding | None:
        """``entry`` about a whole sheet (no cell)."""
        if not self.tally.room(entry, sheet, column):
            return None
        return entry.at(sheet, "", column, "", self.source, **fields)


def _choice_hint(spec: SheetSpec, column: str, value: object) -> str:
    close = difflib.get_close_matches(str(value), spec.column(column).choices, n=1, cutoff=0.4)
    return f"是否应为“{close[0]}”？" if close else ""


def _missing_advice(spec: SheetSpec, column: str) -> str:
    kind = spec.column(column).kind
    return MISSING_ADVICE.get(column) or (
        f"请从下拉列表选择：{' / '.join(spec.column(column).choices)}。" if kind == Kind.CHOICE
        else "请填写日期，例如 2022-05-06。" if kind == Kind.DATE
        else "此列为必填项，请补充。")


def schema_findings(ledger: Ledger, where: _Where) -> Iterator[Finding]:
    """Each column's pandera rules, run check by check as whole-column masks: a column of junk
    is counted at once, and only the listed findings are formatted (cap.py).

    A cell the reader could not understand (a bad date) is already reported; it is not also missing.
    """
    for sheet, schema in SCHEMAS.items():
        frame = ledger.frames[sheet]
        spec = SPECS[sheet]
        unreadable = ledger.unreadable.get(sheet, {})
        for column, rule in schema.columns.items():
            values = frame[column]
            if not rule.nullable:
                missing = values.isna()
                if column in unreadable:
                    missing &= ~frame[ROW].isin(unreadable[column])
                advice = _missing_advice(spec, column)
                yield from where.findings(cat.MISSING_VALUE, sheet, frame.index[missing.to_numpy()], column,
                                          lambda idx: {"advice": advice})
            for check in rule.checks:
                passed = check(values).check_output
                entry, fields = _check_fields(spec, column, values)
                yield from where.findings(entry, sheet, passed.index[~passed.to_numpy()], column, fields)


def _check_fields(spec: SheetSpec, column: str, values: pd.Series) -> tuple[Code, Callable[[object], dict]]:
    """The catalogue entry of a failed column check, and the fields of a failed row (made only when listed)."""
    choices = spec.column(column).choices
    kind = spec.column(column).kind
    if kind == Kind.CHOICE:
        return cat.BAD_CHOICE, lambda idx: {"value": values[idx], "hint": _choice_hint(spec, column, values[idx]),
                                            "choices": " / ".join(choices)}
    if kind == Kind.CHOICES:
        def fields(idx) -> dict:
            wrong = "、".join(v for v in split_units(values[idx]) if v not in choices)
            return {"value": wrong, "hint": _choice_hint(spec, column, wrong), "choices": "、".join(choices)}
        return cat.BAD_CHOICES, fields
    return (cat.BAD_ITEM_NO if kind == Kind.ITEM_NO else cat.BAD_MONTH), lambda idx: {"value": values[idx]}


# ---- cross-sheet rules -------------------------------------------------------------

def _item_numbers(ledger: Ledger) -> set[str]:
    return {n for n in ledger.items[Col.ITEM_NO] if isinstance(n, str)}


def duplicate_item_numbers(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    items = ledger.items
    dup = items[items[Col.ITEM_NO].notna() & items.duplicated(Col.ITEM_NO, keep=False)]
    first_row = dup.groupby(Col.ITEM_NO)[ROW].min()
    for idx, item_no, row in dup[[Col.ITEM_NO, ROW]].itertuples():
        if row != first_row[item_no]:
            first = ledger.cell(Sheet.ITEMS, first_row[item_no], Col.ITEM_NO)
            yield where.finding(cat.DUPLICATE_ITEM_NO, Sheet.ITEMS, idx, Col.ITEM_NO, item=item_no, first=first)


def unknown_item_numbers(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    known = _item_numbers(ledger)
    for sheet in (Sheet.EXTENSIONS, Sheet.FEEDBACK, Sheet.EVENTS, Sheet.NOTICES, Sheet.REMINDER_LOG):
        frame = ledger.frames[sheet]
        for idx, item_no in frame[Col.ITEM_NO].items():
            if isinstance(item_no, str) and item_no not in known and re.match(ITEM_NO_PATTERN, item_no):
                yield where.finding(cat.UNKNOWN_ITEM, sheet, idx, Col.ITEM_NO, item=item_no)


UNIT_REFERENCES = (
    (Sheet.UNITS, Col.PARENT_UNIT), (Sheet.ITEMS, Col.HOST), (Sheet.ITEMS, Col.COHOSTS),
    (Sheet.EXTENSIONS, Col.APPLICANT), (Sheet.FEEDBACK, Col.REPORTER), (Sheet.EVENTS, Col.UNIT),
    (Sheet.NOTICES, Col.UNIT), (Sheet.REMINDER_LOG, Col.UNIT),
)


def _closest_unit(name: str, units: list[str], short: dict[str, str]) -> str:
    if name in short:
        return f"“{name}”是简称，请填写全称“{short[name]}”。"
    close = difflib.get_close_matches(name, units, n=1, cutoff=0.45)
    if not close:  # names like 县发改局 vs 县发展和改革局 share few characters in order
        scored = sorted(units, key=lambda u: -len(set(name) & set(u)) / len(set(name) | set(u)))
        close = scored[:1] if scored and set(name) & set(scored[0]) else []
    if close:
        return f"是否应为“{close[0]}”？单位名称须与「单位」表完全一致。"
    return "请先在「单位」表登记该单位，或改为「单位」表中的名称。"


def unknown_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    units = [u for u in ledger.units[Col.UNIT_NAME] if isinstance(u, str)]
    known = set(units)
    short = {s: n for s, n in zip(ledger.units[Col.SHORT_NAME], ledger.units[Col.UNIT_NAME])
             if isinstance(s, str) and isinstance(n, str)}
    unknown_in: dict[object, list[str]] = {}  # cell value → its unknown names, split once per distinct value
    for sheet, column in UNIT_REFERENCES:
        for idx, value in ledger.frames[sheet][column].items():
            if value not in unknown_in:
                unknown_in[value] = [name for name in split_units(value) if name not in known]
            for name in unknown_in[value]:
                yield where.finding(cat.UNKNOWN_UNIT, sheet, idx, column, name=name,
                                    advice=lambda name=name: _closest_unit(name, units, short))


def duplicate_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    units = ledger.units
    dup = units[units[Col.UNIT_NAME].notna() & units.duplicated(Col.UNIT_NAME, keep="first")]
    yield from where.findings(cat.DUPLICATE_UNIT, Sheet.UNITS, dup.index, Col.UNIT_NAME,
                              lambda idx: {"name": units.at[idx, Col.UNIT_NAME]})


def item_dates(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    items = ledger.items
    as_of_ts = pd.Timestamp(as_of)
    yield from where.findings(cat.DEADLINE_BEFORE_ASSIGNED, Sheet.ITEMS, items.index[items[Col.DEADLINE] < items[Col.ASSIGNED]],
                              Col.DEADLINE, lambda idx: {"deadline": items.at[idx, Col.DEADLINE],
                                                         "assigned": items.at[idx, Col.ASSIGNED]})
    yield from where.findings(cat.DONE_BEFORE_ASSIGNED, Sheet.ITEMS, items.index[items[Col.DONE] < items[Col.ASSIGNED]],
                              Col.DONE, lambda idx: {"done": items.at[idx, Col.DONE], "assigned": items.at[idx, Col.ASSIGNED]})
    yield from where.findings(cat.DONE_IN_FUTURE, Sheet.ITEMS, items.index[items[Col.DONE] > as_of_ts], Col.DONE,
                              lambda idx: {"done": items.at[idx, Col.DONE], "as_of": as_of})


def major_items(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """二（一）: 重大督查事项，报县政府主要领导审定."""
    items = ledger.items
    bad = items[(items[Col.MAJOR] == YES) & (items[Col.APPROVED_BY] != APPROVER_MAJOR)]
    yield from where.findings(cat.MAJOR_NEEDS_LEADER, Sheet.ITEMS, bad.index, Col.APPROVED_BY)


def temporary_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """三（六）: 临时性机构的加扣分主体为该机构所在县直单位."""
    units = ledger.units
    category = ledger.unit_category()
    for idx, name, kind, parent in units[[Col.UNIT_NAME, Col.UNIT_CATEGORY, Col.PARENT_UNIT]].itertuples():
        if kind != UnitCategory.TEMPORARY:
            continue
        if not isinstance(parent, str):
            yield where.finding(cat.TEMPORARY_WITHOUT_PARENT, Sheet.UNITS, idx, Col.PARENT_UNIT, name=name)
        elif category.get(parent) == UnitCategory.TEMPORARY:
            yield where.finding(cat.PARENT_IS_TEMPORARY, Sheet.UNITS, idx, Col.PARENT_UNIT, parent=parent)


def extensions(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """二（五）: 到期前申请，经县政府领导同意；原则上每一事项只能更改一次办结时限.

    Judged as of ``as_of`` (an extension approved later is not yet in force). One applied
    for after the item's 办结日期 changes nothing and is ignored everywhere (SPEC «Time-true views»).
    """
    outcomes = extension_outcomes(ledger, as_of)
    known = _item_numbers(ledger)
    done = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.DONE]))
    columns = [EXTENSION_STATUS, Col.ITEM_NO, IN_FORCE_WHEN_APPLIED, Col.APPLIED, Col.APPROVAL, Col.APPROVER]
    for idx, status, item_no, deadline, applied, approval, approver in outcomes[columns].itertuples():
        if status == AFTER_DONE and item_no in known:
            yield where.finding(cat.EXTENSION_AFTER_DONE, Sheet.EXTENSIONS, idx, Col.APPLIED, applied=applied,
                                item=item_no, done=done[item_no])
        if status == LATE and item_no in known:
            yield where.finding(cat.EXTENSION_LATE, Sheet.EXTENSIONS, idx, Col.APPLIED, applied=applied, deadline=deadline)
        if approval == Approval.GRANTED and not isinstance(approver, str):
            yield where.finding(cat.EXTENSION_NO_APPROVER, Sheet.EXTENSIONS, idx, Col.APPROVER)
    granted = outcomes[outcomes[Col.APPROVAL] == Approval.GRANTED].sort_values([Col.APPLIED, ROW], kind="stable")
    repeated = granted[granted.duplicated(Col.ITEM_NO, keep="first")]
    for idx, item_no in repeated[Col.ITEM_NO].items():
        yield where.finding(cat.EXTENSION_REPEATED, Sheet.EXTENSIONS, idx, Col.APPROVAL, item=item_no)


def _split_each(values: Iterable) -> list[list[str]]:
    """``split_units`` of each cell, computed once per distinct value (units repeat down a column)."""
    done: dict[object, list[str]] = {}
    return [done[v] if v in done else done.setdefault(v, split_units(v)) for v in values]


def feedback(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """二（四）: 主办单位牵头报送；一月一反馈须注明月份."""
    fb = ledger.feedback
    hosts = dict(zip(ledger.items[Col.ITEM_NO], _split_each(ledger.items[Col.HOST])))
    cohosts = dict(zip(ledger.items[Col.ITEM_NO], _split_each(ledger.items[Col.COHOSTS])))
    for idx, item_no, reporter, kind, month in fb[[Col.ITEM_NO, Col.REPORTER, Col.FEEDBACK_TYPE, Col.FEEDBACK_MONTH]].itertuples():
        if kind == FeedbackType.PROGRESS and not isinstance(month, str):
            yield where.finding(cat.PROGRESS_WITHOUT_MONTH, Sheet.FEEDBACK, idx, Col.FEEDBACK_MONTH)
        if item_no not in hosts or not isinstance(reporter, str):
            continue
        if reporter in cohosts[item_no]:
            yield where.finding(cat.FEEDBACK_NOT_FROM_HOST, Sheet.FEEDBACK, idx, Col.REPORTER, reporter=reporter)
        elif reporter not in hosts[item_no]:
            yield where.finding(cat.FEEDBACK_NOT_OF_ITEM, Sheet.FEEDBACK, idx, Col.REPORTER, reporter=reporter,
                                item=item_no)


def returned_form_columns(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """二（四）: what a unit declares (申报办结日期) precedes its report; one row per 收件编号 (SPEC «Returned sheets»)."""
    fb = ledger.feedback
    late = fb[fb[Col.CLAIMED_DONE] > fb[Col.FEEDBACK_DATE]]
    for idx, claimed, reported in late[[Col.CLAIMED_DONE, Col.FEEDBACK_DATE]].itertuples():
        yield where.finding(cat.CLAIMED_DONE_AFTER_REPORT, Sheet.FEEDBACK, idx, Col.CLAIMED_DONE,
                            claimed=claimed, reported=reported)
    pending = fb[fb[Col.RECEIPT_NO].notna() & (fb[Col.CHECK_RESULT] == CheckResult.PENDING)]
    for idx, number in pending.loc[pending.duplicated(Col.RECEIPT_NO, keep="first"), Col.RECEIPT_NO].items():
        yield where.finding(cat.RECEIPT_NO_REPEATED, Sheet.FEEDBACK, idx, Col.RECEIPT_NO, number=number)


def events(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    ev = ledger.events
    assigned = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.ASSIGNED]))
    for idx, day, item_no in ev[[Col.DATE, Col.ITEM_NO]].itertuples():
        start = assigned.get(item_no, pd.NaT)
        if pd.notna(day) and pd.notna(start) and day < start:
            yield where.finding(cat.EVENT_BEFORE_ITEM, Sheet.EVENTS, idx, Col.DATE, day=day, item=item_no, start=start)
    for idx, unit, item_no, kind, points in ev[[Col.UNIT, Col.ITEM_NO, Col.EVENT_TYPE, Col.POINTS]].itertuples():
        if not isinstance(unit, str) and not isinstance(item_no, str):
            yield where.finding(cat.EVENT_WITHOUT_UNIT, Sheet.EVENTS, idx, Col.UNIT)
        if EVENT_RULES.get(kind) == "R5" and pd.isna(points):
            yield where.finding(cat.EVENT_WITHOUT_POINTS, Sheet.EVENTS, idx, Col.POINTS)


def notices(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    nt = ledger.notices
    bad = nt[nt[Col.ITEM_NO].isna() & nt[Col.NOTICE_TYPE].notna() & (nt[Col.NOTICE_TYPE] != NoticeType.PRAISE)]
    yield from where.findings(cat.MISSING_VALUE, Sheet.NOTICES, bad.index, Col.ITEM_NO,
                              lambda idx: {"advice": "除“表扬”外，通报记录须填写被通报事项的交办单号。"})


def rules(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding | None]:
    """规则: every rule code the engine knows is present once; no unknown codes."""
    codes = ledger.rules[Col.RULE_CODE]
    present = {c for c in codes if isinstance(c, str)}
    for code in RULE_CODES:
        if code not in present:
            yield where.sheet_finding(cat.RULE_MISSING, Sheet.RULES, Col.RULE_CODE, code=code)
    for idx, code in codes.items():
        if isinstance(code, str) and code not in RULE_CODES:
            yield where.finding(cat.RULE_UNKNOWN, Sheet.RULES, idx, Col.RULE_CODE, code=code, known="、".join(RULE_CODES))
    for idx in ledger.rules.index[codes.notna() & codes.duplicated(keep="first")]:
        yield where.finding(cat.RULE_DUPLICATE, Sheet.RULES, idx, Col.RULE_CODE, code=codes[idx])


CROSS_RULES: tuple[Callable[[Ledger, _Where, dt.date], Iterable[Finding | None]], ...] = (
    duplicate_item_numbers, unknown_item_numbers, unknown_units, duplicate_units, item_dates,
    major_items, temporary_units, extensions, feedback, returned_form_columns, events, notices, rules,
)


def validate(ledger: Ledger, as_of: dt.date, cap: int = CAP) -> Report:
    """All findings for a ledger as of a date: what the reader noticed, the schemas, the cross rules.

    At most ``cap`` per sheet and kind are listed; each capped kind ends with one «还有 N 处同类问题»
    line that counts the rest (cap.py).
    """
    tally = Tally(cap)
    tally.absorb(ledger.read_tally)
    where = _Where(ledger, tally)
    report = Report(list(ledger.read_findings))
    report.extend(schema_findings(ledger, where))
    for rule in CROSS_RULES:
        report.extend(f for f in rule(ledger, where, as_of) if f is not None)
    report.extend(tally.lines(report.findings, where.source))
    return report
