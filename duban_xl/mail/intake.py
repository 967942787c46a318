"""`duban intake LEDGER --mail`: the office mailbox through the same intake as `--dir` (二（四）).

The mailbox run (``run``) finds what is new and answers it; the intake core
(``duban_xl.intake``) judges and merges; both keep their state in the one
store beside the ledger (`.duban/收件.sqlite`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..intake.run import IntakeRun, finish, intake_parcels
from ..intake.store import Store
from .config import config_path, load_config
from .run import Answer, MailRun, run_mailbox, summary
from .state import SCHEMA

Progress = Callable[[str], None] | None


@dataclass
class MailIntake:
    ledger: Path
    as_of: dt.date
    mail: MailRun
    intake: IntakeRun | None = None
    dry_run: bool = False
    ledger_findings: list = field(default_factory=list)

    @property
    def merged_rows(self) -> int:
        return self.intake.merged_rows if self.intake else 0

    @property
    def refused(self) -> int:
        return self.intake.refused if self.intake else 0

    def lines(self) -> list[str]:
        return summary(self.mail) + [f"合并 {self.merged_rows} 行，退回 {self.refused} 个文件。"
                                     + ("（试运行：台账、邮箱均未改动，未发信）" if self.dry_run else "")]

    def as_json(self) -> dict:
        """SPEC's intake JSON; a message without a usable attachment is one entry with no file."""
        files = self.intake.as_json()["files"] if self.intake else []
        judged = {p.parcel.key for p in self.intake.parcels} if self.intake else set()
        for handled in self.mail.new:
            if f"mail:{self.mail.uidvalidity}:{handled.uid}" not in judged:
                files.append({"来源": f"邮件 {handled.sender or ''}".strip(), "发件人": handled.sender, "单位": None,
                              "文件": "", "结果": "退回" if handled.reply else "未回复（自动邮件）", "合并行数": 0,
                              "问题": [handled.reply] if handled.reply else []})
        return {"ledger": str(self.ledger), "as_of": self.as_of.isoformat(), "files": files,
                "合并行数": self.merged_rows, "退回数": self.refused}


def intake_mail(ledger_path: Path, as_of: dt.date, config: Path | None = None, *, dry_run: bool = False,
                progress: Progress = None) -> MailIntake:
    """Take in the mailbox: judge and merge each new message's files once, answer and move each message."""
    ledger_path = Path(ledger_path)
    settings = load_config(config_path(ledger_path, config))
    runs: list[IntakeRun] = []

    def take_in(parcels, saved_as) -> list[Answer]:
        run = intake_parcels(ledger_path, parcels, as_of, dry_run=dry_run, progress=progress, saved_as=saved_as)
        runs.append(run)
        return [Answer(p.parcel.key, p.subject, p.body, tuple((r.name, r.data) for r in p.receipts))
                for p in run.parcels]

    def answered() -> None:  # the replies are stored: the same files arriving again are 重复
        for run in runs:
            finish(ledger_path, run)

    store = Store.read_only(ledger_path) if dry_run else Store.beside(ledger_path)
    with store:
        store.ensure(*SCHEMA)
        mail = run_mailbox(ledger_path, settings, store.db, take_in, dry_run=dry_run, progress=progress,
                           answered=answered)
    result = MailIntake(ledger_path, as_of, mail, runs[0] if runs else None, dry_run)
    result.ledger_findings = result.intake.ledger_findings if result.intake else []
    return result


IDLE_SECONDS = 5 * 60     # servers drop an IDLE after 29 minutes at most; QQ throttles polling every few seconds
RETRY_SECONDS = 60


def watch(ledger_path: Path, config: Path | None, report: Callable[[list[str]], None],
          progress: Progress = None, rounds: int | None = None) -> None:
    """`--watch`: take in, then wait on IMAP IDLE until mail arrives (or 5 minutes pass), and again.

    A server that is down or a ledger open in Excel is reported and retried a
    minute later; nothing is lost meanwhile. ``rounds`` bounds the loop (tests).
    """
    import time

    from ..clock import today
    from ..errors import DubanError
    from .inbox import Inbox

    settings = load_config(config_path(Path(ledger_path), config))
    settings.password()  # no password is a configuration error: stop now, not every minute
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            report(intake_mail(ledger_path, today(), config, progress=progress).lines())
            with Inbox(settings, settings.password()) as box:
                box.wait(IDLE_SECONDS)
        except DubanError as exc:
            report([f"无法处理：{exc}（{RETRY_SECONDS} 秒后重试）"])
            time.sleep(RETRY_SECONDS)
