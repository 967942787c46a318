"""The package lint itself finds what Excel would «repair», and what the writer emits passes it."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ooxml_lint import assert_clean, lint, schemas_present, xsd_problems

from duban_xl.contract import Sheet
from duban_xl.sheet_style import table_sheet
from duban_xl.template import build_template
from duban_xl.xlsx.marks import CellMark
from duban_xl.xlsx.transaction import write_workbook

import pandas as pd


def _rezip(source: Path, dest: Path, **replace: bytes) -> Path:
    """A copy of a package with some parts' bytes replaced (keys use / as in the zip)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, replace.pop(name, zin.read(name)))
        for name, data in replace.items():
            zout.writestr(name, data)
    return dest


@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "台账.xlsx"
    build_template(path)
    return path


def test_lint_passes_the_template_and_finds_a_repeated_row(template, tmp_path):
    assert lint(template) == []
    with zipfile.ZipFile(template) as zf:
        from duban_xl.xlsx.package import Package
        with Package(template) as pkg:
            part = pkg.sheets()[Sheet.ITEMS]
        sheet = zf.read(part)
    broken = sheet.replace(b'<row r="3"', b'<row r="2"', 1)
    assert broken != sheet
    problems = lint(_rezip(template, tmp_path / "bad.xlsx", **{part: broken}))
    assert any("row 2 after row 2" in p for p in problems), problems


def test_lint_finds_a_cell_outside_its_row_a_missing_target_and_a_part_without_type(template, tmp_path):
    from duban_xl.xlsx.package import Package
    with Package(template) as pkg:
        part = pkg.sheets()[Sheet.ITEMS]
        sheet = pkg.read(part)
        rels = pkg.read("xl/_rels/workbook.xml.rels")
    moved = sheet.replace(b'<c r="A1"', b'<c r="A9"', 1)
    rels = rels.replace(b"styles.xml", b"nostyles.xml", 1)
    path = _rezip(template, tmp_path / "bad.xlsx", **{part: moved, "xl/_rels/workbook.xml.rels": rels,
                                                      "xl/extra.bin": b"x"})
    problems = lint(path)
    assert any("cell A9 inside row 1" in p for p in problems), problems
    assert any("nostyles.xml is missing" in p for p in problems), problems
    assert any("xl/extra.bin: no content type" in p for p in problems), problems


@pytest.mark.skipif(not schemas_present(), reason="ISO/IEC 29500 schemas not at ../shared/ooxml-schemas")
def test_schema_check_finds_an_element_out_of_order(template):
    from duban_xl.xlsx.package import Package
    with Package(template) as pkg:
        part = pkg.sheets()[Sheet.ITEMS]
        sheet = pkg.read(part)
    assert xsd_problems(part, sheet) == []
    bad = sheet.replace(b"<sheetData>", b"<sheetData><bogus/>", 1)
    assert xsd_problems(part, bad)


def test_written_findings_sheet_marks_and_rows_pass_lint_and_schemas(template):
    source = template.with_name("before.xlsx")
    source.write_bytes(template.read_bytes())
    frame = pd.DataFrame({"级别": ["错误"] * 3, "工作表": [Sheet.ITEMS] * 3, "单元格": ["D2", "D3", "D4"],
                          "问题": ["a", "b", "c"]})
    write_workbook(template, sheets=[table_sheet(Sheet.FINDINGS, frame, first=True)],
                   marks=[CellMark(Sheet.ITEMS, "D2", "请改正"), CellMark(Sheet.ITEMS, "E3", "请改正")])
    assert_clean(template, source)
