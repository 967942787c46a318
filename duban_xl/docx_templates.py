"""Build the official-document templates (GB/T 9704-2012) in code.

The .docx files in ``workbook_templates/`` are docxtpl templates: jinja
tags sit in ordinary runs, tables repeat rows with ``{%tr for %}``. Every look
is a *named Word style* (公文标题, 公文正文, 一级标题 …), so the office can
restyle a template in Word without touching code; the code only fills text.

GB/T 9704-2012: A4, margins top 37 / bottom 35 / left 28 / right 26 mm; a
grid of 22 lines × 28 characters (7.2); title 2号 方正小标宋简体
centred; body 3号 仿宋_GB2312; headings 一、黑体 （一）楷体_GB2312; page
numbers 4号宋体 «— 1 —» 7 mm below the type area, odd pages right, even
pages left (7.5); 版记 with 抄送 and 印发机关/印发日期 between rules (7.4).
A paragraph before the signature keeps with it, so 署名 and 成文日期 never
stand alone on a page; table rows never split and header rows repeat.
Fonts a stock Windows PC lacks name the family it has (仿宋_GB2312 → 仿宋).
The build is deterministic, so a test can prove the committed templates are
exactly what this module makes.

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
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

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
LINE_PITCH = 579  # twips: the same 28.95 pt as the grid's line pitch
# 28 characters in the 156 mm line need a pitch of 15.79 pt, 0.21 pt under 3号: each character is
# condensed by 0.25 pt. A character grid (linesAndChars with w:charSpace −849) does this in Word, but
# LibreOffice then gives some characters two cells (14 a line, measured): so a line grid + condensing.
CONDENSE = -5  # twentieths of a point off each character's advance
RED = RGBColor(*palette.rgb_tuple(palette.DOCUMENT_RED))
TEXT_WIDTH_MM = 156  # 版心宽
FOOTER_MM = 25.7  # footer distance that puts the 一字线 of the page number 7 mm under the type area (measured)
CELL_MARGIN = 57  # twips (1 mm) left and right in table cells, so 4 characters fit a 19 mm column
# Fonts of GB/T 9704 that a stock Windows PC lacks, and the family it has (w:altName; WPS and Word use it).
FONT_FALLBACKS = {
    "仿宋_GB2312": ("仿宋", "FangSong", "02010609060101010101"),
    "楷体_GB2312": ("楷体", "KaiTi", "02010609060101010101"),
    "方正小标宋简体": ("华文中宋", "STZhongsong", "02010600040101010101"),
    "仿宋": ("FangSong", "FangSong", "02010609060101010101"),
    "楷体": ("KaiTi", "KaiTi", "02010609060101010101"),
    "黑体": ("SimHei", "SimHei", "02010609060101010101"),
    "宋体": ("SimSun", "SimSun", "02010600030101010101"),
    "华文中宋": ("SimSun", "STZhongsong", "02010600040101010101"),
}

# ---- style names (the interface staff restyle in Word) -------------------------------------

NORMAL = "Normal"
TITLE = "公文标题"
ADDRESSEE = "主送机关"
BODY = "公文正文"
BODY_LAST = "正文末段"  # the paragraph before 署名: keeps with it (never a signature alone on a page)
HEADING_1 = "一级标题"
HEADING_2 = "二级标题"
SIGNATURE = "发文机关署名"
DATE_LINE = "成文日期"
MASTHEAD = "版头"
ISSUE_LINE = "期次"
MASTHEAD_INFO = "版头信息"
TABLE_TEXT = "表格文字"
TABLE_CENTER = "表格文字（居中）"
TABLE_NUMBER = "表格数字"
TABLE_HEAD = "表格标题"
DOC_NUMBER = "发文字号"
COPY_TO = "版记抄送"
PRINTED_BY = "版记印发"
FORM_LETTERHEAD = "信笺头"
PAGE_NUMBER = "页码"
PAGE_NUMBER_ODD = "页码（单页）"
PAGE_NUMBER_EVEN = "页码（双页）"
TABLE_STYLE = "Table Grid"

# 附件 交办事项反馈报告格式要求: the parts every returned report has (report_check checks them).
FORM_ADDRESSEE = "县人民政府督查室："
FORM_SECTIONS = ("一、办理事项", "二、办理进展情况", "三、下步工作安排")
FORM_PLACEHOLDER = "××××××。"
FORM_MORE = "……"
FORM_SIGNATURE = "单位落款（盖章）"
FORM_DATE = "20××年　月　日"

SLIP, REMINDER, FEEDBACK_FORM, MONTHLY, QUARTERLY = (
    "交办单.docx", "催办单.docx", "反馈报告.docx", "月度通报.docx", "季度排名通报.docx")
STATEMENT, SPECIAL_REPORT = "得分告知单.docx", "督查专报.docx"


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
    keep_together: bool = False
    hanging_chars: int = 0
    # off for text not in 3号 (a title or table text on the 28.95 pt line grid would spread out); the
    # table header row stays on it — LibreOffice drops rows of a table whose repeated header is off it
    on_grid: bool | None = None


STYLES: tuple[StyleSpec, ...] = (
    StyleSpec(TITLE, east_asia=XIAOBIAOSONG, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER,
              space_after=LINE, keep_with_next=True, keep_together=True, on_grid=False),
    StyleSpec(ADDRESSEE, keep_with_next=True),
    StyleSpec(BODY, first_line_chars=2),
    StyleSpec(BODY_LAST, base=BODY, keep_with_next=True),
    StyleSpec(HEADING_1, east_asia=HEITI, first_line_chars=2, outline_level=0, keep_with_next=True),
    StyleSpec(HEADING_2, east_asia=KAITI, first_line_chars=2, outline_level=1, keep_with_next=True),
    StyleSpec(SIGNATURE, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4, keep_with_next=True),
    StyleSpec(DATE_LINE, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4),
    StyleSpec(MASTHEAD, east_asia=XIAOBIAOSONG, size=36.0, align=WD_ALIGN_PARAGRAPH.CENTER,
              color=RED, single_spacing=True, space_after=SIZE_3, on_grid=False, keep_with_next=True),
    StyleSpec(ISSUE_LINE, align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True),
    StyleSpec(MASTHEAD_INFO, space_after=LINE, keep_with_next=True),
    StyleSpec(DOC_NUMBER, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=LINE, keep_with_next=True),
    StyleSpec(TABLE_TEXT, size=SIZE_SMALL_4, single_spacing=True, align=WD_ALIGN_PARAGRAPH.LEFT, on_grid=False),
    StyleSpec(TABLE_CENTER, base=TABLE_TEXT, align=WD_ALIGN_PARAGRAPH.CENTER),
    StyleSpec(TABLE_NUMBER, base=TABLE_TEXT, align=WD_ALIGN_PARAGRAPH.RIGHT),
    StyleSpec(TABLE_HEAD, base=TABLE_TEXT, east_asia=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER, on_grid=True),
    StyleSpec(COPY_TO, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.LEFT, left_chars=1, right_chars=1,
              hanging_chars=3, keep_with_next=True, keep_together=True, on_grid=False),
    StyleSpec(PRINTED_BY, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.LEFT, left_chars=1, right_chars=1, on_grid=False),
    StyleSpec(FORM_LETTERHEAD, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, keep_with_next=True),
    StyleSpec(PAGE_NUMBER, east_asia=SONGTI, size=SIZE_4, single_spacing=True, on_grid=False),
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


def _set_char_indents(ppr, first_line: int, left: int, right: int, size: float, hanging: int = 0) -> None:
    """Indents in characters (w:firstLineChars …) so they follow a restyled font size; twips as fallback.

    A hanging indent is measured from the left indent (版记: 抄送 lines continue under the first name).
    """
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    left += hanging
    for chars, attr in ((first_line, "firstLine"), (left, "left"), (right, "right"), (hanging, "hanging")):
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
    for tag in ("w:sz", "w:szCs"):  # the grid's character pitch is relative to the default size
        rpr_default.find(qn(tag)).set(qn("w:val"), str(int(SIZE_3 * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles[NORMAL]
    set_east_asian_font(normal.element.get_or_add_rPr(), FANGSONG, LATIN)
    normal.font.size = Pt(SIZE_3)
    # 28 characters a line (GB/T 9704 7.2): see CONDENSE
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE))
    normal.element.get_or_add_rPr().insert_element_before(
        spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
        "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
        "w:specVanish", "w:oMath")
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True

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
        if spec.keep_together:
            fmt.keep_together = True
        if spec.on_grid is not None:
            _set_on_off(style.element.get_or_add_pPr(), "w:snapToGrid", spec.on_grid)
        if spec.first_line_chars or spec.left_chars or spec.right_chars or spec.hanging_chars:
            _set_char_indents(style.element.get_or_add_pPr(), spec.first_line_chars, spec.left_chars,
                              spec.right_chars, spec.size or SIZE_3, spec.hanging_chars)
        if spec.outline_level is not None:
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(spec.outline_level))
            style.element.get_or_add_pPr().append(level)

    doc.styles[MASTHEAD_INFO].paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    _rule(doc, MASTHEAD_INFO, "bottom", 12, RED)  # 版头分隔线: red, as wide as the type area (7.2.5)
    _rule(doc, DOC_NUMBER, "bottom", 12, RED)
    # 版记 (7.4): first and last rules 0.35 mm, the one between 0.25 mm; 印发日期 right, one character in
    _rule(doc, COPY_TO, "top", 8)
    _rule(doc, COPY_TO, "bottom", 6)
    _rule(doc, PRINTED_BY, "bottom", 8)
    doc.styles[PRINTED_BY].paragraph_format.tab_stops.add_tab_stop(
        Mm(TEXT_WIDTH_MM) - Pt(2 * SIZE_4), WD_TAB_ALIGNMENT.RIGHT)


def _rule(doc: DocxDocument, style: str, side: str, eighths: int, color: RGBColor | None = None) -> None:
    """A horizontal rule as a paragraph border of ``style`` (``eighths`` of a point thick)."""
    ppr = doc.styles[style].element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is None:
        border = OxmlElement("w:pBdr")
        ppr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
                                  "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                                  "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                                  "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
                                  "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                                  "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "1"),
                       ("w:color", str(color) if color is not None else palette.DOCUMENT_TEXT)):
        line.set(qn(key), value)
    if side == "top":
        border.insert(0, line)
    else:
        border.append(line)


def _set_on_off(ppr, tag: str, value: bool) -> None:
    """An on/off property (w:snapToGrid w:val="0") in its schema place inside w:pPr."""
    element = ppr.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        ppr.insert_element_before(element, "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                                  "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                                  "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
                                  "w:sectPr", "w:pPrChange")
    element.set(qn("w:val"), "1" if value else "0")


def _font_fallbacks(doc: DocxDocument) -> None:
    """Name in the font table (w:altName) and the theme the family a stock PC has for each GB/T 9704 font."""
    fonts_part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    fonts = etree.fromstring(fonts_part.blob)
    for name, (alt, _, panose) in FONT_FALLBACKS.items():
        font = etree.SubElement(fonts, qn("w:font"), {qn("w:name"): name})
        for tag, value in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"),
                           ("w:family", "modern"), ("w:pitch", "fixed")):
            etree.SubElement(font, qn(tag), {qn("w:val"): value})
    fonts_part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
    theme_part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/theme/theme1.xml")
    theme = theme_part.blob.decode("utf-8")
    for block, font in (("majorFont", HEITI), ("minorFont", FANGSONG)):
        start = theme.index(f"<a:{block}>")
        end = theme.index(f"</a:{block}>", start)
        part = theme[start:end].replace('<a:ea typeface=""/>', f'<a:ea typeface="{font}"/>')
        part = part.replace('<a:font script="Hans" typeface="宋体"/>', f'<a:font script="Hans" typeface="{font}"/>')
        theme = theme[:start] + part + theme[end:]
    theme_part._blob = theme.encode("utf-8")


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(FOOTER_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")  # 22 lines a page; 28 characters a line by CONDENSE
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, style in ((section.footer, PAGE_NUMBER_ODD), (section.even_page_footer, PAGE_NUMBER_EVEN)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles[style]
        paragraph.add_run("— ")
        _add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" —")


def new_document(title: str) -> DocxDocument:
    """An empty GB/T 9704 document: styles, A4 page with the grid, odd/even page-number footers."""
    doc = Document()
    _define_styles(doc)
    _page_setup(doc)
    _font_fallbacks(doc)
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


def _table(doc: DocxDocument, widths: Sequence[float]):
    """A centred grid table whose rows never split across pages (cantSplit), cells 1 mm in from the rules."""
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.append(margins)
    for col, width in enumerate(widths):
        table.columns[col].width = Mm(width)  # w:gridCol, which LibreOffice and WPS lay out by
    return table


def _row(doc: DocxDocument, table, texts: Sequence[str], styles: Sequence[str], widths: Sequence[float],
         header: bool = False) -> None:
    row = table.add_row()
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page the table runs onto
    for cell, text, style, width in zip(row.cells, texts, styles, widths):
        cell.width = Mm(width)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        cell.paragraphs[0].style = doc.styles[style]
        cell.paragraphs[0].text = text


def _loop_table(doc: DocxDocument, columns: Sequence[tuple], rows: str) -> None:
    """Header row + one repeated row per item of ``rows`` ({%tr for r in rows %}).

    ``columns`` are (header, jinja expression, width in mm[, cell style]): text left, codes and
    dates centred, figures right (TABLE_NUMBER) — never justified, which spreads a narrow cell out.
    """
    widths = [c[2] for c in columns]
    styles = [c[3] if len(c) > 3 else TABLE_TEXT for c in columns]
    table = _table(doc, widths)
    _row(doc, table, [c[0] for c in columns], [TABLE_HEAD] * len(columns), widths, header=True)
    blank = [""] * (len(columns) - 1)
    _row(doc, table, ["{%tr for r in " + rows + " %}", *blank], styles, widths)
    _row(doc, table, ["{{ " + c[1] + " }}" for c in columns], styles, widths)
    _row(doc, table, ["{%tr endfor %}", *blank], styles, widths)


def _section_table(doc: DocxDocument, items: str, columns: Sequence[tuple]) -> None:
    """A table of ``items``, or «无。» when the list is empty (monthly bulletin sections)."""
    _tag(doc, f"if {items}")
    _loop_table(doc, columns, items)
    _tag(doc, "else")
    _p(doc, "无。")
    _tag(doc, "endif")


def _closing_lines(doc: DocxDocument, lines: str, text: str = "{{ line }}") -> None:
    """The paragraphs of ``lines``; the last one keeps with the signature below it (BODY_LAST)."""
    _tag(doc, f"for line in {lines}[:-1]")
    _p(doc, text)
    _tag(doc, "endfor")
    _tag(doc, f"for line in {lines}[-1:]")
    _p(doc, text, BODY_LAST)
    _tag(doc, "endfor")


def _masthead(doc: DocxDocument, name: str) -> None:
    """The 版头 of an internal bulletin (督查通报, 督查专报): its red name, 期次, office and date over the rule."""
    _p(doc, name, MASTHEAD)
    _p(doc, "{{ issue }}", ISSUE_LINE)
    paragraph = _p(doc, "{{ office_full }}", MASTHEAD_INFO)
    paragraph.add_run("\t{{ date }}")


def _signature(doc: DocxDocument, signer: str, date: str) -> None:
    """署名 and 成文日期 one blank line under the text (7.3.5); kept with the text above."""
    _p(doc, "", BODY_LAST)
    _p(doc, signer, SIGNATURE)
    _p(doc, date, DATE_LINE)


def _imprint(doc: DocxDocument) -> None:
    """版记 (7.4): 抄送 and 印发机关 / 印发日期 between rules, kept together after the date."""
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _p(doc, "", BODY_LAST)
    _p(doc, "抄送：{{ copy_to }}", COPY_TO)
    _p(doc, "{{ printer }}\t{{ print_date }}印发", PRINTED_BY)


# ---- the five templates -------------------------------------------------------------------

def build_slip() -> DocxDocument:
    """交办单 (二（二）): what, who, by when, how to report (二（四）)."""
    doc = new_document("督查交办单")
    _p(doc, "{{ office_full }}督查交办单", TITLE)
    widths = (30, 126)
    table = _table(doc, widths)
    fields = (("交办单号", "item_no_text"), ("来源类别", "source"), ("督查事项", "subject"),
              ("牵头领导", "lead"), ("主办单位", "host"), ("协办单位", "cohosts"),
              ("交办日期", "assigned"), ("完成时限", "deadline"), ("反馈方式", "feedback_mode"),
              ("反馈时间", "feedback_due"), ("工作要求", "requirements"))
    for label, key in fields:
        _row(doc, table, (label, "{{ " + key + " }}"), (TABLE_HEAD, TABLE_TEXT), widths)
    _p(doc, "", BODY)
    _p(doc, "办理要求", HEADING_1)
    _p(doc, "{{ report_rule }}")
    _p(doc, "{{ report_format }}", BODY_LAST)
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_feedback_form() -> DocxDocument:
    """附件 交办事项反馈报告格式要求, line for line; the office fills in only what it knows.

    承办单位信笺头 and 单位落款 carry the unit's name (it prints on its letterhead and seals
    the 落款); ×××××× and …… are the unit's to write, the date is written by hand.
    """
    doc = new_document("交办事项反馈报告")
    _p(doc, "{{ unit }}", FORM_LETTERHEAD)
    _p(doc, "{{ title }}", TITLE)
    _p(doc, FORM_ADDRESSEE, ADDRESSEE)
    _p(doc, "{{ opening }}")
    _p(doc, FORM_SECTIONS[0], HEADING_1)
    _tag(doc, "for line in matters")
    _p(doc, "{{ loop.index }}. {{ line }}")
    _tag(doc, "endfor")
    _p(doc, FORM_MORE)
    for heading in FORM_SECTIONS[1:]:
        style = BODY_LAST if heading == FORM_SECTIONS[-1] else BODY  # the last section goes with the 落款
        _p(doc, heading, HEADING_1)
        _p(doc, f"1. {FORM_PLACEHOLDER}", style)
        _p(doc, f"2. {FORM_PLACEHOLDER}", style)
        _p(doc, FORM_MORE, style)
    _signature(doc, "{{ unit }}", FORM_DATE)
    return doc


def build_monthly() -> DocxDocument:
    """Monthly bulletin (二（六） 一月一通报)."""
    doc = new_document("督查通报")
    _masthead(doc, "督查通报")
    _p(doc, "{{ title }}", TITLE)
    _p(doc, "{{ summary }}")
    # widths in mm add up to the 156 mm type area; 交办单号 and dates fit on one line at 小四
    number, date = ("交办单号", "r.item_no", 26, TABLE_CENTER), ("有效时限", "r.deadline", 34, TABLE_CENTER)
    item = number, ("督查事项", "r.subject", 56), ("承办单位", "r.units", 40), date
    _p(doc, "一、逾期未办结事项", HEADING_1)
    _section_table(doc, "overdue", item)
    _p(doc, "二、进度滞后事项", HEADING_1)
    _section_table(doc, "lagging", (number, ("督查事项", "r.subject", 40), ("承办单位", "r.units", 30), date,
                                    ("核查意见", "r.note", 26)))
    _p(doc, "三、未按时反馈事项", HEADING_1)
    _section_table(doc, "late_feedback", item)
    _p(doc, "四、表扬", HEADING_1)
    _tag(doc, "if praise")
    _p(doc, "以下单位抓落实工作成效明显，予以表扬，请各单位学习借鉴其经验做法：")
    _tag(doc, "endif")
    _section_table(doc, "praise", (("单位", "r.unit", 40), ("表扬类型", "r.kind", 32), ("事由", "r.reason", 50),
                                   ("日期", "r.date", 34, TABLE_CENTER)))
    _p(doc, "五、下步要求", HEADING_1)
    _closing_lines(doc, "requirements")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    _imprint(doc)
    return doc


def build_quarterly() -> DocxDocument:
    """Quarterly ranking bulletin (二（八） 每季度通报分数排名情况; 三、考评标准), with 版头 and 发文字号."""
    doc = new_document("季度考评得分通报")
    _p(doc, "{{ office_full }}", MASTHEAD)
    _p(doc, "{{ doc_number }}", DOC_NUMBER)
    _p(doc, "{{ title }}", TITLE)
    _p(doc, "{{ addressee }}", ADDRESSEE)
    _p(doc, "{{ opening }}")
    _tag(doc, "for g in groups")
    _p(doc, "{{ g.heading }}", HEADING_1)
    _tag(doc, "if g.rows")
    figure = 19
    _loop_table(doc, (("排名", "r.rank", 12, TABLE_CENTER), ("单位", "r.unit", 49),
                      ("{{ quarter_name }}\n加减分", "r.quarter", figure, TABLE_NUMBER),
                      ("累计\n加减分", "r.sum", figure, TABLE_NUMBER), ("总分", "r.total", figure, TABLE_NUMBER),
                      ("按时办结\n（件）", "r.on_time", figure, TABLE_NUMBER),
                      ("未按时\n办结（件）", "r.late", figure, TABLE_NUMBER)), "g.rows")
    _tag(doc, "else")
    _p(doc, "无。")
    _tag(doc, "endif")
    _tag(doc, "endfor")
    _p(doc, "三、评优评先资格", HEADING_1)
    _p(doc, "{{ veto }}")
    _p(doc, "四、评分依据", HEADING_1)
    _closing_lines(doc, "clauses")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    _imprint(doc)
    return doc


def build_reminder() -> DocxDocument:
    """催办单 (二（三） 催办): the unit's items that are due soon, overdue or unreported, one row each."""
    doc = new_document("督查催办单")
    _p(doc, "{{ office_full }}督查催办单", TITLE)
    _p(doc, "{{ unit }}：", ADDRESSEE)
    _p(doc, "{{ opening }}")
    _loop_table(doc, (("交办单号", "r.item_no", 26, TABLE_CENTER), ("督查事项", "r.subject", 38),
                      ("有效时限", "r.deadline", 34, TABLE_CENTER), ("催办类型", "r.kind", 18, TABLE_CENTER),
                      ("说明", "r.note", 40)), "rows")
    _closing_lines(doc, "requirements")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_statement() -> DocxDocument:
    """得分告知单 (三、考评标准): a unit's score, its rank, every point of the year so far, how to object."""
    doc = new_document("督查考评得分告知单")
    _p(doc, "{{ title }}", TITLE)
    _p(doc, "{{ unit }}：", ADDRESSEE)
    _p(doc, "{{ opening }}")
    _p(doc, "一、得分情况", HEADING_1)
    _p(doc, "{{ score_line }}")
    _p(doc, "二、加扣分明细", HEADING_1)
    _section_table(doc, "points", (("日期", "r.date", 20, TABLE_CENTER), ("交办单号", "r.item_no", 26, TABLE_CENTER),
                                   ("条款", "r.clause", 20, TABLE_CENTER), ("说明（台账依据）", "r.note", 76),
                                   ("分值", "r.points", 14, TABLE_NUMBER)))
    _p(doc, "三、异议", HEADING_1)
    _closing_lines(doc, "objection")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


def build_special_report() -> DocxDocument:
    """督查专报 (二（六）: 重点督查事项以专报形式报领导阅示): one item, all its record, its open problems."""
    doc = new_document("督查专报")
    _masthead(doc, "督查专报")
    _p(doc, "{{ title }}", TITLE)
    _p(doc, "{{ opening }}")
    _p(doc, "一、基本情况", HEADING_1)
    _tag(doc, "for line in facts")
    _p(doc, "{{ line }}")
    _tag(doc, "endfor")
    _p(doc, "二、办理时限", HEADING_1)
    _p(doc, "{{ deadline_line }}")
    _section_table(doc, "extensions", (("申请日期", "r.applied", 26, TABLE_CENTER), ("申请完成时限", "r.new", 30, TABLE_CENTER),
                                       ("原因", "r.cause", 38), ("审批", "r.approval", 32),
                                       ("考评认定", "r.status", 30)))
    _p(doc, "三、反馈及核查情况", HEADING_1)
    _section_table(doc, "reports", (("反馈日期", "r.date", 24, TABLE_CENTER), ("类型", "r.kind", 20, TABLE_CENTER),
                                    ("办理进展", "r.progress", 48), ("核查", "r.check", 24, TABLE_CENTER),
                                    ("核查意见、材料问题", "r.note", 40)))
    _p(doc, "四、催办情况", HEADING_1)
    _section_table(doc, "reminders", (("催办日期", "r.date", 24, TABLE_CENTER), ("方式", "r.method", 24, TABLE_CENTER),
                                      ("单位", "r.unit", 30), ("催办内容", "r.content", 42), ("单位答复", "r.reply", 36)))
    _p(doc, "五、目前状态和存在问题", HEADING_1)
    _closing_lines(doc, "status")
    _signature(doc, "{{ office_full }}", "{{ date }}")
    return doc


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    SLIP: build_slip,
    FEEDBACK_FORM: build_feedback_form,
    MONTHLY: build_monthly,
    QUARTERLY: build_quarterly,
    REMINDER: build_reminder,
    STATEMENT: build_statement,
    SPECIAL_REPORT: build_special_report,
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
    """Write every template into ``out_dir``."""
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
