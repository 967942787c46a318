"""Build the official-document templates (GB/T 9704-2012) in code.

The five .docx files in ``workbook_templates/`` are docxtpl templates: jinja
tags sit in ordinary runs, tables repeat rows with ``{%tr for %}``. Every look
is a *named Word style* (公文标题, 公文正文, 一级标题 …), so the office can
restyle a template in Word without touching code; the code only fills text.

GB/T 9704-2012: A4, margins top 37 / bottom 35 / left 28 / right 26 mm; title
2号 方正小标宋简体 centred; body 3号 仿宋_GB2312 at 28.95 pt (22 lines);
headings 一、黑体 （一）楷体_GB2312; page numbers 4号宋体 «— 1 —», odd
pages right, even pages left. The build is deterministic, so a test can prove
the committed templates are exactly what this module makes.

``python -m duban_xl.docx_templates workbook_templates/`` regenerates them.
"""
from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from . import palette

# ---- fonts and measures of GB/T 9704-2012 ------------------------------------------------

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4 = 22.0, 16.0, 14.0, 12.0  # 2号, 3号, 4号, 小4号
LINE = 28.95  # pt: 22 lines in the 225 mm 版心
RED = RGBColor(*palette.rgb_tuple(palette.DOCUMENT_RED))
TEXT_WIDTH_MM = 156  # 版心宽

# ---- style names (the interface staff restyle in Word) -------------------------------------

NORMAL = "Normal"
TITLE = "公文标题"
ADDRESSEE = "主送机关"
BODY = "公文正文"
HEADING_1 = "一级标题"
HEADING_2 = "二级标题"
SIGNATURE = "发文机关署名"
DATE_LINE = "成文日期"
MASTHEAD = "版头"
ISSUE_LINE = "期次"
MASTHEAD_INFO = "版头信息"
TABLE_TEXT = "表格文字"
TABLE_HEAD = "表格标题"
PAGE_NUMBER = "页码"
PAGE_NUMBER_ODD = "页码（单页）"
PAGE_NUMBER_EVEN = "页码（双页）"
TABLE_STYLE = "Table Grid"

# 附件 交办事项反馈报告格式要求: the parts every returned report has (report_check checks them).
FORM_ADDRESSEE = "县人民政府督查室："
FORM_SECTIONS = ("一、办理事项", "二、办理进展情况", "三、下步工作安排")
FORM_PLACEHOLDER = "××××××。"

SLIP, REMINDER, FEEDBACK_FORM, MONTHLY, QUARTERLY = (
    "交办单.docx", "催办单.docx", "反馈报告.docx", "月度通报.docx", "季度排名通报.docx")


@dataclass(frozen=True)
class StyleSpec:
    """One named paragraph style; ``None`` means inherit from the base style."""

    name: str
    base: str | None = NORMAL
    east_asia: str | None = None
    size: float | None = None
    align: WD_ALIGN_PARAGRAPH | None = None
    first_line_chars: int = 0
    left_chars: int = 0
    right_chars: int = 0
    bold: bool = False
    color: RGBColor | None = None
    single_spacing: bool = False
    space_after: float = 0.0
    outline_level: int | None = None
    keep_with_next: bool = False


STYLES: tuple[StyleSpec, ...] = (
    StyleSpec(TITLE, east_asia=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER,
              space_after=LINE, keep_with_next=True),
    StyleSpec(ADDRESSEE, keep_with_next=True),
    StyleSpec(BODY, first_line_chars=2),
    StyleSpec(HEADING_1, east_asia=HEITI, first_line_chars=2, outline_level=0, keep_with_next=True),
    StyleSpec(HEADING_2, east_asia=KAITI, first_line_chars=2, outline_level=1, keep_with_next=True),
    StyleSpec(SIGNATURE, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4),
    StyleSpec(DATE_LINE, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4),
    StyleSpec(MASTHEAD, east_asia=XIAOBIAOSONG, size=36.0, align=WD_ALIGN_PARAGRAPH.CENTER,
              color=RED, single_spacing=True, space_after=SIZE_3),
    StyleSpec(ISSUE_LINE, align=WD_ALIGN_PARAGRAPH.CENTER),
    StyleSpec(MASTHEAD_INFO, space_after=LINE),
    StyleSpec(TABLE_TEXT, size=SIZE_SMALL_4, single_spacing=True),
    StyleSpec(TABLE_HEAD, base=TABLE_TEXT, east_asia=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER),
    StyleSpec(PAGE_NUMBER, east_asia=SONGTI, size=SIZE_4, single_spacing=True),
    StyleSpec(PAGE_NUMBER_ODD, base=PAGE_NUMBER, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=1),
    StyleSpec(PAGE_NUMBER_EVEN, base=PAGE_NUMBER, align=WD_ALIGN_PARAGRAPH.LEFT, left_chars=1),
)


# ---- low-level XML helpers (python-docx has no API for these) ------------------------------

def set_east_asian_font(rpr, east_asia: str, latin: str | None = None) -> None:
    """Set w:rFonts on a w:rPr; ``font.name`` alone leaves Chinese text in the theme font."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if latin:
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _set_char_indents(ppr, first_line: int, left: int, right: int, size: float) -> None:
    """Indents in characters (w:firstLineChars …) so they follow a restyled font size; twips as fallback."""
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    for chars, attr in ((first_line, "firstLine"), (left, "left"), (right, "right")):
        if chars:
            ind.set(qn(f"w:{attr}"), str(int(chars * size * 20)))
            ind.set(qn(f"w:{attr}Chars"), str(chars * 100))


def _add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (w:fldChar begin/separate/end), e.g. PAGE: Word updates it on every page."""
    def run_with(tag: str, **attrs: str) -> None:
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        paragraph.add_run()._r.append(element)

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run(shown)
    run_with("w:fldChar", **{"w:fldCharType": "end"})


# ---- the base document ---------------------------------------------------------------------

def _define_styles(doc: DocxDocument) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_east_asian_font(rpr_default, FANGSONG, LATIN)
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles[NORMAL]
    set_east_asian_font(normal.element.get_or_add_rPr(), FANGSONG, LATIN)
    normal.font.size = Pt(SIZE_3)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE)
    fmt.space_before = fmt.space_after = Pt(0)

    for spec in STYLES:
        style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[spec.base] if spec.base else None
        style.quick_style = True
        if spec.east_asia:
            set_east_asian_font(style.element.get_or_add_rPr(), spec.east_asia, LATIN)
        if spec.size:
            style.font.size = Pt(spec.size)
        if spec.bold:
            style.font.bold = True
        if spec.color is not None:
            style.font.color.rgb = spec.color
        fmt = style.paragraph_format
        if spec.align is not None:
            fmt.alignment = spec.align
        if spec.single_spacing:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if spec.space_after:
            fmt.space_after = Pt(spec.space_after)
        if spec.keep_with_next:
            fmt.keep_with_next = True
        if spec.first_line_chars or spec.left_chars or spec.right_chars:
            _set_char_indents(style.element.get_or_add_pPr(), spec.first_line_chars, spec.left_chars,
                              spec.right_chars, spec.size or SIZE_3)
        if spec.outline_level is not None:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(spec.outline_level))
            style.element.get_or_add_pPr().append(level)

    info = doc.styles[MASTHEAD_INFO].paragraph_format
    info.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", str(RED))):
        bottom.set(qn(key), value)
    border.append(bottom)
    doc.styles[MASTHEAD_INFO].element.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:outlineLvl")


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(28)  # 页码下边缘距版心下边缘 7 mm: 35 − 7
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, style in ((section.footer, PAGE_NUMBER_ODD), (section.even_page_footer, PAGE_NUMBER_EVEN)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles[style]
        paragraph.add_run("— ")
        _add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def new_document(title: str) -> DocxDocument:
    """An empty GB/T 9704 document: styles, A4 page, odd/even page-number footers."""
    doc = Document()
    _define_styles(doc)
    _page_setup(doc)
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "县政府督查室"
    props.created = props.modified = dt.datetime(2022, 1, 1)
    props.revision = 1
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    return doc


# ---- building blocks of the templates -----------------------------------------------------

def _p(doc: DocxDocument, text: str, style: str = BODY) -> Paragraph:
    return doc.add_paragraph(text, style=doc.styles[style])


def _tag(doc: DocxDocument, tag: str) -> None:
    """A docxtpl paragraph tag ({%p … %}): the paragraph vanishes on render."""
    doc.add_paragraph("{%p " + tag + " %}", style=doc.styles[NORMAL])


def _loop_table(doc: DocxDocument, columns: Sequence[tuple[str, str, float]], rows: str) -> None:
    """Header row + one repeated row per item of ``rows`` ({%tr for r in rows %}).

    ``columns`` are (header, jinja expression, width in mm).
    """
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    marks = ["", "{%tr for r in " + rows + " %}", "", "{%tr endfor %}"]
    for col, (header, expr, width) in enumerate(columns):
        table.columns[col].width = Mm(width)  # w:gridCol, which LibreOffice and WPS lay out by
        texts = (header, marks[1] if col == 0 else "", "{{ " + expr + " }}", marks[3] if col == 0 else "")
        for row, text in enumerate(texts):
            cell = table.cell(row, col)
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles[TABLE_HEAD if row == 0 else TABLE_TEXT]
            paragraph.text = text
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))


def _section_table(doc: DocxDocument, items: str, columns: Sequence[tuple[str, str, float]]) -> None:
    """A table of ``items``, or «无。» when the list is empty (monthly bulletin sections)."""
    _tag(doc, f"if {items}")
    _loop_table(doc, columns, items)
    _tag(doc, "else")
    _p(doc, "无。")
    _tag(doc, "endif")


def _signature(doc: DocxDocument, signer: str, date: str) -> None:
    _p(doc, "", BODY)
    _p(doc, signer, SIGNATURE)
    _p(doc, date, DATE_LINE)


# ---- the five templates -------------------------------------------------------------------

def build_slip() -> DocxDocument:
    """交办单 (二（二）): what, who, by when, how to report (二（四）)."""
    doc = new_document("督查交办单")
    _p(doc, "{{ office_full }}督查交办单", TITLE)
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    fields = (("交办单号", "item_no_text"), ("来源类别", "source"), ("督查事项", "subject"),
              ("牵头领导", "lead"), ("主办单位", "host"), ("协办单位", "cohosts"),
              ("交办日期", "assigned"), ("完成时限", "deadline"), ("反馈方式", "feedback_mode"),
              ("反馈时间", "feedback_due"), ("工作要求", "requirements"))
    widths = (30, 126)
    for col, width in enumerate(widths):
        table.columns[col].width = Mm(width)
    for label, key in fields:
        cells = table.add_row().cells
        for cell, text, style, width in zip(cells, (label, "{{ " + key + " }}"), (TABLE_HEAD, TABLE_TEXT), widths):
            cell.width = Mm(width)
            cell.paragraphs[0].style = doc.styles[style]
            cell.paragraphs[0].text = text
    _p(doc, "", BODY)
    _p(doc, "办理要求", HEADING_1)
    _p(doc, "{{ report_rule }}")
    _p(doc, "{{ report_format }}")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_feedback_form() -> DocxDocument:
    """附件 交办事项反馈报告格式要求, pre-filled with the item and the unit."""
    doc = new_document("交办事项反馈报告")
    _p(doc, "{{ unit }}关于{{ office_full }}{{ item_no_text }}交办单办理情况的报告", TITLE)
    _p(doc, FORM_ADDRESSEE, ADDRESSEE)
    _p(doc, "{{ opening }}")
    _p(doc, FORM_SECTIONS[0], HEADING_1)
    _tag(doc, "for line in matters")
    _p(doc, "{{ loop.index }}. {{ line }}")
    _tag(doc, "endfor")
    for heading in FORM_SECTIONS[1:]:
        _p(doc, heading, HEADING_1)
        _p(doc, f"1. {FORM_PLACEHOLDER}")
        _p(doc, f"2. {FORM_PLACEHOLDER}")
    _signature(doc, "{{ unit }}（盖章）", "{{ date_blank }}")
    return doc


def build_monthly() -> DocxDocument:
    """Monthly bulletin (二（六） 一月一通报)."""
    doc = new_document("督查通报")
    _p(doc, "督查通报", MASTHEAD)
    _p(doc, "{{ issue }}", ISSUE_LINE)
    paragraph = _p(doc, "{{ office_full }}", MASTHEAD_INFO)
    paragraph.add_run("\t{{ date }}")
    _p(doc, "{{ month_text }}督查事项办理情况通报", TITLE)
    _p(doc, "{{ summary }}")
    # widths in mm add up to the 156 mm type area; 交办单号 and dates fit on one line at 小四
    item = ("交办单号", "r.item_no", 26), ("督查事项", "r.subject", 56), ("承办单位", "r.units", 42)
    deadline = (("有效时限", "r.deadline", 32),)
    _p(doc, "一、逾期未办结事项", HEADING_1)
    _section_table(doc, "overdue", item + deadline)
    _p(doc, "二、进度滞后事项", HEADING_1)
    _section_table(doc, "lagging", (item[0], ("督查事项", "r.subject", 40), ("承办单位", "r.units", 30),
                                    deadline[0], ("核查意见", "r.note", 28)))
    _p(doc, "三、未按时反馈事项", HEADING_1)
    _section_table(doc, "late_feedback", item + deadline)
    _p(doc, "四、表扬", HEADING_1)
    _tag(doc, "if praise")
    _p(doc, "以下单位抓落实工作成效明显，予以表扬，请各单位学习借鉴其经验做法：")
    _tag(doc, "endif")
    _section_table(doc, "praise", (("单位", "r.unit", 40), ("表扬类型", "r.kind", 36), ("事由", "r.reason", 54),
                                   ("日期", "r.date", 26)))
    _p(doc, "五、下步要求", HEADING_1)
    _tag(doc, "for line in requirements")
    _p(doc, "{{ line }}")
    _tag(doc, "endfor")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_quarterly() -> DocxDocument:
    """Quarterly ranking bulletin (二（八） 每季度通报分数排名情况; 三、考评标准)."""
    doc = new_document("季度考评得分通报")
    _p(doc, "{{ title }}", TITLE)
    _p(doc, "{{ addressee }}", ADDRESSEE)
    _p(doc, "{{ opening }}")
    _tag(doc, "for g in groups")
    _p(doc, "{{ g.heading }}", HEADING_1)
    _tag(doc, "if g.rows")
    _loop_table(doc, (("排名", "r.rank", 12), ("单位", "r.unit", 40), ("基准分", "r.base", 14),
                      ("{{ quarter_name }}加减分", "r.quarter", 20), ("累计加减分", "r.sum", 20),
                      ("总分", "r.total", 16), ("按时办结（件）", "r.on_time", 17),
                      ("逾期未办结（件）", "r.overdue", 17)), "g.rows")
    _tag(doc, "else")
    _p(doc, "无。")
    _tag(doc, "endif")
    _tag(doc, "endfor")
    _p(doc, "三、评优评先资格", HEADING_1)
    _p(doc, "{{ veto }}")
    _p(doc, "四、评分依据", HEADING_1)
    _tag(doc, "for c in clauses")
    _p(doc, "{{ c.clause }}　{{ c.text }}")
    _tag(doc, "endfor")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_reminder() -> DocxDocument:
    """催办单 (二（三） 催办): the unit's items that are due soon, overdue or unreported."""
    doc = new_document("督查催办单")
    _p(doc, "{{ office_full }}督查催办单", TITLE)
    _p(doc, "{{ unit }}：", ADDRESSEE)
    _p(doc, "{{ opening }}")
    _loop_table(doc, (("交办单号", "r.item_no", 22), ("督查事项", "r.subject", 48), ("有效时限", "r.deadline", 26),
                      ("剩余天数", "r.days", 18), ("催办类型", "r.kind", 18), ("说明", "r.note", 24)), "rows")
    _tag(doc, "for line in requirements")
    _p(doc, "{{ line }}")
    _tag(doc, "endfor")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    SLIP: build_slip,
    FEEDBACK_FORM: build_feedback_form,
    MONTHLY: build_monthly,
    QUARTERLY: build_quarterly,
    REMINDER: build_reminder,
}


def save_stable(doc: DocxDocument, path: Path) -> None:
    """Save with fixed zip timestamps, so an unchanged template is byte-identical (clean git diffs)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2022, 1, 1, 0, 0, 0)),
                            source.read(info), compress_type=zipfile.ZIP_DEFLATED)


def build_all(out_dir: Path) -> list[Path]:
    """Write all five templates into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        path = out_dir / name
        save_stable(build(), path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out_dir = Path(args[0]) if args else Path("workbook_templates")
    for path in build_all(out_dir):
        print(f"已生成公文模板：{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
