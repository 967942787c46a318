"""Intake state in ``.duban/收件.sqlite``: forms issued, files taken in, and how each ended.

SPEC «Returned sheets»: repeating a run is always safe. The ledger itself is
the truth about merged rows (keyed by 收件编号); this store remembers what the
ledger cannot: which 报送表 went out (so a form whose identity sheet was
stripped can still be matched), and which file (by sha256) was already
answered, so the same file twice is 重复 and a run killed after the merge
finishes its receipts and moves on the next run. The mail layer adds its own
tables (mailbox UIDs, sent receipts) through ``Store.ensure``.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..contract import IntakeOutcome
from .keys import state_dir, state_path

STORE_FILE = "收件.sqlite"
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS forms (
        form_no TEXT PRIMARY KEY, unit TEXT NOT NULL, month TEXT NOT NULL, issued TEXT NOT NULL,
        made_at TEXT NOT NULL, path TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS files (
        sha256 TEXT PRIMARY KEY, parcel TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
        form_no TEXT, received TEXT NOT NULL, merged_rows INTEGER NOT NULL, done INTEGER NOT NULL,
        at TEXT NOT NULL)""",
)


@dataclass(frozen=True)
class IssuedForm:
    form_no: str
    unit: str
    month: str
    issued: dt.date
    path: str


@dataclass(frozen=True)
class FileRecord:
    sha256: str
    parcel: str
    name: str
    outcome: str
    form_no: str | None
    received: dt.datetime
    merged_rows: int
    done: bool  # receipt written and file moved (folder intake) / handed back to the caller (mail)


class Store:
    """One connection to the state file; every write is its own committed transaction."""

    def __init__(self, path: Path | None) -> None:
        """``path`` None: an empty store in memory (a dry run on a ledger never taken in before)."""
        self.path = path
        if path is None:
            self.db = sqlite3.connect(":memory:", isolation_level=None)
        else:
            new = not Path(path).exists()
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            if new:
                Path(path).chmod(0o600)
        self.ensure(*SCHEMA)

    @classmethod
    def beside(cls, ledger_path: Path) -> "Store":
        return cls(state_dir(ledger_path) / STORE_FILE)

    @classmethod
    def read_only(cls, ledger_path: Path) -> "Store":
        """For --dry-run: what earlier runs recorded, in a copy held in memory, so nothing is written."""
        store = cls(None)
        path = state_path(ledger_path) / STORE_FILE
        if path.exists():
            source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            source.backup(store.db)
            source.close()
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure(self, *ddl: str) -> None:
        """Create tables (``CREATE TABLE IF NOT EXISTS …``): the mail layer adds its own this way."""
        with self.db:
            for statement in ddl:
                self.db.execute(statement)

    # -- forms sent out -------------------------------------------------------------
    def record_form(self, form: IssuedForm) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO forms VALUES (?, ?, ?, ?, ?, ?)",
                            (form.form_no, form.unit, form.month, form.issued.isoformat(),
                             dt.datetime.now().isoformat(timespec="seconds"), form.path))

    def form(self, form_no: str) -> IssuedForm | None:
        row = self.db.execute("SELECT form_no, unit, month, issued, path FROM forms WHERE form_no = ?",
                              (form_no,)).fetchone()
        return _issued(row) if row else None

    def latest_form(self, unit: str, month: str) -> IssuedForm | None:
        """The newest form issued to a unit for a month (to match a form whose identity was stripped)."""
        row = self.db.execute("SELECT form_no, unit, month, issued, path FROM forms WHERE unit = ? AND month = ? "
                              "ORDER BY made_at DESC, rowid DESC LIMIT 1", (unit, month)).fetchone()
        return _issued(row) if row else None

    # -- files taken in -------------------------------------------------------------
    def file(self, sha256: str) -> FileRecord | None:
        row = self.db.execute("SELECT sha256, parcel, name, outcome, form_no, received, merged_rows, done "
                              "FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if not row:
            return None
        return FileRecord(row[0], row[1], row[2], row[3], row[4], dt.datetime.fromisoformat(row[5]), row[6],
                          bool(row[7]))

    def record_files(self, records: list[FileRecord]) -> None:
        """Record the outcome of a run's files at once (after the ledger write, before receipts and moves)."""
        with self.db:
            self.db.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                "outcome = excluded.outcome, form_no = excluded.form_no, merged_rows = excluded.merged_rows, "
                "done = excluded.done, at = excluded.at",
                [(r.sha256, r.parcel, r.name, r.outcome, r.form_no, r.received.isoformat(), r.merged_rows,
                  int(r.done), dt.datetime.now().isoformat(timespec="seconds")) for r in records])

    def mark_done(self, *sha256: str) -> None:
        with self.db:
            self.db.executemany("UPDATE files SET done = 1 WHERE sha256 = ?", [(s,) for s in sha256])

    def latest_received(self, form_no: str) -> dt.datetime | None:
        """When the newest merged copy of a form arrived (an older copy arriving later does not win)."""
        row = self.db.execute("SELECT MAX(received) FROM files WHERE form_no = ? AND outcome = ?",
                              (form_no, IntakeOutcome.MERGED)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


def _issued(row: tuple) -> IssuedForm:
    return IssuedForm(row[0], row[1], row[2], dt.date.fromisoformat(row[3]), row[4])
