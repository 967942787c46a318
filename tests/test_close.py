"""本月结账 (`duban close`): the month in one run on a copy of the sample; a second run changes nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from duban_xl.cli import main
from duban_xl.contract import Col, Sheet
from duban_xl.reader import read_ledger
from workbooks import D, item, write_ledger

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx"


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def ledger_copy(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")  # the sample holds the whole year
    return Path(shutil.copy(SAMPLE, tmp_path / "督查台账.xlsx"))


def test_close_does_the_month_and_a_second_run_changes_nothing(capsys, ledger_copy, tmp_path):
    out = tmp_path / "out"
    code, text, _ = run(capsys, "close", ledger_copy, "--month", "2022-06", "--out", out)
    assert code == 0, text
    ledger = read_ledger(ledger_copy)
    assert set(ledger.notices.loc[ledger.notices[Col.ISSUE] == "2022年第6期", Col.NOTICE_TYPE]) >= {"未按时反馈"}
    folder = out / "2022年6月"
    names = {p.name for p in folder.iterdir()}
    assert any(n.startswith("通报") for n in names) and any("季度" in n or "排名" in n for n in names), names
    assert (out / "督查归档_2022年6月.zip").is_file()
    assert "已完成：通报：2022年第6期" in text and "季度排名通报：2022年第2季度" in text and "需人工处理" in text
    backups = sorted((ledger_copy.parent / "duban_备份").glob("*.xlsx"))
    before = ledger_copy.read_bytes()
    code, again, _ = run(capsys, "close", ledger_copy, "--month", "2022-06", "--out", out)
    assert code == 0 and "与上次结账相同，台账未改动" in again
    assert ledger_copy.read_bytes() == before
    assert sorted((ledger_copy.parent / "duban_备份").glob("*.xlsx")) == backups  # no write, no backup


def test_a_month_that_does_not_end_a_quarter_publishes_no_ranking(capsys, ledger_copy, tmp_path):
    code, text, _ = run(capsys, "close", ledger_copy, "--month", "2022-05", "--out", tmp_path / "out")
    assert code == 0 and "季度排名通报" not in text


def test_close_refuses_a_ledger_with_errors_and_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-07-08")
    path = write_ledger(tmp_path / "台账.xlsx", {"台账": [item(HOST="县发改委")]})
    before = path.read_bytes()
    code, text, _ = run(capsys, "close", path, "--month", "2022-06", "--out", tmp_path / "out")
    assert code == 1 and "未执行：台账有 1 处错误" in text and "「台账」G2" in text
    assert path.read_bytes() == before and not (tmp_path / "out" / "督查归档_2022年6月.zip").exists()


def test_close_with_mail_and_no_intake_says_so_and_goes_on(capsys, ledger_copy, tmp_path):
    code, text, _ = run(capsys, "close", ledger_copy, "--month", "2022-06", "--mail", "--out", tmp_path / "out")
    assert code == 0 and "需人工处理：收件未完成：找不到配置文件" in text and "duban.toml" in text
