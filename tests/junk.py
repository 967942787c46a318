"""Workbooks with many rows of junk, built by code (issue 9: «200,000 rows of junk»).

A ledger: a small one from ``workbooks.write_ledger`` whose 台账 sheet part is replaced by
generated XML (inline strings) — openpyxl would take minutes for 200,000 rows. Every row is
wrong in the same ways a careless paste is, so a test knows, per kind of problem, exactly how
many there are (``JUNK_PER_ROW``). A returned 报送表: a filled form with junk rows appended.
"""
from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from duban_xl.contract import SPECS, Col, FormSheet, Sheet
from duban_xl.xlsx.package import Package
from workbooks import write_ledger

# What each junk row holds, per column (``{r}`` is the Excel row): every value distinct where a
# clerk's junk would be (units, sources), so nothing is saved by repetition.
JUNK_ROW = {
    Col.ITEM_NO: "编号{r}",  # bad_item_no
    Col.SOURCE: "来源{r}",  # bad_choice
    Col.SUBJECT: "随便写的事项{r}",
    Col.MAJOR: "也许",  # bad_choice
    Col.APPROVED_BY: "某领导{r}",  # bad_choice
    Col.LEAD: "张三",
    Col.HOST: "县不存在局{r}",  # unknown_unit
    Col.COHOSTS: "甲办{r}、乙办{r}",  # 2 × unknown_unit
    Col.ASSIGNED: "2022-13-{r}",  # bad_date
    Col.DEADLINE: "明天{r}",  # bad_date
    Col.FEEDBACK_MODE: "随缘",  # bad_choice
    Col.DONE: "不详{r}",  # bad_date
    Col.OVERDUE_REASON: "原因{r}",  # bad_choice
}
# (sheet, code) → findings per junk row, as validate must count them.
JUNK_PER_ROW = {
    (Sheet.ITEMS, "bad_item_no"): 1,
    (Sheet.ITEMS, "bad_choice"): 5,
    (Sheet.ITEMS, "unknown_unit"): 3,
    (Sheet.ITEMS, "bad_date"): 3,
}


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _rows_xml(rows: int) -> Iterator[bytes]:
    """The 台账 part, a chunk per row: written as it is made, so building it takes little memory
    (a child's measured peak includes what its parent held when it started)."""
    names = SPECS[Sheet.ITEMS].names
    letters = [get_column_letter(i + 1) for i in range(len(names))]
    head = "".join(_cell(f"{letter}1", name) for letter, name in zip(letters, names))
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f'<dimension ref="A1:{letters[-1]}{rows + 1}"/><sheetData><row r="1">{head}</row>').encode()
    templates = [(letter, JUNK_ROW.get(name)) for letter, name in zip(letters, names)]
    for r in range(2, rows + 2):
        cells = "".join(_cell(f"{letter}{r}", text.format(r=r)) for letter, text in templates if text)
        yield f'<row r="{r}">{cells}</row>'.encode()
    yield b"</sheetData></worksheet>"


def junk_ledger(path: Path, rows: int) -> Path:
    """A ledger (the test units, rules and params) whose 台账 has ``rows`` rows of junk."""
    write_ledger(path, {Sheet.ITEMS: []})
    with Package(path) as pkg:
        part = pkg.sheets()[Sheet.ITEMS]
    _replace_part(path, part, _rows_xml(rows))
    return path


def _replace_part(path: Path, part: str, chunks: Iterable[bytes]) -> None:
    packed = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            if info.filename != part:
                dest.writestr(info.filename, src.read(info))
                continue
            with dest.open(info.filename, "w", force_zip64=True) as out:
                for chunk in chunks:
                    out.write(chunk)
    packed.replace(path)


def junk_form(form: Path, rows: int, item_letter: str, progress_letter: str) -> Path:
    """Append ``rows`` rows to a filled 报送表: each a 交办单号 not on the form and a formula in 办理进展
    (two findings per row: item_not_on_form, formula)."""
    with Package(form) as pkg:
        part = pkg.sheets()[FormSheet.FORM]
        data = pkg.read(part)
    last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', data))
    junk = (f'<row r="{r}">{_cell(f"{item_letter}{r}", f"编号{r}")}<c r="{progress_letter}{r}"><f>1+{r}</f></c></row>'
            .encode() for r in range(last + 1, last + 1 + rows))
    end = data.index(b"</sheetData>")
    _replace_part(form, part, itertools.chain([data[:end]], junk, [data[end:]]))
    return form
