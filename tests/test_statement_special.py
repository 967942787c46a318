"""得分告知单 and 督查专报 on the committed sample, read back from the Word files; both open in LibreOffice."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from conftest import pdf_pages
from duban_xl import api
from duban_xl.dates import is_workday

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path_factory.mktemp("ledger") / "督查台账.xlsx"))


def _lines(path: Path) -> list[str]:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in document.paragraphs if p.text.strip()] + cells


def test_a_statement_gives_score_rank_every_point_and_the_objection_deadline(ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")
    made = api.make_statements(ledger, "2022Q2", ["县财政局"], out=tmp_path)
    (s,) = made.statements
    assert (s.total, s.rank, s.group_size) == (109, 1, 22)  # docs/评分示例.md: 二季度末 109 分第 1 名
    assert len(s.points) == 6 and s.points["日期"].max() <= dt.datetime(2022, 6, 30)
    assert is_workday(s.objection_by) and s.objection_by > s.date
    document, workbook = made.files
    lines = _lines(document)
    assert "县财政局：" in lines
    assert any("2022年度督查得分为109分（基准分100分，累计加减分+9分），在22个县直部门中排名第1位" in line for line in lines)
    assert any(f"请于{s.objection_by.year}年{s.objection_by.month}月{s.objection_by.day}日前" in line for line in lines)
    assert any("「延期申请」D3；「台账」M7；「反馈记录」C16" in line for line in lines)  # the cells behind 2022-006
    sheet = load_workbook(workbook).active
    assert sheet["A5"].value == "日期" and sheet.max_row == 5 + len(s.points)


def test_statement_of_an_unknown_unit_is_refused(ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")
    with pytest.raises(Exception, match="不是参加排名的单位"):
        api.make_statements(ledger, "2022Q2", ["县发改委"], out=tmp_path)


def test_a_special_report_tells_the_items_whole_story_as_of_its_day(ledger, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")
    path = api.make_special_report(ledger, "2022-046", dt.date(2022, 9, 20), out=tmp_path)
    lines = _lines(path)
    assert lines[:2] == ["督查专报", "2022年46号"] and "关于2022年46号交办事项办理情况的专报" in lines
    assert "原定完成时限2022年8月31日，未变更。" in lines and "未获同意" in lines
    assert "现场检查" in lines and "电话问询" in lines  # the 催办记录 of the item
    assert any("已超过有效时限20天，未认定正当理由" in line for line in lines)
    # the August extension of 2022-037 is in force from 8月23日 only
    before = _lines(api.make_special_report(ledger, "2022-037", dt.date(2022, 8, 22), out=tmp_path))
    after = _lines(api.make_special_report(ledger, "2022-037", dt.date(2022, 8, 24), out=tmp_path))
    assert "截至报告日尚未批准" in before and "原定完成时限2022年8月31日，未变更。" in before
    assert "原定完成时限2022年8月31日，经批准延期，截至2022年8月24日有效时限为2022年10月31日。" in after


def test_both_documents_open_in_libreoffice(ledger, tmp_path, monkeypatch, libreoffice):
    monkeypatch.setenv("DUBAN_TODAY", "2022-12-31")
    files = api.make_statements(ledger, "2022Q4", ["赤石乡"], out=tmp_path).files
    files.append(api.make_special_report(ledger, "2022-026", dt.date(2022, 7, 10), out=tmp_path))
    pdfs = libreoffice([f for f in files if f.suffix == ".docx"], "pdf", tmp_path / "pdf")
    assert all(pdf_pages(pdf) >= 1 for pdf in pdfs)
