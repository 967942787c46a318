"""`duban demo`: a whole month on the sample leaves a folder a clerk could send out that day."""
from __future__ import annotations

import shutil
import zipfile

import pytest
from openpyxl import load_workbook

from conftest import pdf_pages
from duban_xl.cli import main
from duban_xl.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "out"
    lines = run_demo(folder)
    return folder, lines


def test_demo_runs_the_month_and_says_where_its_output_went(demo):
    folder, lines = demo
    month = folder / "督查输出" / "2022年6月"
    assert lines[-1] == f"全部输出在：{month}"
    names = {p.name for p in month.iterdir()}
    assert "通报_2022年6月.docx" in names and "季度排名通报_2022年第2季度.docx" in names
    assert any(n.startswith("交办单_") for n in names) and any(n.startswith("催办单_") for n in names)
    assert any(n.startswith("反馈报告_") for n in names) and "催办清单_20220624.xlsx" in names
    assert {"得分明细.csv", "季度排名.csv"} <= names
    assert (folder / "督查输出" / "督查归档_2022年6月.zip").exists()


def test_every_document_and_workbook_opens_in_libreoffice(demo, libreoffice, tmp_path):
    folder, _ = demo
    files = sorted(p for p in (folder / "督查输出" / "2022年6月").iterdir() if p.suffix in (".docx", ".xlsx"))
    files += [folder / "云和县2022年督查台账.xlsx", folder / "云和县2022年督查台账（校验结果）.xlsx"]
    pdfs = libreoffice(files, "pdf", tmp_path / "pdf")
    assert all(pdf_pages(pdf) > 0 for pdf in pdfs), [p.name for p in pdfs if pdf_pages(p) == 0]


def test_ledger_got_its_output_sheets_and_kept_the_template(demo):
    folder, _ = demo
    book = load_workbook(folder / "云和县2022年督查台账.xlsx")
    assert {"月度通报", "季度排名", "得分明细"} <= set(book.sheetnames)
    assert book.sheetnames[:10] == ["说明", "参数", "单位", "台账", "延期申请", "反馈记录", "加扣分事件", "通报记录", "催办记录",
                                   "规则"]
    items = book["台账"]
    assert items.data_validations.dataValidation and items.conditional_formatting and items.tables
    assert str(items["R2"].value).startswith("=")  # the live status formulas are still there
    assert list((folder / "duban_备份").glob("*.xlsx"))  # in-place writes kept backups


def test_bulletin_rerun_replaces_its_records_and_archive_is_reproducible(demo, tmp_path, capsys):
    folder, _ = demo
    ledger = tmp_path / "台账.xlsx"
    shutil.copy(folder / "云和县2022年督查台账.xlsx", ledger)

    def june_records():
        rows = load_workbook(ledger)["通报记录"].iter_rows(min_row=2, values_only=True)
        return [r for r in rows if r[0] == "2022年第6期"]

    before = june_records()
    assert main(["bulletin", str(ledger), "--month", "2022-06"]) == 0
    assert june_records() == before and len(before) > 0  # replaced, not duplicated
    assert main(["archive", str(ledger), "--month", "2022-06"]) == 0
    first = (tmp_path / "督查输出" / "督查归档_2022年6月.zip").read_bytes()
    assert main(["archive", str(ledger), "--month", "2022-06"]) == 0
    archive = tmp_path / "督查输出" / "督查归档_2022年6月.zip"
    assert archive.read_bytes() == first
    assert main(["archive", "--verify", str(archive)]) == 0
    with zipfile.ZipFile(archive) as z:
        assert {"manifest.json", "索引.csv", "台账.xlsx", "通报_2022年6月.docx"} <= set(z.namelist())


def test_dry_run_changes_nothing(demo, tmp_path, capsys):
    folder, _ = demo
    ledger = tmp_path / "台账.xlsx"
    shutil.copy(folder / "云和县2022年督查台账.xlsx", ledger)
    before = ledger.read_bytes()
    assert main(["bulletin", str(ledger), "--month", "2022-07", "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out and ledger.read_bytes() == before
    assert not (tmp_path / "督查输出").exists()


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "我的文件.txt").write_text("重要", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "我的文件.txt").exists()
