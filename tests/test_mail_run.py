"""The mailbox run on a real Dovecot and SMTP sink: replies once, moves once, loses nothing.

Intake itself is the next layer down (tests/test_mail_intake.py runs the whole
thing on the sample ledger); here a small stand-in judges every parcel the
same way, so what is checked is the mail layer: which messages are taken,
what goes back to whom, where each message ends up, and what survives a
failure half-way.
"""
from __future__ import annotations


import pytest

from duban_xl.mail.config import load_config
from duban_xl.mail.errors import MailUnavailable
from duban_xl.mail.names import attachment_name
from duban_xl.mail.outbox import XLSX
from duban_xl.mail.run import Answer, run_mailbox
from duban_xl.intake.store import Store
from duban_xl.mail.state import SCHEMA
from mailservers import unit_mail, write_config

FORM = "县财政局_2022年7月报送表.xlsx"


def mail(sender: str, number: int, attachment: tuple[str, bytes] | None = None, **headers: str) -> bytes:
    return unit_mail(sender, number, [attachment] if attachment else [], **headers)


class StandIn:
    """Judges every parcel «已合并» and counts how often it saw each one."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, parcels, saved_as):
        answers = []
        for parcel in parcels:
            self.seen[parcel.key] = self.seen.get(parcel.key, 0) + 1
            names = "、".join(a.name for a in parcel.attachments)
            answers.append(Answer(parcel.key, "回执：县财政局2022年7月报送表 已合并", f"已合并：{names}",
                                  (("回执_县财政局2022年7月报送表.xlsx", b"PK-receipt"),)))
        return answers


@pytest.fixture
def box(dovecot, smtp_sink, tmp_path, monkeypatch):
    user = dovecot.add_user()
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    config = load_config(write_config(tmp_path, dovecot, smtp_sink, user))
    smtp_sink.clear()
    smtp_sink.full.clear()
    store = Store(tmp_path / "收件.sqlite")
    store.ensure(*SCHEMA)
    ledger = tmp_path / "督查台账.xlsx"
    yield dovecot, smtp_sink, user, config, store.db, ledger
    store.close()


def test_forms_are_answered_in_thread_and_every_message_moves_once(box):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"form-bytes")))
    server.deliver(user, mail("fgj@duban.test", 2))                                   # forgot the attachment
    server.deliver(user, mail("mailer-daemon@duban.test", 3, Auto_Submitted="auto-replied"))  # never answered
    take_in = StandIn()
    run = run_mailbox(ledger, config, db, take_in)
    assert (len(run.new), run.sent, run.moved) == (3, 2, 3)

    form_reply, = sink.messages("czj@duban.test")
    assert form_reply["Subject"] == "回执：县财政局2022年7月报送表 已合并"
    assert form_reply["In-Reply-To"] == "<r1.czj@duban.test>" and "<r1.czj@duban.test>" in form_reply["References"]
    assert form_reply["Auto-Submitted"] == "auto-replied"
    part = next(p for p in form_reply.walk() if attachment_name(p))
    assert attachment_name(part) == "回执_县财政局2022年7月报送表.xlsx" and part.get_content_type() == XLSX
    assert part.get_payload(decode=True) == b"PK-receipt"
    polite, = sink.messages("fgj@duban.test")
    assert "没有可以登记的报送表附件" in polite.get_payload(decode=True).decode("utf-8")
    assert not sink.messages("mailer-daemon@duban.test")
    assert server.messages(user, "INBOX") == [] and len(server.messages(user, "已处理")) == 3
    saved = ledger.parent / "督查输出" / "收件邮件"
    assert [p.read_bytes() for p in saved.rglob(FORM)] == [b"form-bytes"]

    again = run_mailbox(ledger, config, db, take_in)
    assert (len(again.new), again.sent, again.moved) == (0, 0, 0) and len(sink.messages()) == 2
    assert list(take_in.seen.values()) == [1]


def test_smtp_down_keeps_the_reply_and_the_next_run_sends_it_once(box):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
    take_in = StandIn()
    down = config.__class__(**{**config.__dict__, "smtp_port": 1})
    with pytest.raises(MailUnavailable, match="发件服务器 127.0.0.1:1 拒绝连接"):
        run_mailbox(ledger, down, db, take_in)
    assert len(server.messages(user, "INBOX")) == 1 and not sink.messages()
    run = run_mailbox(ledger, config, db, take_in)
    assert (len(run.new), run.sent, run.moved) == (0, 1, 1)
    assert len(sink.messages("czj@duban.test")) == 1 and list(take_in.seen.values()) == [1]


def test_a_full_mailbox_leaves_the_message_for_the_next_run(box):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
    server.deliver(user, mail("fgj@duban.test", 2, (FORM, b"y")))
    sink.full.add("czj@duban.test")
    run = run_mailbox(ledger, config, db, StandIn())
    assert run.sent == 1 and run.moved == 1 and "czj@duban.test" in run.problems[0] and "552" in run.problems[0]
    assert len(server.messages(user, "INBOX")) == 1
    sink.full.clear()
    run = run_mailbox(ledger, config, db, StandIn())
    assert (run.sent, run.moved, run.problems) == (1, 1, [])
    assert len(sink.messages("czj@duban.test")) == 1 and server.messages(user, "INBOX") == []


def test_a_uidvalidity_reset_neither_judges_nor_answers_twice(box):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
    sink.full.add("czj@duban.test")
    take_in = StandIn()
    run_mailbox(ledger, config, db, take_in)
    maildir = server.root / "home" / user / "Maildir"
    before = server.status(user, "INBOX")["uidvalidity"]
    for index in [maildir / "dovecot-uidlist", *maildir.glob("dovecot.index*")]:
        index.unlink()                      # Dovecot renumbers the folder with a new UIDVALIDITY
    assert server.status(user, "INBOX")["uidvalidity"] != before
    sink.full.clear()
    run = run_mailbox(ledger, config, db, take_in)
    assert run.reset and (run.sent, run.moved) == (1, 1)
    assert list(take_in.seen.values()) == [1] and len(sink.messages("czj@duban.test")) == 1


def test_wrong_password_and_server_down_are_one_line_each(box, monkeypatch):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "wrong")
    with pytest.raises(MailUnavailable, match="拒绝登录") as caught:
        run_mailbox(ledger, config, db, StandIn())
    assert "\n" not in str(caught.value)
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    down = config.__class__(**{**config.__dict__, "imap_port": 1})
    with pytest.raises(MailUnavailable, match="拒绝连接"):
        run_mailbox(ledger, down, db, StandIn())
    assert len(server.messages(user, "INBOX")) == 1 and not sink.messages()


def test_dry_run_sends_moves_and_records_nothing(box):
    server, sink, user, config, db, ledger = box
    server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
    run = run_mailbox(ledger, config, db, StandIn(), dry_run=True)
    assert len(run.new) == 1 and run.new[0].reply.startswith("回执：")
    assert not sink.messages() and len(server.messages(user, "INBOX")) == 1
    assert db.execute("SELECT COUNT(*) FROM mail_messages").fetchone()[0] == 0
    assert not (ledger.parent / "督查输出").exists()


def test_a_connection_dropped_midway_loses_nothing(box):
    from mailservers import DroppingProxy

    server, sink, user, config, db, ledger = box
    for n in range(3):
        server.deliver(user, mail(f"unit{n}@duban.test", n, (FORM, bytes(range(256)) * 40)))
    proxy = DroppingProxy(server.imaps, cut_after=6000)   # the line drops during the downloads
    take_in = StandIn()
    try:
        flaky = config.__class__(**{**config.__dict__, "imap_port": proxy.port})
        with pytest.raises(MailUnavailable, match="连接中断|报错") as caught:
            run_mailbox(ledger, flaky, db, take_in)
        assert "\n" not in str(caught.value)
    finally:
        proxy.close()
    assert len(server.messages(user, "INBOX")) == 3 and not sink.messages() and not take_in.seen
    run = run_mailbox(ledger, config, db, take_in)
    assert (len(run.new), run.sent, run.moved) == (3, 3, 3)
    assert sorted(m["To"] for m in sink.messages()) == [f"unit{n}@duban.test" for n in range(3)]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_receipts_go_out_over_tls_checked_against_the_ca_file(box, security):
    from mailservers import start_smtp_sink

    server, _, user, config, db, ledger = box
    sink, controller = start_smtp_sink(security, server.ca_file)
    try:
        server.deliver(user, mail("czj@duban.test", 1, (FORM, b"x")))
        tls = config.__class__(**{**config.__dict__, "smtp_port": sink.port, "smtp_security": security})
        run = run_mailbox(ledger, tls, db, StandIn())
        assert (run.sent, run.moved) == (1, 1) and len(sink.messages("czj@duban.test")) == 1
    finally:
        controller.stop()
