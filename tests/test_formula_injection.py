"""Text from a ledger or an emailed sheet never becomes a formula in anything we write."""
from __future__ import annotations

import csv
import zipfile

from openpyxl import Workbook, load_workbook

from duban_xl.bulletin import build_monthly_sheet, monthly_bulletin
from duban_xl.findings import build_findings_sheet
from duban_xl.ledger import Ledger
from duban_xl.reader import read_ledger
from duban_xl.score import score
from duban_xl.score_sheets import build_detail_sheet, write_csv
from duban_xl.validate import validate
from workbooks import UNITS, D, item, write_ledger

PAYLOAD = '=HYPERLINK("http://evil.example","点击")'


def _no_formulas(path):
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in z.read(n) and b"<f " not in z.read(n) for n in sheets)


def test_event_reason_stays_text_in_score_detail_and_csv(tmp_path):
    ledger = Ledger.from_frames(单位=UNITS, 台账=[item()], 加扣分事件=[
        {"日期": "2022-05-01", "单位": "县财政局", "事件类型": "其他问题", "分值": 2, "事由": PAYLOAD}])
    result = score(ledger, D(2022, 12, 31))
    assert any(PAYLOAD in note for note in result.detail["说明"])
    book = Workbook()
    build_detail_sheet(book.active, result)
    book.save(tmp_path / "s.xlsx")
    _no_formulas(tmp_path / "s.xlsx")
    notes = [row[7] for row in load_workbook(tmp_path / "s.xlsx").active.iter_rows(min_row=2, values_only=True)]
    assert any(PAYLOAD in n for n in notes)
    detail_csv = next(p for p in write_csv(result, tmp_path) if p.name.startswith("得分明细"))
    cells = [c for row in csv.reader(detail_csv.open(encoding="utf-8-sig")) for c in row]
    assert not any(c.startswith("=") for c in cells)


def test_typed_payload_stays_text_in_findings_and_bulletin_sheets(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", {"台账": [item(SUBJECT=PAYLOAD, HOST=PAYLOAD, DEADLINE=D(2022, 5, 1))]})
    ledger = read_ledger(path)
    book = Workbook()
    build_findings_sheet(book.active, validate(ledger, D(2022, 12, 31)))
    build_monthly_sheet(book.create_sheet("月度通报"), monthly_bulletin(ledger, "2022-06"))
    book.save(tmp_path / "out.xlsx")
    _no_formulas(tmp_path / "out.xlsx")
