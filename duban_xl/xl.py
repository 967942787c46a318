"""Buttons inside the ledger workbook (xlwings, optional extra ``duban_xl[excel]``).

A button's macro: ``RunPython "import duban_xl.xl as x; x.validate_button()"``
(or ``x.score_button()``), through the xlwings add-in. While Excel has the
workbook open, we must not save the file behind Excel's back: values are read
from the open book's ranges and results are written back through xlwings, and
the clerk saves as usual. The work itself is ``run_validate`` / ``run_score``:
pure functions over the sheets' cell values, the same code as the CLI.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .contract import Sheet
from .errors import DubanError
from .findings import Report
from .reader import ledger_from_rows
from .validate import validate


@dataclass
class ButtonResult:
    message: str  # shown in a message box
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)  # output sheets to (re)write
    marks: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell) to colour red


def run_validate(rows_by_sheet: dict[str, list[list]], as_of: dt.date) -> ButtonResult:
    """校验 button: the 校验结果 sheet and the cells to mark."""
    try:
        ledger = ledger_from_rows(rows_by_sheet)
    except DubanError as exc:
        return ButtonResult(exc.message)
    report = validate(ledger, as_of)
    return ButtonResult(report.summary(), {Sheet.FINDINGS: report.frame()},
                        [(f.sheet, f.cell) for f in report.findings if f.cell])


def run_score(rows_by_sheet: dict[str, list[list]], as_of: dt.date) -> ButtonResult:
    """考评 button: 得分明细 and 季度排名, refused (with the reason) while the ledger has errors."""
    from .contract import SCORE_DETAIL_COLUMNS
    from .score import score

    try:
        ledger = ledger_from_rows(rows_by_sheet)
    except DubanError as exc:
        return ButtonResult(exc.message)
    report: Report = validate(ledger, as_of)
    if not report.ok:
        return ButtonResult(f"{report.summary()} 请先点“校验”查看并修改。", {Sheet.FINDINGS: report.frame()})
    result = score(ledger, as_of)
    return ButtonResult(f"已计算 {len(result.detail)} 条得分明细（截至 {as_of:%Y-%m-%d}）。",
                        {Sheet.RANKING: result.ranking, Sheet.SCORE_DETAIL: result.detail[list(SCORE_DETAIL_COLUMNS)]})


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    """'FF1F4E78' or '1F4E78' → (31, 78, 120), as xlwings takes colours."""
    digits = hex_colour[-6:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


# ---- the xlwings edge: runs inside Excel (tests: xlwings' in-memory engine) -------

def _read_book(book) -> dict[str, list[list]]:
    return {sheet.name: sheet.used_range.options(ndim=2).value or [] for sheet in book.sheets}


def _show(book, result: ButtonResult) -> None:
    from .sheet_style import HEADER_FILL, quote_formula_text
    from .xlsx.styles import MARK_FILL

    names = [s.name for s in book.sheets]
    # each new sheet goes in front, so add them last-first to keep the result's order (季度排名 first)
    for name, frame in reversed(list(result.sheets.items())):
        sheet = book.sheets[name] if name in names else book.sheets.add(name, before=book.sheets[0])
        sheet.clear()
        values = [list(frame.columns)] + [[quote_formula_text(v) for v in row] for row in frame.itertuples(index=False)]
        sheet.range("A1").value = values
        # The header's width comes from the frame, not from reading back what was just
        # written: xlwings' in-memory (remote) engine does not see its own writes.
        header = sheet.range((1, 1), (1, len(frame.columns)))
        header.color = _rgb(HEADER_FILL.fgColor.rgb)
        header.font.color = (255, 255, 255)
        sheet.autofit()
    for sheet_name, cell in result.marks:
        book.sheets[sheet_name].range(cell).color = _rgb(MARK_FILL)  # the red `validate --write` uses
    book.app.alert(result.message, title="督查台账")


def _button(run, book=None) -> None:
    """Read the open book, run the button's work, show the result. ``book`` is the workbook
    whose button was clicked (``xw.Book.caller()``) unless given, as tests give one."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    _show(book, run(_read_book(book), dt.date.today()))


def validate_button() -> None:
    _button(run_validate)


def score_button() -> None:
    _button(run_score)
