"""Official Word documents: rendered from the committed templates, read back with python-docx,
opened in real LibreOffice."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import docx
import pandas as pd
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from duban_xl import docx_templates as tpl
from duban_xl.documents import (
    feedback_due_dates, format_date, render_docx, render_feedback_form, render_monthly_bulletin,
    render_quarterly_ranking, render_reminder, render_slip,
)
from duban_xl.errors import BadArgument, BadTemplate
from duban_xl.ledger import Ledger, Params

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_frames(
        单位=[{"单位名称": "县发改局", "单位类别": "县直部门"}, {"单位名称": "县财政局", "单位类别": "县直部门"},
             {"单位名称": "崇头镇", "单位类别": "乡镇（街道）"}],
        台账=[{"交办单号": "2022-012", "来源类别": "民生实事", "督查事项": "完成城区老旧小区改造5个",
              "牵头领导": "张副县长", "主办单位": "县发改局", "协办单位": "县财政局", "交办日期": "2022-05-10",
              "完成时限": "2022-08-31", "反馈方式": "每月反馈", "工作要求": "每月报送改造进度"},
             {"交办单号": "2022-003", "来源类别": "会议议定事项", "督查事项": "崇头镇污水管网提升",
              "牵头领导": "李副县长", "主办单位": "崇头镇", "交办日期": "2022-03-01",
              "完成时限": "2022-06-30", "反馈方式": "办结即反馈"}],
        延期申请=[{"交办单号": "2022-012", "申请单位": "县发改局", "申请日期": "2022-08-20",
                  "申请完成时限": "2022-09-30", "审批领导": "张副县长", "审批结果": "同意"}],
    )


def items(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["交办单号", "督查事项", "单位", "有效时限", "核查意见"])
    frame["有效时限"] = pd.to_datetime(frame["有效时限"])
    return frame


@pytest.fixture(scope="module")
def monthly() -> SimpleNamespace:
    """A stand-in with the fields of bulletin.MonthlyBulletin."""
    return SimpleNamespace(
        month="2022-06", issue="2022年第6期", date=dt.date(2022, 7, 8), as_of=dt.date(2022, 6, 30),
        county="云和县", office="县政府督查室",
        totals={"总数": 40, "在办": 25, "办结": 15, "逾期": 2, "按时办结率": 0.875},
        overdue=items([{"交办单号": "2022-003", "督查事项": "崇头镇污水管网提升", "单位": "崇头镇",
                        "有效时限": "2022-06-20"},
                       {"交办单号": "2022-007", "督查事项": "城东停车场建设", "单位": "县住建局、县财政局",
                        "有效时限": "2022-05-31"}]),
        lagging=items([{"交办单号": "2022-012", "督查事项": "完成城区老旧小区改造5个", "单位": "县发改局、县财政局",
                        "有效时限": "2022-09-30", "核查意见": "进度滞后于计划<两个>小区"}]),
        late_feedback=items([]),
        praise=pd.DataFrame([{"单位": "崇头镇", "事件类型": "县政府主要领导批示肯定", "事由": "垃圾分类成效明显",
                              "日期": pd.Timestamp("2022-06-15")}]),
        ordered=["崇头镇", "县住建局", "县财政局", "县发改局"], answer_by=dt.date(2022, 7, 15),
    )


@pytest.fixture(scope="module")
def ranking() -> pd.DataFrame:
    columns = ["单位类别", "排名", "单位", "基准分", "Q1", "Q2", "Q3", "Q4", "累计加减分", "总分",
               "按时办结数", "逾期未办结数", "R2E次数", "评优资格"]
    rows = [
        ["乡镇（街道）", 1, "崇头镇", 100, 2, 3, 0, 0, 5, 105, 3, 0, 0, "正常"],
        ["县直部门", 1, "县财政局", 100, 2, 1, 0, 0, 3, 103, 2, 0, 0, "正常"],
        ["县直部门", 2, "县发改局", 100, -3, -6.5, 0, 0, -9.5, 90.5, 1, 3, 3, "建议取消评优评先资格"],
    ]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture(scope="module")
def reminder_rows() -> pd.DataFrame:
    return pd.DataFrame([
        {"交办单号": "2022-003", "督查事项": "崇头镇污水管网提升", "有效时限": pd.Timestamp("2022-06-30"),
         "剩余天数": -5, "催办类型": "逾期", "说明": "请说明逾期原因"},
        {"交办单号": "2022-012", "督查事项": "完成城区老旧小区改造5个", "有效时限": pd.Timestamp("2022-07-08"),
         "剩余天数": 3, "催办类型": "临期", "说明": ""},
    ])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, ledger, monthly, ranking, reminder_rows) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("docs")
    return {
        "slip": render_slip(ledger, "2022-012", out),
        "form": render_feedback_form(ledger, "2022-012", "县发改局", out, dt.date(2022, 9, 1)),
        "monthly": render_monthly_bulletin(monthly, out),
        "ranking": render_quarterly_ranking(ranking, 2022, 2, Params(), out),  # dated 7-8: 7-10 is a Sunday
        "reminder": render_reminder("县发改局", reminder_rows, dt.date(2022, 7, 5), Params(), out),
    }


def texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def style_value(style, read):
    """A property of a style, following basedOn to where it is set (as Word does)."""
    while style is not None:
        value = read(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def east_asia(style) -> str | None:
    def read(s):
        rpr = s.element.rPr
        return None if rpr is None or rpr.rFonts is None else rpr.rFonts.get(qn("w:eastAsia"))
    return style_value(style, read)


# ---- GB/T 9704 layout of every document -----------------------------------------------------

@pytest.mark.parametrize("kind", ["slip", "form", "monthly", "ranking", "reminder"])
def test_every_document_has_the_official_layout(rendered, kind):
    path = rendered[kind]
    document = docx.Document(str(path))
    section = document.sections[0]
    mm = {name: round(getattr(section, name).mm, 1) for name in
          ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    assert mm == {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35,
                  "left_margin": 28, "right_margin": 26}

    styles = document.styles
    title, body = styles[tpl.TITLE], styles[tpl.BODY]
    assert (east_asia(title), style_value(title, lambda s: s.font.size)) == ("方正小标宋简体", Pt(22))
    assert style_value(title, lambda s: s.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.CENTER
    assert (east_asia(body), style_value(body, lambda s: s.font.size)) == ("仿宋_GB2312", Pt(16))
    assert style_value(body, lambda s: s.paragraph_format.line_spacing_rule) == WD_LINE_SPACING.EXACTLY
    assert style_value(body, lambda s: s.paragraph_format.line_spacing).pt == pytest.approx(28.95)
    assert east_asia(styles[tpl.HEADING_1]) == "黑体"
    assert east_asia(styles[tpl.HEADING_2]) == "楷体_GB2312"
    assert document.paragraphs[0].style.name in (tpl.TITLE, tpl.MASTHEAD, tpl.FORM_LETTERHEAD)

    # 22 lines of 28 characters (GB/T 9704 7.2): a line grid and 3号 condensed to a 15.75 pt advance
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    condensed = styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert 28 * (16 + int(condensed.get(qn("w:val"))) / 20) <= 156 / 25.4 * 72 < 29 * 15.75
    # the signature keeps with the text above it; table rows never split, header rows repeat
    assert styles[tpl.BODY_LAST].paragraph_format.keep_with_next
    assert styles[tpl.SIGNATURE].paragraph_format.keep_with_next
    signature = next(i for i, p in enumerate(document.paragraphs) if p.style.name == tpl.SIGNATURE)
    assert [p.style.name for p in document.paragraphs[signature - 2:signature]] == [tpl.BODY_LAST] * 2
    for table in document.tables:
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
                   for row in table.rows)
        for cell in table.rows[-1].cells:  # never justified: a narrow cell would spread its characters out
            align = style_value(cell.paragraphs[0].style, lambda s: s.paragraph_format.alignment)
            assert align in (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT)
    # a stock Windows PC has 仿宋 / 楷体 / 华文中宋, not the GB2312 fonts: the font table names them
    with zipfile.ZipFile(path) as package:
        fonts = package.read("word/fontTable.xml").decode("utf-8")
    for font, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "华文中宋")):
        assert re.search(f'w:name="{font}"><w:altName w:val="{alt}"/>', fonts), font

    # Page numbers «— 1 —»: odd pages right, even pages left, a real PAGE field in each.
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert style_value(paragraph.style, lambda s: s.paragraph_format.alignment) == align
        assert east_asia(paragraph.style) == "宋体"
        assert style_value(paragraph.style, lambda s: s.font.size) == Pt(14)

    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "{{" not in xml and "{%" not in xml, "a template tag was left unrendered"


def test_committed_templates_are_exactly_what_the_code_builds(tmp_path):
    tpl.build_all(tmp_path)
    for name in tpl.BUILDERS:
        assert (TEMPLATES / name).read_bytes() == (tmp_path / name).read_bytes(), (
            f"{name} differs from the code; run python -m duban_xl.docx_templates workbook_templates/")


# ---- 交办单 ----------------------------------------------------------------------------------

def test_slip_states_item_deadline_feedback_dates_and_reporting_rule(rendered):
    path = rendered["slip"]
    assert path.name == "交办单_2022年12号.docx"
    lines = texts(path)
    assert lines[0] == "云和县人民政府督查室督查交办单"
    fields = dict(table_rows(docx.Document(str(path)).tables[0]))
    assert fields["交办单号"] == "2022年12号"
    assert fields["来源类别"] == "民生实事"
    assert fields["督查事项"] == "完成城区老旧小区改造5个"
    assert (fields["牵头领导"], fields["主办单位"], fields["协办单位"]) == ("张副县长", "县发改局", "县财政局")
    assert fields["交办日期"] == "2022年5月10日"
    # dated its 交办日期 (5月10日): the extension of 8月20日 was not yet approved (SPEC «Time-true views»)
    assert fields["完成时限"] == "2022年8月31日"
    assert fields["反馈时间"].startswith("每月5日前报送上月办理进展（2022年6月5日、2022年7月5日、2022年8月5日）")
    assert fields["工作要求"] == "每月报送改造进度"
    rule = "\n".join(lines)
    assert "主要负责人核签" in rule and "由主办单位牵头起草和报送" in rule
    assert lines[-2:] == ["云和县人民政府督查室", "2022年5月10日"]


def test_slip_for_an_item_reported_on_completion(ledger, tmp_path):
    fields = dict(table_rows(docx.Document(str(render_slip(ledger, "2022-003", tmp_path))).tables[0]))
    assert fields["反馈时间"] == "办结后及时反馈，不迟于完成时限。"
    assert (fields["完成时限"], fields["协办单位"]) == ("2022年6月30日", "无")


def test_unknown_item_is_a_plain_chinese_error(ledger, tmp_path):
    with pytest.raises(BadArgument, match="台账中没有交办单号“2022-099”"):
        render_slip(ledger, "2022-099", tmp_path)


def test_monthly_feedback_due_dates_run_from_the_month_after_assignment_to_the_deadline():
    assert feedback_due_dates(pd.Timestamp("2022-11-20"), pd.Timestamp("2023-02-04"), 5) == [
        dt.date(2022, 12, 5), dt.date(2023, 1, 5)]
    assert feedback_due_dates(pd.Timestamp("2022-01-10"), pd.Timestamp("2022-03-31"), 31) == [
        dt.date(2022, 2, 28), dt.date(2022, 3, 31)]


def test_dates_have_no_leading_zeros():
    assert format_date(dt.date(2022, 7, 1)) == "2022年7月1日"
    assert format_date(pd.Timestamp("2022-12-05")) == "2022年12月5日"
    assert format_date(pd.NaT) == "" and format_date(None) == ""


# ---- 反馈报告 form ----------------------------------------------------------------------------

def test_feedback_form_shows_only_the_deadline_in_force_on_its_day(ledger, tmp_path):
    before = texts(render_feedback_form(ledger, "2022-012", "县发改局", tmp_path, dt.date(2022, 8, 19)))
    assert "3. 完成时限：2022年8月31日。" in before

def test_feedback_form_follows_the_attachment(rendered):
    path = rendered["form"]
    assert path.name == "反馈报告_2022年12号_县发改局.docx"
    lines = texts(path)
    assert lines[:4] == ["县发改局", "县发改局关于云和县人民政府督查室\n2022年12号交办单办理情况的报告", "县人民政府督查室：",
                         "现将云和县人民政府督查室2022年12号交办单（完成城区老旧小区改造5个）办理情况报告如下："]
    assert lines[4:9] == ["一、办理事项", "1. 完成城区老旧小区改造5个。", "2. 工作要求：每月报送改造进度。",
                          "3. 完成时限：2022年9月30日（经批准延期，原完成时限为2022年8月31日）。", "……"]
    assert lines[9:17] == ["二、办理进展情况", "1. ××××××。", "2. ××××××。", "……",
                           "三、下步工作安排", "1. ××××××。", "2. ××××××。", "……"]
    assert lines[17:] == ["县发改局", "20××年　月　日"]  # the unit seals its 落款; the date is written by hand
    styles = {p.text: p.style.name for p in docx.Document(str(path)).paragraphs}
    assert styles["二、办理进展情况"] == tpl.HEADING_1


# ---- 月度通报 ----------------------------------------------------------------------------------

def test_monthly_bulletin_says_how_many_overdue_items_have_a_justified_reason(monthly, tmp_path):
    """The total counts every overdue item; the list names only those without 正当理由 — say why they differ."""
    justified = SimpleNamespace(**{**vars(monthly), "totals": {**monthly.totals, "逾期": 5}})
    lines = texts(render_monthly_bulletin(justified, tmp_path))
    listed = len(monthly.overdue)
    assert any(f"逾期未办结5件（其中{5 - listed}件经认定有正当理由）" in line for line in lines)


def test_monthly_bulletin_lists_every_section_with_the_input_figures(rendered):
    path = rendered["monthly"]
    assert path.name == "通报_2022年6月.docx"
    document = docx.Document(str(path))
    lines = texts(path)
    assert lines[:3] == ["督查通报", "2022年第6期", "云和县人民政府督查室\t2022年7月8日"]
    assert ("截至2022年6月30日，全县共有督查事项40件，其中已办结15件、在办25件，逾期未办结2件，"
            "按时办结率87.5%。现将2022年6月督查事项办理情况通报如下：") in lines
    headings = [p.text for p in document.paragraphs if p.style.name == tpl.HEADING_1]
    assert headings == ["一、逾期未办结事项", "二、进度滞后事项", "三、未按时反馈事项", "四、表扬", "五、下步要求"]
    overdue, lagging, praise = document.tables
    assert table_rows(overdue) == [["交办单号", "督查事项", "承办单位", "有效时限"],
                                   ["2022年3号", "崇头镇污水管网提升", "崇头镇", "2022年6月20日"],
                                   ["2022年7号", "城东停车场建设", "县住建局、县财政局", "2022年5月31日"]]
    assert table_rows(lagging)[1] == ["2022年12号", "完成城区老旧小区改造5个", "县发改局、县财政局", "2022年9月30日",
                                      "进度滞后于计划<两个>小区"]
    assert table_rows(praise)[1] == ["崇头镇", "县政府主要领导批示肯定", "垃圾分类成效明显", "2022年6月15日"]
    # 三、未按时反馈事项 is empty: it says 无。 right under its heading.
    assert lines[lines.index("三、未按时反馈事项") + 1] == "无。"
    # 二（六） 责成报告: the units named, and the working day by which they answer
    assert any(line.endswith("责成崇头镇、县住建局、县财政局、县发改局认真分析逾期未办结、进度滞后的原因，"
                             "于2022年7月15日前向县政府督查室书面报告原因及改进意见，加快推进落实。") for line in lines)
    assert any("按《2022年度县政府督查工作实施方案》“三、考评标准”第（二）项扣分" in line for line in lines)
    assert not any("《考评标准》" in line or "（二（六））" in line for line in lines)
    assert lines[-4:-2] == ["云和县人民政府督查室", "2022年7月8日"]
    # 版记 (GB/T 9704 7.4) as the source document has it
    assert lines[-2:] == ["抄送：县委各部门，县人大办、政协办，县人武部，县法院，县检察院，各群众团体。",
                          "云和县人民政府督查室\t2022年7月8日印发"]


# ---- 季度排名通报 -------------------------------------------------------------------------------

def test_quarterly_ranking_has_a_table_per_group_and_names_vetoed_units(rendered):
    path = rendered["ranking"]
    assert path.name == "季度排名通报_2022年第2季度.docx"
    document = docx.Document(str(path))
    lines = texts(path)
    assert lines[:3] == ["云和县人民政府督查室", "云政督〔2022〕2号",  # 版头 and 发文字号
                         "关于2022年第二季度县政府督查工作\n考评得分情况的通报"]  # broken between words
    assert "一、乡镇（街道）考评得分情况" in lines and "二、县直部门考评得分情况" in lines
    towns, departments = document.tables
    assert table_rows(towns) == [
        ["排名", "单位", "第二季度\n加减分", "累计\n加减分", "总分", "按时办结\n（件）", "未按时\n办结（件）"],
        ["1", "崇头镇", "3", "5", "105", "3", "0"]]
    assert table_rows(departments)[1:] == [["1", "县财政局", "1", "3", "103", "2", "0"],
                                           ["2", "县发改局", "-6.5", "-9.5", "90.5", "1", "3"]]
    figures = departments.rows[1].cells[2].paragraphs[0].style
    assert style_value(figures, lambda s: s.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.RIGHT
    veto = lines[lines.index("三、评优评先资格") + 1]
    assert veto.startswith("县发改局年度内已出现3次及以上") and "建议取消其2022年度评优评先资格" in veto
    basis = lines[lines.index("四、评分依据") + 1:-4]
    assert basis[0].startswith("依据《2022年度县政府督查工作实施方案》“三、考评标准”，督查得分取基准分100分")
    assert [line[:3] for line in basis[1:]] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    assert "未按时完成交办事项且无正当理由的，每件扣3分" in basis[2] and "按事件分值" not in "".join(basis)
    assert lines[-4:-2] == ["云和县人民政府督查室", "2022年7月8日"]
    assert lines[-2].startswith("抄送：") and lines[-1] == "云和县人民政府督查室\t2022年7月8日印发"


# ---- 催办单 ------------------------------------------------------------------------------------

def test_reminder_lists_the_units_items_firmly(rendered, reminder_rows, tmp_path):
    path = rendered["reminder"]
    assert path.name == "催办单_县发改局_20220705.docx"
    lines = texts(path)
    assert lines[:2] == ["云和县人民政府督查室督查催办单", "县发改局："]
    rows = table_rows(docx.Document(str(path)).tables[0])
    assert rows == [["交办单号", "督查事项", "有效时限", "催办类型", "说明"],
                    ["2022年3号", "崇头镇污水管网提升", "2022年6月30日", "逾期", "请说明逾期原因"],
                    ["2022年12号", "完成城区老旧小区改造5个", "2022年7月8日", "临期", ""]]
    assert any("每件扣3分" in line for line in lines)
    assert not any("进展反馈未报" in line for line in lines)  # nothing of this unit is unreported
    odd = render_reminder("县住建局/城建科", reminder_rows, dt.date(2022, 7, 5), Params(), tmp_path)
    assert odd.name == "催办单_县住建局_城建科_20220705.docx" and odd.is_file()


def test_reminder_joins_an_items_reasons_and_says_only_what_applies(tmp_path):
    rows = pd.DataFrame([
        {"交办单号": "2022-044", "督查事项": "城乡供水一体化", "有效时限": pd.Timestamp("2022-06-20"),
         "剩余天数": -5, "催办类型": "逾期", "说明": "已超过有效时限5天，请尽快办结并说明逾期原因。"},
        {"交办单号": "2022-044", "督查事项": "城乡供水一体化", "有效时限": pd.Timestamp("2022-06-20"),
         "剩余天数": -5, "催办类型": "本月反馈未报", "说明": "6月份进展反馈应于2022年6月5日前报送，已逾期未报，请立即报送。"},
    ])
    path = render_reminder("县水利局", rows, dt.date(2022, 6, 25), Params(), tmp_path)
    table = table_rows(docx.Document(str(path)).tables[0])
    assert table[1:] == [["2022年44号", "城乡供水一体化", "2022年6月20日", "逾期、本月反馈未报",
                          "已超过有效时限5天，请尽快办结并说明逾期原因。6月份进展反馈应于2022年6月5日前报送，已逾期未报，请立即报送。"]]
    lines = texts(path)
    assert not any("临期" in line for line in lines)
    assert any("立即补报" in line for line in lines) and any("每件扣3分" in line for line in lines)
    assert lines[-1] == "2022年6月27日"  # 6-25 is a Saturday: sent the Monday after


# ---- templates staff restyle ---------------------------------------------------------------

def test_a_restyled_template_still_renders_with_the_new_style(tmp_path, monthly):
    custom = tmp_path / "模板"
    shutil.copytree(TEMPLATES, custom)
    template = docx.Document(str(custom / tpl.MONTHLY))
    template.styles[tpl.BODY].font.size = Pt(15)
    tpl.set_east_asian_font(template.styles[tpl.HEADING_1].element.get_or_add_rPr(), "方正黑体_GBK")
    template.save(str(custom / tpl.MONTHLY))

    path = render_monthly_bulletin(monthly, tmp_path / "out", templates_dir=custom)
    document = docx.Document(str(path))
    assert document.styles[tpl.BODY].font.size == Pt(15)
    assert east_asia(document.styles[tpl.HEADING_1]) == "方正黑体_GBK"
    assert "一、逾期未办结事项" in texts(path)
    assert document.tables[0].rows[1].cells[0].text == "2022年3号"


def test_a_missing_template_in_a_custom_folder_says_where_it_looked(tmp_path, ledger):
    with pytest.raises(BadTemplate, match="找不到公文模板“交办单.docx”"):
        render_slip(ledger, "2022-012", tmp_path, templates_dir=tmp_path / "空文件夹")


def test_render_docx_escapes_text_and_replaces_the_file_atomically(tmp_path):
    out = tmp_path / "催办单.docx"
    out.write_bytes(b"old")
    context = {"office_full": "云和县人民政府督查室", "unit": "A&B<局>", "opening": "x", "rows": [],
               "requirements": ["y"], "date": "2022年7月1日"}
    render_docx(tpl.REMINDER, context, out)
    assert texts(out)[1] == "A&B<局>："
    assert [p.name for p in tmp_path.iterdir()] == ["催办单.docx"]


# ---- LibreOffice opens them --------------------------------------------------------------------

def pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


@pytest.mark.libreoffice
def test_every_document_converts_to_pdf_in_libreoffice(rendered, libreoffice, tmp_path):
    for kind, path in rendered.items():
        pdf = libreoffice(path, "pdf", tmp_path / kind)
        assert pdf_pages(pdf) >= 1, f"{path.name} gave an empty PDF"


# ---- with the real producers (bulletin.py, score.py, remind.py) -----------------------------------

def test_documents_render_from_the_real_bulletin_ranking_and_reminders(ledger, tmp_path):
    from duban_xl.bulletin import monthly_bulletin
    from duban_xl.remind import reminders
    from duban_xl.score import quarter_ranking, score

    b = monthly_bulletin(ledger, "2022-07")
    lines = texts(render_monthly_bulletin(b, tmp_path))
    overdue = docx.Document(str(tmp_path / "通报_2022年7月.docx")).tables[0]
    assert table_rows(overdue)[1][:3] == ["2022年3号", "崇头镇污水管网提升", "崇头镇"]
    assert lines[1] == "2022年第7期"

    ranking = quarter_ranking(score(ledger, dt.date(2022, 9, 30)), 3)
    path = render_quarterly_ranking(ranking, 2022, 3, ledger.params, tmp_path, date=dt.date(2022, 10, 10))
    departments = table_rows(docx.Document(str(path)).tables[1])
    assert {row[1] for row in departments[1:]} == {"县发改局", "县财政局"}

    rows = reminders(ledger, dt.date(2022, 7, 2))
    unit = rows["单位"].iloc[0]
    path = render_reminder(unit, rows[rows["单位"] == unit], dt.date(2022, 7, 2), ledger.params, tmp_path)
    assert len(docx.Document(str(path)).tables[0].rows) == 1 + (rows["单位"] == unit).sum()


def test_documents_come_from_the_templates_duban_ships(ledger, tmp_path):
    """No template is built in memory behind the clerk's back: the shipped files are used."""
    from duban_xl.bundled import templates_folder
    from duban_xl.documents import template_path

    assert template_path(tpl.SLIP) == templates_folder() / tpl.SLIP
    assert sorted(p.name for p in templates_folder().glob("*.docx")) == sorted(tpl.BUILDERS)
    assert texts(render_slip(ledger, "2022-012", tmp_path))[0] == "云和县人民政府督查室督查交办单"


@pytest.mark.parametrize("damage", ["not a zip", "bad placeholder"])
def test_a_broken_office_template_is_a_clear_error(ledger, tmp_path, damage):

    custom = tmp_path / "模板"
    shutil.copytree(TEMPLATES, custom)
    if damage == "not a zip":
        (custom / tpl.SLIP).write_bytes(b"PK\x03\x04 not really a document")
    else:
        template = docx.Document(str(custom / tpl.SLIP))
        template.add_paragraph("{{ unit ")  # an unclosed placeholder: jinja cannot parse it
        template.save(str(custom / tpl.SLIP))
    with pytest.raises(BadTemplate, match="公文模板「交办单.docx」无法使用"):
        render_slip(ledger, "2022-012", tmp_path / "out", templates_dir=custom)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
