"""check_report: returned reports, good and broken, written as real .docx files."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from duban_xl.documents import render_feedback_form
from duban_xl.errors import DubanError, FileMissing
from duban_xl.ledger import Ledger
from duban_xl.report_check import check_report

TITLE = "县发改局关于云和县人民政府督查室2022年12号交办单办理情况的报告"
GOOD = [
    TITLE,
    "县人民政府督查室：",
    "现将2022年12号交办单办理情况报告如下：",
    "一、办理事项",
    "1. 完成城区老旧小区改造5个。",
    "二、办理进展情况",
    "1. 已完成3个小区改造，完成投资1200万元。",
    "2. 其余2个小区已进场施工。",
    "三、下步工作安排",
    "1. 9月底前完成其余2个小区改造。",
    "县发改局（盖章）",
    "2022年7月1日",
]


def write_report(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def without(line: str) -> list[str]:
    return [s for s in GOOD if s != line]


def replaced(old: str, new: str) -> list[str]:
    return [new if s == old else s for s in GOOD]


def test_good_report_passes_and_names_item_and_unit(tmp_path):
    result = check_report(write_report(tmp_path / "good.docx", GOOD), expected_item_no="2022-012")
    assert result.ok, result.problems
    assert (result.item_no, result.unit, result.problems) == ("2022-012", "县发改局", [])


def test_letterhead_wrapped_title_spaces_and_table_are_accepted(tmp_path):
    """A red letterhead line above the title, a title broken over two lines, 全角 spaces, a table."""
    path = tmp_path / "letterhead.docx"
    document = docx.Document()
    for line in ["云和县发展和改革局", "县发改局关于云和县人民政府督查室", "2022年12号交办单办理情况的报告",
                 "县人民政府督查室：", "现将办理情况报告如下：", "一、　办理事项", "1. 改造老旧小区。",
                 "二、办理进展情况"]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "已改造", "3个"
    for line in ["三、下步工作安排：9月底前全部完成。", "县发改局", "2022 年 7 月 1 日"]:
        document.add_paragraph(line)
    document.save(str(path))
    result = check_report(path)
    assert result.ok, result.problems
    assert result.item_no == "2022-012"


@pytest.mark.parametrize("lines, problem", [
    (without("二、办理进展情况"), "缺少“二、办理进展情况”部分"),
    (replaced(TITLE, TITLE.replace("2022年12号", "2022年第012号")),
     "标题中的交办单号格式不对，应为“2022年12号”形式，现在是“2022年第012号”"),
    (replaced(TITLE, "县发改局关于老旧小区改造情况的报告"),
     "标题格式不对，应为“××单位关于云和县人民政府督查室2022年12号交办单办理情况的报告”，现在是“县发改局关于老旧小区改造情况的报告”"),
    (without("2022年7月1日"), "缺少落款日期，应写成“2022年7月1日”形式"),
    (replaced("2022年7月1日", "年月日"), "落款日期未填写完整，应写成“2022年7月1日”形式"),
    (replaced("2022年7月1日", "2022年2月30日"), "落款日期“2022年2月30日”不是有效日期"),
    (without("县发改局（盖章）"), "缺少落款（单位名称并加盖公章，写作“××单位（盖章）”）"),
    (replaced("县人民政府督查室：", "县政府办公室："), "主送机关应为“县人民政府督查室：”，现在是“县政府办公室：”"),
    (without("县人民政府督查室："), "缺少主送机关“县人民政府督查室：”"),
    ([s for s in GOOD if not s.startswith(("1. 已完成", "2. 其余"))], "“二、办理进展情况”部分没有内容"),
    (replaced("1. 9月底前完成其余2个小区改造。", "1. ××××××。"), "“三、下步工作安排”部分还是“××××××”占位文字，请填写实际内容"),
    (GOOD[:3] + GOOD[5:8] + GOOD[3:5] + GOOD[8:], "“一、办理事项”“二、办理进展情况”“三、下步工作安排”三部分的顺序不对"),
])
def test_each_broken_report_is_told_exactly_what_is_wrong(tmp_path, lines, problem):
    result = check_report(write_report(tmp_path / "broken.docx", lines))
    assert not result.ok
    assert result.problems == [problem]


def test_item_number_must_be_the_expected_one_or_exist_in_the_ledger(tmp_path):
    path = write_report(tmp_path / "r.docx", GOOD)
    assert check_report(path, expected_item_no="2022-013").problems == [
        "标题中的交办单号是“2022年12号”，但本报告应反馈“2022年13号”交办单"]
    assert check_report(path, known_item_nos={"2022-001"}).problems == [
        "标题中的交办单号“2022年12号”在督查台账中不存在，请核对"]
    assert check_report(path, known_item_nos={"2022-012"}).ok


def test_county_name_comes_from_a_parameter(tmp_path):
    lines = replaced(TITLE, TITLE.replace("云和县", "景宁县"))
    path = write_report(tmp_path / "r.docx", lines)
    assert check_report(path, county="景宁县").ok
    assert not check_report(path).ok


def test_a_file_that_is_not_a_docx_is_a_plain_chinese_error(tmp_path):
    fake = tmp_path / "报告.docx"
    fake.write_text("这不是 Word 文档", encoding="utf-8")
    with pytest.raises(DubanError) as caught:
        check_report(fake)
    assert caught.value.code == "not_a_document"
    assert "不是可以读取的 Word 文档" in str(caught.value)
    with pytest.raises(FileMissing):
        check_report(tmp_path / "没有这个文件.docx")


def test_the_rendered_form_fails_only_for_its_placeholders_and_passes_once_filled(tmp_path):
    ledger = Ledger.from_frames(
        单位=[{"单位名称": "县发改局", "单位类别": "县直部门"}],
        台账=[{"交办单号": "2022-012", "来源类别": "民生实事", "督查事项": "完成城区老旧小区改造5个",
              "牵头领导": "张副县长", "主办单位": "县发改局", "交办日期": "2022-05-10",
              "完成时限": "2022-08-31", "反馈方式": "每月反馈"}])
    form = render_feedback_form(ledger, "2022-012", "县发改局", tmp_path, date(2022, 7, 5))
    result = check_report(form, expected_item_no="2022-012")
    assert result.problems == [
        "落款日期未填写完整，应写成“2022年7月1日”形式",
        "“二、办理进展情况”部分还是“××××××”占位文字，请填写实际内容",
        "“三、下步工作安排”部分还是“××××××”占位文字，请填写实际内容",
    ]
    document = docx.Document(str(form))
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("20××年"):  # the date line, written by hand on paper
            paragraph.text = "2022年7月1日"
        elif "××" in paragraph.text:
            paragraph.text = paragraph.text.replace("××××××", "已完成3个小区改造")
    filled = tmp_path / "filled.docx"
    document.save(str(filled))
    result = check_report(filled, expected_item_no="2022-012")
    assert result.ok, result.problems
    assert result.unit == "县发改局"
