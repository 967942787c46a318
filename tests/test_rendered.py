"""What a person will look at: the demo's documents and output sheets rendered by real LibreOffice.

Every Word document of `duban demo` becomes a PDF (pdftotext reads it back, pdftoppm draws page 1);
the checks are the ones a clerk would make with the paper in hand (GB/T 9704-2012): no page with
only the signature on it, 28 characters a line, the 版记 of both bulletins, dates on working days,
the page number 7 mm under the type area. The output sheets are checked where they are opened:
row heights for wrapped text, print set-up, the colour scale around the base score.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl.dates import is_workday
from duban_xl.demo import run_demo
from duban_xl.sheet_style import LINE_HEIGHT, lines_needed

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
TYPE_AREA_BOTTOM_MM = 297 - 35  # GB/T 9704: 版心 ends 35 mm above the page's lower edge


def _poppler() -> None:
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    run_demo(folder)
    return folder


@pytest.fixture(scope="module")
def pdfs(demo, libreoffice, tmp_path_factory) -> dict[str, Path]:
    """Every .docx of the demo as a PDF, by document name (one LibreOffice run)."""
    _poppler()
    documents = sorted(demo.rglob("*.docx"))
    assert len(documents) > 20
    converted = libreoffice(documents, "pdf", tmp_path_factory.mktemp("pdf"))
    return {doc.stem: pdf for doc, pdf in zip(documents, converted)}


def pages(pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines, spaces removed (LibreOffice spaces Chinese from digits)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [[re.sub(r"\s+", "", line) for line in page.splitlines() if line.strip()]
            for page in text.split("\f") if page.strip()]


def width(line: str) -> float:
    """Characters of the 3号 line: a Chinese character or full-width mark one, a digit half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in line)


def _is_page_number(line: str) -> bool:
    return bool(re.fullmatch(r"—\d+—", line))


def test_no_page_holds_only_the_signature_date_or_imprint(pdfs):
    """署名 and 成文日期 never stand alone on a page: some of the text is always with them (7.3.5)."""
    for name, pdf in pdfs.items():
        last = pages(pdf)[-1]
        signature = next(i for i, line in enumerate(last) if not _is_page_number(line)
                         and (DATE.fullmatch(line) or line.endswith("20××年月日")))
        text_before = [line for line in last[:max(0, signature - 1)] if not _is_page_number(line)]
        assert text_before, f"{name}: the last page holds only {last}"


def test_body_lines_hold_28_characters(pdfs):
    """22 lines × 28 characters (GB/T 9704 7.2): full body lines are 28 wide, none wider."""
    chinese: Counter = Counter()
    for name, section in (("通报_2022年6月", "五、下步要求"), ("季度排名通报_2022年第2季度", "四、评分依据")):
        lines = [line for page in pages(pdfs[name]) for line in page if not _is_page_number(line)]
        body = lines[lines.index(section) + 1:]  # plain paragraphs, no table below it
        body = body[:next(i for i, line in enumerate(body) if line.startswith("抄送"))]  # 版记 is 4号
        assert max(width(line) for line in body) <= 28.5, f"{name}: a line wider than 28 characters"
        chinese.update(len(line) for line in body if not re.search(r"[ -~]", line))  # digits are narrower
    assert max(chinese) == 28 and chinese[28] >= 2, chinese


def test_both_bulletins_end_with_the_imprint_of_the_source_document(pdfs):
    """版记 (7.4): 抄送 as the source document has it, 印发机关 and 印发日期 on the last page."""
    for name in ("通报_2022年6月", "季度排名通报_2022年第2季度"):
        last = "".join(pages(pdfs[name])[-1])
        assert "抄送：县委各部门，县人大办、政协办，县人武部，县法院，县检察院，各群众团体。" in last, name
        assert re.search(r"云和县人民政府督查室\d{4}年\d{1,2}月\d{1,2}日印发", last), name


def test_the_ranking_bulletin_has_its_masthead_and_number(pdfs):
    first = pages(pdfs["季度排名通报_2022年第2季度"])[0]
    assert first[:3] == ["云和县人民政府督查室", "云政督〔2022〕2号", "关于2022年第二季度县政府督查工作"]
    assert first[3] == "考评得分情况的通报"  # broken between words, never «考评得/分»


def test_documents_are_dated_on_working_days(pdfs):
    """The dates the documents carry by default fall on working days (二（六）: 每月10日前)."""
    import datetime as dt

    for name, pdf in pdfs.items():
        if name.startswith(("反馈报告", "交办单")):
            continue  # the unit dates its report by hand; a 交办单 carries the ledger's 交办日期
        lines = [line for page in pages(pdf) for line in page]
        dated = [DATE.fullmatch(line) for line in lines if DATE.fullmatch(line)]
        assert dated, name
        day = dt.date(*map(int, dated[-1].groups()))
        assert is_workday(day), f"{name} is dated {day}, not a working day"


def _dash_row_mm(png: Path) -> tuple[float, float]:
    """Top of the page number's 一字线 and its left edge, in mm (the PNG is drawn at 10 pixels a mm)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    w, h = image.size
    for y in range(int(TYPE_AREA_BOTTOM_MM * 10), h):
        run = best = start = 0
        for x in range(w):
            if image.getpixel((x, y)) < 128:
                run += 1
                if run > best:
                    best, start = run, x - run + 1
            else:
                run = 0
        if best >= 30:  # 3 mm of ink: the dash, not a digit
            return y / 10, start / 10
    raise AssertionError(f"no page number found on {png.name}")


def test_page_numbers_stand_7_mm_under_the_type_area_odd_right_even_left(pdfs, tmp_path):
    pdf = pdfs["季度排名通报_2022年第2季度"]
    subprocess.run(["pdftoppm", "-r", "254", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True)
    odd, even = sorted(tmp_path.glob("p-*.png"))
    (odd_y, odd_x), (even_y, even_x) = _dash_row_mm(odd), _dash_row_mm(even)
    assert odd_y - TYPE_AREA_BOTTOM_MM == pytest.approx(7, abs=0.8)
    assert even_y == pytest.approx(odd_y, abs=0.3)
    assert odd_x > 105 > even_x  # odd pages right, even pages left


# ---- output sheets -------------------------------------------------------------------------

def _workbooks(demo: Path) -> dict[str, Path]:
    month = next(demo.rglob("2022年6月"))
    return {"ledger": next(demo.glob("云和县2022年督查台账.xlsx")),
            "check": next(demo.glob("*（校验结果）.xlsx")),
            "remind": next(month.glob("催办清单_*.xlsx"))}


OUTPUT_SHEETS = {"ledger": ("月度通报", "季度排名", "得分明细"), "check": ("校验结果",), "remind": ("催办清单",)}


def test_every_output_sheet_prints_a4_landscape_to_width_with_page_numbers(demo):
    for key, path in _workbooks(demo).items():
        book = load_workbook(path)
        for name in OUTPUT_SHEETS[key]:
            ws = book[name]
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in ("9", 9), name
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, name
            assert "&P" in ws.oddFooter.center.text, name
            assert ws.freeze_panes, name


def test_wrapped_cells_have_the_rows_they_need(demo):
    """Neither Excel nor LibreOffice grows a row on open: a wrapped cell without a height overprints."""
    for key, path in _workbooks(demo).items():
        book = load_workbook(path)
        for name in OUTPUT_SHEETS[key]:
            ws = book[name]
            checked = 0
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if not (cell.alignment.wrap_text and isinstance(cell.value, str)):
                        continue
                    width = ws.column_dimensions[cell.column_letter].width
                    needed = lines_needed(cell.value, width)
                    if needed > 1:
                        checked += 1
                        height = ws.row_dimensions[cell.row].height
                        assert height and height >= LINE_HEIGHT * needed - 0.1, f"{name}!{cell.coordinate}"
            assert checked or name == "季度排名", f"{name}: no wrapped text to check"


def test_ranking_colours_around_the_base_score(demo):
    ws = load_workbook(_workbooks(demo)["ledger"])["季度排名"]
    rules = [rule for ranges in ws.conditional_formatting for rule in ranges.rules]
    assert len(rules) == 2  # one per group
    for rule in rules:
        low, base, high = rule.colorScale.cfvo
        assert (base.type, float(base.val)) == ("num", 100.0)
        assert float(low.val) < 100 < float(high.val)


def test_guide_and_outputs_render_in_libreoffice_with_page_numbers(demo, libreoffice, tmp_path):
    """The 说明 sheet fits its page whole; the 催办清单 prints on numbered pages."""
    _poppler()
    books = _workbooks(demo)
    ledger_pdf, remind_pdf = libreoffice([books["ledger"], books["remind"]], "pdf", tmp_path)
    guide = "".join(pages(ledger_pdf)[0])  # its last topic on the first page, and the page number
    assert "工具生成的表" in guide and guide.endswith(f"第1页，共{len(pages(ledger_pdf))}页")
    remind = pages(remind_pdf)
    assert remind[-1][-1] == f"第{len(remind)}页，共{len(remind)}页"
