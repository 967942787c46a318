"""`--send`: each unit its 催办单 / 报送表 at the 单位 sheet's 电子邮箱, once a day, recorded as 邮件."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from duban_xl.cli import main
from duban_xl.contract import Col, RemindMethod, Sheet
from duban_xl.mail.names import attachment_name
from duban_xl.reader import read_ledger
from duban_xl.remind import reminders
from mailservers import write_config

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "云和县2022年督查台账.xlsx"
AS_OF = "2022-07-03"


@pytest.fixture
def office(dovecot, smtp_sink, tmp_path, monkeypatch):
    """A copy of the sample whose first reminded unit has no 电子邮箱, and a duban.toml for the sink."""
    ledger = tmp_path / "督查台账.xlsx"
    shutil.copy(SAMPLE, ledger)
    monkeypatch.setenv("DUBAN_MAIL_PASSWORD", "test-pass")
    write_config(tmp_path, dovecot, smtp_sink, dovecot.add_user())
    smtp_sink.clear()
    return ledger, smtp_sink


def blank_address(ledger: Path, unit: str) -> None:
    wb = load_workbook(ledger)
    ws = wb[Sheet.UNITS]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index(Col.UNIT_NAME)].value == unit:
            row[header.index(Col.EMAIL)].value = None
    wb.save(ledger)


@pytest.mark.slow
def test_remind_send_mails_each_unit_once_a_day_and_records_mail(office, capsys):
    ledger, sink = office
    assert main(["remind", str(ledger), "--as-of", AS_OF, "--dry-run"]) == 0
    capsys.readouterr()
    book = read_ledger(ledger)
    units = list(dict.fromkeys(read_reminded_units(ledger)))
    silent = units[0]
    blank_address(ledger, silent)
    emails = dict(zip(book.units[Col.UNIT_NAME], book.units[Col.EMAIL]))

    assert main(["remind", str(ledger), "--as-of", AS_OF, "--send"]) == 0
    out = capsys.readouterr().out
    assert f"已发送催办单 {len(units) - 1} 封" in out and silent in out.split("没有电子邮箱")[1]
    got = {m["To"]: m for m in sink.messages()}
    assert set(got) == {emails[u] for u in units[1:]}
    one = got[emails[units[1]]]
    assert one["Subject"] == f"督查事项催办单：{units[1]}（2022年7月3日）"
    names = [attachment_name(p) for p in one.walk() if attachment_name(p)]
    assert len(names) == 1 and names[0].endswith(".docx") and units[1] in names[0]

    rows = reminder_log(ledger)
    assert set(rows[rows[Col.UNIT] == silent][Col.REMIND_METHOD]) == {RemindMethod.MESSAGE}
    assert set(rows[rows[Col.UNIT] != silent][Col.REMIND_METHOD]) == {RemindMethod.MAIL}

    assert main(["remind", str(ledger), "--as-of", AS_OF, "--send"]) == 0   # the same day again
    assert "已发送催办单 0 封" in capsys.readouterr().out and len(sink.messages()) == len(units) - 1
    again = reminder_log(ledger)
    assert len(again) == len(rows)                                            # replaced, not appended
    assert set(again[again[Col.UNIT] != silent][Col.REMIND_METHOD]) == {RemindMethod.MAIL}
    logs = list((ledger.parent / "督查输出" / "日志").glob("remind_*.log"))
    assert len(logs) == 1 and logs[0].read_text(encoding="utf-8").count("退出码 0") == 2


def read_reminded_units(ledger: Path) -> list[str]:
    return list(reminders(read_ledger(ledger), dt.date(2022, 7, 3))[Col.UNIT])


def reminder_log(ledger: Path) -> pd.DataFrame:
    frame = pd.read_excel(ledger, sheet_name=Sheet.REMINDER_LOG, engine="calamine")
    return frame[frame[Col.HANDLER].astype(str).str.startswith("duban")]


def test_send_without_a_configuration_is_one_line_and_sends_nothing(tmp_path, capsys):
    ledger = tmp_path / "督查台账.xlsx"
    shutil.copy(SAMPLE, ledger)
    assert main(["remind", str(ledger), "--as-of", AS_OF, "--send"]) == 2
    err = capsys.readouterr().err
    assert "找不到配置文件" in err and "duban.toml" in err


@pytest.mark.slow
def test_forms_send_mails_each_unit_its_form_once_and_records_it(office, capsys):
    ledger, sink = office
    args = ["forms", str(ledger), "--month", "2022-07", "--as-of", "2022-06-25", "--send"]
    assert main(args) == 0
    out = capsys.readouterr().out
    book = read_ledger(ledger)
    emails = dict(zip(book.units[Col.UNIT_NAME], book.units[Col.EMAIL]))
    messages = sink.messages()
    made = [line.split("：")[0] for line in out.splitlines() if " 个事项 → " in line]
    assert sorted(m["To"] for m in messages) == sorted(emails[u] for u in made)
    chased = set(reminders(book, dt.date(2022, 6, 25))[Col.UNIT]) & set(made)
    assert chased and set(made) - chased  # the sample has units of both kinds that day
    for one in messages:
        unit = next(u for u in made if emails[u] == one["To"])
        assert one["Subject"] == f"{unit}2022年7月督查事项报送表（请于2022年7月5日前报回）"
        names = [attachment_name(p) for p in one.walk() if attachment_name(p)]
        slip = [f"催办单_{unit}_20220625.docx"] if unit in chased else []  # SPEC: with its 催办单 when it has one
        assert names == [f"{unit}_2022年7月报送表.xlsx", *slip], unit
        text = one.get_body(("plain",)).get_content()
        assert "直接回复本邮件" in text and ("催办单一并附上" in text) == (unit in chased)
    rows = pd.read_excel(ledger, sheet_name=Sheet.REMINDER_LOG, engine="calamine")
    mine = rows[rows[Col.HANDLER].astype(str).str.startswith("duban自动发送报送表")]
    assert sorted(mine[Col.UNIT]) == sorted(made) and set(mine[Col.REMIND_METHOD]) == {RemindMethod.MAIL}
    assert main(args) == 0                       # the same day again: nothing twice
    assert len(sink.messages()) == len(messages) and "今天已发过" in capsys.readouterr().out


@pytest.mark.slow
def test_statement_send_mails_each_unit_its_statement_once(office, capsys):
    ledger, sink = office
    args = ["statement", str(ledger), "--quarter", "2022Q2", "--unit", "县财政局", "--unit", "浮云街道", "--send"]
    assert main(args) == 0
    emails = dict(zip(*(read_ledger(ledger).units[c] for c in (Col.UNIT_NAME, Col.EMAIL))))
    got = {m["To"]: m for m in sink.messages()}
    assert set(got) == {emails["县财政局"], emails["浮云街道"]}
    one = got[emails["县财政局"]]
    assert one["Subject"] == "得分告知单：县财政局（2022年第2季度）"
    names = sorted(attachment_name(p) for p in one.walk() if attachment_name(p))
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "xlsx"] and all("县财政局" in n for n in names)
    assert "如有异议" in one.get_body(("plain",)).get_content()
    assert main(args) == 0 and len(sink.messages()) == 2
    rows = pd.read_excel(ledger, sheet_name=Sheet.REMINDER_LOG, engine="calamine")
    mine = rows[rows[Col.HANDLER].astype(str).str.startswith("duban自动发送得分告知单")]
    assert sorted(mine[Col.UNIT]) == ["县财政局", "浮云街道"] and set(mine[Col.REMIND_METHOD]) == {RemindMethod.MAIL}
