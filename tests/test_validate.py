"""Every validation rule of SPEC: a case that trips it and one that does not, on real workbooks."""
from __future__ import annotations

import pytest

from duban_xl.reader import read_ledger
from duban_xl.validate import validate
from workbooks import DEFAULT_RULES_ROWS, ITEM, UNITS, D, item, write_ledger

AS_OF = D(2022, 12, 31)

FEEDBACK = {"交办单号": "2022-001", "反馈单位": "县发展和改革局", "反馈日期": D(2022, 4, 3), "反馈类型": "进展反馈",
            "反馈月份": "2022-04", "核签人": "李四", "核查结果": "通过", "进度评价": "正常"}
EXTENSION = {"交办单号": "2022-001", "申请单位": "县发展和改革局", "申请日期": D(2022, 6, 20),
             "申请完成时限": D(2022, 7, 31), "审批领导": "王五", "审批结果": "同意"}


def findings(tmp_path, sheets, as_of=AS_OF):
    ledger = read_ledger(write_ledger(tmp_path / "台账.xlsx", sheets))
    return validate(ledger, as_of).findings


def codes(found):
    return {(f.code, f.sheet, f.cell) for f in found}


def test_clean_ledger_has_no_findings(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "延期申请": [EXTENSION]})
    assert found == []


# (sheets that trip the rule, expected (code, sheet, cell), level)
CASES = {
    "duplicate_item_no": ({"台账": [ITEM, item(SUBJECT="另一事项")]}, ("duplicate_item_no", "台账", "A3"), "错误"),
    "unknown_item": ({"反馈记录": [dict(FEEDBACK, 交办单号="2022-099")]}, ("unknown_item", "反馈记录", "A2"), "错误"),
    "unknown_unit": ({"台账": [item(HOST="县发改委")]}, ("unknown_unit", "台账", "G2"), "错误"),
    "unknown_cohost": ({"台账": [item(COHOSTS="县财政局、县住建局")]}, ("unknown_unit", "台账", "H2"), "错误"),
    "duplicate_unit": ({"单位": UNITS + [UNITS[0]]}, ("duplicate_unit", "单位", "A7"), "错误"),
    "deadline_before_assigned": ({"台账": [item(DEADLINE=D(2022, 2, 1))]}, ("deadline_before_assigned", "台账", "J2"), "错误"),
    "done_before_assigned": ({"台账": [item(DONE=D(2022, 2, 1))]}, ("done_before_assigned", "台账", "M2"), "错误"),
    "done_in_future": ({"台账": [item(DONE=D(2023, 1, 2))]}, ("done_in_future", "台账", "M2"), "错误"),
    "major_needs_leader": ({"台账": [item(MAJOR="是")]}, ("major_needs_leader", "台账", "E2"), "错误"),
    "temporary_without_parent": ({"单位": UNITS[:4] + [dict(UNITS[4], 所属单位=None)]},
                                 ("temporary_without_parent", "单位", "D6"), "错误"),
    "parent_is_temporary": ({"单位": UNITS + [{"单位名称": "县专班", "单位类别": "临时机构", "所属单位": "县创建办"}]},
                            ("parent_is_temporary", "单位", "D7"), "错误"),
    "extension_late": ({"延期申请": [dict(EXTENSION, 申请日期=D(2022, 6, 30))]}, ("extension_late", "延期申请", "C2"), "警告"),
    "extension_no_approver": ({"延期申请": [dict(EXTENSION, 审批领导=None)]}, ("extension_no_approver", "延期申请", "G2"), "错误"),
    "extension_repeated": ({"延期申请": [EXTENSION, dict(EXTENSION, 申请日期=D(2022, 7, 20), 申请完成时限=D(2022, 8, 31))]},
                           ("extension_repeated", "延期申请", "H3"), "警告"),
    "signer": ({"反馈记录": [dict(FEEDBACK, 核签人=None)]}, ("missing_value", "反馈记录", "G2"), "错误"),
    "feedback_not_from_host": ({"反馈记录": [dict(FEEDBACK, 反馈单位="县财政局")]}, ("feedback_not_from_host", "反馈记录", "B2"), "警告"),
    "feedback_not_of_item": ({"反馈记录": [dict(FEEDBACK, 反馈单位="浮云街道")]}, ("feedback_not_of_item", "反馈记录", "B2"), "警告"),
    "progress_without_month": ({"反馈记录": [dict(FEEDBACK, 反馈月份=None)]}, ("progress_without_month", "反馈记录", "E2"), "错误"),
    "bad_month": ({"反馈记录": [dict(FEEDBACK, 反馈月份="四月")]}, ("bad_month", "反馈记录", "E2"), "错误"),
    "bad_choice": ({"台账": [item(SOURCE="民生")]}, ("bad_choice", "台账", "B2"), "错误"),
    "bad_defect": ({"反馈记录": [dict(FEEDBACK, 材料问题="事实不清、字太小")]}, ("bad_choices", "反馈记录", "K2"), "错误"),
    "extension_after_done": ({"台账": [item(DONE=D(2022, 6, 10))], "延期申请": [dict(EXTENSION, 申请日期=D(2022, 6, 11))]},
                             ("extension_after_done", "延期申请", "C2"), "警告"),
    "bad_item_no": ({"台账": [item(ITEM_NO="22-1")]}, ("bad_item_no", "台账", "A2"), "错误"),
    "missing_required": ({"台账": [item(LEAD=None)]}, ("missing_value", "台账", "F2"), "错误"),
    "bad_date": ({"台账": [item(DEADLINE="2022.13.40")]}, ("bad_date", "台账", "J2"), "错误"),
    "date_as_text": ({"台账": [item(DEADLINE="2022年6月30日")]}, ("date_as_text", "台账", "J2"), "警告"),
    "event_without_unit": ({"加扣分事件": [{"日期": D(2022, 5, 1), "事件类型": "县级通报表扬"}]},
                           ("event_without_unit", "加扣分事件", "B2"), "错误"),
    "event_without_points": ({"加扣分事件": [{"日期": D(2022, 5, 1), "单位": "县财政局", "事件类型": "其他问题"}]},
                             ("event_without_points", "加扣分事件", "E2"), "错误"),
    "event_before_item": ({"加扣分事件": [{"日期": D(2022, 2, 1), "交办单号": "2022-001", "事件类型": "县级通报表扬"}]},
                          ("event_before_item", "加扣分事件", "A2"), "警告"),
    "notice_without_item": ({"通报记录": [{"通报期次": "2022年第5期", "通报日期": D(2022, 6, 10), "单位": "县财政局",
                                       "通报类型": "进度滞后"}]}, ("missing_value", "通报记录", "C2"), "错误"),
    "rule_unknown": ({"规则": DEFAULT_RULES_ROWS + [{"规则代码": "R9", "条款": "三（九）", "内容": "x", "分值": 1, "启用": "是"}]},
                     ("rule_unknown", "规则", "A18"), "错误"),
    "rule_duplicate": ({"规则": DEFAULT_RULES_ROWS + DEFAULT_RULES_ROWS[:1]}, ("rule_duplicate", "规则", "A18"), "错误"),
    "bad_param": ({"参数": [{"参数": "临期预警天数", "值": "七天"}]}, ("bad_param", "参数", "B2"), "错误"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_trips_with_cell_and_level(tmp_path, name):
    sheets, expected, level = CASES[name]
    sheets = dict(sheets)
    sheets.setdefault("反馈记录", [FEEDBACK])
    found = findings(tmp_path, sheets)
    match = [f for f in found if (f.code, f.sheet, f.cell) == expected]
    assert match, f"expected {expected}, got {codes(found)}"
    assert match[0].level == level
    assert match[0].message and match[0].suggestion  # a clerk is told what is wrong and what to do


def test_unreadable_param_is_one_error_not_also_a_missing_one(tmp_path):
    """A 参数 named with a value that is not a number: one error at its cell, not also "未设置"."""
    found = findings(tmp_path, {"参数": [{"参数": "临期预警天数", "值": "七天"}]})
    assert [f.code for f in found if "临期预警天数" in f.message] == ["bad_param"]
    assert "默认值为 7" in next(f.suggestion for f in found if f.code == "bad_param")


def test_praise_notice_may_omit_item(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "通报记录": [
        {"通报期次": "2022年第5期", "通报日期": D(2022, 6, 10), "单位": "县财政局", "通报类型": "表扬"}]})
    assert found == []


def test_major_item_approved_by_leader_is_fine(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "台账": [item(MAJOR="是", APPROVED_BY="县政府主要领导")]})
    assert found == []


def test_unit_typo_suggests_closest_name(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "台账": [item(HOST="县发改委")]})
    (typo,) = [f for f in found if f.code == "unknown_unit"]
    assert "县发展和改革局" in typo.suggestion


def test_short_name_is_pointed_to_full_name(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "台账": [item(HOST="县发改局")]})
    (short,) = [f for f in found if f.code == "unknown_unit"]
    assert "简称" in short.suggestion and "县发展和改革局" in short.suggestion


def test_missing_rule_code_is_an_error(tmp_path):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "规则": [r for r in DEFAULT_RULES_ROWS if r["规则代码"] != "R2C"]})
    assert any(f.code == "rule_missing" and "R2C" in f.message and f.is_error for f in found)


def test_non_numeric_rule_points_is_an_error(tmp_path):
    rows = [dict(r, 分值="两分") if r["规则代码"] == "R2A" else r for r in DEFAULT_RULES_ROWS]
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "规则": rows})
    assert ("bad_number", "规则", "D3") in codes(found)


def test_done_up_to_as_of_is_fine_and_after_is_not(tmp_path):
    sheets = {"反馈记录": [FEEDBACK], "台账": [item(DONE=D(2022, 6, 1))]}
    assert findings(tmp_path, sheets, as_of=D(2022, 6, 1)) == []
    assert any(f.code == "done_in_future" for f in findings(tmp_path, sheets, as_of=D(2022, 5, 31)))


@pytest.mark.parametrize("change", [{"申请日期": "6月10日"}, {"申请完成时限": None}, {"申请日期": None}])
def test_incomplete_extension_is_reported_not_a_crash_nor_called_late(tmp_path, change):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "延期申请": [dict(EXTENSION, **change)]})
    assert found and not any(f.code == "extension_late" for f in found)
    assert any(f.code in ("bad_date", "missing_value") and f.sheet == "延期申请" for f in found)


def test_finding_in_a_missing_optional_column_names_the_column_not_a_wrong_cell(tmp_path):
    from openpyxl import load_workbook

    path = write_ledger(tmp_path / "台账.xlsx", {"反馈记录": [FEEDBACK], "延期申请": [dict(EXTENSION, 审批领导=None)]})
    book = load_workbook(path)
    book["延期申请"].delete_cols(7)  # the clerk's sheet has no 审批领导 column; G is now 审批结果
    book.save(path)
    (finding,) = [f for f in validate(read_ledger(path), AS_OF).findings if f.code == "extension_no_approver"]
    assert finding.cell == "" and finding.column == "审批领导" and finding.where == "「延期申请」"


@pytest.mark.parametrize("text", ["2922-06-30", "0222-6-30", "1899-12-31"])
def test_a_date_of_an_impossible_year_is_an_error_not_another_date(tmp_path, text):
    found = findings(tmp_path, {"反馈记录": [FEEDBACK], "台账": [item(DEADLINE=text)]})
    assert ("bad_date", "台账", "J2") in codes(found)


def test_defects_in_any_separator_are_accepted_and_the_bad_one_is_named(tmp_path):
    assert findings(tmp_path, {"反馈记录": [dict(FEEDBACK, 材料问题="事实不清，数据不准确")]}) == []
    bad = findings(tmp_path, {"反馈记录": [dict(FEEDBACK, 材料问题="事实不清、字太小")]})
    assert [(f.message, "事实不清" in f.suggestion) for f in bad] == [("“字太小”不是“材料问题”的可选值。", True)]
