"""One writer at a time per ledger: a lock file of our own beside it, in duban_备份/ (filelock).

WHY: two runs writing the same ledger (two scheduled jobs, a job and a clerk's
button) each read it, computed, and wrote: the later write replaced the
earlier one's rows (issue 9: one month's 通报记录 lost in 17 of 20 tries). A
run now holds the ledger's lock from reading to writing, so the second waits
and then reads what the first wrote; the changed-since-read check still
refuses anything that slipped past (a clerk saving in Excel). The lock file
is kept (an OS lock on it is what counts; deleting it on release would let two
runs hold two different files), in duban's own backup folder rather than among
the office's files.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from ..errors import DubanError, FileLocked
from .atomic import as_error, make_folder, real_target

BACKUP_DIR = "duban_备份"  # beside the ledger: its backups and its lock
LOCK_WAIT = 120  # seconds a run waits for another duban run on the same ledger


def lock_path(ledger: Path) -> Path:
    real = real_target(Path(ledger))
    return real.parent / BACKUP_DIR / f".~{real.name}.lock"


@contextmanager
def holding(ledger: Path, *, required: bool = True) -> Iterator[None]:
    """Hold the ledger's lock (re-entrant within a process). ``required`` False: where no lock
    file can be made (a read-only folder), go on without, the write itself then refuses."""
    path = lock_path(ledger)
    lock = FileLock(path, timeout=LOCK_WAIT, is_singleton=True)
    try:
        make_folder(path.parent)
        lock.acquire()
    except Timeout:
        raise FileLocked(f"「{Path(ledger).name}」正由另一个 duban 任务写入，等待 {LOCK_WAIT} 秒后仍未结束。请稍后再运行。",
                         f"another duban run holds {lock.lock_file}") from None
    except (OSError, DubanError) as exc:
        if required:
            raise (as_error(exc, Path(ledger)) if isinstance(exc, OSError) else exc) from None
        yield
        return
    try:
        yield
    finally:
        lock.release()
