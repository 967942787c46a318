"""三、考评标准: every rule with hand-computed points, its boundaries, the ranking, the sheets."""
from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from duban_xl.errors import BadArgument
from duban_xl.ledger import Ledger, Params, default_rules_frame
from duban_xl.errors import MissingRule
from duban_xl.contract import Eligibility
from duban_xl.score import quarter_ranking, score, score_json
from duban_xl.score_sheets import build_ranking_sheet, result_sheets, write_csv
from duban_xl.xlsx.transaction import write_workbook

YEAR_END = date(2022, 12, 31)
UNITS = [
    {"单位名称": "甲镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "乙镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "丙镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "丁镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "县发改局", "单位类别": "县直部门"},
    {"单位名称": "县财政局", "单位类别": "县直部门"},
    {"单位名称": "项目攻坚专班", "单位类别": "临时机构", "所属单位": "县发改局"},
]


def item(no, host, deadline="2022-06-30", done=None, cohosts=None, reason=None):
    return {"交办单号": no, "主办单位": host, "协办单位": cohosts, "交办日期": "2022-03-01",
            "完成时限": deadline, "办结日期": done, "逾期理由认定": reason}


def closing(no, unit, day, result="通过", **extra):
    return {"交办单号": no, "反馈单位": unit, "反馈日期": day, "反馈类型": "办结反馈", "核签人": "张三",
            "核查结果": result, **extra}


def ledger(items=(), params=None, **sheets):
    return Ledger.from_frames(params=params, 单位=UNITS, 台账=list(items), **sheets)


def points(result, unit=None, code=None):
    """[(规则代码, 日期, 分值)] of 得分明细, optionally of one 单位 / one rule."""
    d = result.detail
    if unit:
        d = d[d["单位"] == unit]
    if code:
        d = d[d["规则代码"] == code]
    return [(c, f"{t:%Y-%m-%d}", v) for c, t, v in zip(d["规则代码"], d["日期"], d["分值"])]


def total(result, unit):
    return result.ranking.set_index("单位").at[unit, "总分"]


# ---- 三（二）: on time, early, late feedback, overdue ---------------------------------

def test_completed_and_reported_on_the_deadline_day_is_on_time_but_not_early():
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-30")],
                     反馈记录=[closing("2022-001", "甲镇", "2022-06-30")]), YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-06-30", 2.0)]
    assert total(r, "甲镇") == 102


def test_completed_one_day_early_earns_the_extra_point_dated_at_the_feedback():
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-29")],
                     反馈记录=[closing("2022-001", "甲镇", "2022-06-30")]), YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-06-30", 2.0), ("R2B", "2022-06-30", 1.0)]
    assert total(r, "甲镇") == 103


def test_early_needs_the_configured_number_of_days():
    rows = [item("2022-001", "甲镇", done="2022-06-28"), item("2022-002", "乙镇", done="2022-06-27")]
    fb = [closing("2022-001", "甲镇", "2022-06-29"), closing("2022-002", "乙镇", "2022-06-29")]
    r = score(ledger(rows, params=Params(early_days=3), 反馈记录=fb), YEAR_END)
    assert [c for c, _, _ in points(r, "甲镇")] == ["R2A"]  # 2 days early < 3
    assert [c for c, _, _ in points(r, "乙镇")] == ["R2A", "R2B"]  # 3 days early


def test_completion_feedback_one_day_late_costs_a_point_dated_the_day_after_the_deadline():
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-20")],
                     反馈记录=[closing("2022-001", "甲镇", "2022-07-01")]), YEAR_END)
    assert points(r, "甲镇") == [("R2C", "2022-07-01", -1.0)]
    note = r.detail.iloc[0]["说明"]
    assert note == "2022-001 按时办结但未按时反馈（有效时限2022-06-30，办结2022-06-20，办结反馈2022-07-01才报送）"


def test_completed_without_any_completion_feedback_is_r2c():
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-20")]), YEAR_END)
    assert points(r, "甲镇") == [("R2C", "2022-07-01", -1.0)]


def test_not_completed_by_the_deadline_is_r2e_the_day_after():
    r = score(ledger([item("2022-001", "甲镇"), item("2022-002", "乙镇", done="2022-07-05")],
                     反馈记录=[closing("2022-002", "乙镇", "2022-07-05")]), YEAR_END)
    assert points(r, "甲镇") == [("R2E", "2022-07-01", -3.0)]
    assert points(r, "乙镇") == [("R2E", "2022-07-01", -3.0)]  # late completion: no R2A, no R2C
    assert r.detail.set_index("单位").at["甲镇", "说明"] == \
        "2022-001 未按时完成且无正当理由（有效时限2022-06-30，有效时限内未办结）"


def test_justified_delay_costs_nothing_but_an_empty_or_unjustified_one_does():
    rows = [item("2022-001", "甲镇", reason="正当理由"), item("2022-002", "乙镇", reason="无正当理由"),
            item("2022-003", "丙镇")]
    r = score(ledger(rows), YEAR_END)
    assert points(r, "甲镇") == []
    assert points(r, "乙镇") == points(r, "丙镇") == [("R2E", "2022-07-01", -3.0)]


# ---- 二（五）: extensions move the deadline only when filed before it ----------------------

def _extension(applied, new="2022-07-31", result="同意"):
    return {"交办单号": "2022-001", "申请单位": "甲镇", "申请日期": applied, "申请完成时限": new,
            "审批领导": "李四", "审批结果": result}


def test_extension_filed_the_day_before_the_deadline_counts():
    r = score(ledger([item("2022-001", "甲镇", done="2022-07-20")],
                     延期申请=[_extension("2022-06-29")], 反馈记录=[closing("2022-001", "甲镇", "2022-07-21")]), YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-07-21", 2.0), ("R2B", "2022-07-21", 1.0)]
    # the evidence points at the extension that set the deadline, the completion and the feedback
    assert r.detail.iloc[0]["来源"] == "「延期申请」D2；「台账」M2；「反馈记录」C2"


def test_extension_filed_on_the_deadline_day_is_ignored():
    r = score(ledger([item("2022-001", "甲镇", done="2022-07-20")],
                     延期申请=[_extension("2022-06-30")], 反馈记录=[closing("2022-001", "甲镇", "2022-07-21")]), YEAR_END)
    assert points(r, "甲镇") == [("R2E", "2022-07-01", -3.0)]


def test_a_second_approved_extension_filed_before_the_moved_deadline_counts():
    exts = [_extension("2022-06-01", "2022-07-31"), _extension("2022-07-30", "2022-08-31")]
    r = score(ledger([item("2022-001", "甲镇", done="2022-08-31")], 延期申请=exts,
                     反馈记录=[closing("2022-001", "甲镇", "2022-08-31")]), YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-08-31", 2.0)]


def test_refused_extension_changes_nothing():
    r = score(ledger([item("2022-001", "甲镇", done="2022-07-20")],
                     延期申请=[_extension("2022-06-01", result="不同意")]), YEAR_END)
    assert points(r, "甲镇") == [("R2E", "2022-07-01", -3.0)]


# ---- returned feedback ---------------------------------------------------------------------

def test_returned_feedback_resubmitted_in_time_counts_from_the_resubmission():
    fb = [closing("2022-001", "甲镇", "2022-06-25", result="退回"), closing("2022-001", "甲镇", "2022-06-28")]
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-25")], 反馈记录=fb), YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-06-28", 2.0), ("R2B", "2022-06-28", 1.0)]
    assert r.detail.iloc[0]["来源"].endswith("「反馈记录」C3")


def test_returned_feedback_resubmitted_after_the_deadline_is_late_feedback():
    fb = [closing("2022-001", "甲镇", "2022-06-25", result="退回"), closing("2022-001", "甲镇", "2022-07-02")]
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-25")], 反馈记录=fb), YEAR_END)
    assert points(r, "甲镇") == [("R2C", "2022-07-01", -1.0)]


def test_a_completion_feedback_from_a_cohost_counts_for_the_item():
    r = score(ledger([item("2022-001", "甲镇", done="2022-06-30", cohosts="乙镇")],
                     反馈记录=[closing("2022-001", "乙镇", "2022-06-30")]), YEAR_END)
    assert points(r, "甲镇") == points(r, "乙镇") == [("R2A", "2022-06-30", 2.0)]


# ---- dating: as-of and 年度 -------------------------------------------------------------------

def test_a_point_counts_only_from_its_date_on():
    book = ledger([item("2022-001", "甲镇")])
    assert points(score(book, date(2022, 6, 30)), "甲镇") == []  # D+1 not reached: no R2E yet
    assert points(score(book, date(2022, 7, 1)), "甲镇") == [("R2E", "2022-07-01", -3.0)]
    assert total(score(book, date(2022, 6, 30)), "甲镇") == 100


def test_a_point_dated_in_another_year_does_not_count():
    book = ledger([item("2022-001", "甲镇", deadline="2022-12-31"), item("2022-002", "乙镇", deadline="2021-12-30")])
    r = score(book, date(2023, 3, 1))
    assert points(r, "甲镇") == [("R2E", "2022-12-31", -3.0)]  # due 12-31: D + 1 is next year, counted in D's year
    assert points(r, "乙镇") == []  # R2E dated 2021-12-31: another year
    assert points(score(ledger([item("2022-001", "甲镇", deadline="2022-12-30")]), date(2023, 3, 1)), "甲镇") == \
        [("R2E", "2022-12-31", -3.0)]


# ---- 规则 sheet ------------------------------------------------------------------------------

def _rules(**changes):
    rules = default_rules_frame()
    for code, (column, value) in changes.items():
        rules.loc[rules["规则代码"] == code, column] = value
    return rules


def test_disabled_rule_gives_no_point_row_at_all():
    book = ledger([item("2022-001", "甲镇", done="2022-06-20")], 规则=_rules(R2B=("启用", "否")),
                  反馈记录=[closing("2022-001", "甲镇", "2022-06-21")])
    assert points(score(book, YEAR_END), "甲镇") == [("R2A", "2022-06-21", 2.0)]


def test_changed_rule_values_are_used():
    book = ledger([item("2022-001", "甲镇", done="2022-06-30"), item("2022-002", "乙镇")],
                  规则=_rules(R2A=("分值", 4), R2E=("分值", -5)), 反馈记录=[closing("2022-001", "甲镇", "2022-06-30")])
    r = score(book, YEAR_END)
    assert points(r, "甲镇") == [("R2A", "2022-06-30", 4.0)]
    assert points(r, "乙镇") == [("R2E", "2022-07-01", -5.0)]


def test_a_rule_missing_from_the_rules_sheet_is_a_clear_error():
    rules = default_rules_frame()
    with pytest.raises(MissingRule, match="「规则」工作表缺少规则 R2D"):
        score(ledger(规则=rules[rules["规则代码"] != "R2D"]), YEAR_END)


# ---- several units, 临时机构 -----------------------------------------------------------------

def test_every_unit_of_a_multi_unit_item_gets_the_same_points():
    rows = [item("2022-001", "甲镇", done="2022-06-20", cohosts="乙镇、县财政局"), item("2022-002", "丙镇", cohosts="丁镇")]
    r = score(ledger(rows, 反馈记录=[closing("2022-001", "甲镇", "2022-06-21", 格式不符="是")]), YEAR_END)
    assert points(r, "乙镇") == points(r, "县财政局") == [("R2A", "2022-06-21", 2.0), ("R2B", "2022-06-21", 1.0)]
    assert points(r, "甲镇") == points(r, "乙镇") + [("R3A", "2022-06-21", -1.0)]  # R3A: the reporter alone
    assert points(r, "丙镇") == points(r, "丁镇") == [("R2E", "2022-07-01", -3.0)]


def test_temporary_body_is_credited_to_its_parent_unit():
    r = score(ledger([item("2022-001", "项目攻坚专班")]), YEAR_END)
    row = r.detail.iloc[0]
    assert (row["单位"], row["计分单位"], row["分值"]) == ("项目攻坚专班", "县发改局", -3.0)
    assert total(r, "县发改局") == 97
    assert "项目攻坚专班" not in set(r.ranking["单位"])
    assert len(r.ranking) == 6  # every 乡镇（街道） and 县直部门 unit, with or without points


# ---- 通报记录, 反馈记录 flags, 加扣分事件 ------------------------------------------------------------

def test_each_lagging_or_overdue_notice_costs_its_unit_one_point():
    notices = [{"通报期次": f"2022年第{m}期", "通报日期": f"2022-{m + 1:02d}-10", "交办单号": "2022-001", "单位": unit,
                "通报类型": kind}
               for m, unit, kind in ((5, "甲镇", "进度滞后"), (6, "甲镇", "逾期未办结"), (6, "乙镇", "逾期未办结"),
                                     (7, "甲镇", "未按时反馈"), (7, "丙镇", "表扬"))]
    r = score(ledger([item("2022-001", "甲镇", deadline="2022-12-31", cohosts="乙镇")], 通报记录=notices), YEAR_END)
    assert points(r, "甲镇") == [("R2D", "2022-06-10", -1.0), ("R2D", "2022-07-10", -1.0)]
    assert points(r, "乙镇") == [("R2D", "2022-07-10", -1.0)]
    assert points(r, "丙镇") == []
    assert r.detail.iloc[0]["说明"] == "2022-001 被2022年第5期通报进度滞后"


def test_falsified_feedback_costs_ten_points_to_the_reporter():
    fb = [{"交办单号": "2022-001", "反馈单位": "乙镇", "反馈日期": "2022-05-05", "反馈类型": "进展反馈",
           "核签人": "王五", "弄虚作假": "是", "格式不符": "是"}]
    r = score(ledger([item("2022-001", "甲镇", deadline="2022-12-31", cohosts="乙镇")], 反馈记录=fb), YEAR_END)
    assert points(r, "乙镇") == [("R3A", "2022-05-05", -1.0), ("R3B", "2022-05-05", -10.0)]
    assert points(r, "甲镇") == []


@pytest.mark.parametrize("kind, expected", [
    ("拒不配合督查", -5), ("县政府主要领导批示肯定", 2), ("县级通报表扬", 3), ("县级通报批评", -3),
    ("市级通报表扬", 5), ("市级通报批评", -5), ("省级以上通报表扬", 10), ("省级以上通报批评", -10),
])
def test_events_take_their_points_from_the_rules_sheet(kind, expected):
    event = {"日期": "2022-08-08", "单位": "县财政局", "事件类型": kind, "分值": 99, "事由": "某事"}
    r = score(ledger(加扣分事件=[event]), YEAR_END)
    assert [v for _, _, v in points(r, "县财政局")] == [expected]
    assert total(r, "县财政局") == 100 + expected


def test_other_problems_deduct_the_event_value_doubled_when_falsified():
    events = [{"日期": "2022-08-08", "单位": "甲镇", "事件类型": "其他问题", "分值": 2},
              {"日期": "2022-08-09", "单位": "乙镇", "事件类型": "其他问题", "分值": -1.5, "弄虚作假": "是"}]
    r = score(ledger(加扣分事件=events), YEAR_END)
    assert points(r, "甲镇") == [("R5", "2022-08-08", -2.0)]
    assert points(r, "乙镇") == [("R5", "2022-08-09", -3.0)]
    tripled = score(ledger(加扣分事件=events, 规则=_rules(R5=("分值", 3))), YEAR_END)
    assert points(tripled, "甲镇") == [("R5", "2022-08-08", -2.0)]
    assert points(tripled, "乙镇") == [("R5", "2022-08-09", -4.5)]


def test_an_event_with_an_item_and_no_unit_applies_to_every_unit_of_the_item():
    event = {"日期": "2022-09-01", "交办单号": "2022-001", "事件类型": "市级通报表扬", "事由": "经验被市政府推广"}
    r = score(ledger([item("2022-001", "甲镇", deadline="2022-12-31", cohosts="县财政局")], 加扣分事件=[event]),
              YEAR_END)
    assert points(r, "甲镇") == points(r, "县财政局") == [("R4D", "2022-09-01", 5.0)]
    assert r.detail.iloc[0]["来源"] == "「加扣分事件」D2"


# ---- ranking -----------------------------------------------------------------------------------

def _praise(unit, day="2022-02-01", kind="县级通报表扬"):
    return {"日期": day, "单位": unit, "事件类型": kind}


def test_equal_totals_share_a_rank_and_ties_keep_the_unit_sheet_order():
    # 丙镇 +5, 丁镇 +3, 乙镇 +3, 甲镇 0 → ranks 1, 2, 2, 4; 乙镇 before 丁镇 as in the 单位 sheet
    events = [_praise("丙镇", kind="市级通报表扬"), _praise("丁镇"), _praise("乙镇")]
    r = score(ledger(加扣分事件=events), YEAR_END)
    towns = r.ranking[r.ranking["单位类别"] == "乡镇（街道）"]
    assert towns["单位"].tolist() == ["丙镇", "乙镇", "丁镇", "甲镇"]
    assert towns["排名"].tolist() == [1, 2, 2, 4]
    assert towns["总分"].tolist() == [105, 103, 103, 100]
    assert r.ranking["单位类别"].tolist() == ["乡镇（街道）"] * 4 + ["县直部门"] * 2


def test_eligibility_is_cancelled_at_exactly_the_veto_count_of_overdue_items():
    rows = [item(f"2022-00{n}", "甲镇") for n in (1, 2, 3)] + [item(f"2022-00{n}", "乙镇") for n in (4, 5)]
    r = score(ledger(rows), YEAR_END)
    by_unit = r.ranking.set_index("单位")
    assert by_unit.at["甲镇", "评优资格"] == Eligibility.CANCELLED
    assert by_unit.at["甲镇", "R2E次数"] == by_unit.at["甲镇", "逾期未办结数"] == 3
    assert by_unit.at["乙镇", "评优资格"] == Eligibility.NORMAL
    assert score(ledger(rows, params=Params(veto_count=2)), YEAR_END).ranking.set_index("单位").at["乙镇", "评优资格"] \
        == Eligibility.CANCELLED


def test_quarter_columns_and_the_ranking_as_of_a_quarter_end():
    events = [_praise("甲镇", "2022-03-31"), _praise("乙镇", "2022-04-01", "市级通报表扬"), _praise("甲镇", "2022-09-30")]
    r = score(ledger([item("2022-001", "乙镇", done="2022-05-01")], 反馈记录=[closing("2022-001", "乙镇", "2022-05-02")],
                     加扣分事件=events), YEAR_END)
    jia, yi = (r.ranking.set_index("单位").loc[u] for u in ("甲镇", "乙镇"))
    assert [jia[q] for q in ("Q1", "Q2", "Q3", "Q4")] == [3, 0, 3, 0]
    assert [yi[q] for q in ("Q1", "Q2", "Q3", "Q4")] == [0, 8, 0, 0]
    assert (jia["累计加减分"], jia["总分"], yi["总分"], yi["按时办结数"]) == (6, 106, 108, 1)
    q1 = quarter_ranking(r, 1)
    assert q1[q1["单位类别"] == "乡镇（街道）"][["单位", "排名", "总分"]].values.tolist()[:2] == \
        [["甲镇", 1, 103.0], ["乙镇", 2, 100.0]]
    assert quarter_ranking(r, 4).equals(r.ranking)
    with pytest.raises(BadArgument, match="季度应为 1 到 4"):
        quarter_ranking(r, 5)


# ---- outputs -----------------------------------------------------------------------------------

def _sample_result():
    rows = [item("2022-001", "甲镇", done="2022-06-20", cohosts="项目攻坚专班"), item("2022-002", "乙镇"),
            item("2022-003", "县财政局"), item("2022-004", "县财政局"), item("2022-005", "县财政局")]
    return ledger(rows, 反馈记录=[closing("2022-001", "甲镇", "2022-06-21")]), date(2022, 12, 31)


def test_score_json_has_the_agreed_shape_with_plain_numbers():
    book, as_of = _sample_result()
    data = score_json(score(book, as_of), book)
    assert set(data) == {"as_of", "year", "units", "detail"}
    assert (data["as_of"], data["year"]) == ("2022-12-31", 2022)
    first = data["units"][0]
    assert first == {"单位": "甲镇", "单位类别": "乡镇（街道）", "排名": 1, "总分": 103,
                     "季度": {"Q1": 0, "Q2": 3, "Q3": 0, "Q4": 0}, "评优资格": "正常"}
    assert data["detail"][0] == {"单位": "甲镇", "计分单位": "甲镇", "交办单号": "2022-001", "日期": "2022-06-21",
                                 "季度": "Q2", "规则代码": "R2A", "条款": "三（二）",
                                 "说明": "2022-001 按时办结并按时反馈（有效时限2022-06-30，办结2022-06-20，反馈2022-06-21）",
                                 "分值": 2}
    json.dumps(data, ensure_ascii=False)  # serialisable as is


def test_sheets_written_to_a_real_workbook_read_back_as_a_clerk_sees_them(tmp_path):
    book, as_of = _sample_result()
    result = score(book, as_of)
    path = tmp_path / "out.xlsx"
    Workbook().save(path)
    write_workbook(path, sheets=result_sheets(result))

    back = load_workbook(path)
    detail = back["得分明细"]
    assert [c.value for c in detail[1]][:9] == ["单位", "计分单位", "交办单号", "日期", "季度", "规则代码", "条款", "说明", "分值"]
    assert detail.freeze_panes == "A2" and detail.auto_filter.ref.startswith("A1:")
    assert detail["D2"].is_date and detail["D2"].value.date() == date(2022, 6, 21)
    signs = {detail.cell(row=r, column=9).value: detail.cell(row=r, column=9).font.color.rgb
             for r in range(2, detail.max_row + 1)}
    assert signs[2].endswith("006100") and signs[-3].endswith("9C0006")  # green gain, red loss

    ranking = back["季度排名"]
    values = [[c.value for c in row] for row in ranking.iter_rows()]
    assert values[2][0] == "乡镇（街道）（4个单位）"
    assert "县直部门（2个单位）" in [row[0] for row in values]
    cancelled = next(ranking.cell(row=i + 1, column=13) for i, row in enumerate(values) if row[2] == "县财政局")
    assert cancelled.value == Eligibility.CANCELLED and cancelled.font.color.rgb.endswith("9C0006")
    assert len(ranking._charts) == 2  # one bar chart of 总分 per group
    # Chinese labels, the R2E count once, quarters after the as-of date left empty
    header = values[3]
    assert header[3:9] == ["基准分", "第一季度", "第二季度", "第三季度", "第四季度", "累计加减分"]
    assert "未按时办结数" in header and "R2E次数" not in header and "逾期未办结数" not in header
    june = Workbook()
    build_ranking_sheet(june.active, score(book, date(2022, 6, 30)))
    jia = next(row for row in june.active.iter_rows(values_only=True) if row[2] == "甲镇")
    assert jia[4:8] == (0, 3, None, None)  # the third and fourth quarters have not come yet
    # 总分 red below the base score, white at it, green above — not from each group's minimum
    rule = next(r for rules in ranking.conditional_formatting for r in rules.rules)
    stops = [(v.type, float(v.val)) for v in rule.colorScale.cfvo]
    assert stops[1] == ("num", 100.0) and stops[0][1] < 100 < stops[2][1]


@pytest.mark.libreoffice
def test_ranking_sheet_opens_in_libreoffice_with_its_numbers(tmp_path, libreoffice):
    book, as_of = _sample_result()
    result = score(book, as_of)
    wb = Workbook()
    wb.active.title = "季度排名"
    build_ranking_sheet(wb.active, result)
    path = tmp_path / "ranking.xlsx"
    wb.save(path)
    converted = libreoffice(path, "csv:Text - txt - csv (StarCalc):44,34,76,1")
    rows = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    jia = next(row for row in rows if len(row) > 2 and row[2] == "甲镇")
    assert jia[1] == "1" and jia[9] == "103"


def test_csv_files_open_in_excel_with_chinese_and_plain_numbers(tmp_path):
    book, as_of = _sample_result()
    paths = write_csv(score(book, as_of), tmp_path / "导出")
    assert [p.name for p in paths] == ["得分明细.csv", "季度排名.csv"]
    raw = paths[1].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel detects UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["单位"] == "甲镇" and rows[0]["总分"] == "103" and rows[0]["Q2"] == "3"
    detail = list(csv.DictReader(paths[0].read_text(encoding="utf-8-sig").splitlines()))
    assert detail[0]["日期"] == "2022-06-21" and detail[0]["分值"] == "2"


def test_item_due_on_the_last_day_of_the_year_is_penalised_in_that_year():
    """三（二）: R2E is dated D + 1; for D = 12-31 that is next year, yet the failure belongs to this year."""
    ledger = Ledger.from_frames(单位=UNITS, 台账=[
        {"交办单号": "2022-001", "主办单位": "甲镇", "交办日期": "2022-10-01", "完成时限": "2022-12-31", "反馈方式": "办结即反馈"}])
    assert score(ledger, date(2022, 12, 31)).detail.empty  # not yet overdue on the deadline day
    (point,) = score(ledger, date(2023, 1, 5)).detail.to_dict("records")
    assert (point["规则代码"], point["分值"], point["季度"], f"{point['日期']:%Y-%m-%d}") == ("R2E", -3, "Q4", "2022-12-31")


# ---- 三（三） 材料问题 ---------------------------------------------------------------------------

def _report(**cells) -> list[dict]:
    return [{"交办单号": "2022-001", "反馈单位": "甲镇", "反馈日期": "2022-05-05", "反馈类型": "进展反馈",
             "反馈月份": "2022-05", "核签人": "王五", **cells}]


def test_a_report_with_two_defects_costs_one_point_and_names_both():
    r = score(ledger([item("2022-001", "甲镇", deadline="2022-12-31")],
                     反馈记录=_report(材料问题="数据不准确、事实不清")), YEAR_END)
    assert points(r, "甲镇") == [("R3A", "2022-05-05", -1.0)]
    row = r.detail.iloc[0]
    assert "材料问题：事实不清、数据不准确" in row["说明"] and row["来源"] == "「反馈记录」K2"


def test_the_previous_templates_format_column_reads_as_a_format_defect():
    both = _report(格式不符="是", 材料问题="格式不符") + _report(格式不符="是", 反馈日期="2022-06-05")
    r = score(ledger([item("2022-001", "甲镇", deadline="2022-12-31")], 反馈记录=both), YEAR_END)
    assert points(r, "甲镇") == [("R3A", "2022-05-05", -1.0), ("R3A", "2022-06-05", -1.0)]
    assert all("材料问题：格式不符" in note for note in r.detail["说明"])
