"""Writing files so that nobody ever sees half of one, and the file stays the office's.

Used for every file the tool writes (workbooks, Word documents, archives). The
new content goes to a temp file beside the target (on Linux an unnamed
``O_TMPFILE``, so even a killed process leaves nothing behind), is fsynced, and
replaces the target atomically. A file that exists keeps its mode and owner
(colleagues on a shared folder keep their access), a symlink is written through
to its target, a hard-linked file is rewritten in its inode (after the caller's
backup), a read-only file is refused. A full disk or a size limit is a typed
error (exit 2); the old file is untouched.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import CannotWrite, DiskFull, FileLocked, ReadOnlyFile

TEMP_PREFIX = ".~duban-"  # named temp files (where O_TMPFILE is not available): .~duban-<pid>-….tmp
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def real_target(dest: Path) -> Path:
    """Where a write to ``dest`` lands: through a symlink, to its target."""
    dest = Path(dest)
    return Path(os.path.realpath(dest)) if dest.is_symlink() else dest


def refuse_unwritable(dest: Path) -> None:
    """A read-only file, a directory or a device where a file should be: refused with one line."""
    if not dest.exists():
        return
    info = dest.stat()
    if not stat.S_ISREG(info.st_mode):
        raise CannotWrite(f"「{dest.name}」不是普通文件（{dest}），无法写入。请指定一个 .xlsx 文件。",
                          f"{dest} is not a regular file")
    if not info.st_mode & 0o222:
        raise ReadOnlyFile(f"「{dest.name}」是只读文件，本次未写入。如需写入，请先在文件属性中取消「只读」。",
                           f"{dest.name} is read-only")


def as_error(exc: OSError, path: Path) -> Exception:
    """The typed error for an OSError met while writing ``path`` (others pass through unchanged)."""
    if exc.errno in FULL:
        return DiskFull(f"写入「{path.name}」时磁盘空间不足（或超出文件大小限制），原文件未改动。请清理磁盘空间后再运行。",
                        f"no space left writing {path}: {exc.strerror}")
    if exc.errno == errno.EROFS or isinstance(exc, PermissionError):
        folder = Path(os.path.abspath(path.parent))  # the folder's own name, also when the path is relative
        return ReadOnlyFile(f"「{folder.name or folder}」文件夹只读或无写入权限，无法写入「{path.name}」。"
                            "请换一个可写的文件夹，或请管理员开放写入权限。", f"cannot write in {path.parent}: {exc.strerror}")
    if isinstance(exc, (FileExistsError, NotADirectoryError, IsADirectoryError)):
        return CannotWrite(f"无法写入「{path.name}」：{path.parent} 中有同名的文件或文件夹挡住了路径。请改名或移走它后再运行。",
                           f"cannot write {path}: {exc.strerror}")
    return exc


def make_folder(folder: Path) -> None:
    """Create an output or backup folder; a file of that name, or no permission, is one clear line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CannotWrite(f"「{folder.name}」应是文件夹，但已有同名文件（{folder}）。请改名或移走该文件后再运行。",
                          f"{folder} exists and is not a folder") from None
    except OSError as exc:
        raise as_error(exc, folder / ".") from None
    if not folder.is_dir():
        raise CannotWrite(f"「{folder.name}」应是文件夹，但已有同名文件（{folder}）。请改名或移走该文件后再运行。",
                          f"{folder} exists and is not a folder")


@contextmanager
def atomic_path(dest: Path, like: Path | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; when the block succeeds it replaces ``dest`` atomically.

    The new file keeps the mode and owner of the file it replaces (or of ``like``);
    a new file gets the usual mode for new files (umask), not the temp file's 0600.
    """
    dest = real_target(Path(dest))
    refuse_unwritable(dest)
    make_folder(dest.parent)
    _sweep(dest.parent)
    temp = _Temp(dest, like)
    try:
        yield temp.path
        temp.commit()
    except OSError as exc:
        raise as_error(exc, dest) from exc
    finally:
        temp.discard()


class _Temp:
    """The temp file of one write: unnamed (O_TMPFILE) where the system has it, else a named one."""

    def __init__(self, dest: Path, like: Path | None) -> None:
        self.dest, self.like = dest, like
        self.fd: int | None = None
        self.named: Path | None = None
        try:
            self.fd = os.open(dest.parent, os.O_TMPFILE | os.O_RDWR, 0o600)  # type: ignore[attr-defined]
            self.path = Path(f"/proc/self/fd/{self.fd}")
            if not self.path.exists():
                raise OSError(errno.EOPNOTSUPP, "no /proc")
        except (AttributeError, OSError) as exc:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None
            if isinstance(exc, PermissionError):
                raise as_error(exc, dest) from None
            try:
                handle, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=dest.parent)
            except OSError as failure:
                raise as_error(failure, dest) from None
            os.close(handle)
            self.named = self.path = Path(name)

    def commit(self) -> None:
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())
        before = self.dest.stat() if self.dest.exists() else None
        model = before or (self.like.stat() if self.like is not None else None)
        if model is not None:
            _keep_mode_and_owner(self.path, model)
        else:
            os.chmod(self.path, 0o666 & ~_umask())
        if before is not None and before.st_nlink > 1:  # hard links share the inode: rewrite it in place
            with open(self.path, "rb") as src, open(self.dest, "r+b") as out:
                out.truncate(0)
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            return
        if self.fd is not None:  # give the unnamed file a name only for the instant of the rename
            named = self.dest.with_name(f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}.tmp")
            try:
                _link_unnamed(self.fd, named)
            except OSError:  # no linkat here: a named copy, swept if this run is killed
                shutil.copyfile(self.path, named)
                shutil.copymode(self.path, named)
            self.named = named
        try:
            os.replace(self.named, self.dest)
        except PermissionError:  # Windows: another program (Excel, WPS) holds the file open
            raise FileLocked(f"「{self.dest.name}」正被其他程序（Excel、WPS 等）打开，无法写入。请关闭该文件后再运行。",
                             f"{self.dest.name} is open in another program") from None
        self.named = None
        _fsync_folder(self.dest.parent)

    def discard(self) -> None:
        if self.named is not None:
            self.named.unlink(missing_ok=True)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _link_unnamed(fd: int, name: Path) -> None:
    """linkat(AT_SYMLINK_FOLLOW) of /proc/self/fd/N: the one way to name an O_TMPFILE file
    (os.link does not follow that link, ctypes reaches the call)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    if libc.linkat(at_fdcwd, f"/proc/self/fd/{fd}".encode(), at_fdcwd, os.fsencode(name), at_symlink_follow) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(name))


def _keep_mode_and_owner(path: Path, before: os.stat_result) -> None:
    """The new file gets the old one's permission bits and, where allowed, its owner and group."""
    os.chmod(path, stat.S_IMODE(before.st_mode))
    if hasattr(os, "chown"):
        for uid, gid in ((before.st_uid, before.st_gid), (-1, before.st_gid)):
            try:
                os.chown(path, uid, gid)
                break
            except OSError:
                continue


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, and not needed, on Windows."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sweep(folder: Path) -> None:
    """Remove named temp files that a killed duban left in this folder (their process is gone)."""
    if os.name == "nt":  # os.kill(pid, 0) is no liveness probe there; Windows has no O_TMPFILE either
        return
    try:
        names = [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX) and p.name.endswith(".tmp")]
    except OSError:
        return
    for path in names:
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def save_new_workbook(book, dest: Path) -> Path:
    """Save a workbook we made ourselves (never a user's: see xlsx.transaction) atomically."""
    with atomic_path(dest) as temp:
        book.save(temp)
    return dest
