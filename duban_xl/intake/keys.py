"""The office's own folder beside the ledger (``.duban/``) and the key that signs every 报送表.

SPEC «Returned sheets»: the HMAC key is kept beside the ledger, never inside a
form or the ledger, so a unit holding a form cannot forge another one. The
folder is the office's alone: 0700, the key file 0600, both made on first use.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

STATE_DIR = ".duban"
KEY_FILE = "报送表密钥"
KEY_BYTES = 32


def state_path(ledger_path: Path) -> Path:
    """Where ``.duban/`` is (or will be) for a ledger."""
    return Path(ledger_path).resolve().parent / STATE_DIR


def state_dir(ledger_path: Path) -> Path:
    """``.duban/`` beside the ledger, created owner-only when missing."""
    folder = state_path(ledger_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def existing_form_key(ledger_path: Path) -> bytes:
    """The key if forms were ever issued, else a throwaway one (a dry run creates nothing)."""
    path = state_path(ledger_path) / KEY_FILE
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    return secrets.token_bytes(KEY_BYTES)


def form_key(ledger_path: Path) -> bytes:
    """The signing key, made once (32 random bytes, hex) with owner-only permissions.

    Written to a temp file and linked into place, so a run killed half-way never
    leaves an empty key behind and two runs never make two keys.
    """
    folder = state_dir(ledger_path)
    path = folder / KEY_FILE
    if not path.exists():
        temp = folder / f".{KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return bytes.fromhex(path.read_text(encoding="ascii").strip())
