"""The 反馈记录 columns a returned 报送表 fills (SPEC «Returned sheets»), and ledgers made before them."""
from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from duban_xl.cli import main
from duban_xl.contract import Col, Sheet
from duban_xl.reader import read_ledger
from duban_xl.score import score
from duban_xl.validate import validate
from workbooks import D, item, write_ledger

DATA = Path(__file__).resolve().parent / "data"
PREVIOUS = DATA / "previous_template_ledger.xlsx"  # the sample as the template before these columns made it
NEW_COLUMNS = (Col.CLAIMED_DONE, Col.PROBLEMS, Col.NEXT_STEPS, Col.CONTACT, Col.PHONE, Col.RECEIPT_NO)


def test_a_ledger_of_the_previous_template_reads_validates_and_scores(tmp_path):
    header = [c.value for c in next(load_workbook(PREVIOUS, read_only=True)[Sheet.FEEDBACK].iter_rows(max_row=1))]
    assert not set(NEW_COLUMNS) & set(header)  # really the old layout
    ledger = read_ledger(PREVIOUS)
    assert ledger.feedback[list(NEW_COLUMNS)].isna().all().all()
    assert validate(ledger, D(2022, 12, 31)).errors == []
    assert len(score(ledger, D(2022, 12, 31)).ranking) > 30
    assert main(["validate", str(PREVIOUS), "--as-of", "2022-12-31"]) == 0


def test_init_makes_a_ledger_with_the_new_columns(tmp_path):
    path = tmp_path / "新台账.xlsx"
    assert main(["init", str(path), "--year", "2023"]) == 0
    header = [c.value for c in next(load_workbook(path)[Sheet.FEEDBACK].iter_rows(max_row=1))]
    assert header[-len(NEW_COLUMNS):] == list(NEW_COLUMNS)


def _feedback(**changes) -> dict:
    row = {Col.ITEM_NO: "2022-001", Col.REPORTER: "县发展和改革局", Col.FEEDBACK_DATE: D(2022, 6, 20),
           Col.FEEDBACK_TYPE: "办结反馈", Col.SIGNER: "李明", Col.CHECK_RESULT: "待核查"}
    row.update(changes)
    return row


def test_claimed_completion_after_the_report_and_a_repeated_receipt_number_are_warned(tmp_path):
    path = write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(DONE=D(2022, 6, 18))], Sheet.FEEDBACK: [
        _feedback(**{Col.CLAIMED_DONE: D(2022, 6, 25), Col.RECEIPT_NO: "BS202206-0A0B0C/2022-001/办结反馈"}),
        _feedback(**{Col.CLAIMED_DONE: "2022年6月18日", Col.RECEIPT_NO: "BS202206-0A0B0C/2022-001/办结反馈"}),
    ]})
    ledger = read_ledger(path)
    assert ledger.feedback[Col.CLAIMED_DONE].iloc[1].date() == D(2022, 6, 18)
    found = {(f.code, f.cell) for f in validate(ledger, D(2022, 12, 31)).findings}
    assert ("claimed_done_after_report", "N2") in found
    assert ("receipt_no_repeated", "S3") in found
    assert ("date_as_text", "N3") in found
