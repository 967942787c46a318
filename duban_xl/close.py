"""本月结账: the office's month in one run (二（四）→（六）→（七）→（八）); ``api.close_month`` runs these parts.

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
from typing import Callable, Sequence

import pandas as pd

from .contract import CheckResult, Col
from .ledger import Ledger

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


def intake(mail: Callable[[], list[str]] | None, summary: CloseSummary) -> None:
    """二（四）: returned sheets come first, so the bulletin sees them. ``mail`` runs the mailbox
    intake; a mailbox that cannot be used is for a person, and the month closes on what the ledger holds."""
    from .errors import DubanError

    if mail is None:
        summary.done.append("收件：未收取（未用 --mail），按台账中已有的反馈结账。")
        return
    try:
        summary.done.extend(mail())
    except DubanError as exc:
        summary.needs_person.append(f"收件未完成：{exc}")


def write_if_changed(path: Path, ledger: Ledger, sheets: Sequence, rows: Sequence) -> bool:
    """Write the month's sheets and records in one transaction, only if that changes the file
    (a trial write to a temporary copy first): a re-run makes no backup and keeps the file's bytes."""
    from .xlsx.transaction import write_workbook

    with tempfile.TemporaryDirectory(prefix="duban_close_") as tmp:
        trial = Path(tmp) / path.name
        write_workbook(path, target=trial, sheets=sheets, replace_rows=rows, expected=ledger.fingerprint)
        if trial.read_bytes() == path.read_bytes():
            return False
    write_workbook(path, sheets=sheets, replace_rows=rows, expected=ledger.fingerprint)
    return True


def needs_person(ledger: Ledger, bulletin, report, end: dt.date) -> list[str]:
    """What the office must look at itself after the run."""
    lines = []
    if report.warning_count:
        lines.append(f"台账有 {report.warning_count} 条警告，请在「校验结果」或 duban validate 中逐条核对。")
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


def refuse(summary: CloseSummary, report) -> CloseSummary:
    """A ledger with errors: nothing is written; the errors are what needs a person."""
    errors = [f for f in report.findings if f.is_error and not f.more][:20]
    summary.refused.append(f"台账有 {report.error_count} 处错误，本次未写入任何内容（未通报、未计分、未归档）。")
    summary.needs_person += [f"{f.where} {f.message} 建议：{f.suggestion}" for f in errors]
    if report.error_count > len(errors):
        summary.needs_person.append(f"……另有 {report.error_count - len(errors)} 处错误，完整列表：duban validate --write。")
    return summary
