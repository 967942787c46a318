"""A mail message as intake sees it: a Parcel of its attachments, and whom to answer.

The bytes come from outside: the parser is the lenient stdlib compat32 one
(it keeps raw 8-bit headers recoverable, see ``names``), every size is
bounded, and nothing here opens an attachment.
"""
from __future__ import annotations

import datetime as dt
import email
import hashlib
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from ..intake.parcel import Attachment, Parcel
from .names import attachment_name, decode_words, unraw

MAX_ATTACHMENTS = 30
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024    # SPEC: a returned file is at most 20 MB
_ROBOTS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply")


@dataclass(frozen=True)
class Incoming:
    """One message, read: the parcel for intake, and what the reply needs."""

    parcel: Parcel
    digest: str                  # sha256 of the raw message: the same message after a UIDVALIDITY reset
    reply_to: str | None         # the sender's address; None for an automatic message (never answered)
    references: str              # the original References, for threading the reply
    skipped: tuple[str, ...]     # names of attachments left out (too large, too many)


def parcel_key(uidvalidity: int, uid: int) -> str:
    return f"mail:{uidvalidity}:{uid}"


def header_text(msg: Message, name: str) -> str:
    value = msg.get(name)
    return decode_words(unraw(str(value))).strip() if value is not None else ""


def _received(msg: Message, fallback: dt.datetime | None) -> dt.datetime:
    """The Date header as an aware time (one without a zone is UTC); else the server's arrival time."""
    try:
        when = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError, IndexError):
        when = None
    when = when or fallback or dt.datetime.now(dt.timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _sender(msg: Message) -> tuple[str | None, str]:
    """(address, display) of From; the address lower-cased."""
    pairs = getaddresses([header_text(msg, "From")])
    if not pairs or "@" not in pairs[0][1]:
        return None, header_text(msg, "From")
    name, address = pairs[0]
    address = address.strip().lower()
    return address, f"{name} <{address}>" if name else address


def is_automatic(msg: Message, address: str | None, own: str) -> bool:
    """RFC 3834: never answer bounces, auto-replies, lists, or ourselves (mail loops)."""
    auto = header_text(msg, "Auto-Submitted").lower()
    precedence = header_text(msg, "Precedence").lower()
    return (address is None or address == own.lower() or address.split("@")[0] in _ROBOTS
            or (auto and auto != "no") or precedence in ("bulk", "junk", "list")
            or msg.get("X-Autoreply") is not None or msg.get("List-Id") is not None)


def read_message(raw: bytes, uidvalidity: int, uid: int, own_address: str,
                 arrived: dt.datetime | None = None) -> Incoming:
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    address, display = _sender(msg)
    attachments, skipped = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = attachment_name(part)
        if name is None:
            continue
        data = part.get_payload(decode=True) or b""
        if not data:
            continue
        if len(data) > MAX_ATTACHMENT_BYTES or len(attachments) >= MAX_ATTACHMENTS:
            skipped.append(name)
            continue
        attachments.append(Attachment(name, data))
    message_id = header_text(msg, "Message-ID") or None
    parcel = Parcel(
        key=parcel_key(uidvalidity, uid), attachments=tuple(attachments), received=_received(msg, arrived),
        sender=address, message_id=message_id, subject=header_text(msg, "Subject") or None,
        origin=f"邮件 {display}".strip())
    return Incoming(parcel, hashlib.sha256(raw).hexdigest(),
                    None if is_automatic(msg, address, own_address) else address,
                    header_text(msg, "References"), tuple(skipped))
