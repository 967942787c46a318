"""Attachment names as Chinese mail clients really send them.

A 报送表 comes back from Outlook, Foxmail, QQ or 163 mail, each naming the file
its own way: RFC 2231 (utf-8 or gbk, single or continued), encoded-words in a
quoted parameter (gb2312, GBK, gb18030, utf-8, sometimes split in the middle
of a character), ``name=`` on Content-Type only, or raw 8-bit GBK bytes. The
stdlib compat32 parser keeps every one of these recoverable (notes/mail.md);
this module turns them into the name the clerk typed.
"""
from __future__ import annotations

import re
from email.header import decode_header
from email.message import Message
from email.utils import collapse_rfc2231_value

# gb2312 labels routinely carry GBK characters; gb18030 is a superset of both
_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
             "gb18030": "gb18030", "euc-cn": "gb18030"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
MAX_NAME = 200


def _charset(label: str | None) -> str:
    label = (label or "").strip().lower()
    return _CHARSETS.get(label, label or "utf-8")


def _decode_bytes(data: bytes, label: str | None = None) -> str:
    """Bytes in a named charset; unlabelled (raw 8-bit) bytes: utf-8, else gb18030."""
    for charset in ([_charset(label)] if label else []) + ["utf-8", "gb18030"]:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def unraw(text: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogates: get those bytes back and decode them."""
    try:
        data = text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # real non-ASCII text (already decoded): keep it
        return text
    return _decode_bytes(data) if any(b > 0x7F for b in data) else text


def decode_words(text: str) -> str:
    """Encoded-words (=?gbk?B?…?=), adjacent pieces joined as bytes so a split character survives."""
    if "=?" not in text:
        return text
    pieces = decode_header(text)
    out, run, run_charset = [], b"", None
    for data, charset in pieces:
        data = data.encode("ascii", "surrogateescape") if isinstance(data, str) else data
        charset = _charset(charset) if charset else None
        if run and charset != run_charset:
            out.append(_decode_bytes(run, run_charset))
            run = b""
        run, run_charset = run + data, charset
    if run:
        out.append(_decode_bytes(run, run_charset))
    return "".join(out)


def _raw_param(part: Message) -> str | tuple | None:
    """filename= of Content-Disposition, else name= of Content-Type, from the headers as received.

    The parsed header would already have turned raw 8-bit bytes into U+FFFD,
    so the parameters are read from a copy made of the raw header values.
    """
    headers = Message()
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type"):
            headers[name] = unraw(value) if isinstance(value, str) else str(value)
    value = headers.get_param("filename", header="content-disposition")
    if value is None:
        value = headers.get_param("name", header="content-type")
    return value


def attachment_name(part: Message) -> str | None:
    """The decoded file name of a MIME part, or None when the part names no file."""
    value = _raw_param(part)
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
        charset, _, text = value
        if charset:
            text = _decode_bytes(bytes(text, "raw-unicode-escape"), charset)
        else:
            text = collapse_rfc2231_value(value)
    else:
        text = value
    name = decode_words(text).strip()
    return safe_name(name)


def safe_name(name: str) -> str:
    """A name fit to save as: no folders, no control or reserved characters, bounded length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name or "附件"
