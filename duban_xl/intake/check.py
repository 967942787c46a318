"""Check a returned 报送表 against the ledger and turn its filled rows into 反馈记录 rows (二（四）).

SPEC «Returned sheets»: a form is recognised by its 表单编号 (a stripped identity
is matched by the unit and month in its header, with a 警告); its locked cells
are compared with the ledger as of the form's own issue date and its HMAC is
checked; the rows are validated (closed lists, dates, 核签人, an item that is
not the unit's is an error at its cell; a formula is an error, kept as text).
Every problem is a ``Finding`` naming the sheet and cell, with what to do.
"""
from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field

import pandas as pd

from ..contract import (
    FORM_INPUTS, FORM_LABEL_MONTH, FORM_LABEL_UNIT, FORM_LOCKED, FORM_ROLE, CheckResult, Col, FeedbackMode,
    FeedbackType, FormField, FormRole, FormSheet,
)
from .. import catalogue as C
from ..cap import Tally
from ..findings import ERROR, Code, Finding
from ..forms import MAX_TEXT, MONTH_AT, UNIT_AT, canonical, form_mac, form_rows, info_cell
from ..ledger import Ledger, split_units
from ..normalize import canon_name, clean_text, parse_date
from .form import ReturnedForm
from ..validate import MISSING_ADVICE
from .store import Store

CHINA = dt.timezone(dt.timedelta(hours=8))  # SPEC: 反馈日期 is the date in China Standard Time
PHONE = re.compile(r"^[0-9０-９+＋()（）\-－ 转]{7,30}$")
FORM, IDENTITY = FormSheet.FORM, FormSheet.IDENTITY


@dataclass
class FormCheck:
    """What a returned form says, whether it can be merged, and every problem found."""

    name: str
    unit: str | None = None
    month: str | None = None
    form_no: str | None = None
    issued: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)  # listed: the first of each kind (cap.py), then «还有 N 处»
    records: list[dict] = field(default_factory=list)  # 反馈记录 rows (附件 is set when the file is kept)
    read_rows: list[dict] = field(default_factory=list)  # the host rows as read, for the 回执
    errors: int = 0  # every error found, listed or not
    tally: Tally = field(default_factory=Tally)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, code: Code, sheet: str, cell: str = "", column: str = "", item_no: str = "", **fields) -> None:
        """A finding of ``code``; past the cap of its kind it is only counted (a hostile form makes thousands)."""
        self.errors += code.level == ERROR
        if self.tally.room(code, sheet, column):
            self.findings.append(code.at(sheet, cell, column, item_no, item=item_no, **fields))


def receipt_no(form_no: str, item_no: str, kind: str) -> str:
    """收件编号 «表单编号/交办单号/反馈类型»: the key a merged row is replaced by (SPEC)."""
    return f"{form_no}/{item_no}/{kind}"


def check_form(form: ReturnedForm, ledger: Ledger, key: bytes, store: Store | None,
               received: dt.datetime, cache: dict | None = None) -> FormCheck:
    """Every check of SPEC «Returned sheets» on one returned form, as of the form's issue date."""
    result = FormCheck(form.name)
    if not _identify(form, ledger, key, store, result):
        return result
    expected = form_rows(ledger, result.unit, result.issued, cache)
    mac_ok = _mac_ok(form, key)
    _compare_locked(form, ledger, expected, mac_ok, result)
    for cell, formula in sorted(form.formulas.items()):
        if int(re.sub(r"\D", "", cell) or 0) >= form.header_row + 1:
            result.add(C.FORMULA_IN_FORM, FORM, cell, formula=formula[:60])
    _inputs(form, ledger, expected, received, result)
    result.findings += result.tally.lines(result.findings)
    return result


# ---- which form is it -------------------------------------------------------------------------

def _identify(form: ReturnedForm, ledger: Ledger, key: bytes, store: Store | None, result: FormCheck) -> bool:
    units = {u for u in ledger.units[Col.UNIT_NAME] if isinstance(u, str)}
    identity = form.identity
    if identity and identity.get(FormField.FORM_NO):
        result.form_no, result.unit = identity[FormField.FORM_NO], canon_name(identity.get(FormField.UNIT))
        result.month = identity.get(FormField.MONTH)
        issued = parse_date(identity.get(FormField.ISSUED))
        if not issued.ok or result.unit not in units:
            result.add(C.IDENTITY_DAMAGED, IDENTITY)
            return False
        result.issued = issued.value.date()
        if form.unit and form.unit != result.unit:
            result.add(C.HEADER_CHANGED, FORM, info_cell(UNIT_AT), label=FORM_LABEL_UNIT, got=form.unit, want=result.unit)
        if form.month and form.month != result.month:
            result.add(C.HEADER_CHANGED, FORM, info_cell(MONTH_AT), label=FORM_LABEL_MONTH, got=form.month,
                       want=result.month)
        return True
    # the hidden identity sheet was removed (or emptied): fall back on the header (SPEC: 警告)
    issued_form = store.latest_form(form.unit, form.month) if store and form.unit and form.month else None
    if issued_form is None:
        result.unit, result.month = form.unit, form.month
        result.add(C.IDENTITY_MISSING, IDENTITY)
        return False
    result.form_no, result.unit, result.month, result.issued = (
        issued_form.form_no, issued_form.unit, issued_form.month, issued_form.issued)
    result.add(C.IDENTITY_STRIPPED, IDENTITY, form_no=issued_form.form_no)
    return True


def _mac_ok(form: ReturnedForm, key: bytes) -> bool:
    identity = form.identity or {}
    if not identity.get(FormField.MAC):
        return False
    locked = [[canonical(r.values.get(c)) for c in FORM_LOCKED] for r in form.rows]
    return hmac.compare_digest(form_mac(key, identity, locked), identity[FormField.MAC])


# ---- locked cells -------------------------------------------------------------------------------

def _compare_locked(form: ReturnedForm, ledger: Ledger, expected: pd.DataFrame, mac_ok: bool,
                    result: FormCheck) -> None:
    """Locked cells as the ledger had them on the issue date; another unit's item is named at its cell."""
    wanted = {rec[Col.ITEM_NO]: rec for rec in expected.to_dict("records")}
    hosts = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.HOST]))
    cohosts = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.COHOSTS]))
    seen: set[str] = set()
    changed = False
    for row in form.rows:
        item_no = canonical(row.values.get(Col.ITEM_NO))
        where = form.cell(row.row, Col.ITEM_NO)
        if item_no in seen:
            result.add(C.ITEM_REPEATED, FORM, where, Col.ITEM_NO, item_no)
            changed = True
            continue
        seen.add(item_no)
        if item_no not in wanted:
            changed = True
            mine = result.unit in split_units(hosts.get(item_no)) + split_units(cohosts.get(item_no))
            if item_no in hosts and not mine:
                owner = "、".join(split_units(hosts[item_no]))
                result.add(C.ITEM_NOT_OF_UNIT, FORM, where, Col.ITEM_NO, item_no, owner=owner)
            else:
                why = "" if item_no in hosts else "（台账中没有这个交办单号）"
                result.add(C.ITEM_NOT_ON_FORM, FORM, where, Col.ITEM_NO, item_no, why=why)
            continue
        for column in FORM_LOCKED[1:]:
            got, want = canonical(row.values.get(column)), canonical(wanted[item_no][column])
            if got == want:
                continue
            cell = form.cell(row.row, column)
            if mac_ok:  # the form is as we made it: the office changed the ledger since
                result.add(C.LEDGER_CHANGED, FORM, cell, column, item_no, now=want)
            else:
                changed = True
                result.add(C.LOCKED_CHANGED, FORM, cell, column, item_no, got=got, want=want)
    for item_no in wanted:
        if item_no not in seen:
            changed = True
            result.add(C.ITEM_REMOVED, FORM, "", Col.ITEM_NO, item_no)
    if form.identity and not mac_ok and not changed:
        result.add(C.MAC_MISMATCH, IDENTITY)


# ---- what the unit filled in -------------------------------------------------------------------

def _inputs(form: ReturnedForm, ledger: Ledger, expected: pd.DataFrame, received: dt.datetime,
            result: FormCheck) -> None:
    roles = dict(zip(expected[Col.ITEM_NO], expected[FORM_ROLE]))
    modes = dict(zip(expected[Col.ITEM_NO], expected[Col.FEEDBACK_MODE]))
    assigned = dict(zip(ledger.items[Col.ITEM_NO], ledger.items[Col.ASSIGNED]))
    day = received.astimezone(CHINA).date()
    for row in form.rows:
        item_no = canonical(row.values.get(Col.ITEM_NO))
        if item_no not in roles:
            continue
        filled = [c for c in FORM_INPUTS if clean_text(row.values.get(c))]
        if roles[item_no] == FormRole.COHOST:
            if filled:
                result.add(C.COHOST_FILLED, FORM, form.cell(row.row, filled[0]), filled[0], item_no)
            continue
        if not filled:
            if modes.get(item_no) == FeedbackMode.MONTHLY:
                result.add(C.MONTHLY_NOT_FILLED, FORM, form.cell(row.row, Col.PROGRESS), Col.PROGRESS, item_no)
            continue
        record = _record(form, row, item_no, assigned.get(item_no), day, result)
        if record is not None:
            result.records.append(record)
    if not result.records and result.ok:
        result.add(C.NOTHING_FILLED, FORM)


def _record(form: ReturnedForm, row, item_no: str, assigned, day: dt.date, result: FormCheck) -> dict | None:
    """The 反馈记录 row of one filled line, or None when the line has an error (all of them are reported)."""
    values = {c: row.values.get(c) for c in FORM_INPUTS}

    def add(code: Code, column: str, **fields) -> None:
        result.add(code, FORM, form.cell(row.row, column), column, item_no, **fields)

    errors_before = result.errors
    kind = canon_name(values[Col.FEEDBACK_TYPE])
    choices = " / ".join(FeedbackType.ALL)
    if kind is None:
        add(C.MISSING_VALUE, Col.FEEDBACK_TYPE, advice=f"请从下拉列表选择：{choices}。")
    elif kind not in FeedbackType.ALL:
        add(C.BAD_CHOICE, Col.FEEDBACK_TYPE, value=kind, hint="", choices=choices)
    for column, advice in ((Col.PROGRESS, "请写明本月的办理进展（做了什么、完成多少、时间节点）。"),
                           (Col.SIGNER, MISSING_ADVICE[Col.SIGNER])):
        if not clean_text(values[column]):
            add(C.MISSING_VALUE, column, advice=advice)
    for column in (Col.PROGRESS, Col.PROBLEMS, Col.NEXT_STEPS):
        length = len(clean_text(values[column]) or "")
        if length > MAX_TEXT:
            add(C.TEXT_TOO_LONG, column, length=length, limit=MAX_TEXT)
    claimed = None
    if clean_text(values[Col.CLAIMED_DONE]):
        parsed = parse_date(values[Col.CLAIMED_DONE])
        if not parsed.ok:
            add(C.BAD_DATE, Col.CLAIMED_DONE, text=clean_text(values[Col.CLAIMED_DONE]))
        else:
            claimed = parsed.value.date()
            start = pd.Timestamp(assigned).date() if assigned is not None and pd.notna(assigned) else None
            if claimed > day:
                add(C.CLAIMED_IN_FUTURE, Col.CLAIMED_DONE, claimed=claimed, day=day)
            elif start is not None and claimed < start:
                add(C.CLAIMED_BEFORE_ASSIGNED, Col.CLAIMED_DONE, claimed=claimed, assigned=start)
            elif parsed.lenient:
                add(C.DATE_AS_TEXT, Col.CLAIMED_DONE, text=parsed.lenient, day=claimed)
    elif kind == FeedbackType.COMPLETION:
        add(C.MISSING_VALUE, Col.CLAIMED_DONE, advice="办结反馈须填写事项实际办结的日期，例如 2022-07-01。")
    if kind == FeedbackType.PROGRESS and claimed is not None:
        add(C.CLAIMED_ON_PROGRESS, Col.CLAIMED_DONE)
    phone = clean_text(values[Col.PHONE])
    if phone and not PHONE.match(phone):
        add(C.BAD_PHONE, Col.PHONE, phone=phone)
    result.read_rows.append({Col.ITEM_NO: item_no, **{c: clean_text(values[c]) for c in FORM_INPUTS}})
    if result.errors > errors_before:
        return None
    return {
        Col.ITEM_NO: item_no, Col.REPORTER: result.unit, Col.FEEDBACK_DATE: day, Col.FEEDBACK_TYPE: kind,
        Col.FEEDBACK_MONTH: result.month if kind == FeedbackType.PROGRESS else None,
        Col.PROGRESS: _text(values[Col.PROGRESS]), Col.SIGNER: clean_text(values[Col.SIGNER]),
        Col.CHECK_RESULT: CheckResult.PENDING, Col.CLAIMED_DONE: claimed,
        Col.PROBLEMS: _text(values[Col.PROBLEMS]), Col.NEXT_STEPS: _text(values[Col.NEXT_STEPS]),
        Col.CONTACT: clean_text(values[Col.CONTACT]), Col.PHONE: phone,
        Col.RECEIPT_NO: receipt_no(result.form_no, item_no, kind),
    }


def _text(value: object) -> str | None:
    """Free text as the unit wrote it (line breaks kept), stripped; numbers without '.0'."""
    if isinstance(value, str):
        return value.strip() or None
    return clean_text(value)

