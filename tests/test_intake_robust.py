"""Returned forms through real LibreOffice, and intake runs killed at random moments (slow)."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import pdf_pages
from duban_xl.contract import Col, FormSheet
from duban_xl.reader import read_ledger
from intake_files import RECEIVED, fill, issue, letter

UNIT = "丽水市生态环境局云和分局"


def test_a_form_filled_and_saved_by_libreoffice_keeps_inputs_dropdowns_identity_and_merges(tmp_path, libreoffice):
    ledger, forms = issue(tmp_path)
    filled = fill(forms[UNIT], tmp_path / "filled" / forms[UNIT].name)
    saved = libreoffice(filled, "xlsx", tmp_path / "saved-by-libreoffice")  # a clerk opened it and pressed Save
    book = load_workbook(saved)
    ws = book[FormSheet.FORM]
    assert book[FormSheet.IDENTITY].sheet_state in ("hidden", "veryHidden")
    assert ws[f"{letter(Col.PROGRESS)}6"].value == "完成年度投资的60%" and ws[f"{letter(Col.SIGNER)}6"].value == "王建国"
    assert {dv.type for dv in ws.data_validations.dataValidation} >= {"list", "date", "textLength"}
    assert not ws[f"{letter(Col.PROGRESS)}6"].protection.locked and ws["A6"].protection.locked
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(saved, inbox / forms[UNIT].name)
    stamp = RECEIVED.timestamp()
    os.utime(inbox / forms[UNIT].name, (stamp, stamp))
    from duban_xl import api

    run = api.intake_folder(ledger, inbox, RECEIVED.date())
    ((_, result),) = run.files
    assert result.outcome == "已合并" and result.merged_rows == 2, [f.message for f in result.findings]


def test_a_form_saved_as_legacy_xls_is_refused_with_what_to_send_instead(tmp_path, libreoffice):
    ledger, forms = issue(tmp_path)
    filled = fill(forms[UNIT], tmp_path / "filled" / forms[UNIT].name)
    old = libreoffice(filled, "xls:MS Excel 97", tmp_path / "xls")  # a clerk chose «Excel 97-2003»
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(old, inbox / old.name)
    from duban_xl import api

    before = ledger.read_bytes()
    ((_, result),) = api.intake_folder(ledger, inbox, RECEIVED.date()).files
    assert result.outcome == "退回" and ledger.read_bytes() == before
    (problem,) = result.findings
    assert problem.code == "unusable_file" and ".xls" in problem.message and "另存为" in problem.message


def test_a_form_prints_on_one_page_and_its_receipt_on_one_page_a_sheet(tmp_path, libreoffice):
    ledger, forms = issue(tmp_path)
    inbox = tmp_path / "收件"
    fill(forms[UNIT], inbox / forms[UNIT].name, {f"{letter(Col.SIGNER)}6": None})
    from duban_xl import api

    api.intake_folder(ledger, inbox, RECEIVED.date())
    receipt = next((inbox / "回执").iterdir())
    pdfs = libreoffice([forms[UNIT], receipt], "pdf", tmp_path / "pdf")
    assert [pdf_pages(pdf) for pdf in pdfs] == [1, 2]  # 回执: the problems, then the rows as read
    for pdf in pdfs:
        png = pdf.with_suffix("")
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(png)], check=True)
        assert png.with_suffix(".png").stat().st_size > 5000


@pytest.mark.slow
def test_runs_killed_at_random_moments_then_repeated_merge_every_row_exactly_once(tmp_path):
    ledger, forms = issue(tmp_path)
    inbox = tmp_path / "收件"
    clean = sorted(forms)[:8]
    expected = Counter()
    for unit in clean:
        fill(forms[unit], inbox / forms[unit].name)
        expected[unit] = sum(1 for r in load_workbook(forms[unit])[FormSheet.FORM].iter_rows(min_row=6, values_only=True)
                             if r[1] == "主办")
    fill(forms[sorted(forms)[9]], inbox / "tampered.xlsx", {"C6": "改过的督查事项"})
    command = [sys.executable, "-m", "duban_xl.cli", "intake", str(ledger), "--dir", str(inbox), "--as-of", "2022-07-05"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.monotonic()
    subprocess.run(command, env=env, capture_output=True, check=True, cwd=tmp_path)  # one whole run, timed …
    whole = time.monotonic() - started
    # … then start again from the same files and kill runs at random moments within that time
    shutil.rmtree(tmp_path / "office")
    shutil.rmtree(inbox)
    ledger, forms = issue(tmp_path)
    for unit in clean:
        fill(forms[unit], inbox / forms[unit].name)
    fill(forms[sorted(forms)[9]], inbox / "tampered.xlsx", {"C6": "改过的督查事项"})
    chance = random.Random(10)
    kills = 8
    for i in range(kills):  # moments spread over a whole run, each a little random
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
        time.sleep(whole * (i + chance.uniform(0.2, 0.9)) / kills)
        process.kill()
        process.wait()
        numbers = read_ledger(ledger).feedback[Col.RECEIPT_NO].dropna()  # after any kill: a whole ledger,
        assert numbers.is_unique  # never a row merged twice
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0
    feedback = read_ledger(ledger).feedback
    ours = feedback[feedback[Col.RECEIPT_NO].fillna("").str.startswith("BS202207")]
    assert ours[Col.RECEIPT_NO].is_unique
    assert Counter(ours[Col.REPORTER]) == expected
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert len(list((inbox / "回执").iterdir())) == len(clean) + 1
