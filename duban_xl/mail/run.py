"""One mailbox run: new messages in, intake, a reply to each sender, each message to the done folder.

The order makes repetition safe (SPEC «Repeating a run is always safe»):
every new message is judged by intake, then its reply is stored (stage
answer) and intake marks its files answered; then the replies are sent, each
recorded as sent the moment the server took it; then the messages are moved,
each recorded as moved. A run killed anywhere leaves a state the next run
finishes: stored replies are sent, sent messages are moved, and a message
judged before the kill is not judged again. Only the instant between the
server accepting a reply and its record can repeat that one reply.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Callable, Sequence

from imapclient.exceptions import IMAPClientError

from ..intake.parcel import Attachment, Parcel
from .config import MailConfig
from .errors import MailUnavailable
from .inbox import MAX_MESSAGE_BYTES, Inbox, unavailable
from .message import MAX_ATTACHMENT_BYTES, Incoming, read_message
from .outbox import Outbox, RecipientRefused, as_bytes, compose
from .state import ANSWER, MOVED, REPLACED, SENT, MailState

Progress = Callable[[str], None] | None
SAVED_FOLDER = Path("督查输出") / "收件邮件"


@dataclass(frozen=True)
class Answer:
    """What intake says back about one parcel: the 回执's subject, text and files."""

    key: str
    subject: str
    body: str
    files: tuple[tuple[str, bytes], ...] = ()


TakeIn = Callable[[list[Parcel], Callable[[Parcel, Attachment], str]], list[Answer]]


@dataclass
class Handled:
    """One message of this run, for the summary."""

    uid: int
    sender: str | None
    subject: str
    reply: str          # the reply's subject; "" when none is due (an automatic message)


@dataclass
class MailRun:
    uidvalidity: int = 0
    new: list[Handled] = field(default_factory=list)
    sent: int = 0
    moved: int = 0
    problems: list[str] = field(default_factory=list)  # replies the server refused: retried next run
    reset: bool = False                                # the server reset UIDVALIDITY


def account_of(config: MailConfig) -> str:
    return f"{config.user}@{config.imap_host}:{config.imap_port}"


def saved_path(parcel: Parcel, attachment: Attachment) -> Path:
    """Where a mailed file is kept beside the ledger (the 附件 of its merged rows)."""
    return SAVED_FOLDER / parcel.key.replace(":", "-") / attachment.name


def no_form_answer(incoming: Incoming) -> Answer:
    """The one polite receipt for a message without a usable attachment."""
    parcel = incoming.parcel
    when = parcel.received.astimezone(dt.timezone(dt.timedelta(hours=8)))
    lines = [f"您好！督查室已收到您于{when.year}年{when.month}月{when.day}日 {when:%H:%M}发来的邮件"
             f"「{parcel.subject or '（无主题）'}」，但其中没有可以登记的报送表附件，本次没有登记任何内容。"]
    if incoming.skipped:
        lines.append(f"以下附件超过 {MAX_ATTACHMENT_BYTES >> 20} MB 或数量过多，未予接收："
                     f"{'、'.join(incoming.skipped)}。")
    lines.append("请把填好的报送表（.xlsx）作为附件回复本邮件；书面反馈报告（.docx）可一并附上。")
    lines.append("本邮件由督查室台账系统自动发送。")
    return Answer(parcel.key, "回执：来信未附报送表，请补发", "\n".join(lines))


def _with_skipped(answer: Answer, incoming: Incoming) -> Answer:
    if not incoming.skipped:
        return answer
    note = f"\n\n以下附件超过 {MAX_ATTACHMENT_BYTES >> 20} MB 或数量过多，未予接收：{'、'.join(incoming.skipped)}。"
    return Answer(answer.key, answer.subject, answer.body + note, answer.files)


def run_mailbox(ledger_path: Path, config: MailConfig, db: sqlite3.Connection, take_in: TakeIn, *,
                dry_run: bool = False, progress: Progress = None,
                answered: Callable[[], None] | None = None) -> MailRun:
    """Take in what is new in the configured folder; finish what an earlier run left half done.

    ``answered`` is called once the replies to this run's new messages are stored.
    """
    password = config.password()
    state = MailState(db, account_of(config), config.folder)
    run = MailRun()
    _say(progress, f"连接收件服务器 {config.imap_host}")
    with Inbox(config, password) as box:
        try:
            _take_new(box, state, run, ledger_path, config, take_in, dry_run, progress)
            if answered and not dry_run:
                answered()
            if not dry_run:
                _send(state, run, config, password, progress)
                _move(box, state, run, config, progress)
        except (OSError, IMAPClientError) as exc:
            raise unavailable(config, exc) from None
    return run


def _take_new(box: Inbox, state: MailState, run: MailRun, ledger_path: Path, config: MailConfig,
              take_in: TakeIn, dry_run: bool, progress: Progress) -> None:
    run.uidvalidity = box.uidvalidity
    known = state.folder_state()
    run.reset = known is not None and known[0] != box.uidvalidity
    last_uid = known[1] if known and not run.reset else 0
    taken = {p.uid for p in state.pending(box.uidvalidity)}
    own = parseaddr(config.sender)[1] or config.user
    envelopes = [e for e in box.envelopes(last_uid) if e.uid not in taken]
    _say(progress, f"新邮件 {len(envelopes)} 封")
    incoming: list[Incoming] = []
    for env in envelopes:
        if env.size > MAX_MESSAGE_BYTES:
            raw = box.download_header(env.uid) or b""
        else:
            raw = box.download(env.uid)
            if raw is None:  # gone meanwhile (another client moved it)
                continue
        message = read_message(raw, box.uidvalidity, env.uid, own, env.internal_date)
        if env.size > MAX_MESSAGE_BYTES:
            message = Incoming(message.parcel, message.digest, message.reply_to, message.references,
                               ("（整封邮件超过 32 MB）",))
        earlier = state.earlier(message.digest) if not dry_run else None
        if earlier is not None:  # the same bytes again (a UIDVALIDITY reset, a double delivery): never judged twice
            unsent = earlier.stage == ANSWER
            state.advance(earlier.uidvalidity, earlier.uid, REPLACED)
            state.record(box.uidvalidity, env.uid, message.digest, message.parcel.message_id, message.parcel.sender,
                         message.parcel.key, earlier.reply_to if unsent else None, earlier.reply if unsent else None)
            continue
        incoming.append(message)

    forms = [m.parcel for m in incoming if m.reply_to and m.parcel.attachments]
    if forms and not dry_run:
        for parcel in forms:
            for attachment in parcel.attachments:
                target = ledger_path.parent / saved_path(parcel, attachment)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(attachment.data)
    answers = {a.key: a for a in (take_in(forms, lambda p, a: saved_path(p, a).as_posix()) if forms else [])}
    for message in incoming:
        parcel = message.parcel
        reply = None
        if message.reply_to:
            answer = answers.get(parcel.key)
            answer = _with_skipped(answer, message) if answer else no_form_answer(message)
            reply = compose(config, message.reply_to, answer.subject, answer.body, answer.files,
                            in_reply_to=parcel.message_id, references=message.references)
        uid = int(parcel.key.rsplit(":", 1)[1])
        run.new.append(Handled(uid, parcel.sender, parcel.subject or "", reply["Subject"] if reply else ""))
        if not dry_run:
            state.record(box.uidvalidity, uid, message.digest, parcel.message_id,
                         parcel.sender, parcel.key, message.reply_to, as_bytes(reply) if reply else None)
    if not dry_run and envelopes:
        state.set_folder(box.uidvalidity, max(last_uid, max(e.uid for e in envelopes)))
    elif not dry_run and (known is None or run.reset):
        state.set_folder(box.uidvalidity, last_uid)


def _send(state: MailState, run: MailRun, config: MailConfig, password: str, progress: Progress) -> None:
    due = [p for p in state.pending(run.uidvalidity) if p.stage == ANSWER]
    if not due:
        return
    _say(progress, f"发送回执 {len(due)} 封")
    with Outbox(config, password) as out:
        for pending in due:
            try:
                out.send(pending.reply_to, pending.reply)
            except RecipientRefused as refused:
                run.problems.append(f"回执未能发给 {refused.to}（{refused.reason}），邮件留在收件箱，下次运行重发。")
                continue
            state.advance(run.uidvalidity, pending.uid, SENT)
            run.sent += 1


def _move(box: Inbox, state: MailState, run: MailRun, config: MailConfig, progress: Progress) -> None:
    due = [p for p in state.pending(run.uidvalidity) if p.stage == SENT]
    if not due:
        return
    _say(progress, f"移到「{config.done_folder}」{len(due)} 封")
    box.ensure_folder(config.done_folder)
    for pending in due:
        box.move(pending.uid, config.done_folder)
        state.advance(run.uidvalidity, pending.uid, MOVED)
        run.moved += 1


def summary(run: MailRun) -> list[str]:
    lines = [f"收件：新邮件 {len(run.new)} 封，发出回执 {run.sent} 封，移到已处理 {run.moved} 封。"]
    if run.reset:
        lines.append("注意：邮箱服务器重置了该文件夹的 UIDVALIDITY，已按邮件内容去重，没有重复登记或回复。")
    return lines + run.problems


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)


def unreachable(problems: Sequence[str]) -> MailUnavailable:
    """A run that left replies unsent ends with exit 2 (the next run retries them)."""
    return MailUnavailable(problems[0] if len(problems) == 1 else f"{problems[0]}（另有 {len(problems) - 1} 封同样未发出）",
                           "some receipts were refused by the mail server")
