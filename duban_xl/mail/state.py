"""What the mail layer remembers between runs, in the intake store (`.duban/收件.sqlite`).

The tables are created through ``intake.store.Store.ensure`` (``SCHEMA``).

Every step of a message is recorded the moment it is done, so a run killed
anywhere resumes on the next run (SPEC «Repeating a run is always safe»):

- ``answer``: intake judged it and its reply is stored, ready to send;
- ``sent``: the reply went out (or none is due: an automatic message);
- ``moved``: it is in the done folder;
- ``replaced``: the same bytes reappeared under another UID, whose row carries on.

The folder's UIDVALIDITY and the highest UID taken in say what is new; when
the server resets UIDVALIDITY, a message is recognised by the sha256 of its
bytes, so it is neither merged nor answered twice. Mail sent with ``--send``
is recorded per kind, reference, unit and day: the same thing never goes out
twice on the same day.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

ANSWER, SENT, MOVED = "answer", "sent", "moved"
REPLACED = "replaced"   # the same message came back under another UID: that row carries on
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS mail_folders (
        account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,
        PRIMARY KEY (account, folder))""",
    """CREATE TABLE IF NOT EXISTS mail_messages (
        account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,
        digest TEXT NOT NULL, message_id TEXT, sender TEXT, parcel TEXT NOT NULL, stage TEXT NOT NULL,
        reply_to TEXT, reply BLOB, at TEXT NOT NULL,
        PRIMARY KEY (account, folder, uidvalidity, uid))""",
    "CREATE INDEX IF NOT EXISTS mail_messages_digest ON mail_messages (account, digest)",
    """CREATE TABLE IF NOT EXISTS mail_sent (
        kind TEXT NOT NULL, ref TEXT NOT NULL, unit TEXT NOT NULL, day TEXT NOT NULL, address TEXT NOT NULL,
        subject TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (kind, ref, unit, day))""",
)


@dataclass(frozen=True)
class Pending:
    """A message taken in whose reply or move is still to do."""

    uidvalidity: int
    uid: int
    stage: str
    reply_to: str | None
    reply: bytes | None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class MailState:
    """The mail tables on one connection of the intake store; each write commits on its own."""

    def __init__(self, db: sqlite3.Connection, account: str, folder: str) -> None:
        self.db, self.account, self.folder = db, account, folder

    def folder_state(self) -> tuple[int, int] | None:
        row = self.db.execute("SELECT uidvalidity, last_uid FROM mail_folders WHERE account = ? AND folder = ?",
                              (self.account, self.folder)).fetchone()
        return (row[0], row[1]) if row else None

    def set_folder(self, uidvalidity: int, last_uid: int) -> None:
        with self.db:
            self.db.execute("INSERT INTO mail_folders VALUES (?, ?, ?, ?) ON CONFLICT (account, folder) "
                            "DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
                            (self.account, self.folder, uidvalidity, last_uid))

    def pending(self, uidvalidity: int) -> list[Pending]:
        rows = self.db.execute("SELECT uidvalidity, uid, stage, reply_to, reply FROM mail_messages WHERE account = ? "
                               "AND folder = ? AND uidvalidity = ? AND stage NOT IN (?, ?) ORDER BY uid",
                               (self.account, self.folder, uidvalidity, MOVED, REPLACED)).fetchall()
        return [Pending(*row) for row in rows]

    def earlier(self, digest: str) -> Pending | None:
        """The same bytes taken in before (under an earlier UIDVALIDITY): how far that copy got."""
        row = self.db.execute("SELECT uidvalidity, uid, stage, reply_to, reply FROM mail_messages WHERE account = ? "
                              "AND digest = ? AND stage != ? ORDER BY at DESC, rowid DESC LIMIT 1",
                              (self.account, digest, REPLACED)).fetchone()
        return Pending(*row) if row else None

    def record(self, uidvalidity: int, uid: int, digest: str, message_id: str | None, sender: str | None,
               parcel: str, reply_to: str | None, reply: bytes | None) -> None:
        """A message judged: its reply stored (stage answer), or none due (stage sent)."""
        stage = ANSWER if reply is not None and reply_to else SENT
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO mail_messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (self.account, self.folder, uidvalidity, uid, digest, message_id, sender, parcel,
                             stage, reply_to, reply, _now()))

    def advance(self, uidvalidity: int, uid: int, stage: str) -> None:
        with self.db:
            self.db.execute("UPDATE mail_messages SET stage = ?, at = ? WHERE account = ? AND folder = ? "
                            "AND uidvalidity = ? AND uid = ?",
                            (stage, _now(), self.account, self.folder, uidvalidity, uid))


class SentLog:
    """Mail the office sent with --send, by kind, reference, unit and day."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def already_sent(self, kind: str, ref: str, unit: str, day: dt.date) -> bool:
        return self.db.execute("SELECT 1 FROM mail_sent WHERE kind = ? AND ref = ? AND unit = ? AND day = ?",
                               (kind, ref, unit, day.isoformat())).fetchone() is not None

    def record_sent(self, kind: str, ref: str, unit: str, day: dt.date, address: str, subject: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO mail_sent VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (kind, ref, unit, day.isoformat(), address, subject, _now()))
