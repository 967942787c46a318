"""One intake run: parcels in, 反馈记录 merged once through the safe writer, a 回执 per file out (二（四）).

Order matters for «a run killed at any moment and run again merges every row
exactly once» (SPEC «Returned sheets»): every file is judged first, then the
ledger is written in one atomic step, then the outcome of each file is recorded
in the store, and only then are receipts written and files moved (by the caller).
A run killed before the ledger write changed nothing; one killed after it finds
its rows in the ledger (keyed by 收件编号) and changes nothing again, but still
answers the files it had not finished.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..clock import today
from ..contract import YES, Col, FormSheet, IntakeOutcome, MaterialDefect, Sheet
from ..errors import DubanError
from .. import catalogue as C
from ..findings import Finding
from ..ledger import Ledger
from ..reader import read_ledger
from ..validate import validate
from ..xlsx.transaction import refuse_locked, write_workbook
from .check import CHINA, FormCheck, check_form
from .form import MAX_RETURNED_BYTES, read_returned
from .keys import existing_form_key, form_key
from .merge import MergePlan
from .parcel import Attachment, Parcel
from .receipt import Receipt, build_receipt
from .store import FileRecord, Store

Progress = Callable[[str], None] | None
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".xltx", ".xltm", ".et", ".ods")
REPORT_SUFFIXES = (".docx",)


@dataclass
class FileResult:
    """The outcome of one file of a parcel, with its 回执."""

    name: str
    sha256: str
    outcome: str
    unit: str | None = None
    month: str | None = None
    form_no: str | None = None
    merged_rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    receipt: Receipt | None = None
    saved_as: str = ""  # where the file is kept (附件 of the merged rows)
    resubmitted: bool = False  # appended after the office had checked the earlier rows (重新报送)
    beside: "FileResult | None" = None  # a report .docx: the form it came with (its outcome follows)
    known: bool = False  # the very same bytes were taken in before: their record keeps its first outcome

    def as_json(self, parcel: Parcel) -> dict:
        return {"来源": parcel.origin, "发件人": parcel.sender, "单位": self.unit, "文件": self.name,
                "结果": self.outcome, "合并行数": self.merged_rows,
                "问题": [f.as_json() for f in self.findings]}


@dataclass
class ParcelResult:
    parcel: Parcel
    files: list[FileResult]

    @property
    def outcome(self) -> str:
        """退回 if any file was refused, 已合并 if any merged, else 重复."""
        outcomes = {f.outcome for f in self.files}
        for outcome in (IntakeOutcome.REFUSED, IntakeOutcome.MERGED):
            if outcome in outcomes:
                return outcome
        return IntakeOutcome.DUPLICATE

    @property
    def subject(self) -> str:
        main = next((f for f in self.files if f.outcome == self.outcome and f.receipt), None)
        return main.receipt.subject if main else "回执"

    @property
    def body(self) -> str:
        return "\n\n".join(f.receipt.body for f in self.files if f.receipt)

    @property
    def receipts(self) -> list[Receipt]:
        return [f.receipt for f in self.files if f.receipt]


@dataclass
class IntakeRun:
    ledger: Path
    as_of: dt.date
    parcels: list[ParcelResult]
    ledger_findings: list[Finding]  # the office's own errors in the ledger: listed, never blocking
    written: Path | None = None
    dry_run: bool = False

    @property
    def files(self) -> list[tuple[Parcel, FileResult]]:
        return [(p.parcel, f) for p in self.parcels for f in p.files]

    @property
    def merged_rows(self) -> int:
        return sum(f.merged_rows for _, f in self.files if f.outcome == IntakeOutcome.MERGED)

    @property
    def refused(self) -> int:
        return sum(f.outcome == IntakeOutcome.REFUSED for _, f in self.files)

    def as_json(self) -> dict:
        """SPEC: {"ledger", "as_of", "files": [...], "合并行数", "退回数"}."""
        return {"ledger": str(self.ledger), "as_of": self.as_of.isoformat(),
                "files": [f.as_json(p) for p, f in self.files], "合并行数": self.merged_rows, "退回数": self.refused}


def intake_parcels(ledger_path: Path, parcels: Sequence[Parcel], as_of: dt.date, *, dry_run: bool = False,
                   progress: Progress = None,
                   saved_as: Callable[[Parcel, Attachment], str] | None = None) -> IntakeRun:
    """Judge every file, merge the valid forms' rows in one safe write, record the outcomes.

    ``saved_as`` names where each file is kept (the 附件 of its merged rows; default:
    its origin and name). Raises ``FileLocked`` (exit 2) before anything when the ledger
    is open in Excel. The caller sends or writes the receipts and then calls
    ``Store.mark_done`` for each file (see ``finish``).
    """
    ledger_path = Path(ledger_path)
    refuse_locked(ledger_path)
    ledger = read_ledger(ledger_path, progress=progress)
    _say(progress, "校验台账")
    # as load_valid does: data entered up to today is not "in the future"
    ledger_findings = [f for f in validate(ledger, max(as_of, today())).findings if f.is_error]
    store = Store.beside(ledger_path) if not dry_run else Store.read_only(ledger_path)
    key = form_key(ledger_path) if not dry_run else existing_form_key(ledger_path)
    try:
        return _run(ledger_path, ledger, ledger_findings, parcels, as_of, dry_run, progress, saved_as, store, key)
    finally:
        store.close()


def _run(ledger_path: Path, ledger: Ledger, ledger_findings: list[Finding], parcels: Sequence[Parcel],
         as_of: dt.date, dry_run: bool, progress: Progress, saved_as, store: Store, key: bytes) -> IntakeRun:
    plan = MergePlan.from_feedback(ledger.feedback)
    judged: list[tuple[Parcel, list[tuple[FileResult, FormCheck | None]]]] = []
    ordered = sorted(parcels, key=lambda p: p.received)
    cache: dict = {}  # open items per issue date, shared by the forms of this run
    for n, parcel in enumerate(ordered, 1):
        _say(progress, f"检查第 {n}/{len(ordered)} 件：{parcel.origin}")
        judged.append((parcel, _judge_parcel(parcel, ledger, key, store, saved_as, cache)))
    results: list[ParcelResult] = []
    records: list[FileRecord] = []
    for parcel, files in judged:
        for result, check in files:
            if check is not None and check.ok and result.outcome != IntakeOutcome.DUPLICATE:
                _merge(result, check, plan, store, parcel.received)
            if check is not None and not check.ok:
                result.outcome, result.merged_rows = IntakeOutcome.REFUSED, 0
        for result, check in files:
            if result.beside is not None:
                result.outcome = result.beside.outcome
            result.receipt = _receipt(result, check, parcel)
            if result.known:  # recording it again would turn the first copy's 已合并 into 重复
                continue
            records.append(FileRecord(result.sha256, parcel.key, result.name, result.outcome, result.form_no,
                                      parcel.received, result.merged_rows, False))
        results.append(ParcelResult(parcel, [r for r, _ in files]))
    run = IntakeRun(ledger_path, as_of, results, ledger_findings, dry_run=dry_run)
    job = plan.upsert()
    if dry_run:
        return run
    if job is not None:
        _say(progress, f"写入台账「反馈记录」（{run.merged_rows} 行）")
        run.written = write_workbook(ledger_path, upserts=[job], expected=ledger.fingerprint).path
    store.record_files(records)
    return run


def finish(ledger_path: Path, run: IntakeRun) -> None:
    """Mark every file of a run as answered (its receipt written or sent, the file moved)."""
    if run.dry_run:
        return
    with Store.beside(ledger_path) as store:
        store.mark_done(*(f.sha256 for _, f in run.files))


# ---- judging one parcel -------------------------------------------------------------------------

def _judge_parcel(parcel: Parcel, ledger: Ledger, key: bytes, store: Store, saved_as,
                  cache: dict) -> list[tuple[FileResult, FormCheck | None]]:
    out: list[tuple[FileResult, FormCheck | None]] = []
    reports: list[tuple[FileResult, Attachment]] = []
    for attachment in parcel.attachments:
        sha = hashlib.sha256(attachment.data).hexdigest()
        result = FileResult(attachment.name, sha, IntakeOutcome.REFUSED,
                            saved_as=saved_as(parcel, attachment) if saved_as else f"{parcel.origin} {attachment.name}")
        prior = store.file(sha)
        if prior is not None and prior.done:
            result.outcome, result.form_no, result.known = IntakeOutcome.DUPLICATE, prior.form_no, True
            issued = store.form(prior.form_no) if prior.form_no else None
            if issued is not None:
                result.unit, result.month = issued.unit, issued.month
            result.findings.append(C.SAME_FILE.at(attachment.name, "", day=prior.received, outcome=prior.outcome))
            out.append((result, None))
            continue
        suffix = Path(attachment.name).suffix.lower()
        if suffix in REPORT_SUFFIXES:
            reports.append((result, attachment))
            continue
        if suffix not in WORKBOOK_SUFFIXES:
            _refuse(result, f"文件「{attachment.name}」不是报送表（只接收 .xlsx 报送表和 .docx 反馈报告）。")
            out.append((result, None))
            continue
        try:
            form = read_returned(attachment.name, attachment.data)
        except DubanError as exc:
            _refuse(result, exc.message)
            out.append((result, None))
            continue
        check = check_form(form, ledger, key, store, parcel.received, cache)
        result.unit, result.month, result.form_no = check.unit, check.month, check.form_no
        result.findings = check.findings
        _sender_warning(parcel, ledger, check)
        out.append((result, check))
    forms = list(out)
    for result, attachment in reports:
        out.append((result, None))
        _report(result, attachment, ledger, forms)
    return out


def _refuse(result: FileResult, message: str) -> None:
    result.findings.append(C.UNUSABLE_FILE.at(result.name, "", reason=message))


def _sender_warning(parcel: Parcel, ledger: Ledger, check: FormCheck) -> None:
    """By mail, a sender that is not the unit's 电子邮箱 is a 警告 (SPEC)."""
    if not parcel.sender or not check.unit:
        return
    emails = dict(zip(ledger.units[Col.UNIT_NAME], ledger.units[Col.EMAIL]))
    known = emails.get(check.unit)
    if isinstance(known, str) and known.strip().lower() != parcel.sender.strip().lower():
        check.add(C.SENDER_NOT_UNIT, FormSheet.FORM, sender=parcel.sender, unit=check.unit, known=known)


def _report(result: FileResult, attachment: Attachment, ledger: Ledger,
            owner_of: list[tuple[FileResult, FormCheck | None]]) -> None:
    """A .docx beside a form goes through check-report; its verdict goes to the form's 回执 (三（三）)."""
    from ..report_check import check_report

    if len(attachment.data) > MAX_RETURNED_BYTES:
        _refuse(result, f"文件「{attachment.name}」超过 {MAX_RETURNED_BYTES >> 20} MB，超出安全上限。")
        return
    with tempfile.TemporaryDirectory(prefix="duban_report_") as tmp:
        path = Path(tmp) / "report.docx"
        path.write_bytes(attachment.data)
        try:
            verdict = check_report(path, county=ledger.params.county,
                                   known_item_nos=set(ledger.items[Col.ITEM_NO].dropna()))
        except DubanError as exc:
            _refuse(result, exc.message.replace("report.docx", attachment.name))
            return
        except Exception:  # python-docx on a damaged package
            _refuse(result, f"文件「{attachment.name}」不是可以读取的 Word 文档（.docx）。")
            return
    checks = [c for _, c in owner_of if c is not None]
    owner = next((c for c in checks if any(r[Col.ITEM_NO] == verdict.item_no for r in c.records)
                  or any(r[Col.ITEM_NO] == verdict.item_no for r in c.read_rows)), None)
    result.unit = verdict.unit
    if owner is None:
        result.findings.append(C.REPORT_WITHOUT_FORM.at(attachment.name, "", item_no=verdict.item_no or "",
                                                        name=attachment.name, item=verdict.item_no or "未能识别"))
        return
    result.unit, result.month, result.form_no = owner.unit, owner.month, owner.form_no
    result.beside = next(r for r, c in owner_of if c is owner)
    result.findings = [C.REPORT_FORMAT.at(attachment.name, "", item_no=verdict.item_no or "", name=attachment.name,
                                          problem=problem) for problem in verdict.problems]
    owner.findings.extend(result.findings)
    if not verdict.ok:
        for record in owner.records:
            if record[Col.ITEM_NO] == verdict.item_no:
                record.update(format_defect(ledger))  # SPEC: the check-report result goes to the merged row


def format_defect(ledger: Ledger) -> dict[str, str]:
    """三（三） 格式不符 for a merged row: in 材料问题, or in the previous template's 格式不符 column when that
    is all the ledger has (是 reads as 材料问题 = 格式不符)."""
    if ledger.letter(Sheet.FEEDBACK, Col.MATERIAL_DEFECTS) or not ledger.letter(Sheet.FEEDBACK, Col.BAD_FORMAT):
        return {Col.MATERIAL_DEFECTS: MaterialDefect.FORMAT}
    return {Col.BAD_FORMAT: YES}


def _merge(result: FileResult, check: FormCheck, plan: MergePlan, store: Store, received: dt.datetime) -> None:
    """Place the form's records in the plan; unchanged content is 重复 when this form was merged before."""
    for record in check.records:
        record[Col.ATTACHMENT] = result.saved_as
    newer = store.latest_received(check.form_no)
    if newer is not None and received < newer:  # mail out of order: an older copy never undoes a newer one
        result.outcome, result.merged_rows = IntakeOutcome.DUPLICATE, 0
        result.findings.append(C.OLDER_COPY.at(FormSheet.FORM, "", day=newer.astimezone(CHINA)))
        return
    planned = plan.add_form(check.form_no, check.records)
    result.merged_rows = len(check.records)
    if planned.changed:
        result.outcome = IntakeOutcome.MERGED
        result.resubmitted = planned.resubmitted
    elif newer is not None:
        result.outcome, result.merged_rows = IntakeOutcome.DUPLICATE, 0
    else:  # rows already in the ledger but never answered: a run killed after its write
        result.outcome = IntakeOutcome.MERGED


def _receipt(result: FileResult, check: FormCheck | None, parcel: Parcel) -> Receipt:
    received = parcel.received.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    merged = result.beside.merged_rows if result.beside is not None else result.merged_rows
    return build_receipt(result.name, result.outcome, result.unit, result.month, merged,
                         result.findings, check.read_rows if check else [], received, result.form_no,
                         result.resubmitted)


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)

