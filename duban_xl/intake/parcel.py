"""What arrives from outside, before anything trusts it (二（四） 反馈).

A *parcel* is what came in together: one mail message with its attachments,
or one file of an ``intake --dir`` run. The mail layer (``duban_xl.mail``)
and the folder reader both build parcels; the intake core
(``duban_xl.intake``) turns each into merged 反馈记录 rows and a 回执.
The bytes are untrusted: nothing here parses them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    """One file as sent: its decoded name and its raw bytes (size already bounded)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Parcel:
    """Files that arrived together, with where they came from.

    ``key`` is stable across runs and identifies the parcel in the intake
    state (``.duban/收件.sqlite``): ``mail:<uidvalidity>:<uid>`` for a
    message, ``file:<sha256>`` for a file of a folder.
    ``received`` is timezone-aware: a message's Date header, or a file's mtime;
    the 反馈日期 of merged rows is its date in China Standard Time (UTC+8).
    """

    key: str
    attachments: tuple[Attachment, ...]
    received: dt.datetime
    sender: str | None = None          # the From address, for mail
    message_id: str | None = None      # for In-Reply-To / References of the reply
    subject: str | None = None
    origin: str = ""                   # shown to people: the folder path or «邮件 <发件人>»
    extra: dict[str, str] = field(default_factory=dict)
