"""Writing files so that nobody ever sees half of one: temp file + fsync + atomic replace.

Used for every file the tool writes (workbooks, Word documents, archives): a
crash or a full disk leaves the old file as it was and no temp file behind.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import FileLocked


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; when the block succeeds it replaces ``dest`` atomically."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".~{dest.stem}_", suffix=dest.suffix + ".tmp", dir=dest.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with temp.open("rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(temp, dest)
        except PermissionError:  # Windows: another program (Excel, WPS) holds the file open
            raise FileLocked(f"「{dest.name}」正被其他程序（Excel、WPS 等）打开，无法写入。请关闭该文件后再运行。",
                             f"{dest.name} is open in another program") from None
    finally:
        temp.unlink(missing_ok=True)


def save_new_workbook(book, dest: Path) -> Path:
    """Save a workbook we made ourselves (never a user's: see xlsx.transaction) atomically."""
    with atomic_path(dest) as temp:
        book.save(temp)
    return dest
