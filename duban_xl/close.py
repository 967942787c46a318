"""本月结账: the office's month in one run (二（四）→（六）→（七）→（八）).

In the order the plan's process runs: take in the returned sheets (二（四）, when
intake is configured), validate the ledger, issue the bulletin of the month
(二（六）), score as of its last day (三), publish the quarterly ranking when the
month ends a quarter (二（八）), file the archive (二（七）). Nothing is written while
the ledger has errors. The ledger is written once, with everything the month
adds, and only when that changes it: a second run for the same month leaves the
file byte-identical (no backup, no new timestamp). The summary says what was
done, what was refused and what needs a person.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .contract import CheckResult, Col
from .dates import parse_month
from .errors import LedgerInvalid
from .ledger import Ledger
from .reader import read_ledger

NO_INTAKE = "未配置收件：本次未收取报送表（配置 duban.toml [mail] 后用 --mail 收件）。"


@dataclass
class CloseSummary:
    """What `close` did for a month: the three lists a clerk reads, and the files it made."""

    month: str
    done: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    needs_person: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    ledger_changed: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused

    def lines(self) -> list[str]:
        """The summary as plain Chinese lines (CLI, message box, log)."""
        out = [f"{self.month} 月结：" + ("已完成" if self.ok else "未完成")]
        out += [f"已完成：{line}" for line in self.done]
        out += [f"未执行：{line}" for line in self.refused]
        out += [f"需人工处理：{line}" for line in self.needs_person]
        return out


def _intake(mail: bool, summary: CloseSummary) -> None:
    """二（四）: returned sheets come first, so the bulletin sees them. The api has no mail intake entry
    yet (the intake helpers build it); until then the month closes on what the ledger already holds."""
    if mail:
        summary.needs_person.append(NO_INTAKE)
    else:
        summary.done.append("收件：未收取（未用 --mail），按台账中已有的反馈结账。")


def _write_if_changed(path: Path, writes, ledger: Ledger) -> bool:
    """Write the month's sheets and records in one transaction, only if that changes the file."""
    from .xlsx.transaction import write_workbook

    with tempfile.TemporaryDirectory(prefix="duban_close_") as tmp:
        trial = Path(tmp) / path.name
        write_workbook(path, target=trial, sheets=writes.sheets, replace_rows=writes.rows, expected=ledger.fingerprint)
        if trial.read_bytes() == path.read_bytes():
            return False
    write_workbook(path, sheets=writes.sheets, replace_rows=writes.rows, expected=ledger.fingerprint)
    return True


def _people(ledger: Ledger, bulletin, report, end: dt.date) -> list[str]:
    """What the office must look at itself after the run."""
    lines = []
    warnings = [f for f in report.findings if not f.is_error]
    if warnings:
        lines.append(f"台账有 {len(warnings)} 条警告，请在「校验结果」或 duban validate 中逐条核对。")
    units = ledger.units
    no_mail = units.loc[units[Col.EMAIL].isna(), Col.UNIT_NAME].dropna().tolist()
    if no_mail:
        lines.append(f"{len(no_mail)} 个单位未登记电子邮箱，无法邮寄报送表和催办单：{'、'.join(no_mail[:10])}"
                     + ("等" if len(no_mail) > 10 else "") + "（「单位」表）。")
    result = ledger.feedback[Col.CHECK_RESULT]
    pending = ledger.feedback[(result.isna() | (result == CheckResult.PENDING))
                              & (ledger.feedback[Col.FEEDBACK_DATE] <= pd.Timestamp(end))]
    if len(pending):
        lines.append(f"「反馈记录」有 {len(pending)} 份反馈待核查（二（五）），核查后请填写核查结果。")
    listed = len(bulletin.overdue) + len(bulletin.lagging)
    if listed:
        lines.append(f"本期通报逾期未办结、进度滞后事项 {listed} 件：请责成有关单位报告原因及改进意见（二（六））。")
    return lines


def close_month(path: Path, month: str, mail: bool = False, date: dt.date | None = None, out: Path | None = None,
                progress=None) -> CloseSummary:
    """The month M closed in one run (see the module docstring). Raises only for unusable input (exit 2);
    a ledger with errors gives a summary with ``refused`` and writes nothing (exit 1)."""
    from . import api
    from .bulletin import bulletin_records_replacement, monthly_bulletin
    from .config import office_templates
    from .documents import render_quarterly_ranking
    from .score import quarter_ranking, score
    from .score_sheets import result_sheets
    from .sheets import monthly_sheet
    from .xlsx.rows import RowsReplacement

    first, end = parse_month(month)
    month, path = first.strftime("%Y-%m"), Path(path)
    summary = CloseSummary(month)
    templates = office_templates(path)
    _intake(mail, summary)

    ledger = read_ledger(path, progress=progress)
    try:
        report = api.require_valid(ledger, end, progress)
    except LedgerInvalid as exc:
        errors = [f for f in exc.report.findings if f.is_error]
        summary.refused.append(f"台账有 {len(errors)} 处错误，本次未写入任何内容（未通报、未计分、未归档）。")
        summary.needs_person += [f"{f.where} {f.message} 建议：{f.suggestion}" for f in errors[:20]]
        if len(errors) > 20:
            summary.needs_person.append(f"……另有 {len(errors) - 20} 处错误，完整列表：duban validate --write。")
        return summary
    summary.done.append(f"校验：无错误（{len(report.findings)} 条警告）。")

    b = monthly_bulletin(ledger, month, date)
    result = score(ledger, end)
    writes = api.Writes(sheets=[monthly_sheet(b), *result_sheets(result)],
                        rows=[RowsReplacement(**bulletin_records_replacement(b))])
    summary.ledger_changed = _write_if_changed(path, writes, ledger)
    summary.done.append(f"通报：{b.issue}，列入通报记录 {len(b.records)} 行"
                        + ("。" if summary.ledger_changed else "（与上次结账相同，台账未改动）。"))
    summary.done.append(f"计分：截至{end:%Y-%m-%d}，得分明细 {len(result.detail)} 行，季度排名已更新。")
    summary.files.append(api.bulletin_document(b, path, month, out, progress, templates))
    if end.month % 3 == 0:
        q = end.month // 3
        summary.files.append(render_quarterly_ranking(quarter_ranking(result, q), end.year, q, ledger.params,
                                                      api.month_folder(path, month, out), templates_dir=templates))
        summary.done.append(f"季度排名通报：{end.year}年第{q}季度。")
    summary.files.append(api.archive_month(path, month, out, progress))
    summary.done.append(f"归档：{summary.files[-1].name}。")
    summary.needs_person += _people(ledger, b, report, end)
    return summary
