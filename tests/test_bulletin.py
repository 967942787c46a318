"""一月一通报 (二（六）): each list's boundaries as SPEC «Monthly bulletin» reads them, for June 2022 (E = 6-30)."""
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from duban_xl.bulletin import bulletin_records_replacement, monthly_bulletin
from duban_xl.sheets import build_monthly_sheet
from duban_xl.dates import parse_month
from duban_xl.errors import BadArgument
from duban_xl.ledger import Ledger, Params

UNITS = [
    {"单位名称": "县发改局", "单位类别": "县直部门"},
    {"单位名称": "县财政局", "单位类别": "县直部门"},
    {"单位名称": "白龙山街道", "单位类别": "乡镇（街道）"},
]


def item(no, deadline="2022-12-31", assigned="2022-03-01", done=None, mode="办结即反馈",
         host="县发改局", cohosts=None, reason=None):
    return {"交办单号": no, "督查事项": f"事项{no[-3:]}", "主办单位": host, "协办单位": cohosts,
            "交办日期": assigned, "完成时限": deadline, "反馈方式": mode, "办结日期": done,
            "逾期理由认定": reason}


def report(no, date, month="2022-06", kind="进展反馈", result=None, pace=None, note=None):
    return {"交办单号": no, "反馈单位": "县发改局", "反馈日期": date, "反馈类型": kind, "反馈月份": month,
            "核签人": "张三", "核查结果": result, "进度评价": pace, "核查意见": note}


def ledger(items, feedback=(), events=(), extensions=(), params=None):
    return Ledger.from_frames(params, 单位=UNITS, 台账=items, 反馈记录=list(feedback),
                              加扣分事件=list(events), 延期申请=list(extensions))


def test_overdue_list_and_totals_at_month_end():
    b = monthly_bulletin(ledger([
        item("2022-001", "2022-06-29"),                          # D < E, open: listed
        item("2022-002", "2022-06-30"),                          # D == E: due today, not overdue
        item("2022-003", "2022-06-20", done="2022-06-30"),       # completed on E: not listed
        item("2022-004", "2022-06-20", done="2022-07-01"),       # completed after E: listed
        item("2022-005", "2022-06-20", reason="正当理由"),        # justified: not listed, still counted
        item("2022-006", "2022-06-20"),                          # extension moves D past E
        item("2022-007", "2022-06-30", done="2022-06-15"),       # on time
        item("2022-008", "2022-07-31", assigned="2022-07-05"),   # assigned after E: not counted
    ], extensions=[{"交办单号": "2022-006", "申请单位": "县发改局", "申请日期": "2022-06-10",
                    "申请完成时限": "2022-07-15", "审批结果": "同意", "审批领导": "李四"}]), "2022-06")
    assert b.overdue["交办单号"].tolist() == ["2022-001", "2022-004"]
    assert b.overdue["有效时限"].tolist() == [pd.Timestamp("2022-06-29"), pd.Timestamp("2022-06-20")]
    assert b.totals == {"总数": 7, "在办": 5, "办结": 2, "逾期": 3, "按时办结率": 0.5}
    assert (b.as_of, b.issue, b.month) == (dt.date(2022, 6, 30), "2022年第6期", "2022-06")


def test_lagging_only_reports_dated_in_the_month():
    b = monthly_bulletin(ledger(
        [item("2022-001"), item("2022-002"), item("2022-003")],
        feedback=[report("2022-001", "2022-06-01", pace="滞后", note="未开工"),
                  report("2022-001", "2022-06-30", pace="滞后", note="资金未到位"),
                  report("2022-002", "2022-05-31", month="2022-05", pace="滞后", note="上月"),
                  report("2022-003", "2022-06-15", pace="正常")]), "2022-06")
    assert b.lagging["交办单号"].tolist() == ["2022-001"]
    assert b.lagging["核查意见"].tolist() == ["未开工；资金未到位"]


def test_late_feedback_boundaries_of_the_due_day():
    monthly = dict(mode="每月反馈", assigned="2022-05-01")
    b = monthly_bulletin(ledger([
        item("2022-001", **monthly),                                # reported on the 5th: on time
        item("2022-002", **monthly),                                # reported on the 6th: late
        item("2022-003", **monthly),                                # report returned: does not count
        item("2022-004", mode="每月反馈", assigned="2022-06-01"),    # assigned on the 1st of M: not due
        item("2022-005", assigned="2022-05-01"),                    # 办结即反馈: never listed
        item("2022-006", done="2022-06-05", **monthly),             # completed by the due day
        item("2022-007", done="2022-06-06", **monthly),             # completed after the due day
        item("2022-008", **monthly),                                # report for the wrong month
    ], feedback=[report("2022-001", "2022-06-05"), report("2022-002", "2022-06-06"),
                 report("2022-003", "2022-06-03", result="退回"),
                 report("2022-008", "2022-06-02", month="2022-05")]), "2022-06")
    assert b.late_feedback["交办单号"].tolist() == ["2022-002", "2022-003", "2022-007", "2022-008"]


def test_praise_of_the_month_per_unit():
    b = monthly_bulletin(ledger(
        [item("2022-001", host="县发改局", cohosts="县财政局")],
        events=[{"日期": "2022-06-10", "单位": "白龙山街道", "事件类型": "市级通报表扬", "事由": "项目推进快"},
                {"日期": "2022-06-20", "交办单号": "2022-001", "事件类型": "县政府主要领导批示肯定"},
                {"日期": "2022-05-31", "单位": "县财政局", "事件类型": "县级通报表扬"},
                {"日期": "2022-06-12", "单位": "县财政局", "事件类型": "县级通报批评"}]), "2022-06")
    assert b.praise[["单位", "事件类型"]].values.tolist() == [
        ["白龙山街道", "市级通报表扬"], ["县发改局", "县政府主要领导批示肯定"], ["县财政局", "县政府主要领导批示肯定"]]


def test_records_one_row_per_unit_and_replacement_for_the_issue():
    b = monthly_bulletin(ledger(
        [item("2022-001", "2022-06-10", host="县发改局", cohosts="县财政局、白龙山街道")],
        events=[{"日期": "2022-06-10", "单位": "县财政局", "事件类型": "县级通报表扬", "事由": "经验推广"}]),
        "2022-06")
    assert b.overdue["单位"].tolist() == ["县发改局、县财政局、白龙山街道"]
    records = b.records
    assert records[["交办单号", "单位", "通报类型"]].values.tolist() == [
        ["2022-001", "县发改局", "逾期未办结"], ["2022-001", "县财政局", "逾期未办结"],
        ["2022-001", "白龙山街道", "逾期未办结"], ["", "县财政局", "表扬"]]
    assert set(records["通报期次"]) == {"2022年第6期"}
    assert set(records["通报日期"]) == {pd.Timestamp("2022-07-08")}  # 7-10 is a Sunday
    assert records["说明"][0] == "有效时限为2022年6月10日，截至2022年6月30日仍未办结。"
    assert records["说明"][3] == "2022年6月10日受到县级通报表扬：经验推广。"

    replacement = bulletin_records_replacement(b)
    assert (replacement["sheet"], replacement["key_column"], replacement["key_value"]) == (
        "通报记录", "通报期次", "2022年第6期")
    assert len(replacement["rows"]) == 4
    assert replacement["rows"][0]["通报日期"] == dt.date(2022, 7, 8)
    assert replacement["rows"][3]["交办单号"] is None


@pytest.mark.parametrize("month, params, expected", [
    ("2022-06", None, dt.date(2022, 7, 8)),  # 7-10 is a Sunday: the Friday before
    ("2022-12", None, dt.date(2023, 1, 10)),  # a Tuesday
    ("2022-09", Params(bulletin_due_day=9), dt.date(2022, 10, 9)),  # a 调休 Sunday, a working day
    ("2022-06", Params(bulletin_due_day=8), dt.date(2022, 7, 8)),
    ("2022-04", Params(bulletin_due_day=3), dt.date(2022, 4, 29)),  # 劳动节 5-1..5-4: back to April
])
def test_default_bulletin_date_is_last_workday_by_due_day_of_next_month(month, params, expected):
    assert monthly_bulletin(ledger([item("2022-001")], params=params), month).date == expected


def test_explicit_date_is_kept():
    b = monthly_bulletin(ledger([item("2022-001")]), "2022-06", dt.date(2022, 7, 6))
    assert b.date == dt.date(2022, 7, 6)
    assert set(b.records["通报日期"]) <= {pd.Timestamp("2022-07-06")}


@pytest.mark.parametrize("bad", ["2022-6", "2022/06", "2022-13", "六月", ""])
def test_malformed_month_is_a_plain_chinese_error(bad):
    with pytest.raises(BadArgument) as caught:
        monthly_bulletin(ledger([item("2022-001")]), bad)
    assert "请按 YYYY-MM 填写月份，例如 2022-06" in caught.value.message


def test_parse_month_gives_first_and_last_day():
    assert parse_month("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_monthly_sheet_saved_and_read_back(tmp_path):
    b = monthly_bulletin(ledger(
        [item("2022-001", "2022-06-10", cohosts="县财政局"), item("2022-002", done="2022-06-01"),
         item("2022-003", mode="每月反馈", assigned="2022-04-01")],
        feedback=[report("2022-003", "2022-06-20", pace="滞后", note="进度偏慢")],
        events=[{"日期": "2022-06-10", "单位": "县财政局", "事件类型": "县级通报表扬"}]), "2022-06")
    wb = openpyxl.Workbook()
    build_monthly_sheet(wb.active, b)
    wb.active.title = "月度通报"
    path = tmp_path / "通报.xlsx"
    wb.save(path)

    ws = openpyxl.load_workbook(path)["月度通报"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert texts[0] == "云和县督查事项办理情况通报（2022年第6期）"
    for heading in ("二、逾期未办结（1件）", "三、进度滞后（1件）", "四、未按时反馈（1件）", "五、表扬（1个（次））"):
        assert heading in texts
    assert "县发改局、县财政局" in texts and "进度偏慢" in texts
    figures = {r[0]: r[1] for r in ws.iter_rows(min_row=6, max_row=10, max_col=2, values_only=True)}
    assert figures == {"总数": 3, "在办": 2, "办结": 1, "逾期": 1, "按时办结率": 1}
    assert len(ws._charts) == 1
    overdue_row = next(r for r in ws.iter_rows() if r[0].value == "2022-001")
    assert overdue_row[3].value == dt.datetime(2022, 6, 10)


def test_monthly_sheet_says_none_for_empty_lists(tmp_path):
    b = monthly_bulletin(ledger([item("2022-001")]), "2022-06")
    wb = openpyxl.Workbook()
    build_monthly_sheet(wb.active, b)
    path = tmp_path / "通报.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path).active
    column_a = [c.value for c in ws["A"]]
    assert column_a.count("本月无。") == 4
    assert ws["B10"].value == "—"  # no item completed yet: no rate to show


def test_monthly_sheet_opens_in_libreoffice(tmp_path, libreoffice):
    b = monthly_bulletin(ledger([item("2022-001", "2022-06-10")]), "2022-06")
    wb = openpyxl.Workbook()
    build_monthly_sheet(wb.active, b)
    path = tmp_path / "月度通报.xlsx"
    wb.save(path)
    text = libreoffice(path, "csv:Text - txt - csv (StarCalc):44,34,76,1").read_text(encoding="utf-8")
    assert "2022-001" in text and "事项001" in text


def test_empty_ledger_gives_an_empty_bulletin(tmp_path):
    b = monthly_bulletin(Ledger.from_frames(), "2022-06")
    assert b.totals == {"总数": 0, "在办": 0, "办结": 0, "逾期": 0, "按时办结率": 0.0}
    assert b.records.empty and bulletin_records_replacement(b)["rows"] == []
    wb = openpyxl.Workbook()
    build_monthly_sheet(wb.active, b)
    wb.save(tmp_path / "空.xlsx")


def test_records_written_back_cost_each_unit_one_r2d_point():
    """三（二）: 进度滞后/逾期未办结 通报 → −1 per 通报 per unit; 未按时反馈 and 表扬 rows carry no R2D."""
    from duban_xl.score import score

    items = [item("2022-001", "2022-06-10", host="县发改局", cohosts="县财政局"),
             item("2022-002", mode="每月反馈", assigned="2022-04-01")]
    b = monthly_bulletin(ledger(items), "2022-06")
    assert sorted(b.records["通报类型"]) == ["未按时反馈", "逾期未办结", "逾期未办结"]
    written = Ledger.from_frames(单位=UNITS, 台账=items, 通报记录=bulletin_records_replacement(b)["rows"])
    detail = score(written, dt.date(2022, 7, 31)).detail
    r2d = detail[detail["规则代码"] == "R2D"]
    assert sorted(r2d["单位"]) == ["县发改局", "县财政局"]
    assert set(r2d["日期"]) == {pd.Timestamp("2022-07-08")}


def test_units_listed_as_overdue_or_lagging_are_told_to_report_by_a_working_day():
    """二（六）: 责成报告原因及改进意见 — every unit under 逾期未办结 or 进度滞后, none only 未按时反馈."""
    from pathlib import Path

    from duban_xl.dates import is_workday
    from duban_xl.reader import read_ledger

    ledger = read_ledger(Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx")
    b = monthly_bulletin(ledger, "2022-06")
    penalised = b.records[b.records["通报类型"].isin(["逾期未办结", "进度滞后"])]
    assert b.ordered == list(dict.fromkeys(penalised["单位"])) and b.ordered
    assert b.answer_by > b.date and is_workday(b.answer_by)
    assert sum(is_workday(b.date + dt.timedelta(days=n)) for n in range(1, (b.answer_by - b.date).days + 1)) == 5
