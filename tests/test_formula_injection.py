"""Text from a ledger or an emailed sheet never becomes a formula in anything we write."""
from __future__ import annotations

import csv

from openpyxl import Workbook, load_workbook

from duban_xl.bulletin import monthly_bulletin
from duban_xl.sheets import build_monthly_sheet, findings_sheet
from duban_xl.ledger import Ledger
from duban_xl.reader import read_ledger
from duban_xl.score import score
from duban_xl.score_sheets import detail_sheet, write_csv
from duban_xl.xlsx.graft import OwnedSheet
from duban_xl.xlsx.package import Package
from duban_xl.xlsx.transaction import write_workbook
from duban_xl.validate import validate
from workbooks import UNITS, D, item, write_ledger

PAYLOAD = '=HYPERLINK("http://evil.example","点击")'


def _no_formulas(path, *names):
    """The named output sheets hold no formula at all."""
    with Package(path) as package:
        parts = [package.sheets()[name] for name in names]
        assert all(b"<f>" not in package.read(p) and b"<f " not in package.read(p) for p in parts)


def test_event_reason_stays_text_in_score_detail_and_csv(tmp_path):
    ledger = Ledger.from_frames(单位=UNITS, 台账=[item()], 加扣分事件=[
        {"日期": "2022-05-01", "单位": "县财政局", "事件类型": "其他问题", "分值": 2, "事由": PAYLOAD}])
    result = score(ledger, D(2022, 12, 31))
    assert any(PAYLOAD in note for note in result.detail["说明"])
    Workbook().save(tmp_path / "s.xlsx")
    write_workbook(tmp_path / "s.xlsx", sheets=[detail_sheet(result)])
    _no_formulas(tmp_path / "s.xlsx", "得分明细")
    notes = [row[7] for row in load_workbook(tmp_path / "s.xlsx")["得分明细"].iter_rows(min_row=2, values_only=True)]
    assert any(PAYLOAD in n for n in notes)
    detail_csv = next(p for p in write_csv(result, tmp_path) if p.name.startswith("得分明细"))
    cells = [c for row in csv.reader(detail_csv.open(encoding="utf-8-sig")) for c in row]
    assert not any(c.startswith("=") for c in cells)


def test_typed_payload_stays_text_in_findings_and_bulletin_sheets(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", {"台账": [item(DEADLINE=D(2022, 5, 1))]})
    book = load_workbook(path)
    for ref in ("C2", "G2"):  # 督查事项 and 主办单位 hold the payload as text, as a pasted value does
        book["台账"][ref].value = PAYLOAD
        book["台账"][ref].data_type = "s"
    book.save(path)
    ledger = read_ledger(path)
    assert ledger.items.at[0, "督查事项"] == PAYLOAD
    bulletin = monthly_bulletin(ledger, "2022-06")
    write_workbook(path, target=tmp_path / "out.xlsx", sheets=[
        findings_sheet(validate(ledger, D(2022, 12, 31))),
        OwnedSheet("月度通报", lambda ws: build_monthly_sheet(ws, bulletin))])
    _no_formulas(tmp_path / "out.xlsx", "校验结果", "月度通报")
    assert PAYLOAD in [c.value for row in load_workbook(tmp_path / "out.xlsx")["月度通报"].iter_rows() for c in row]
