"""The Python API: what the CLI, the Excel button and a scheduled job all call.

Each function takes paths and plain values, does one job of the office's
process (二、督查流程) and returns what it made. Unusable input raises a
``DubanError`` (exit 2); a ledger with validation errors raises
``LedgerInvalid`` (exit 1) before anything is computed from it.
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Literal, Sequence

import pandas as pd

from . import clock
from .contract import Col, Sheet
from .config import office_templates
from .errors import BadArgument, LedgerInvalid, UnknownItem
from .findings import Report
from .ledger import ROW, Ledger, Params
from .reader import read_ledger
from .validate import validate

Progress = Callable[[str], None] | None


def one_writer(command: Callable) -> Callable:
    """The ledger's lock held from reading to writing (xlsx/lock.py): a second run on the same
    ledger waits, then reads what the first wrote, so neither's records are lost.

    A call that writes nothing into the ledger (``write=None``, ``dry_run=True``) takes no lock:
    reading leaves the ledger's folder as it was (no 备份 folder appears beside a file only read).
    """
    signature = inspect.signature(command)

    @functools.wraps(command)
    def run(path, *args, **kwargs):
        from .xlsx.lock import holding

        call = signature.bind(path, *args, **kwargs)
        call.apply_defaults()
        if call.arguments.get("dry_run") or call.arguments.get("write", "") is None:
            return command(path, *args, **kwargs)
        with holding(path, required=False):
            return command(path, *args, **kwargs)
    return run

# Commands that write Word documents take ``templates``: the office's own folder of restyled
# templates (else duban.toml's [documents] templates, else the ones duban ships).
WriteMode = Literal["copy", "in_place"] | None
OUTPUT_FOLDER = "督查输出"


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)


def month_folder(ledger_path: Path, month: str, out: Path | None = None) -> Path:
    """Documents of one month go together (归档 zips that folder): 督查输出/2022年6月/."""
    from .dates import parse_month
    from .xlsx.atomic import make_folder

    first, _ = parse_month(month)
    folder = (out or ledger_path.parent / OUTPUT_FOLDER) / f"{first.year}年{first.month}月"
    make_folder(folder)  # a file in the way, or no permission: one line, exit 2
    return folder


def parse_quarter(quarter: str) -> tuple[int, int]:
    text = quarter.strip().upper()
    if len(text) == 6 and text[:4].isdigit() and text[4] == "Q" and text[5] in "1234":
        return int(text[:4]), int(text[5])
    raise BadArgument(f"季度“{quarter}”格式不对，请按 YYYYQn 填写，例如 2022Q2。",
                      f"bad quarter {quarter!r}, expected YYYYQn")


# ---- 校验 -------------------------------------------------------------------------

def load_valid(path: Path, as_of: dt.date, progress: Progress = None) -> tuple[Ledger, Report]:
    """Read and validate; stop (LedgerInvalid) when the ledger has errors."""
    ledger = read_ledger(path, progress=progress)
    return ledger, require_valid(ledger, as_of, progress)


def require_valid(ledger: Ledger, as_of: dt.date, progress: Progress = None) -> Report:
    """The refusal every command but 校验 makes: LedgerInvalid when the ledger has errors.

    A command may look back (score as of 2022-06-30 a ledger kept up to
    December): data entered up to today is not "in the future", so the
    ledger is validated as of the later of ``as_of`` and today.
    """
    _say(progress, "校验台账")
    report = validate(ledger, max(as_of, clock.today()))
    if not report.ok:
        raise LedgerInvalid(report)
    return report


@dataclass(frozen=True)
class Writes:
    """What a command puts into a ledger: the CLI writes it to the file (safe writer), a button to the open book."""

    sheets: Sequence = ()  # OwnedSheet: output sheets, replaced whole
    marks: Sequence = ()  # CellMark: bad cells (red fill + comment)
    rows: Sequence = ()  # RowsReplacement: records replaced by key (通报记录)


def _write(path: Path, writes: Writes, ledger: Ledger, target: Path | None = None):
    from .xlsx.transaction import write_workbook

    return write_workbook(path, target=target, sheets=writes.sheets, marks=writes.marks,
                          replace_rows=writes.rows, expected=ledger.fingerprint)


def copy_path(path: Path, purpose: str) -> Path:
    """Where `--write` without `--in-place` puts its copy: 督查台账（校验结果）.xlsx beside the file."""
    return path.with_name(f"{path.stem}（{purpose}）{path.suffix}")


@dataclass
class Validation:
    report: Report
    written: Path | None = None


@one_writer
def validate_workbook(path: Path, as_of: dt.date, write: WriteMode = None, progress: Progress = None) -> Validation:
    """校验: findings for the ledger; optionally the 校验结果 sheet and marked cells."""
    ledger = read_ledger(path, progress=progress)
    report, writes = validate_ledger(ledger, as_of, progress)
    if not write:
        return Validation(report)
    ledger = replace(ledger, frames={})  # the frames are done with: a big ledger's memory goes before its sheets load
    _say(progress, "写入校验结果")
    result = _write(path, writes, ledger, None if write == "in_place" else copy_path(path, "校验结果"))
    return Validation(report, result.path)


def validate_ledger(ledger: Ledger, as_of: dt.date, progress: Progress = None) -> tuple[Report, Writes]:
    """校验 of a ledger already read: the findings, the 校验结果 sheet and the bad cells to mark."""
    from .sheets import findings_sheet
    from .xlsx.marks import CellMark

    _say(progress, "校验台账")
    report = validate(ledger, as_of)
    marks = [CellMark(f.sheet, f.cell, f"{f.level}：{f.message}\n建议：{f.suggestion}")
             for f in report.sorted() if f.cell]
    return report, Writes(sheets=[findings_sheet(report)], marks=marks)


# ---- 考评赋分 ---------------------------------------------------------------------

@dataclass
class Scoring:
    ledger: Ledger
    result: object  # score.ScoreResult
    written: Path | None = None
    csv_files: list[Path] = field(default_factory=list)


@one_writer
def score_workbook(path: Path, as_of: dt.date, write: WriteMode = None, csv_dir: Path | None = None,
                   progress: Progress = None) -> Scoring:
    """三、考评标准: every point with its evidence, and the ranking by group."""
    from .score_sheets import write_csv

    ledger = read_ledger(path, progress=progress)
    result, writes = score_ledger(ledger, as_of, progress)
    scoring = Scoring(ledger, result)
    if csv_dir:
        scoring.csv_files = write_csv(result, csv_dir)
    if write:
        _say(progress, "写入得分明细和季度排名")
        scoring.written = _write(path, writes, ledger, None if write == "in_place" else copy_path(path, "得分")).path
    return scoring


def score_ledger(ledger: Ledger, as_of: dt.date, progress: Progress = None) -> tuple[object, Writes]:
    """考评 of a ledger already read (refused while it has errors): the result and its two sheets."""
    from .score import score
    from .score_sheets import result_sheets

    require_valid(ledger, as_of, progress)
    _say(progress, "计算得分")
    result = score(ledger, as_of)
    return result, Writes(sheets=result_sheets(result))


def rank_quarter(path: Path, quarter: str, as_of: dt.date | None = None, out: Path | None = None,
                 date: dt.date | None = None, progress: Progress = None,
                 templates: Path | None = None) -> tuple[pd.DataFrame, Path]:
    """二（八）运用: 每季度通报分数排名情况 — the ranking as of the quarter's end, as a Word bulletin."""
    from .dates import quarter_end
    from .documents import render_quarterly_ranking
    from .score import quarter_ranking, score

    year, q = parse_quarter(quarter)
    templates = office_templates(path, templates)
    end = quarter_end(year, q)
    ledger, _ = load_valid(path, as_of or end, progress)
    _say(progress, "计算季度排名")
    ranking = quarter_ranking(score(ledger, min(end, as_of or end)), q)
    folder = month_folder(path, f"{year}-{q * 3:02d}", out)
    return ranking, render_quarterly_ranking(ranking, year, q, ledger.params, folder, date=date,
                                             templates_dir=templates)


# ---- 通报 -------------------------------------------------------------------------

@dataclass
class Bulletin:
    bulletin: object  # bulletin.MonthlyBulletin
    written: Path | None = None
    document: Path | None = None


@one_writer
def issue_bulletin(path: Path, month: str, date: dt.date | None = None, as_of: dt.date | None = None,
                   out: Path | None = None, dry_run: bool = False, progress: Progress = None,
                   templates: Path | None = None) -> Bulletin:
    """二（六）一月一通报: the 月度通报 sheet, this month's 通报记录 rows, the Word bulletin.

    Issuing is a record: the ledger itself is updated through the safe writer
    (backup, lock check); a re-run for the same month replaces that month's rows.
    The Word template is checked before the ledger is touched.
    """
    from . import docx_templates as tpl
    from .documents import check_template

    templates = office_templates(path, templates)
    ledger = read_ledger(path, progress=progress)
    b, writes = bulletin_ledger(ledger, month, date, as_of, progress)
    if dry_run:
        return Bulletin(b)
    check_template(tpl.MONTHLY, templates)
    _say(progress, "写入台账（月度通报、通报记录）")
    written = _write(path, writes, ledger)
    return Bulletin(b, written.path, bulletin_document(b, path, month, out, progress, templates))


def bulletin_ledger(ledger: Ledger, month: str, date: dt.date | None = None, as_of: dt.date | None = None,
                    progress: Progress = None) -> tuple[object, Writes]:
    """一月一通报 of a ledger already read (refused while it has errors): the 月度通报 sheet and 通报记录 rows."""
    from .bulletin import bulletin_records_replacement, monthly_bulletin
    from .sheets import monthly_sheet
    from .xlsx.rows import RowsReplacement

    require_valid(ledger, as_of or clock.today(), progress)
    _say(progress, "生成月度通报")
    b = monthly_bulletin(ledger, month, date)
    return b, Writes(sheets=[monthly_sheet(b)],
                     rows=[RowsReplacement(**bulletin_records_replacement(b))])


def bulletin_document(b, ledger_path: Path, month: str, out: Path | None = None, progress: Progress = None,
                      templates: Path | None = None) -> Path:
    """The Word 通报 in the month's folder beside the ledger (督查输出/2022年6月/), from the office's templates."""
    from .documents import render_monthly_bulletin

    _say(progress, "生成通报文件")
    return render_monthly_bulletin(b, month_folder(ledger_path, month, out), office_templates(ledger_path, templates))


# ---- 交办 / 催办 -------------------------------------------------------------------

def make_slips(path: Path, items: Sequence[str] = (), since: dt.date | None = None, as_of: dt.date | None = None,
               out: Path | None = None, progress: Progress = None, templates: Path | None = None) -> list[Path]:
    """二（二）交办: one 交办单 per item (named items, or those assigned since a date)."""
    from .documents import render_slip
    from .normalize import parse_item_no

    as_of = as_of or clock.today()
    templates = office_templates(path, templates)
    ledger, _ = load_valid(path, as_of, progress)
    known = ledger.items[Col.ITEM_NO]
    if items:
        wanted = []
        for raw in items:
            item_no = parse_item_no(raw).value
            if item_no not in set(known):
                raise UnknownItem(f"台账中没有交办单号“{raw}”。请核对，例如 2022-012。", f"unknown item {raw}")
            wanted.append(item_no)
    else:
        chosen = ledger.items if since is None else ledger.items[ledger.items[Col.ASSIGNED] >= pd.Timestamp(since)]
        wanted = list(chosen[Col.ITEM_NO])
    folder = month_folder(path, f"{as_of:%Y-%m}", out)
    _say(progress, f"生成交办单 {len(wanted)} 份")
    return [render_slip(ledger, item_no, folder, templates) for item_no in wanted]


@dataclass
class Reminders:
    rows: pd.DataFrame
    workbook: Path | None
    documents: list[Path]
    recorded: Path | None = None  # the ledger, when 催办记录 rows were written
    unrecorded: str = ""  # why they were not (an older ledger without the sheet)
    sending: object = None  # mail.send.Sending, with --send


@one_writer
def make_reminders(path: Path, as_of: dt.date, out: Path | None = None, progress: Progress = None,
                   templates: Path | None = None, dry_run: bool = False, send: bool = False,
                   mail_config: Path | None = None) -> Reminders:
    """二（三）催办: items due soon, overdue, or missing this month's report — a list, an xlsx, a 催办单 per unit.

    What it issues is a record: one 信息提醒 row per unit and item in 催办记录, written through the
    safe writer; a re-run on the same day replaces its own rows. ``dry_run`` records nothing.
    ``send`` mails each unit its 催办单 (duban.toml beside the ledger, or ``mail_config``), once a
    day, and records those rows as 邮件.
    """
    from .contract import RemindMethod
    from .dates import workday_on_or_after
    from .documents import render_reminder
    from .remind import reminder_log_replacement, reminders
    from .sheets import reminder_workbook
    from .xlsx.rows import RowsReplacement
    from .xlsx.transaction import write_workbook

    templates = office_templates(path, templates)
    ledger, _ = load_valid(path, as_of, progress)
    rows = reminders(ledger, as_of)
    folder = month_folder(path, f"{as_of:%Y-%m}", out)
    if rows.empty:
        return Reminders(rows, None, [])
    _say(progress, "生成催办清单")
    workbook = reminder_workbook(rows, folder / f"{Sheet.REMINDERS}_{as_of:%Y%m%d}.xlsx")
    documents = [render_reminder(unit, group, as_of, ledger.params, folder, templates)
                 for unit, group in rows.groupby(Col.UNIT, sort=False)]
    result = Reminders(rows, workbook, documents)
    if dry_run and send:
        raise BadArgument("--send 不能与 --dry-run 同用。", "--send with --dry-run")
    if dry_run:
        return result
    if send:
        from .mail.letters import reminder_letters
        from .mail.send import mail_units
        from .xlsx.transaction import refuse_locked

        refuse_locked(path)  # what is mailed is recorded: do not mail what cannot be recorded now
        by_unit = dict(zip(dict.fromkeys(rows[Col.UNIT]), documents))
        letters = reminder_letters(rows, by_unit, as_of, ledger.params.office)
        result.sending = mail_units(path, ledger.units, letters, mail_config, progress)
    if Sheet.REMINDER_LOG not in ledger.headers:
        result.unrecorded = (f"台账没有「{Sheet.REMINDER_LOG}」工作表，本次催办未登记。"
                             "请从新版台账模板（duban init）复制该工作表后再运行。")
        return result
    _say(progress, "登记催办记录")
    replacement = reminder_log_replacement(rows, workday_on_or_after(as_of))
    mailed = result.sending.mailed if result.sending else set()
    for record in replacement["rows"]:
        if record[Col.UNIT] in mailed:
            record[Col.REMIND_METHOD] = RemindMethod.MAIL
    result.recorded = write_workbook(path, replace_rows=[RowsReplacement(**replacement)],
                                     expected=ledger.fingerprint).path
    return result


# ---- 反馈 / 核查 -------------------------------------------------------------------

def make_feedback_form(path: Path, item: str, unit: str | None = None, as_of: dt.date | None = None,
                       out: Path | None = None, progress: Progress = None, templates: Path | None = None) -> Path:
    """附件: the feedback report pre-filled for one item and unit (default: its 主办单位)."""
    from .documents import render_feedback_form
    from .ledger import split_units
    from .normalize import parse_item_no

    as_of = as_of or clock.today()
    templates = office_templates(path, templates)
    ledger, _ = load_valid(path, as_of, progress)
    item_no = parse_item_no(item).value
    rows = ledger.items[ledger.items[Col.ITEM_NO] == item_no]
    if rows.empty:
        raise UnknownItem(f"台账中没有交办单号“{item}”。请核对，例如 2022-012。", f"unknown item {item}")
    unit = unit or split_units(rows.iloc[0][Col.HOST])[0]
    return render_feedback_form(ledger, item_no, unit, month_folder(path, f"{as_of:%Y-%m}", out), as_of, templates)


def check_reports(files: Iterable[Path], county: str | None = None, ledger: Path | None = None) -> list:
    """三（三）: does each returned report follow the 附件 format? One verdict per file.

    With the ledger, the 交办单号 in each title must be one it knows, and the county
    defaults to the ledger's 参数 县名.
    """
    from .report_check import check_report

    known = None
    if ledger:
        book = read_ledger(ledger)
        known, county = set(book.items[Col.ITEM_NO].dropna()), county or book.params.county
    return [check_report(Path(f), county=county or Params().county, known_item_nos=known) for f in files]


@dataclass
class RecordedCheck:
    """What ``record_report_checks`` did with one verdict: the cell it wrote, or why not."""

    check: object  # report_check.ReportCheck
    cell: str = ""  # 「反馈记录」K12 when 材料问题 was written
    defects: str = ""  # 材料问题 after the write
    problem: str = ""  # why nothing was written (for a person to look at)


@one_writer
def record_report_checks(path: Path, checks: Sequence, progress: Progress = None) -> list[RecordedCheck]:
    """三（三）: write each failed verdict into 材料问题 of the report's 反馈记录 row (check-report --record).

    A report that follows the format adds nothing (nothing is ever removed); one whose
    title names no 交办单号/unit, or no row of that unit's reports on the item, is left for a person.
    Written through the safe writer in place (backup, lock check).
    """
    from .defects import report_defects, report_row, with_defects
    from .xlsx.rows import CellValues
    from .xlsx.transaction import write_workbook

    ledger = read_ledger(path, progress=progress)
    fb = ledger.feedback
    results, cells = [], {}
    for check in checks:
        added = report_defects(check)
        if not added:
            results.append(RecordedCheck(check))
            continue
        idx = report_row(fb, check)
        if idx is None:
            results.append(RecordedCheck(check, problem=(
                f"「反馈记录」中没有{check.unit or '（标题中未写明单位）'}报送"
                f"{check.item_no or '（标题中未写明交办单号）'}的记录，未写入材料问题，请人工登记。")))
            continue
        ref = ledger.cell(Sheet.FEEDBACK, fb.at[idx, ROW], Col.MATERIAL_DEFECTS)
        if not ref:
            results.append(RecordedCheck(check, problem="「反馈记录」没有“材料问题”列，请按模板补上该列后再运行。"))
            continue
        before = cells.get(ref, fb.at[idx, Col.MATERIAL_DEFECTS])
        value = with_defects(before, added)
        if value != (before or ""):  # already recorded: a re-run writes nothing
            cells[ref] = value
        results.append(RecordedCheck(check, cell=f"「{Sheet.FEEDBACK}」{ref}", defects=value))
    if cells:
        _say(progress, "写入材料问题")
        write_workbook(path, cells=[CellValues(Sheet.FEEDBACK, cells)], expected=ledger.fingerprint)
    return results


# ---- 本月结账 -----------------------------------------------------------------------

@one_writer
def close_month(path: Path, month: str, mail: bool = False, date: dt.date | None = None, out: Path | None = None,
                progress: Progress = None):
    """本月结账 (close.py): intake (when configured), validate, the bulletin of the month, scores as of its
    last day, the quarterly ranking when it ends a quarter, the archive — one ``close.CloseSummary``.

    Nothing is written while the ledger has errors; the ledger is written once, only if that changes it.
    """
    from .bulletin import bulletin_records_replacement, monthly_bulletin
    from .close import CloseSummary, intake, needs_person, refuse, write_if_changed
    from .dates import parse_month
    from .documents import render_quarterly_ranking
    from .score import quarter_ranking, score
    from .score_sheets import result_sheets
    from .sheets import monthly_sheet
    from .xlsx.rows import RowsReplacement

    first, end = parse_month(month)
    month, path = first.strftime("%Y-%m"), Path(path)
    summary = CloseSummary(month)
    templates = office_templates(path)
    intake((lambda: intake_mail(path, clock.today(), progress=progress).lines()) if mail else None, summary)
    ledger = read_ledger(path, progress=progress)
    try:
        report = require_valid(ledger, end, progress)
    except LedgerInvalid as exc:
        return refuse(summary, exc.report)
    summary.done.append(f"校验：无错误（{report.warning_count} 条警告）。")
    b = monthly_bulletin(ledger, month, date)
    result = score(ledger, end)
    summary.ledger_changed = write_if_changed(path, ledger, [monthly_sheet(b), *result_sheets(result)],
                                              [RowsReplacement(**bulletin_records_replacement(b))])
    summary.done.append(f"通报：{b.issue}，列入通报记录 {len(b.records)} 行"
                        + ("。" if summary.ledger_changed else "（与上次结账相同，台账未改动）。"))
    summary.done.append(f"计分：截至{end:%Y-%m-%d}，得分明细 {len(result.detail)} 行，季度排名已更新。")
    summary.files.append(bulletin_document(b, path, month, out, progress, templates))
    if end.month % 3 == 0:
        q = end.month // 3
        summary.files.append(render_quarterly_ranking(quarter_ranking(result, q), end.year, q, ledger.params,
                                                      month_folder(path, month, out), templates_dir=templates))
        summary.done.append(f"季度排名通报：{end.year}年第{q}季度。")
    summary.files.append(archive_month(path, month, out, progress))
    summary.done.append(f"归档：{summary.files[-1].name}。")
    summary.needs_person += needs_person(ledger, b, report, end)
    return summary


# ---- 报送表 out, returned files in (二（四）) ------------------------------------------------

FORMS_FOLDER = "报送表"


@dataclass
class IssuedForms:
    month: str
    as_of: dt.date
    files: list[tuple[str, Path, int]]  # (单位, file, rows it asks about)
    skipped: list[str] = field(default_factory=list)  # named units with nothing open to report
    out: Path | None = None  # the output root asked for (None: 督查输出 beside the ledger)


def make_forms(path: Path, month: str, units: Sequence[str] = (), as_of: dt.date | None = None,
               out: Path | None = None, progress: Progress = None) -> IssuedForms:
    """二（四）: one signed 报送表 per unit for the reports of ``month`` (items open as of ``as_of``)."""
    from . import config
    from .dates import parse_month
    from .xlsx.atomic import save_new_workbook
    from .forms import build_form, make_form, units_with_forms
    from .intake.keys import form_key
    from .intake.store import IssuedForm, Store
    from .normalize import canon_name

    as_of = as_of or clock.today()
    ledger, _ = load_valid(path, as_of, progress)
    known = [u for u in ledger.units[Col.UNIT_NAME] if isinstance(u, str)]
    wanted = [canon_name(u) for u in units]
    unknown = [u for u in wanted if u not in known]
    if unknown:
        raise BadArgument(f"「单位」表中没有：{'、'.join(unknown)}。请填写单位全称。", f"unknown unit(s) {unknown}")
    with_rows = units_with_forms(ledger, as_of)
    chosen = [u for u in (wanted or with_rows) if u in with_rows]
    folder = month_folder(path, month, out) / FORMS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    key = form_key(path)
    mailbox = config.load(config.config_path(path)).get("mail", {}).get("from")  # where units reply, if set
    mailbox = mailbox.strip() if isinstance(mailbox, str) and mailbox.strip() else None
    result = IssuedForms(month, as_of, [], [u for u in wanted if u not in with_rows], out)
    first, _ = parse_month(month)
    cache: dict = {}
    with Store.beside(path) as store:
        for n, unit in enumerate(chosen, 1):
            _say(progress, f"生成报送表 {n}/{len(chosen)}：{unit}")
            form = make_form(ledger, unit, month, as_of, cache)
            book = build_form(form, key, ledger.params.office, ledger.params.county, mailbox)
            target = save_new_workbook(book, folder / f"{unit}_{first.year}年{first.month}月报送表.xlsx")
            store.record_form(IssuedForm(form.form_no, unit, month, as_of, str(target)))
            result.files.append((unit, target, len(form.rows)))
    return result


@one_writer
def mail_forms(path: Path, issued: IssuedForms, config: Path | None = None, progress: Progress = None):
    """``forms --send``: each unit its 报送表 at its 电子邮箱, once a day, recorded in 催办记录 as 邮件.

    A unit that has items to chase as of the forms' date gets its 催办单 in the same mail (SPEC
    «Returned sheets»: "with its 催办单 when it has one"), written where ``remind`` writes it.
    Returns a ``mail.send.Sending`` (who got it, who had it already today, who has no address).
    """
    from .documents import render_reminder
    from .mail.letters import form_letters
    from .remind import reminders

    ledger = read_ledger(path, progress=progress)
    units = {unit for unit, _, _ in issued.files}
    chase = reminders(ledger, issued.as_of)
    chase = chase[chase[Col.UNIT].isin(units)]
    slips: dict[str, Path] = {}
    if not chase.empty:
        folder, templates = month_folder(path, f"{issued.as_of:%Y-%m}", issued.out), office_templates(path, None)
        _say(progress, f"生成随报送表发送的催办单 {chase[Col.UNIT].nunique()} 份")
        slips = {unit: render_reminder(unit, group, issued.as_of, ledger.params, folder, templates)
                 for unit, group in chase.groupby(Col.UNIT, sort=False)}
    letters = form_letters([(unit, file) for unit, file, _ in issued.files], issued.month,
                           ledger.params.feedback_due_day, ledger.params.office, slips)
    return _mail_and_record(path, ledger, letters, config, progress)


def _mail_and_record(path: Path, ledger: Ledger, letters: Sequence, config: Path | None, progress: Progress):
    """--send: each letter once a day at the unit's 电子邮箱, then 催办记录 (方式 邮件) for every unit that has it."""
    from .mail.letters import sent_log_rows
    from .mail.send import mail_units
    from .xlsx.rows import RowsReplacement
    from .xlsx.transaction import refuse_locked, write_workbook

    refuse_locked(path)  # what is mailed is recorded: do not mail what cannot be recorded now
    sending = mail_units(path, ledger.units, letters, config, progress)
    mailed = [letter for letter in letters if letter.unit in sending.mailed]
    if mailed and Sheet.REMINDER_LOG in ledger.headers:
        replacement = sent_log_rows(mailed, clock.today())
        write_workbook(path, replace_rows=[RowsReplacement(**replacement)], expected=ledger.fingerprint)
    return sending


@one_writer
def intake_parcels(ledger_path: Path, parcels: Sequence, as_of: dt.date | None = None, *, dry_run: bool = False,
                   progress: Progress = None, saved_as: Callable | None = None):
    """二（四）: judge returned files (``intake.parcel.Parcel``), merge valid forms into 反馈记录, make each 回执.

    Returns an ``intake.run.IntakeRun``: per parcel its files' outcome (已合并 / 退回 / 重复), findings
    and ``Receipt`` (xlsx bytes, subject, body). The caller delivers the receipts, then calls
    ``finish_intake`` so the same file arriving again is 重复. FileLocked (exit 2) when Excel has the
    ledger open: then nothing was merged.
    """
    from .intake.run import intake_parcels as run

    return run(Path(ledger_path), parcels, as_of or clock.today(), dry_run=dry_run, progress=progress,
               saved_as=saved_as)


def finish_intake(ledger_path: Path, run) -> None:
    """Record that every file of an intake run was answered (receipt sent or written, file moved)."""
    from .intake.run import finish

    finish(Path(ledger_path), run)


def intake_mail(ledger_path: Path, as_of: dt.date | None = None, config: Path | None = None, *,
                dry_run: bool = False, progress: Progress = None):
    """``duban intake --mail``: the office mailbox per duban.toml (beside the ledger, or ``config``).

    Each new message's files go through the same intake; the sender gets the 回执 as a reply and the
    message moves to the done folder. Returns a ``mail.intake.MailIntake``. MailUnavailable / BadConfig
    (exit 2) when the mailbox cannot be used; a run killed anywhere resumes on the next run.
    """
    from .mail.intake import intake_mail as run

    return run(Path(ledger_path), as_of or clock.today(), config, dry_run=dry_run, progress=progress)


def intake_folder(ledger_path: Path, folder: Path, as_of: dt.date | None = None, *, dry_run: bool = False,
                  progress: Progress = None):
    """``duban intake --dir``: every file of a folder; receipts to 回执/, processed files to 已处理/."""
    from .intake.folder import intake_folder as run

    return run(Path(ledger_path), Path(folder), as_of or clock.today(), dry_run=dry_run, progress=progress)


# ---- 得分告知单 -----------------------------------------------------------------------

@dataclass
class Statements:
    statements: list  # statement.Statement, one per unit
    files: list[Path]  # a .docx and an .xlsx per unit


def make_statements(path: Path, quarter: str, units: Sequence[str] = (), out: Path | None = None,
                    progress: Progress = None, templates: Path | None = None) -> Statements:
    """得分告知单 (三、考评标准): one Word + xlsx per unit as of the quarter's end — score, group rank,
    every point of the year so far with its evidence, and how to object."""
    from .dates import quarter_end
    from .documents import render_statement
    from .score import score
    from .sheets import statement_workbook
    from .statement import statements

    year, q = parse_quarter(quarter)
    templates = office_templates(path, templates)
    end = quarter_end(year, q)
    ledger, _ = load_valid(path, end, progress)
    _say(progress, "计算得分")
    made = statements(ledger, score(ledger, end), q, list(units) or None)
    folder = month_folder(path, f"{year}-{q * 3:02d}", out) / "得分告知单"
    folder.mkdir(exist_ok=True)
    files = []
    for s in made:
        _say(progress, f"生成得分告知单：{s.unit}")
        document = render_statement(s, ledger.params, folder, templates)
        files += [document, statement_workbook(s, document.with_suffix(".xlsx"))]
    return Statements(made, files)


@one_writer
def mail_statements(path: Path, result: Statements, config: Path | None = None, progress: Progress = None):
    """``statement --send``: each unit its 得分告知单 (Word + xlsx) at its 电子邮箱, once a day, in 催办记录."""
    from .mail.letters import statement_letters

    ledger = read_ledger(path, progress=progress)
    # make_statements writes a .docx and its .xlsx per unit, in the order of the statements
    files = {s.unit: tuple(result.files[2 * n:2 * n + 2]) for n, s in enumerate(result.statements)}
    return _mail_and_record(path, ledger, statement_letters(result.statements, files, ledger.params.office),
                            config, progress)


# ---- 督查专报 ---------------------------------------------------------------------------

def make_special_report(path: Path, item: str, as_of: dt.date | None = None, out: Path | None = None,
                        progress: Progress = None, templates: Path | None = None) -> Path:
    """二（六）督查专报: one item's facts, deadline history, every report, 核查 and 催办, status and
    open problems, as of ``as_of`` (default today), in the official format."""
    from .normalize import parse_item_no
    from .special_report import render_special_report

    as_of = as_of or clock.today()
    templates = office_templates(path, templates)
    ledger, _ = load_valid(path, as_of, progress)
    parsed = parse_item_no(item)
    if not parsed.ok:
        raise BadArgument(f"交办单号“{item}”格式不对，请按 2022-012 填写。", f"bad item number {item!r}")
    _say(progress, "生成督查专报")
    return render_special_report(ledger, parsed.value, as_of, month_folder(path, f"{as_of:%Y-%m}", out), templates)


# ---- 年度考核结果 ---------------------------------------------------------------------

@dataclass
class Annual:
    table: pd.DataFrame  # ANNUAL_COLUMNS per unit
    workbook: Path  # 年度考核结果_YYYY.xlsx
    written: Path | None = None  # the ledger, when its 年度考核结果 sheet was written


def annual_results(path: Path, year: int, out: Path | None = None, dry_run: bool = False,
                   progress: Progress = None) -> Annual:
    """三: 评分结果纳入年度考核 — per unit 督查得分, group rank, 评优资格 and the counts behind them,
    as of 12月31日; the 年度考核结果 sheet in the ledger (safe writer) and an xlsx for the assessment office."""
    from .annual import annual, year_end
    from .sheets import annual_sheet, annual_workbook

    ledger = read_ledger(path, progress=progress)
    require_valid(ledger, year_end(ledger, year), progress)
    _say(progress, "汇总年度考核结果")
    table = annual(ledger, year)
    folder = (out or path.parent / OUTPUT_FOLDER) / f"{year}年度"
    folder.mkdir(parents=True, exist_ok=True)
    result = Annual(table, annual_workbook(table, folder / f"{Sheet.ANNUAL}_{year}.xlsx"))
    if not dry_run:
        _say(progress, "写入台账（年度考核结果）")
        result.written = _write(path, Writes(sheets=[annual_sheet(table)]), ledger).path
    return result


# ---- 归档 -------------------------------------------------------------------------

def archive_month(path: Path, month: str, out: Path | None = None, progress: Progress = None) -> Path:
    """二（七）归档: the month's ledger snapshot and documents in one zip with a manifest."""
    from .archive import archive_name, build_archive, month_reminders

    ledger = read_ledger(path, progress=progress)
    folder = month_folder(path, month, out)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    _say(progress, f"归档 {len(files)} 个文件")
    return build_archive(folder.parent / archive_name(month), month, files, path,
                         reminders=month_reminders(ledger.frames[Sheet.REMINDER_LOG], month))


def verify_archive(zip_path: Path) -> list[str]:
    from .archive import verify_archive as verify

    return verify(zip_path)


# ---- 按钮: the macro-enabled copy ------------------------------------------------------------

def setup_buttons(path: Path, out: Path | None = None, interpreter: str | None = None):
    """SPEC «Buttons in the workbook»: <ledger>.xlsm with the 督查 button bar (xl_setup.Setup)."""
    from .xl_setup import setup_workbook

    return setup_workbook(path, out, interpreter)


# ---- 立项: a new ledger ----------------------------------------------------------------

def init_workbook(path: Path, year: int, county: str, force: bool = False) -> Path:
    from .template import init_ledger

    return init_ledger(path, year=year, county=county, force=force)

