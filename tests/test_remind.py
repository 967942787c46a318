"""催办 (二（三）): 临期 / 逾期 / 本月反馈未报 as a clerk would chase them, and the 催办清单 sheet."""
import datetime as dt

import openpyxl
import pandas as pd

from duban_xl.ledger import Ledger, Params
from duban_xl.remind import reminders
from duban_xl.sheets import build_reminder_sheet
from duban_xl.sheet_style import RED, YELLOW

UNITS = [
    {"单位名称": "县财政局", "单位类别": "县直部门"},
    {"单位名称": "县发改局", "单位类别": "县直部门"},
]
AS_OF = dt.date(2022, 6, 10)


def item(no, deadline, assigned="2022-03-01", done=None, mode="办结即反馈", host="县发改局",
         cohosts=None, reason=None):
    return {"交办单号": no, "督查事项": f"事项{no[-3:]}", "主办单位": host, "协办单位": cohosts,
            "交办日期": assigned, "完成时限": deadline, "反馈方式": mode, "办结日期": done,
            "逾期理由认定": reason}


def report(no, date, month="2022-06", result=None):
    return {"交办单号": no, "反馈单位": "县发改局", "反馈日期": date, "反馈类型": "进展反馈",
            "反馈月份": month, "核签人": "张三", "核查结果": result}


def rows_for(items, feedback=(), as_of=AS_OF, params=None):
    ledger = Ledger.from_frames(params, 单位=UNITS, 台账=items, 反馈记录=list(feedback))
    return reminders(ledger, as_of)


def kinds(rows):
    return {(r["交办单号"], r["催办类型"]): r["剩余天数"] for r in rows.to_dict("records")}


def test_due_soon_boundaries_at_warn_days():
    rows = rows_for([
        item("2022-001", "2022-06-17"),                      # 7 days left: 临期
        item("2022-002", "2022-06-18"),                      # 8 days left: nothing yet
        item("2022-003", "2022-06-10"),                      # due today: 临期, 0 days
        item("2022-004", "2022-06-12", done="2022-06-10"),   # completed: nothing
        item("2022-005", "2022-06-12", done="2022-06-11"),   # completed after as_of: still open
    ])
    assert kinds(rows) == {("2022-001", "临期"): 7, ("2022-003", "临期"): 0, ("2022-005", "临期"): 2}
    assert "今天到期" in rows.set_index("交办单号").loc["2022-003", "说明"]


def test_warn_days_comes_from_params():
    rows = rows_for([item("2022-001", "2022-06-13"), item("2022-002", "2022-06-14")], params=Params(warn_days=3))
    assert kinds(rows) == {("2022-001", "临期"): 3}


def test_overdue_even_with_justified_reason():
    rows = rows_for([item("2022-001", "2022-06-09"), item("2022-002", "2022-06-01", reason="正当理由"),
                     item("2022-003", "2022-06-20", assigned="2022-06-11")])  # not yet assigned
    assert kinds(rows) == {("2022-001", "逾期"): -1, ("2022-002", "逾期"): -9}
    notes = rows.set_index("交办单号")["说明"]
    assert "已超过有效时限1天" in notes["2022-001"] and "正当理由" in notes["2022-002"]


def test_monthly_report_missing_before_and_after_the_due_day():
    monthly = dict(deadline="2022-12-31", mode="每月反馈")
    items = [item("2022-001", **monthly),                         # nothing reported
             item("2022-002", **monthly),                         # reported for June
             item("2022-003", **monthly),                         # June report returned
             item("2022-004", assigned="2022-06-01", **monthly),  # assigned this month: not due
             item("2022-005", "2022-12-31")]                      # 办结即反馈
    feedback = [report("2022-002", "2022-06-03"), report("2022-003", "2022-06-03", result="退回")]
    early = rows_for(items, feedback, as_of=dt.date(2022, 6, 5))
    assert set(kinds(early)) == {("2022-001", "本月反馈未报"), ("2022-003", "本月反馈未报")}
    assert set(early["说明"]) == {"6月份进展反馈（反馈上月办理进展）应于2022年6月5日前报送，尚未收到，请按时报送。"}
    late = rows_for(items, feedback, as_of=dt.date(2022, 6, 6))
    assert set(late["说明"]) == {"6月份进展反馈（反馈上月办理进展）应于2022年6月5日前报送，已逾期未报，请立即报送。"}


def test_one_row_per_unit_sorted_by_unit_order_then_urgency():
    rows = rows_for([
        item("2022-001", "2022-06-15", host="县发改局", cohosts="县财政局"),
        item("2022-002", "2022-06-01", host="县发改局"),
        item("2022-003", "2022-06-05", host="县财政局", mode="每月反馈"),
    ])
    assert rows[["单位", "交办单号", "催办类型"]].values.tolist() == [
        ["县财政局", "2022-003", "逾期"],
        ["县财政局", "2022-001", "临期"],
        ["县财政局", "2022-003", "本月反馈未报"],
        ["县发改局", "2022-002", "逾期"],
        ["县发改局", "2022-001", "临期"],
    ]
    assert list(rows.columns) == ["单位", "交办单号", "督查事项", "有效时限", "剩余天数", "催办类型", "说明"]


def test_reminder_sheet_colours_and_values(tmp_path):
    rows = rows_for([item("2022-001", "2022-06-01"), item("2022-002", "2022-06-12")])
    wb = openpyxl.Workbook()
    build_reminder_sheet(wb.active, rows)
    path = tmp_path / "催办清单.xlsx"
    wb.save(path)
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == ["单位", "交办单号", "督查事项", "有效时限", "剩余天数", "催办类型", "说明"]
    assert [c.value for c in ws[2]][:6] == ["县发改局", "2022-001", "事项001", dt.datetime(2022, 6, 1), -9, "逾期"]
    assert ws["A2"].fill.fgColor.rgb == ws["G2"].fill.fgColor.rgb == RED.fgColor.rgb
    assert ws["F3"].value == "临期" and ws["A3"].fill.fgColor.rgb == YELLOW.fgColor.rgb
    assert ws.auto_filter.ref == "A1:G3" and ws.freeze_panes == "A2"


def test_ledger_text_never_becomes_a_formula(tmp_path):
    rows = rows_for([{**item("2022-001", "2022-06-01"), "督查事项": "=HYPERLINK(\"http://x\")"}])
    wb = openpyxl.Workbook()
    build_reminder_sheet(wb.active, rows)
    wb.save(tmp_path / "c.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "c.xlsx").active["C2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_nothing_to_chase(tmp_path):
    rows = rows_for([item("2022-001", "2022-12-31")])
    assert rows.empty and isinstance(rows, pd.DataFrame)
    wb = openpyxl.Workbook()
    build_reminder_sheet(wb.active, rows)
    wb.save(tmp_path / "空.xlsx")
    assert openpyxl.load_workbook(tmp_path / "空.xlsx").active["A2"].value == "当前没有需要催办的事项。"
