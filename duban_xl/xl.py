"""The buttons inside the ledger workbook (xlwings, optional extra ``duban_xl[excel]``).

`duban xl-setup` binds every button of the 督查 bar to xlwings' ``SampleCall``
macro, which runs ``import <workbook name>; <workbook name>.main()``; that
module re-exports ``main`` from here, and ``main`` runs the button Excel names
as ``Application.Caller`` (by its caption). Each button does what the CLI does,
through ``api`` (same checks, same refusals, same sheets), on the *open* book:
values are read from its ranges and results written back through xlwings —
never saved behind Excel's back; the clerk saves as usual. Progress goes to the
status bar, the summary to a message box, and any error is one Chinese message.
收件 and 本月结账 write the ledger file itself, which the safe writer refuses
while Excel has it open: those buttons check and say which command to run.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from pathlib import Path
from typing import Callable

from .contract import Button

TITLE = "督查台账"
INTAKE_FOLDER = "收件"  # beside the workbook, as in README's `duban intake 督查台账.xlsx --dir 收件/`


# ---- reading and writing the open book ------------------------------------------------------

def _read_book(book) -> dict[str, list[list]]:
    return {sheet.name: sheet.used_range.options(ndim=2).value or [] for sheet in book.sheets}


def _ledger(book):
    from .reader import ledger_from_rows

    return ledger_from_rows(_read_book(book), source=book.name)


def _rgb(hex_colour: str | None) -> tuple[int, int, int] | None:
    """'FF1F4E78' or '1F4E78' → (31, 78, 120), as xlwings takes colours; None for no colour."""
    if not hex_colour or not isinstance(hex_colour, str) or len(hex_colour) < 6:
        return None
    digits = hex_colour[-6:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _looks(cell) -> tuple:
    """(fill, font colour, bold, number format) of an openpyxl cell or palette CellStyle."""
    fill = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
    font = cell.font
    colour = font.color.rgb if font is not None and font.color is not None and font.color.type == "rgb" else None
    return _rgb(fill), _rgb(colour), bool(font is not None and font.b), cell.number_format or "General"


def render(owned) -> tuple[list[list], dict[tuple[int, int], tuple], dict[int, float], list[str], dict]:
    """An output sheet (``OwnedSheet``) as the file writer would write it: values, looks, widths, merges, links.

    ``build`` fills a scratch openpyxl sheet exactly as for the file; a ``body``
    (big tables) adds its rows with the palette's looks.
    """
    from openpyxl import Workbook
    from openpyxl.utils.cell import column_index_from_string

    from .sheet_style import quote_formula_text

    ws = Workbook().active
    owned.build(ws)
    values: dict[tuple[int, int], object] = {}
    looks: dict[tuple[int, int], tuple] = {}
    links: dict[tuple[int, int], str] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                values[cell.row, cell.column] = cell.value
            look = _looks(cell)
            if look != (None, None, False, "General"):
                looks[cell.row, cell.column] = look
            if cell.hyperlink is not None and cell.hyperlink.location:
                links[cell.row, cell.column] = cell.hyperlink.location
    body = owned.body
    if body is not None:
        for i, row in enumerate(body.rows):
            for j, value in enumerate(row):
                at = (body.first_row + i, j + 1)
                if value is not None and value == value:  # NaN is a blank cell
                    values[at] = value
                style = body.palette[body.cell_styles.get((i, j), body.column_styles[j])]
                look = _looks(style) if style.font is not None or style.fill is not None else (None, None, False, style.number_format)
                if look != (None, None, False, "General"):
                    looks[at] = look
        links.update({(body.first_row + i, j + 1): target for (i, j), target in body.links.items()})
    height = max((r for r, _ in values), default=1)
    width = max((c for _, c in values), default=1)
    grid = [[quote_formula_text(values.get((r, c))) for c in range(1, width + 1)] for r in range(1, height + 1)]
    widths = {column_index_from_string(letter): dim.width for letter, dim in ws.column_dimensions.items()
              if dim.customWidth and dim.width}
    merges = [str(r) for r in ws.merged_cells.ranges]
    return grid, looks, widths, merges, links


def _show_sheet(book, owned) -> None:
    """Replace (or add, as the file writer does: first tab when ``first``) one output sheet in the open book."""
    grid, looks, widths, merges, links = render(owned)
    names = [s.name for s in book.sheets]
    if owned.name in names:
        sheet = book.sheets[owned.name]
        sheet.clear()
    elif owned.first:  # where the file writer puts it: 校验结果 as the first tab, the others last
        sheet = book.sheets.add(owned.name, before=book.sheets[0])
    else:
        sheet = book.sheets.add(owned.name, after=book.sheets[len(names) - 1])
    sheet.range("A1").value = grid
    for (row, column, count), (fill, font, bold, number_format) in _runs(looks):
        cells = sheet.range((row, column), (row, column + count - 1))
        if fill:
            cells.color = fill
        if font:
            cells.font.color = font
        if bold:
            cells.font.bold = True
        if number_format != "General":
            cells.number_format = number_format
    for column, width in widths.items():
        sheet.range((1, column)).column_width = width
    for merged in merges:
        sheet.range(merged).merge()
    for (row, column), target in links.items():
        sheet.range((row, column)).add_hyperlink(f"#{target}", grid[row - 1][column - 1])


def _runs(looks: dict[tuple[int, int], tuple]) -> list[tuple[tuple[int, int, int], tuple]]:
    """Cells of one look side by side in a row, as (row, first column, count): one action per run."""
    runs: list[tuple[tuple[int, int, int], tuple]] = []
    for (row, column) in sorted(looks):
        look = looks[row, column]
        if runs:
            (r, c, n), last = runs[-1]
            if r == row and c + n == column and last == look:
                runs[-1] = ((r, c, n + 1), look)
                continue
        runs.append(((row, column, 1), look))
    return runs


def _mark(book, marks) -> None:
    from .palette import BAD_FILL

    for mark in marks:
        cell = book.sheets[mark.sheet].range(mark.cell)
        cell.color = _rgb(BAD_FILL)  # the red `validate --write` uses
        try:
            cell.add_note(f"duban_xl:\n{mark.comment}")
        except (ValueError, NotImplementedError):  # the user's own note stays; the test engine has no notes
            pass


def _replace_rows(book, job) -> None:
    """通报记录: this issue's rows replace the earlier ones of the same key, then go below the last used row."""
    sheet = book.sheets[job.sheet]
    values = sheet.used_range.options(ndim=2).value or [[]]
    header = [str(v).strip() if v is not None else "" for v in values[0]]
    key = header.index(job.key_column)
    old = [r for r, row in enumerate(values[1:], start=2) if len(row) > key and row[key] == job.key_value]
    last = max((r for r, row in enumerate(values, start=1) if any(v not in (None, "") for v in row)), default=1)
    free = old + list(range(last + 1, last + 1 + max(0, len(job.rows) - len(old))))
    for at, record in zip(free, job.rows):
        sheet.range((at, 1)).value = [[_cell_value(record.get(name)) for name in header]]
    for at in free[len(job.rows):]:
        sheet.range((at, 1), (at, len(header))).clear_contents()


def _cell_value(value):
    from .sheet_style import quote_formula_text

    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return quote_formula_text(value)


def _apply(book, writes) -> None:
    """Write ``api.Writes`` into the open book in the file writer's order: records, sheets, marks."""
    for job in writes.rows:
        _replace_rows(book, job)
    for owned in writes.sheets:
        _show_sheet(book, owned)
    _mark(book, writes.marks)


def _status(book, text: str | bool) -> None:
    """Long work shows in Excel's status bar (False gives it back to Excel)."""
    try:
        book.app.status_bar = text
    except NotImplementedError:  # xlwings' in-memory test engine has no status bar
        pass


def _progress(book) -> Callable[[str], None]:
    return lambda message: _status(book, f"督查：{message}…")


# ---- the buttons ---------------------------------------------------------------------------

def validate_button(book=None) -> str:
    """校验: 校验结果 (first tab) and the bad cells marked red, as `duban validate --write`."""
    from . import api
    from .clock import today

    book = _caller(book)
    report, writes = api.validate_ledger(_ledger(book), today(), _progress(book))
    _apply(book, writes)
    return report.summary()


def score_button(book=None) -> str:
    """计分: 季度排名 and 得分明细, as `duban score --write`; refused while the ledger has errors."""
    from . import api
    from .clock import today

    book = _caller(book)
    result, writes = api.score_ledger(_ledger(book), today(), _progress(book))
    _apply(book, writes)
    return f"已计算 {len(result.detail)} 条得分明细（截至 {result.as_of:%Y-%m-%d}）。"


def bulletin_button(book=None) -> str:
    """月度通报: last month's bulletin (二（六）: 每月10日前通报上月), as `duban bulletin --month`."""
    from . import api

    book = _caller(book)
    month = _last_month()
    say = _progress(book)
    b, writes = api.bulletin_ledger(_ledger(book), month, progress=say)
    _apply(book, writes)
    document = api.bulletin_document(b, _book_path(book), month, progress=say)
    return f"已写入「月度通报」和 {len(b.records)} 行通报记录（{b.issue}），通报文件：{document}。请保存工作簿。"


def intake_button(book=None) -> str:
    """收件: `duban intake --dir 收件` checked without writing (its --dry-run), then the command to merge.

    Merging writes the ledger file itself through the safe writer, which refuses while
    Excel has it open (the CLI's own refusal), so the button shows what a merge would do.
    """
    from . import api

    book = _caller(book)
    path = _book_path(book)
    folder = path.parent / INTAKE_FOLDER
    run = api.intake_folder(path, folder, dry_run=True, progress=_progress(book))
    verdicts = "；".join(f"{result.name}：{result.outcome}" for _, result in run.files[:10])
    more = f"……另有 {len(run.files) - 10} 个文件" if len(run.files) > 10 else ""
    return (f"「{INTAKE_FOLDER}」中 {len(run.files)} 个文件（按已保存的台账检查）：可合并 {run.merged_rows} 行，"
            f"退回 {run.refused} 个。{verdicts}{more}\n合并要写入台账文件本身，Excel 打开时不能写：请保存并关闭"
            f"工作簿，再在命令提示符运行：duban intake \"{path}\" --dir \"{folder}\"")


def close_button(book=None) -> str:
    """本月结账: `duban close` writes the ledger file itself, so the button says how to run it."""
    book = _caller(book)
    path = _book_path(book)
    month = _last_month()
    return (f"本月结账（{month}：收件、校验、月度通报、计分、季度排名、归档）要写入台账文件本身，Excel 打开时不能写。"
            f"请保存并关闭工作簿，再在命令提示符运行：duban close \"{path}\" --month {month}")


def _last_month() -> str:
    """二（六）: each month's bulletin and close are for the month before."""
    from .clock import today

    return f"{today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


BUTTONS: dict[str, Callable] = {Button.VALIDATE: validate_button, Button.SCORE: score_button,
                                Button.BULLETIN: bulletin_button, Button.INTAKE: intake_button,
                                Button.CLOSE: close_button}


def _caller(book):
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    return book


def _book_path(book) -> Path:
    """Where the open workbook is saved: documents go beside it (督查输出/), as for the CLI."""
    path = Path(book.fullname)
    if not path.is_absolute():
        from .errors import BadArgument

        raise BadArgument("工作簿还没有保存到文件夹，通报文件无处存放。请先保存工作簿，再点按钮。",
                          "the workbook has not been saved yet")
    return path


def _clicked(book) -> str | None:
    """The caption of the button Excel reports as Application.Caller (only real Excel has it)."""
    try:
        name = book.app.api.Caller
        sheet = book.sheets.active.api
    except (AttributeError, NotImplementedError):  # no Excel behind the book (xlwings' in-memory engine)
        return None
    for caption in (lambda: sheet.Buttons(name).Caption, lambda: sheet.Shapes(name).TextFrame.Characters().Text):
        try:
            return str(caption()).strip()
        except Exception:  # pywin32's com_error: not a form button of that name
            continue
    return None


def run(button: str, book=None) -> str:
    """Run one button on ``book`` and show its message box; every failure becomes one Chinese message."""
    from .errors import DubanError, LedgerInvalid

    book = _caller(book)
    try:
        message = BUTTONS[button](book)
    except LedgerInvalid as exc:
        from . import api

        _apply(book, api.Writes(sheets=[_findings_sheet(exc.report)]))
        message = f"{exc.report.summary()} 台账有错误，未继续。请先点“校验”查看「校验结果」并修改。"
    except DubanError as exc:
        message = exc.message
    except Exception:  # a bug: the clerk gets one line, the maintainer the log
        log = Path(tempfile.gettempdir()) / f"duban_error_{dt.datetime.now():%Y%m%d-%H%M%S}.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        message = f"程序内部错误，已记录到 {log}，请把该文件发给维护人员。"
    finally:
        _status(book, False)
    book.app.alert(message, title=TITLE)
    return message


def _findings_sheet(report):
    from .sheets import findings_sheet

    return findings_sheet(report)


def main(book=None) -> None:
    """What xlwings' SampleCall runs (through the module xl-setup writes beside the workbook)."""
    book = _caller(book)
    clicked = _clicked(book)
    if clicked not in BUTTONS:
        book.app.alert(f"没有认出点击的按钮（{clicked or '未知'}）。请用「台账」表上的督查按钮。", title=TITLE)
        return
    run(clicked, book)
