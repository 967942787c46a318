"""check_workbook_file refuses what a clerk might pick by mistake; Package copies parts untouched."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from duban_xl.errors import EncryptedWorkbook, FileMissing, LegacyXls, NotAWorkbook, UnsafeWorkbook
from duban_xl.xlsx.package import Package
from duban_xl.xlsx.safety import check_workbook_file

REAL = Path(__file__).parent / "data" / "realworld"
GOOD = sorted(p for p in REAL.glob("*.xlsx") if "encrypt" not in p.name and "Bad" not in p.name)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_real_excel_workbooks_pass_the_check(path):
    check_workbook_file(path)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(FileMissing, match="督查台账.xlsx"):
        check_workbook_file(tmp_path / "督查台账.xlsx")


def test_encrypted_workbook_asks_to_remove_the_password():
    with pytest.raises(EncryptedWorkbook, match="取消密码"):
        check_workbook_file(REAL / "excelize-encryptAES.xlsx")


def test_workbook_without_sheets_is_refused_as_damaged():
    with pytest.raises(NotAWorkbook, match="excelize-BadWorkbook.xlsx"):
        check_workbook_file(REAL / "excelize-BadWorkbook.xlsx")


def test_text_file_renamed_xlsx_is_not_a_workbook(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_text("交办单号,督查事项\n2022-001,道路整治\n", encoding="utf-8")
    with pytest.raises(NotAWorkbook, match="不是 Excel 工作簿"):
        check_workbook_file(path)


def test_truncated_workbook_is_damaged(tmp_path):
    path = tmp_path / "半截.xlsx"
    path.write_bytes((REAL / "excelize-Book1.xlsx").read_bytes()[:6000])
    with pytest.raises(NotAWorkbook):
        check_workbook_file(path)


def test_zip_without_workbook_part_is_refused(tmp_path):
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(NotAWorkbook, match="xl/workbook.xml"):
        check_workbook_file(path)


@pytest.mark.libreoffice
def test_legacy_xls_asks_to_save_as_xlsx(tmp_path, libreoffice):
    source = tmp_path / "旧台账.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "交办单号"
    wb.save(source)
    xls = libreoffice(source, "xls", tmp_path / "out")
    with pytest.raises(LegacyXls, match="另存为"):
        check_workbook_file(xls)
    renamed = xls.with_name("改了扩展名.xlsx")
    renamed.write_bytes(xls.read_bytes())
    with pytest.raises(LegacyXls):
        check_workbook_file(renamed)


def _minimal_workbook(zf: zipfile.ZipFile, workbook_xml: str) -> None:
    for part in ("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"):
        zf.writestr(part, zipfile.ZipFile(REAL / "poi-64759.xlsx").read(part))
    zf.writestr("xl/workbook.xml", workbook_xml)


def test_zip_bomb_is_refused_without_unpacking_it(tmp_path):
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _minimal_workbook(zf, zipfile.ZipFile(REAL / "poi-64759.xlsx").read("xl/workbook.xml").decode())
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    with pytest.raises(UnsafeWorkbook, match="压缩炸弹"):
        check_workbook_file(path)


def test_xml_with_entity_declarations_is_refused(tmp_path):
    path = tmp_path / "实体.xlsx"
    evil = ('<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheets><sheet name="&b;" sheetId="1"/></sheets></workbook>')
    with zipfile.ZipFile(path, "w") as zf:
        _minimal_workbook(zf, evil)
    with pytest.raises(UnsafeWorkbook, match="DTD"):
        check_workbook_file(path)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_saving_copies_every_untouched_part_byte_for_byte(path):
    out = io.BytesIO()
    with Package(path) as pkg:
        pkg.write("xl/extra.xml", b"<x/>")
        pkg.save(out)
    original, copy = zipfile.ZipFile(path), zipfile.ZipFile(out)
    assert copy.testzip() is None
    for info in original.infolist():
        assert copy.getinfo(info.filename).compress_size == info.compress_size
        assert copy.read(info.filename) == original.read(info.filename)
    assert copy.read("xl/extra.xml") == b"<x/>"


def test_sheet_parts_resolve_even_when_case_differs():
    with Package(REAL / "poi-123233_charts.xlsx") as pkg:
        part = pkg.sheets()["Page1_1"]
        assert part == "xl/worksheets/Sheet1.xml"
        assert [t for _, t in pkg.targets(part)] == ["xl/drawings/drawing1.xml"]


def test_a_file_that_passed_is_judged_again_once_its_bytes_change(tmp_path):
    """The gate does not run twice on the same bytes (a read, then the write); new bytes are new."""
    path = tmp_path / "台账.xlsx"
    path.write_bytes((REAL / "excelize-Book1.xlsx").read_bytes())
    check_workbook_file(path)
    check_workbook_file(path)  # the same bytes: still fine
    with zipfile.ZipFile(REAL / "excelize-Book1.xlsx") as good, zipfile.ZipFile(path, "w") as bad:
        for info in good.infolist():
            data = good.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
            bad.writestr(info, data)
    with pytest.raises(UnsafeWorkbook):
        check_workbook_file(path)
