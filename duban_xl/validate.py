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
from pandera.errors import SchemaErrors

from .contract import (
    APPROVER_MAJOR, EVENT_RULES, INPUT_SHEETS, RULE_CODES, SPECS, YES, Approval, CheckResult, Col, FeedbackType,
    Kind, NoticeType, Sheet, SheetSpec, UnitCategory,
)
from .deadlines import AFTER_DONE, EXTENSION_STATUS, IN_FORCE_WHEN_APPLIED, LATE, extension_outcomes
from .findings import ERROR, WARNING, Finding, Report
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
    for column in spec.columns:
        checks = []
        if column.kind == Kind.CHOICE:
            checks.append(pa.Check.isin(list(column.choices)))
        elif column.kind == Kind.ITEM_NO:
            checks.append(pa.Check.str_matches(ITEM_NO_PATTERN))
        elif column.kind == Kind.MONTH:
            checks.append(pa.Check.str_matches(MONTH_PATTERN))
        nullable = not column.required or (spec.name, column.name) in OPTIONAL_WHEN
        columns[column.name] = pa.Column(nullable=nullable, checks=checks, coerce=False)
    return pa.DataFrameSchema(columns, name=spec.name, strict=False)


SCHEMAS = {spec.name: _schema(spec) for spec in INPUT_SHEETS if spec.name != Sheet.PARAMS}


class _Where:
    """Turns (sheet, frame index, column) into a finding at the real cell."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._lookups: dict[str, tuple[dict, dict]] = {}

    def _lookup(self, sheet: str) -> tuple[dict, dict]:
        """Frame index → (Excel row, 交办单号) per sheet, built once: ``frame.at`` per finding is slow."""
        if sheet not in self._lookups:
            frame = self.ledger.frames[sheet]
            items = dict(zip(frame.index, frame[Col.ITEM_NO])) if Col.ITEM_NO in frame else {}
            self._lookups[sheet] = (dict(zip(frame.index, frame[ROW])), items)
        return self._lookups[sheet]

    def finding(self, level: str, code: str, sheet: str, idx, column: str, message: str,
                suggestion: str = "") -> Finding:
        rows, items = self._lookup(sheet)
        row = rows[idx]
        item_no = items.get(idx)
        return Finding(level, code, sheet, self.ledger.cell(sheet, row, column), column,
                       item_no if isinstance(item_no, str) else "", message, suggestion)


def _choice_advice(spec: SheetSpec, column: str, value: object) -> str:
    choices = spec.column(column).choices
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.4)
    hint = f"是否应为“{close[0]}”？" if close else ""
    return f"{hint}请从下拉列表选择：{' / '.join(choices)}。"


def schema_findings(ledger: Ledger) -> Iterator[Finding]:
    where = _Where(ledger)
    for sheet, schema in SCHEMAS.items():
        frame = ledger.frames[sheet]
        spec = SPECS[sheet]
        try:
            schema.validate(frame, lazy=True)
            continue
        except SchemaErrors as exc:
            cases = exc.failure_cases
        kinds = {c.name: c.kind for c in spec.columns}
        for case in cases.itertuples(index=False):
            column, check, value, idx = case.column, str(case.check), case.failure_case, case.index
            if idx is None or pd.isna(idx) or column not in kinds:
                continue
            idx = int(idx)
            kind = kinds[column]
            if check == "not_nullable":
                advice = MISSING_ADVICE.get(column) or (
                    f"请从下拉列表选择：{' / '.join(spec.column(column).choices)}。" if kind == Kind.CHOICE
                    else "请填写日期，例如 2022-05-06。" if kind == Kind.DATE
                    else "此列为必填项，请补充。")
                yield where.finding(ERROR, "missing_value", sheet, idx, column, f"“{column}”未填写。", advice)
            elif kind == Kind.CHOICE:
                yield where.finding(ERROR, "bad_choice", sheet, idx, column, f"“{value}”不是“{column}”的可选值。",
                                    _choice_advice(spec, column, value))
            elif kind == Kind.ITEM_NO:
                yield where.finding(ERROR, "bad_item_no", sheet, idx, column, f"交办单号“{value}”格式不对。",
                                    "应为“年份-序号”，序号至少三位，例如 2022-012。")
            elif kind == Kind.MONTH:
                yield where.finding(ERROR, "bad_month", sheet, idx, column, f"反馈月份“{value}”格式不对。",
                                    "应为“年份-月份”，例如 2022-05。")


# ---- cross-sheet rules -------------------------------------------------------------

def _item_numbers(ledger: Ledger) -> set[str]:
    return {n for n in ledger.items[Col.ITEM_NO] if isinstance(n, str)}


def duplicate_item_numbers(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    items = ledger.items
    dup = items[items[Col.ITEM_NO].notna() & items.duplicated(Col.ITEM_NO, keep=False)]
    first_row = dup.groupby(Col.ITEM_NO)[ROW].min()
    for idx, item_no, row in dup[[Col.ITEM_NO, ROW]].itertuples():
        if row != first_row[item_no]:
            first = ledger.cell(Sheet.ITEMS, first_row[item_no], Col.ITEM_NO)
            yield where.finding(ERROR, "duplicate_item_no", Sheet.ITEMS, idx, Col.ITEM_NO,
                                f"交办单号“{item_no}”与 {first} 重复。", "每个督查事项一个交办单号，请改用新的序号。")


def unknown_item_numbers(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    known = _item_numbers(ledger)
    for sheet in (Sheet.EXTENSIONS, Sheet.FEEDBACK, Sheet.EVENTS, Sheet.NOTICES):
        frame = ledger.frames[sheet]
        for idx, item_no in frame[Col.ITEM_NO].items():
            if isinstance(item_no, str) and item_no not in known and re.match(ITEM_NO_PATTERN, item_no):
                yield where.finding(ERROR, "unknown_item", sheet, idx, Col.ITEM_NO,
                                    f"交办单号“{item_no}”在「台账」中不存在。", "请核对交办单号，或先在「台账」登记该事项。")


UNIT_REFERENCES = (
    (Sheet.UNITS, Col.PARENT_UNIT), (Sheet.ITEMS, Col.HOST), (Sheet.ITEMS, Col.COHOSTS),
    (Sheet.EXTENSIONS, Col.APPLICANT), (Sheet.FEEDBACK, Col.REPORTER), (Sheet.EVENTS, Col.UNIT),
    (Sheet.NOTICES, Col.UNIT),
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


def unknown_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
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
                yield where.finding(ERROR, "unknown_unit", sheet, idx, column,
                                        f"单位“{name}”不在「单位」表中。", _closest_unit(name, units, short))


def duplicate_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    units = ledger.units
    dup = units[units[Col.UNIT_NAME].notna() & units.duplicated(Col.UNIT_NAME, keep="first")]
    for idx, name in dup[Col.UNIT_NAME].items():
        yield where.finding(ERROR, "duplicate_unit", Sheet.UNITS, idx, Col.UNIT_NAME,
                            f"单位“{name}”重复登记。", "请删除重复的一行。")


def item_dates(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    items = ledger.items
    as_of_ts = pd.Timestamp(as_of)
    for idx in items.index[items[Col.DEADLINE] < items[Col.ASSIGNED]]:
        yield where.finding(ERROR, "deadline_before_assigned", Sheet.ITEMS, idx, Col.DEADLINE,
                            f"完成时限 {items.at[idx, Col.DEADLINE]:%Y-%m-%d} 早于交办日期 {items.at[idx, Col.ASSIGNED]:%Y-%m-%d}。",
                            "请核对完成时限和交办日期。")
    for idx in items.index[items[Col.DONE] < items[Col.ASSIGNED]]:
        yield where.finding(ERROR, "done_before_assigned", Sheet.ITEMS, idx, Col.DONE,
                            f"办结日期 {items.at[idx, Col.DONE]:%Y-%m-%d} 早于交办日期 {items.at[idx, Col.ASSIGNED]:%Y-%m-%d}。",
                            "请核对办结日期。")
    for idx in items.index[items[Col.DONE] > as_of_ts]:
        yield where.finding(ERROR, "done_in_future", Sheet.ITEMS, idx, Col.DONE,
                            f"办结日期 {items.at[idx, Col.DONE]:%Y-%m-%d} 晚于统计日 {as_of:%Y-%m-%d}。",
                            "尚未办结的事项请留空办结日期；如统计日有误，请用 --as-of 指定。")


def major_items(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    """二（一）: 重大督查事项，报县政府主要领导审定."""
    items = ledger.items
    bad = items[(items[Col.MAJOR] == YES) & (items[Col.APPROVED_BY] != APPROVER_MAJOR)]
    for idx in bad.index:
        yield where.finding(ERROR, "major_needs_leader", Sheet.ITEMS, idx, Col.APPROVED_BY,
                            "重大督查事项的立项审定应为“县政府主要领导”。",
                            "二（一）：重大督查事项报县政府主要领导审定。请改为“县政府主要领导”，或核对“是否重大”。")


def temporary_units(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    """三（六）: 临时性机构的加扣分主体为该机构所在县直单位."""
    units = ledger.units
    category = ledger.unit_category()
    for idx, name, cat, parent in units[[Col.UNIT_NAME, Col.UNIT_CATEGORY, Col.PARENT_UNIT]].itertuples():
        if cat != UnitCategory.TEMPORARY:
            continue
        if not isinstance(parent, str):
            yield where.finding(ERROR, "temporary_without_parent", Sheet.UNITS, idx, Col.PARENT_UNIT,
                                f"临时机构“{name}”未填写所属单位。",
                                "三（六）：临时性机构的加扣分计入所在单位，请填写其所属的县直部门或乡镇（街道）。")
        elif category.get(parent) == UnitCategory.TEMPORARY:
            yield where.finding(ERROR, "parent_is_temporary", Sheet.UNITS, idx, Col.PARENT_UNIT,
                                f"所属单位“{parent}”本身也是临时机构。", "请填写一个县直部门或乡镇（街道）。")


def extensions(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
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
            yield where.finding(WARNING, "extension_after_done", Sheet.EXTENSIONS, idx, Col.APPLIED,
                                f"延期申请日期 {applied:%Y-%m-%d} 晚于事项 {item_no} 的办结日期 "
                                f"{done[item_no]:%Y-%m-%d}，事项已办结，延期没有意义，考评和通报均不予认可。",
                                "二（五）：延期须在到期前、办结前申请。请核对申请日期或「台账」办结日期；确属误录请删除这一行。")
        if status == LATE and item_no in known:
            yield where.finding(WARNING, "extension_late", Sheet.EXTENSIONS, idx, Col.APPLIED,
                                f"延期申请日期 {applied:%Y-%m-%d} 不早于当时的完成时限 {deadline:%Y-%m-%d}，"
                                "不属于到期前申请，考评时不予认可。",
                                "二（五）：须在到期前书面申请。如确属到期前申请，请核对申请日期。")
        if approval == Approval.GRANTED and not isinstance(approver, str):
            yield where.finding(ERROR, "extension_no_approver", Sheet.EXTENSIONS, idx, Col.APPROVER,
                                "审批结果为“同意”，但未填写审批领导。", "二（五）：延期须经县政府领导同意，请填写审批领导。")
    granted = outcomes[outcomes[Col.APPROVAL] == Approval.GRANTED].sort_values([Col.APPLIED, ROW], kind="stable")
    repeated = granted[granted.duplicated(Col.ITEM_NO, keep="first")]
    for idx, item_no in repeated[Col.ITEM_NO].items():
        yield where.finding(WARNING, "extension_repeated", Sheet.EXTENSIONS, idx, Col.APPROVAL,
                            f"事项 {item_no} 已有一次同意的延期，这是第二次。",
                            "二（五）：原则上每一事项只能更改一次办结时限，请确认确有必要。")


def _split_each(values: Iterable) -> list[list[str]]:
    """``split_units`` of each cell, computed once per distinct value (units repeat down a column)."""
    done: dict[object, list[str]] = {}
    return [done[v] if v in done else done.setdefault(v, split_units(v)) for v in values]


def feedback(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    """二（四）: 主办单位牵头报送；一月一反馈须注明月份."""
    fb = ledger.feedback
    hosts = dict(zip(ledger.items[Col.ITEM_NO], _split_each(ledger.items[Col.HOST])))
    cohosts = dict(zip(ledger.items[Col.ITEM_NO], _split_each(ledger.items[Col.COHOSTS])))
    for idx, item_no, reporter, kind, month in fb[[Col.ITEM_NO, Col.REPORTER, Col.FEEDBACK_TYPE, Col.FEEDBACK_MONTH]].itertuples():
        if kind == FeedbackType.PROGRESS and not isinstance(month, str):
            yield where.finding(ERROR, "progress_without_month", Sheet.FEEDBACK, idx, Col.FEEDBACK_MONTH,
                                "进展反馈未填写反馈月份。", "请填写该次反馈对应的月份，例如 2022-05（月度通报据此判断是否按时反馈）。")
        if item_no not in hosts or not isinstance(reporter, str):
            continue
        if reporter in cohosts[item_no]:
            yield where.finding(WARNING, "feedback_not_from_host", Sheet.FEEDBACK, idx, Col.REPORTER,
                                f"“{reporter}”是协办单位，反馈报告应由主办单位报送。",
                                "二（四）：涉及多个承办单位的，由主办单位牵头起草和报送办理情况报告。")
        elif reporter not in hosts[item_no]:
            yield where.finding(WARNING, "feedback_not_of_item", Sheet.FEEDBACK, idx, Col.REPORTER,
                                f"“{reporter}”不是事项 {item_no} 的承办单位。", "请核对反馈单位或交办单号。")


def returned_form_columns(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    """二（四）: what a unit declares (申报办结日期) precedes its report; one row per 收件编号 (SPEC «Returned sheets»)."""
    fb = ledger.feedback
    late = fb[fb[Col.CLAIMED_DONE] > fb[Col.FEEDBACK_DATE]]
    for idx, claimed, reported in late[[Col.CLAIMED_DONE, Col.FEEDBACK_DATE]].itertuples():
        yield where.finding(WARNING, "claimed_done_after_report", Sheet.FEEDBACK, idx, Col.CLAIMED_DONE,
                            f"申报办结日期 {claimed:%Y-%m-%d} 晚于反馈日期 {reported:%Y-%m-%d}。",
                            "办结反馈应在办结之后报送，请核对申报办结日期。")
    pending = fb[fb[Col.RECEIPT_NO].notna() & (fb[Col.CHECK_RESULT] == CheckResult.PENDING)]
    for idx, number in pending.loc[pending.duplicated(Col.RECEIPT_NO, keep="first"), Col.RECEIPT_NO].items():
        yield where.finding(WARNING, "receipt_no_repeated", Sheet.FEEDBACK, idx, Col.RECEIPT_NO,
                            f"收件编号“{number}”有两行待核查的记录。",
                            "收件编号由收件时自动填写，同一编号只应有一行待核查记录，请删除多余的一行。")


def events(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    ev = ledger.events
    assigned = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.ASSIGNED]))
    for idx, day, item_no in ev[[Col.DATE, Col.ITEM_NO]].itertuples():
        start = assigned.get(item_no, pd.NaT)
        if pd.notna(day) and pd.notna(start) and day < start:
            yield where.finding(WARNING, "event_before_item", Sheet.EVENTS, idx, Col.DATE,
                                f"事件日期 {day:%Y-%m-%d} 早于事项 {item_no} 的交办日期 {start:%Y-%m-%d}。",
                                "请核对事件日期或交办单号。")
    for idx, unit, item_no, kind, points in ev[[Col.UNIT, Col.ITEM_NO, Col.EVENT_TYPE, Col.POINTS]].itertuples():
        if not isinstance(unit, str) and not isinstance(item_no, str):
            yield where.finding(ERROR, "event_without_unit", Sheet.EVENTS, idx, Col.UNIT,
                                "加扣分事件既未填写单位，也未填写交办单号，无法计分。",
                                "请填写被加扣分的单位；或填写交办单号，对该事项的全部承办单位计分。")
        if EVENT_RULES.get(kind) == "R5" and pd.isna(points):
            yield where.finding(ERROR, "event_without_points", Sheet.EVENTS, idx, Col.POINTS,
                                "“其他问题”须填写扣分分值。", "三（五）：其他问题酌情扣分，请填写分值，例如 2。")


def notices(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    nt = ledger.notices
    bad = nt[nt[Col.ITEM_NO].isna() & nt[Col.NOTICE_TYPE].notna() & (nt[Col.NOTICE_TYPE] != NoticeType.PRAISE)]
    for idx in bad.index:
        yield where.finding(ERROR, "missing_value", Sheet.NOTICES, idx, Col.ITEM_NO, "“交办单号”未填写。",
                            "除“表扬”外，通报记录须填写被通报事项的交办单号。")


def rules(ledger: Ledger, where: _Where, as_of: dt.date) -> Iterator[Finding]:
    """规则: every rule code the engine knows is present once; no unknown codes."""
    codes = ledger.rules[Col.RULE_CODE]
    present = {c for c in codes if isinstance(c, str)}
    for code in RULE_CODES:
        if code not in present:
            yield Finding(ERROR, "rule_missing", Sheet.RULES, "", Col.RULE_CODE, "",
                          f"「规则」表缺少规则代码 {code}，无法计分。",
                          "请从台账模板的「规则」表复制该行（启用填“否”可停用该规则）。")
    for idx, code in codes.items():
        if isinstance(code, str) and code not in RULE_CODES:
            yield where.finding(ERROR, "rule_unknown", Sheet.RULES, idx, Col.RULE_CODE,
                                f"规则代码“{code}”不是本工具认识的规则。", f"可用的规则代码：{'、'.join(RULE_CODES)}。")
    for idx in ledger.rules.index[codes.notna() & codes.duplicated(keep="first")]:
        yield where.finding(ERROR, "rule_duplicate", Sheet.RULES, idx, Col.RULE_CODE,
                            f"规则代码“{codes[idx]}”重复。", "每个规则代码只保留一行。")


CROSS_RULES: tuple[Callable[[Ledger, _Where, dt.date], Iterable[Finding]], ...] = (
    duplicate_item_numbers, unknown_item_numbers, unknown_units, duplicate_units, item_dates,
    major_items, temporary_units, extensions, feedback, returned_form_columns, events, notices, rules,
)


def validate(ledger: Ledger, as_of: dt.date) -> Report:
    """All findings for a ledger as of a date: what the reader noticed, the schemas, the cross rules."""
    where = _Where(ledger)
    report = Report(list(ledger.read_findings))
    flagged = {(f.sheet, f.cell) for f in report.findings if f.is_error}
    # A date the reader could not understand is already reported; don't also call it missing.
    report.extend(f for f in schema_findings(ledger) if (f.sheet, f.cell) not in flagged)
    for rule in CROSS_RULES:
        report.extend(rule(ledger, where, as_of))
    return report
