"""`duban intake --mail` end to end: sample ledger, real Dovecot, real SMTP sink, scheduled runs.

Issue 11's «Done when»: three scheduled runs over a mailbox of clean, tampered
and odd messages — one of them killed midway, at random points — leave the
ledger with every clean row exactly once, every sender one receipt and every
message in the done folder.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duban_xl.contract import Col
from duban_xl.mail.names import attachment_name
from duban_xl.reader import read_ledger
from intake_files import fill, host_rows, issue, letter
from mailservers import unit_mail as message, write_config

AS_OF = "2022-07-05"


def gbk_named(sender: str, number: int, name: str, data: bytes) -> bytes:
    """Foxmail-style: the file name as raw 8-bit GBK bytes in the header."""
    raw = message(sender, number, [("PLACEHOLDER.xlsx", data)])
    head, _, rest = raw.partition(b'filename="PLACEHOLDER.xlsx"')
    return head + b'filename="' + name.encode("gbk") + b'"' + rest


def run_cli(ledger: Path, env: dict, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "duban_xl.cli", "intake", str(ledger), "--mail", "--as-of", AS_OF,
                           *extra], capture_output=True, text=True, env=env, timeout=timeout)


def killed_run(ledger: Path, env: dict, after: float) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "duban_xl.cli", "intake", str(ledger), "--mail", "--as-of", AS_OF],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def merged_receipt_nos(ledger: Path) -> list[str]:
    """收件编号 of the rows merged from this month's forms (the sample has an older one of its own)."""
    fb = read_ledger(ledger).feedback
    return [r for r in fb[Col.RECEIPT_NO].dropna() if r.startswith("BS202207")]


@pytest.fixture
def office(dovecot, smtp_sink, tmp_path):
    """The sample with July's forms issued, a fresh mailbox, duban.toml beside the ledger."""
    ledger, forms = issue(tmp_path)
    user = dovecot.add_user()
    write_config(ledger.parent, dovecot, smtp_sink, user)
    smtp_sink.clear()
    return ledger, forms, user, {**os.environ, "DUBAN_MAIL_PASSWORD": "test-pass", "DUBAN_TODAY": AS_OF}


@pytest.mark.slow
def test_three_scheduled_runs_one_killed_leave_every_clean_row_once(office, dovecot, smtp_sink, tmp_path):
    ledger, forms, user, env = office
    units = sorted(forms)[:4]
    filled = {u: fill(forms[u], tmp_path / "filled" / forms[u].name).read_bytes() for u in units}
    tampered_unit = sorted(forms)[4]
    row = host_rows(forms[tampered_unit])[0]
    tampered = fill(forms[tampered_unit], tmp_path / "tampered" / forms[tampered_unit].name,
                    {f"{letter(Col.SUBJECT)}{row}": "改过的督查事项"}).read_bytes()
    senders = {u: f"unit{n}@duban.test" for n, u in enumerate(units + [tampered_unit])}

    # the mailbox before the first run: two clean forms, a tampered one, odd messages
    first = [
        message(senders[units[0]], 1, [(forms[units[0]].name, filled[units[0]])]),
        gbk_named(senders[units[1]], 2, forms[units[1]].name, filled[units[1]]),
        message(senders[tampered_unit], 3, [(forms[tampered_unit].name, tampered)]),
        message("nofile@duban.test", 4, []),
        message("photo@duban.test", 5, [("现场照片.jpg", b"\xff\xd8\xff\xe0 not really a photo")]),
        message("mailer-daemon@duban.test", 6, [], Auto_Submitted="auto-replied"),
    ]
    for raw in first:
        dovecot.deliver(user, raw)

    rng = random.Random(11)
    for _ in range(3):                          # run 1, killed at random points (several times)
        killed_run(ledger, env, rng.uniform(0.5, 6.0))
    done = run_cli(ledger, env)
    assert done.returncode == 0, done.stderr

    # between runs: a third clean form, and the first unit sends the same form again
    dovecot.deliver(user, message(senders[units[2]], 7, [(forms[units[2]].name, filled[units[2]])]))
    dovecot.deliver(user, message(senders[units[0]], 8, [(forms[units[0]].name, filled[units[0]])]))
    done = run_cli(ledger, env, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert sorted(f["结果"] for f in report["files"]) == ["已合并", "重复"]

    dovecot.deliver(user, message(senders[units[3]], 9, [(forms[units[3]].name, filled[units[3]])]))
    for _ in range(2):                          # run 3, killed again before it completes
        killed_run(ledger, env, rng.uniform(0.5, 5.0))
    done = run_cli(ledger, env)
    assert done.returncode == 0, done.stderr

    # every clean row exactly once
    nos = merged_receipt_nos(ledger)
    expected_rows = sum(len(host_rows(forms[u])) for u in units)
    assert len(nos) == len(set(nos)) == expected_rows
    # every sender one receipt per message, threaded, with the 回执 attached; never the robot
    per_sender = {}
    for msg in smtp_sink.messages():
        per_sender.setdefault(msg["To"], []).append(msg)
    assert {to: len(m) for to, m in per_sender.items()} == {
        senders[units[0]]: 2, senders[units[1]]: 1, senders[units[2]]: 1, senders[units[3]]: 1,
        senders[tampered_unit]: 1, "nofile@duban.test": 1, "photo@duban.test": 1}
    first_reply = per_sender[senders[units[0]]][0]
    assert first_reply["In-Reply-To"] == f"<r1.{senders[units[0]]}>"
    assert first_reply["Subject"] == f"回执：{units[0]}2022年7月报送表 已合并"
    assert per_sender[senders[units[0]]][1]["Subject"].endswith("已收到，与前次报送相同，未作改动")
    assert per_sender[senders[tampered_unit]][0]["Subject"].endswith("需修改后重报")
    assert any(attachment_name(p) and attachment_name(p).endswith(".xlsx") for p in first_reply.walk())
    gbk_reply = per_sender[senders[units[1]]][0]
    assert gbk_reply["Subject"].endswith("已合并")
    # every message in the done folder, none left behind
    assert dovecot.messages(user, "INBOX") == []
    assert len(dovecot.messages(user, "已处理")) == 9


@pytest.mark.slow
def test_watch_takes_a_form_in_as_soon_as_it_arrives(office, dovecot, smtp_sink, tmp_path):
    ledger, forms, user, env = office
    unit = sorted(forms)[0]
    data = fill(forms[unit], tmp_path / "filled" / forms[unit].name).read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "duban_xl.cli", "intake", str(ledger), "--mail", "--watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        deadline = time.monotonic() + 60
        log = ledger.parent / "督查输出" / "日志"
        while not list(log.glob("intake_*.log")) and time.monotonic() < deadline:
            time.sleep(0.2)                     # the first round (an empty mailbox) is done: now it IDLEs
        dovecot.deliver(user, message("watch@duban.test", 1, [(forms[unit].name, data)]))
        while not smtp_sink.messages("watch@duban.test") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [m["Subject"] for m in smtp_sink.messages("watch@duban.test")] == [f"回执：{unit}2022年7月报送表 已合并"]
    finally:
        proc.kill()
        proc.wait()
    assert len(set(merged_receipt_nos(ledger))) == len(host_rows(forms[unit]))


@pytest.mark.slow
def test_the_ledger_open_in_excel_means_nothing_merged_sent_or_moved(office, dovecot, smtp_sink, tmp_path,
                                                                    monkeypatch, capsys):
    from duban_xl.cli import main

    ledger, forms, user, env = office
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    unit = sorted(forms)[0]
    data = fill(forms[unit], tmp_path / "f" / forms[unit].name).read_bytes()
    dovecot.deliver(user, message("open@duban.test", 1, [(forms[unit].name, data)]))
    lock = ledger.with_name(f"~${ledger.name}")
    lock.write_bytes(b"")
    before = ledger.read_bytes()
    assert main(["intake", str(ledger), "--mail", "--as-of", AS_OF]) == 2
    assert "Excel" in capsys.readouterr().err
    assert ledger.read_bytes() == before and not smtp_sink.messages() and len(dovecot.messages(user, "INBOX")) == 1
    lock.unlink()
    assert main(["intake", str(ledger), "--mail", "--as-of", AS_OF]) == 0
    assert len(smtp_sink.messages("open@duban.test")) == 1 and dovecot.messages(user, "INBOX") == []
    assert len(merged_receipt_nos(ledger)) == len(host_rows(forms[unit]))
