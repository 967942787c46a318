"""Attachment names the way Chinese mail clients send them, through a real Dovecot (notes/mail.md).

Each message is delivered by LMTP, fetched back over IMAPS by the mail layer,
and its attachment must come out under the name the unit's clerk gave it.
"""
from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from duban_xl.mail.config import load_config
from duban_xl.mail.inbox import Inbox
from duban_xl.mail.message import read_message
from mailservers import write_config

NAME = "县财政局_2022年7月报送表.xlsx"
GBK_ONLY = "朱镕基路改造（县财政局）.xlsx"   # 镕 is GBK, not GB2312: Outlook still labels it gb2312


def b64(text: str, charset: str) -> str:
    return base64.b64encode(text.encode(charset)).decode()


def split_words(text: str, charset: str) -> str:
    """Two encoded-words with the cut inside a double-byte character (Foxmail does this)."""
    data = text.encode(charset)
    cut = 3  # 县 is 2 bytes in GBK: byte 3 is the middle of 财
    return (f"=?{charset}?B?{base64.b64encode(data[:cut]).decode()}?=\r\n "
            f"=?{charset}?B?{base64.b64encode(data[cut:]).decode()}?=")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES = {
    "outlook gb2312 encoded-word": (f'Content-Type: {XLSX}; name="=?gb2312?B?{b64(GBK_ONLY, "gbk")}?="\r\n'
                                    f'Content-Disposition: attachment; filename="=?gb2312?B?{b64(GBK_ONLY, "gbk")}?="',
                                    GBK_ONLY),
    "outlook utf-8 encoded-word": (f'Content-Type: {XLSX}\r\nContent-Disposition: attachment; '
                                   f'filename="=?utf-8?B?{b64(NAME, "utf-8")}?="', NAME),
    "foxmail GBK encoded-word": (f'Content-Type: {XLSX}\r\nContent-Disposition: attachment; '
                                 f'filename="=?GBK?B?{b64(NAME, "gbk")}?="', NAME),
    "qq gb18030 encoded-word": (f'Content-Type: {XLSX}\r\nContent-Disposition: attachment; '
                                f'filename="=?gb18030?B?{b64(NAME, "gb18030")}?="', NAME),
    "rfc2231 utf-8": (f"Content-Type: {XLSX}\r\nContent-Disposition: attachment; "
                      f"filename*=utf-8''{quote(NAME.encode('utf-8'))}", NAME),
    "rfc2231 utf-8 continued": (f"Content-Type: {XLSX}\r\nContent-Disposition: attachment;\r\n"
                                f" filename*0*=utf-8''{quote(NAME[:6].encode('utf-8'))};\r\n"
                                f" filename*1*={quote(NAME[6:].encode('utf-8'))}", NAME),
    "rfc2231 gbk": (f"Content-Type: {XLSX}\r\nContent-Disposition: attachment; "
                    f"filename*=gbk''{quote(NAME.encode('gbk'))}", NAME),
    "content-type name only": (f'Content-Type: {XLSX}; name="=?utf-8?B?{b64(NAME, "utf-8")}?="\r\n'
                               f"Content-Disposition: attachment", NAME),
    "gbk encoded-words split mid-character": (f'Content-Type: {XLSX}\r\nContent-Disposition: attachment; '
                                              f'filename="{split_words(NAME, "gbk")}"', NAME),
    "raw 8-bit gbk": (None, NAME),
}


def message(case: str, part_headers: str | None, number: int) -> bytes:
    head = (f"From: =?utf-8?B?{b64('县财政局', 'utf-8')}?= <czj@duban.test>\r\nTo: dcs@duban.test\r\n"
            f"Subject: case {number}\r\nMessage-ID: <case{number}@duban.test>\r\n"
            "Date: Tue, 05 Jul 2022 09:30:00 +0800\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n--b\r\n").encode()
    if part_headers is None:
        part = (f"Content-Type: {XLSX}\r\nContent-Disposition: attachment; filename=\"").encode() \
            + NAME.encode("gbk") + b'"'
    else:
        part = part_headers.encode("ascii")
    body = b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(case.encode()) + b"\r\n--b--\r\n"
    return head + part + body


def test_every_chinese_attachment_name_decodes(dovecot, smtp_sink, tmp_path, monkeypatch):
    user = dovecot.add_user()
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    for number, (case, (headers, _)) in enumerate(CASES.items()):
        dovecot.deliver(user, message(case, headers, number))
    config = load_config(write_config(tmp_path, dovecot, smtp_sink, user))
    with Inbox(config, config.password()) as box:
        got = {}
        for env in box.envelopes(0):
            incoming = read_message(box.download(env.uid), box.uidvalidity, env.uid, "dcs@duban.test")
            (attachment,) = incoming.parcel.attachments
            got[attachment.data.decode()] = attachment.name
    assert got == {case: expected for case, (_, expected) in CASES.items()}


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
def test_each_connection_security_reaches_the_mailbox(dovecot, smtp_sink, tmp_path, monkeypatch, security):
    user = dovecot.add_user()
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    dovecot.deliver(user, message("x", None, 1))
    config = load_config(write_config(tmp_path, dovecot, smtp_sink, user, security=security))
    with Inbox(config, config.password()) as box:
        (env,) = box.envelopes(0)
        incoming = read_message(box.download(env.uid), box.uidvalidity, env.uid, "dcs@duban.test")
    assert incoming.parcel.sender == "czj@duban.test"
    assert incoming.parcel.key == f"mail:{box.uidvalidity}:{env.uid}"
    assert incoming.parcel.received.utcoffset().total_seconds() == 8 * 3600
