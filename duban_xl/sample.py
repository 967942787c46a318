"""The 云和县 2022 sample ledger and the broken ledgers that test the validator.

``python -m duban_xl.sample samples/`` writes
- samples/云和县2022年督查台账.xlsx: a valid ledger (no 错误 as of 2022-12-31)
  whose bulk comes from ``synth`` and whose curated items show each situation of
  the source document (二（五）延期, 二（四）退回重报, 三（二）逾期, 三（六）临时机构 …);
- samples/bad/*.xlsx: small ledgers, each with one kind of mistake clerks make,
  and samples/bad/expected.json: exactly the findings a validator must report.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .contract import (
    APPROVER_MAJOR, APPROVERS, NO, SPECS, YES, Approval, CheckResult, Col, FeedbackMode, FeedbackType,
    NoticeType, OverdueReason, Pace, RemindMethod, Sheet, UnitCategory,
)
from .ledger import ROW, Params, default_rules_frame
from .synth import synth_frames
from .template import fill_workbook

SAMPLE_NAME = "云和县2022年督查台账.xlsx"
SAMPLE_SEED = 2022
BULK_ITEMS = 84
ERROR, WARNING = "错误", "警告"
D = dt.date


# ---- the valid sample ------------------------------------------------------------------

def sample_frames() -> dict[str, pd.DataFrame]:
    """synth bulk items plus curated ones (written as 085–092, numbered by assignment date at the end)."""
    frames = synth_frames(BULK_ITEMS, seed=SAMPLE_SEED, year=2022)
    curated_items, feedback, extensions, notices = _curated()
    frames[Sheet.ITEMS] = _append(frames[Sheet.ITEMS], curated_items)
    frames[Sheet.FEEDBACK] = _append(frames[Sheet.FEEDBACK], feedback)
    frames[Sheet.EXTENSIONS] = _append(frames[Sheet.EXTENSIONS], extensions)
    frames[Sheet.NOTICES] = _append(frames[Sheet.NOTICES], notices)
    frames[Sheet.EVENTS] = _append(frames[Sheet.EVENTS], _curated_events())
    frames[Sheet.REMINDER_LOG] = pd.DataFrame(_curated_reminders())
    return _numbered_by_assignment(frames)


def _numbered_by_assignment(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """交办单号 in the order items were assigned, across bulk and curated items, in every sheet."""
    items = frames[Sheet.ITEMS].sort_values(Col.ASSIGNED, kind="stable").reset_index(drop=True)
    renumber = {old: f"2022-{seq:03d}" for seq, old in enumerate(items[Col.ITEM_NO], start=1)}
    frames[Sheet.ITEMS] = items
    for sheet in (Sheet.ITEMS, Sheet.EXTENSIONS, Sheet.FEEDBACK, Sheet.EVENTS, Sheet.NOTICES, Sheet.REMINDER_LOG):
        frames[sheet][Col.ITEM_NO] = frames[sheet][Col.ITEM_NO].map(lambda no: renumber.get(no, no))
    return frames


def _item(no: int, source: str, subject: str, host: str, assigned: D, deadline: D, *, cohosts: str | None = None,
          major: bool = False, done: D | None = None, reason: str | None = None,
          mode: str = FeedbackMode.MONTHLY, lead: str = "王晓东") -> dict:
    return {Col.ITEM_NO: f"2022-{no:03d}", Col.SOURCE: source, Col.SUBJECT: subject, Col.MAJOR: YES if major else NO,
            Col.APPROVED_BY: APPROVER_MAJOR if major else APPROVERS[0], Col.LEAD: lead, Col.HOST: host,
            Col.COHOSTS: cohosts, Col.ASSIGNED: assigned, Col.DEADLINE: deadline, Col.FEEDBACK_MODE: mode,
            Col.REQUIREMENTS: "按时保质完成，每月5日前报送经主要负责人核签的书面报告", Col.DONE: done,
            Col.OVERDUE_REASON: reason}


def _fb(no: int, unit: str, date: D, kind: str = FeedbackType.PROGRESS, *, month: str | None = None,
        pace: str = Pace.NORMAL, result: str = CheckResult.PASSED, note: str | None = None,
        progress: str = "按计划推进", signer: str = "张伟", defects: str | None = None) -> dict:
    return {Col.ITEM_NO: f"2022-{no:03d}", Col.REPORTER: unit, Col.FEEDBACK_DATE: date, Col.FEEDBACK_TYPE: kind,
            Col.FEEDBACK_MONTH: month, Col.PROGRESS: progress, Col.SIGNER: signer, Col.CHECK_RESULT: result,
            Col.PACE: pace, Col.CHECK_NOTE: note, Col.MATERIAL_DEFECTS: defects, Col.FALSIFIED: NO}


def _curated() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    items = [
        # 重大 item, three units, monthly feedback by the 主办单位, one 滞后 month (二（一）、二（四）)
        _item(85, "重大决策部署", "推进云和县山区26县跨越式高质量发展重点项目建设", "县发展和改革局",
              D(2022, 3, 1), D(2022, 9, 30), cohosts="县财政局、县自然资源和规划局", major=True,
              done=D(2022, 9, 26), lead="陈建平"),
        # completion feedback returned (退回) and resubmitted (二（四）、（五）)
        _item(86, "民生实事", "完成城区老旧小区改造12个", "县住房和城乡建设局", D(2022, 2, 15), D(2022, 10, 31),
              cohosts="浮云街道", done=D(2022, 10, 20)),
        # extension approved in time (二（五）)
        _item(87, "会议议定事项", "推进紧水滩库区生态保护和水质提升工程", "紧水滩镇", D(2022, 4, 1), D(2022, 8, 31),
              done=D(2022, 10, 25)),
        # extension applied on the deadline day: too late (警告, ignored by scoring)
        _item(88, "政府工作报告任务", "新建改建农村公路30公里", "县交通运输局", D(2022, 3, 10), D(2022, 9, 30),
              done=D(2022, 11, 15), reason=OverdueReason.UNJUSTIFIED),
        # overdue, not finished, with 正当理由 (三（二）)
        _item(89, "人大建议政协提案", "关于加快城乡供水一体化建设的建议办理", "县水利局", D(2022, 4, 20), D(2022, 9, 30),
              reason=OverdueReason.JUSTIFIED),
        # overdue, not finished, without 正当理由 (三（二）)
        _item(90, "上级督办及领导批示", "落实省督查反馈的小水电站清理整改问题", "赤石乡", D(2022, 5, 10), D(2022, 8, 31),
              reason=OverdueReason.UNJUSTIFIED, mode=FeedbackMode.ON_COMPLETION),
        # 临时机构 as 主办单位: its points go to 县委宣传部 (三（六）)
        _item(91, "领导交办事项", "全国文明城市创建迎检问题整改", "县创建全国文明城市工作指挥部办公室",
              D(2022, 6, 1), D(2022, 7, 31), done=D(2022, 7, 25), mode=FeedbackMode.ON_COMPLETION),
        # finished early and reported at once (三（二）: 提前办结)
        _item(92, "民生实事", "新增婴幼儿托位200个", "县卫生健康局", D(2022, 1, 10), D(2022, 6, 30),
              cohosts="县教育局", done=D(2022, 6, 10)),
    ]
    feedback = [
        _fb(85, "县发展和改革局", D(2022, 4, 5), month="2022-04"),
        _fb(85, "县发展和改革局", D(2022, 5, 5), month="2022-05"),
        _fb(85, "县发展和改革局", D(2022, 6, 2), month="2022-06", pace=Pace.LAGGING,
            progress="政策处理进度滞后，2个项目未开工", note="进度滞后，责成报告原因"),
        _fb(85, "县发展和改革局", D(2022, 7, 4), month="2022-07"),
        _fb(85, "县发展和改革局", D(2022, 8, 3), month="2022-08"),
        _fb(85, "县发展和改革局", D(2022, 9, 5), month="2022-09"),
        _fb(85, "县发展和改革局", D(2022, 9, 28), FeedbackType.COMPLETION, progress="重点项目全部开工，完成年度投资"),
        _fb(86, "县住房和城乡建设局", D(2022, 10, 21), FeedbackType.COMPLETION, result=CheckResult.RETURNED,
            note="数据不准确，退回重新报送", progress="已完成改造", defects="内容不完整、数据不准确"),
        _fb(86, "县住房和城乡建设局", D(2022, 10, 27), FeedbackType.COMPLETION, progress="12个老旧小区改造全部完工验收"),
        _fb(87, "紧水滩镇", D(2022, 5, 5), month="2022-05"),
        _fb(87, "紧水滩镇", D(2022, 10, 26), FeedbackType.COMPLETION, progress="生态保护工程完工"),
        _fb(88, "县交通运输局", D(2022, 11, 16), FeedbackType.COMPLETION, progress="30公里农村公路完工"),
        _fb(89, "县水利局", D(2022, 9, 5), month="2022-09", pace=Pace.LAGGING, progress="受水源工程审批影响进度滞后"),
        _fb(91, "县创建全国文明城市工作指挥部办公室", D(2022, 7, 26), FeedbackType.COMPLETION, progress="迎检问题全部整改"),
        _fb(92, "县卫生健康局", D(2022, 2, 5), month="2022-02"),
        # reported on the 报送表 (SPEC «Returned sheets»): the unit's own columns and its 收件编号
        {**_fb(92, "县卫生健康局", D(2022, 6, 10), FeedbackType.COMPLETION, progress="新增托位210个"),
         Col.CLAIMED_DONE: D(2022, 6, 10), Col.PROBLEMS: "部分托育机构师资不足", Col.NEXT_STEPS: "开展托育从业人员培训",
         Col.CONTACT: "刘芳", Col.PHONE: "0578-5123456", Col.RECEIPT_NO: "BS202206-5E0A17/2022-092/办结反馈"},
    ]
    extensions = [
        {Col.ITEM_NO: "2022-087", Col.APPLICANT: "紧水滩镇", Col.APPLIED: D(2022, 8, 20),
         Col.NEW_DEADLINE: D(2022, 10, 31), Col.CAUSE: "汛期施工受限", Col.PLAN: "汛后集中施工，10月底前完工",
         Col.APPROVER: "王晓东", Col.APPROVAL: Approval.GRANTED, Col.APPROVAL_DATE: D(2022, 8, 23)},
        {Col.ITEM_NO: "2022-088", Col.APPLICANT: "县交通运输局", Col.APPLIED: D(2022, 9, 30),
         Col.NEW_DEADLINE: D(2022, 11, 30), Col.CAUSE: "材料价格上涨，招标延误", Col.PLAN: "11月底前完工",
         Col.APPROVER: "李志强", Col.APPROVAL: Approval.GRANTED, Col.APPROVAL_DATE: D(2022, 10, 8)},
        {Col.ITEM_NO: "2022-090", Col.APPLICANT: "赤石乡", Col.APPLIED: D(2022, 8, 25),
         Col.NEW_DEADLINE: D(2022, 12, 31), Col.CAUSE: "整改方案待省厅批复", Col.PLAN: "批复后实施",
         Col.APPROVER: None, Col.APPROVAL: Approval.REFUSED, Col.APPROVAL_DATE: D(2022, 8, 29)},
    ]
    notices = [
        {Col.ISSUE: "2022年第6期", Col.NOTICE_DATE: D(2022, 7, 8), Col.ITEM_NO: "2022-085", Col.UNIT: unit,
         Col.NOTICE_TYPE: NoticeType.LAGGING, Col.NOTE: "政策处理进度滞后"}
        for unit in ("县发展和改革局", "县财政局", "县自然资源和规划局")
    ] + [
        {Col.ISSUE: "2022年第9期", Col.NOTICE_DATE: D(2022, 10, 10), Col.ITEM_NO: "2022-089", Col.UNIT: "县水利局",
         Col.NOTICE_TYPE: NoticeType.LAGGING, Col.NOTE: "水源工程审批滞后"},
        {Col.ISSUE: "2022年第9期", Col.NOTICE_DATE: D(2022, 10, 10), Col.ITEM_NO: "2022-090", Col.UNIT: "赤石乡",
         Col.NOTICE_TYPE: NoticeType.OVERDUE, Col.NOTE: "超过完成时限未办结"},
        {Col.ISSUE: "2022年第10期", Col.NOTICE_DATE: D(2022, 11, 10), Col.ITEM_NO: None, Col.UNIT: "紧水滩镇",
         Col.NOTICE_TYPE: NoticeType.PRAISE, Col.NOTE: "库区生态保护成效明显"},
    ]
    return items, feedback, extensions, notices


def _curated_reminders() -> list[dict]:
    """二（三） 催办: calls, a message, a site visit and 专项督办 on the curated items (no points)."""
    def chase(date: D, no: int, unit: str, method: str, content: str, reply: str, reported: bool = False) -> dict:
        return {Col.REMIND_DATE: date, Col.ITEM_NO: f"2022-{no:03d}", Col.UNIT: unit, Col.REMIND_METHOD: method,
                Col.REMIND_CONTENT: content, Col.HANDLER: "刘明", Col.REPLY: reply, Col.REPORTED: YES if reported else NO}

    return [
        chase(D(2022, 6, 6), 87, "紧水滩镇", RemindMethod.MESSAGE, "6月份进展反馈尚未报送，请于当日补报",
              "汛期人员紧张，次日补报"),
        chase(D(2022, 6, 20), 85, "县发展和改革局", RemindMethod.SPECIAL, "2个重点项目政策处理滞后，专项督办",
              "已成立专班，7月底前全部开工", reported=True),
        chase(D(2022, 9, 2), 90, "赤石乡", RemindMethod.PHONE, "已超过完成时限，询问整改进度", "整改方案待省厅批复"),
        chase(D(2022, 9, 15), 90, "赤石乡", RemindMethod.SITE_VISIT, "现场查看小水电站清理整改情况",
              "3座电站已拆除，2座待批复", reported=True),
    ]


def _curated_events() -> list[dict]:
    def event(date: D, unit: str | None, item_no: str | None, kind: str, reason: str, *, points: float | None = None,
              falsified: bool = False) -> dict:
        return {Col.DATE: date, Col.UNIT: unit, Col.ITEM_NO: item_no, Col.EVENT_TYPE: kind, Col.POINTS: points,
                Col.FALSIFIED: YES if falsified else NO, Col.REASON: reason, Col.BASIS: "县政府督查室工作记录"}

    return [
        event(D(2022, 6, 20), "紧水滩镇", "2022-087", "县级通报表扬", "库区生态保护成效明显，县政府通报表扬"),
        event(D(2022, 9, 29), None, "2022-085", "县政府主要领导批示肯定", "重点项目建设获县长批示肯定"),
        event(D(2022, 11, 3), "县住房和城乡建设局", "2022-086", "市级通报表扬", "老旧小区改造获丽水市通报表扬"),
        event(D(2022, 8, 16), "县卫生健康局", "2022-092", "省级以上通报表扬", "托育服务经验获省卫健委推广"),
        event(D(2022, 9, 8), "赤石乡", "2022-090", "市级通报批评", "小水电整改进度滞后被丽水市通报批评"),
        event(D(2022, 11, 21), "县水利局", "2022-089", "其他问题", "反馈材料中工程量数据与实际不符，存在弄虚作假",
              points=2, falsified=True),
        event(D(2022, 6, 14), "县综合行政执法局", None, "拒不配合督查", "无正当理由拒不接收督查任务"),
    ]


def _append(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    extra = pd.DataFrame(rows).reindex(columns=frame.columns)
    for column in frame.columns:  # keep datetime columns datetime
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            extra[column] = pd.to_datetime(extra[column]).astype("datetime64[ns]")
    return pd.concat([frame, extra], ignore_index=True)


# ---- the broken ledgers ---------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    sheet: str
    row: int  # Excel row; 0 for a whole-sheet finding
    column: str
    level: str
    what: str


def _base() -> dict[str, pd.DataFrame]:
    """A tiny clean ledger: 5 finished items, one with a 协办单位, feedback from the 主办单位."""
    units = pd.DataFrame([
        {Col.UNIT_NAME: "浮云街道", Col.UNIT_CATEGORY: UnitCategory.TOWNSHIP},
        {Col.UNIT_NAME: "紧水滩镇", Col.UNIT_CATEGORY: UnitCategory.TOWNSHIP},
        {Col.UNIT_NAME: "县财政局", Col.UNIT_CATEGORY: UnitCategory.DEPARTMENT},
        {Col.UNIT_NAME: "县发展和改革局", Col.SHORT_NAME: "县发改局", Col.UNIT_CATEGORY: UnitCategory.DEPARTMENT},
        {Col.UNIT_NAME: "县教育局", Col.UNIT_CATEGORY: UnitCategory.DEPARTMENT},
    ])
    items = [
        _item(1, "民生实事", "完成浮云街道农贸市场改造", "浮云街道", D(2022, 3, 1), D(2022, 6, 30),
              done=D(2022, 6, 20), mode=FeedbackMode.ON_COMPLETION),
        _item(2, "会议议定事项", "落实教育经费保障政策", "县财政局", D(2022, 3, 10), D(2022, 8, 31),
              cohosts="县教育局", done=D(2022, 8, 15)),
        _item(3, "政府工作报告任务", "新建城东幼儿园", "县教育局", D(2022, 4, 1), D(2022, 9, 30), done=D(2022, 9, 20)),
        _item(4, "领导交办事项", "完成库区垃圾清理", "紧水滩镇", D(2022, 5, 1), D(2022, 11, 30),
              done=D(2022, 11, 20), mode=FeedbackMode.ON_COMPLETION),
        _item(5, "人大建议政协提案", "关于优化营商环境的建议办理", "县发展和改革局", D(2022, 6, 1), D(2022, 10, 31),
              done=D(2022, 10, 25)),
    ]
    feedback = [
        _fb(1, "浮云街道", D(2022, 6, 21), FeedbackType.COMPLETION, progress="改造完成"),
        _fb(2, "县财政局", D(2022, 5, 5), month="2022-05"),
        _fb(2, "县财政局", D(2022, 8, 16), FeedbackType.COMPLETION, progress="经费已全部拨付"),
        _fb(3, "县教育局", D(2022, 9, 21), FeedbackType.COMPLETION, progress="幼儿园建成"),
        _fb(5, "县发展和改革局", D(2022, 10, 26), FeedbackType.COMPLETION, progress="建议已办结并答复代表"),
    ]
    return {Sheet.UNITS: units, Sheet.ITEMS: pd.DataFrame(items), Sheet.FEEDBACK: pd.DataFrame(feedback),
            Sheet.EXTENSIONS: pd.DataFrame(columns=list(SPECS[Sheet.EXTENSIONS].names)),
            Sheet.EVENTS: pd.DataFrame(columns=list(SPECS[Sheet.EVENTS].names))}


def _set(frames: dict[str, pd.DataFrame], sheet: str, row: int, column: str, value: object) -> None:
    """Put a value at an Excel row (header is row 1)."""
    frame = frames[sheet].astype({column: object})
    frame.at[row - 2, column] = value
    frames[sheet] = frame


def _bad_units(f: dict[str, pd.DataFrame]) -> list[Expected]:
    _set(f, Sheet.ITEMS, 3, Col.COHOSTS, "县发改局")
    f[Sheet.EVENTS] = pd.DataFrame([{Col.DATE: D(2022, 7, 5), Col.UNIT: "紧水滩乡", Col.EVENT_TYPE: "县级通报表扬",
                                     Col.FALSIFIED: NO, Col.REASON: "库区垃圾清理成效明显"}])
    return [Expected(Sheet.ITEMS, 3, Col.COHOSTS, ERROR, "单位名称未登记：县发改局（应为县发展和改革局）"),
            Expected(Sheet.EVENTS, 2, Col.UNIT, ERROR, "单位名称未登记：紧水滩乡（应为紧水滩镇）")]


def _bad_dates(f: dict[str, pd.DataFrame]) -> list[Expected]:
    _set(f, Sheet.ITEMS, 2, Col.ASSIGNED, "2022/3/1")
    _set(f, Sheet.ITEMS, 4, Col.DONE, "2022年9月20日")
    _set(f, Sheet.FEEDBACK, 3, Col.FEEDBACK_DATE, "2022.13.40")
    return [Expected(Sheet.ITEMS, 2, Col.ASSIGNED, WARNING, "日期写成了文字 2022/3/1，能识别，应改为日期"),
            Expected(Sheet.ITEMS, 4, Col.DONE, WARNING, "日期写成了文字 2022年9月20日，能识别，应改为日期"),
            Expected(Sheet.FEEDBACK, 3, Col.FEEDBACK_DATE, ERROR, "无法识别的日期 2022.13.40")]


def _bad_numbers(f: dict[str, pd.DataFrame]) -> list[Expected]:
    _set(f, Sheet.ITEMS, 5, Col.ITEM_NO, "2022-003")  # item 4 (no feedback) typed with item 3's number
    f[Sheet.FEEDBACK] = f[Sheet.FEEDBACK][f[Sheet.FEEDBACK][Col.ITEM_NO] != "2022-003"]  # no ambiguous report
    _set(f, Sheet.ITEMS, 6, Col.DEADLINE, pd.Timestamp(D(2022, 5, 31)))
    return [Expected(Sheet.ITEMS, 5, Col.ITEM_NO, ERROR, "交办单号 2022-003 重复（与第4行相同）"),
            Expected(Sheet.ITEMS, 6, Col.DEADLINE, ERROR, "完成时限 2022-05-31 早于交办日期 2022-06-01")]


def _bad_approval(f: dict[str, pd.DataFrame]) -> list[Expected]:
    _set(f, Sheet.ITEMS, 4, Col.MAJOR, YES)  # 重大 but approved by 县政府办公室 (二（一）)
    f[Sheet.UNITS] = pd.concat([f[Sheet.UNITS], pd.DataFrame([
        {Col.UNIT_NAME: "县美丽城镇建设工作专班", Col.UNIT_CATEGORY: UnitCategory.TEMPORARY}])], ignore_index=True)
    return [Expected(Sheet.ITEMS, 4, Col.APPROVED_BY, ERROR, "重大督查事项应由县政府主要领导审定"),
            Expected(Sheet.UNITS, 7, Col.PARENT_UNIT, ERROR, "临时机构未填写所属单位")]


def _bad_extensions(f: dict[str, pd.DataFrame]) -> list[Expected]:
    def ext(no: int, unit: str, applied: D, new: D, approver: str | None) -> dict:
        return {Col.ITEM_NO: f"2022-{no:03d}", Col.APPLICANT: unit, Col.APPLIED: applied, Col.NEW_DEADLINE: new,
                Col.CAUSE: "客观原因无法按期完成", Col.PLAN: "加快推进", Col.APPROVER: approver,
                Col.APPROVAL: Approval.GRANTED, Col.APPROVAL_DATE: applied + dt.timedelta(days=2)}

    _set(f, Sheet.ITEMS, 2, Col.DONE, pd.Timestamp(D(2022, 7, 20)))  # item 1 finished late …
    _set(f, Sheet.FEEDBACK, 2, Col.FEEDBACK_DATE, pd.Timestamp(D(2022, 7, 21)))
    f[Sheet.EXTENSIONS] = pd.DataFrame([
        ext(1, "浮云街道", D(2022, 6, 30), D(2022, 7, 31), "王晓东"),  # … and applied on the deadline day: too late
        ext(4, "紧水滩镇", D(2022, 7, 1), D(2022, 12, 15), "李志强"),
        ext(4, "紧水滩镇", D(2022, 9, 1), D(2022, 12, 31), "李志强"),  # a second approved change
        ext(5, "县发展和改革局", D(2022, 10, 20), D(2022, 11, 30), None),  # approved without 审批领导
    ])
    return [Expected(Sheet.EXTENSIONS, 2, Col.APPLIED, WARNING, "延期申请日期不早于完成时限（到期当天或之后申请），不计入"),
            Expected(Sheet.EXTENSIONS, 4, Col.APPROVAL, WARNING, "同一事项第二次同意延期（原则上只能更改一次）"),
            Expected(Sheet.EXTENSIONS, 5, Col.APPROVER, ERROR, "同意延期未填写审批领导")]


def _bad_feedback(f: dict[str, pd.DataFrame]) -> list[Expected]:
    _set(f, Sheet.FEEDBACK, 2, Col.SIGNER, None)
    _set(f, Sheet.FEEDBACK, 3, Col.FEEDBACK_MONTH, None)
    extra = pd.DataFrame([_fb(2, "县教育局", D(2022, 6, 5), month="2022-06")])  # report from the 协办单位
    f[Sheet.FEEDBACK] = pd.concat([f[Sheet.FEEDBACK], extra], ignore_index=True)
    return [Expected(Sheet.FEEDBACK, 2, Col.SIGNER, ERROR, "反馈未填写核签人"),
            Expected(Sheet.FEEDBACK, 3, Col.FEEDBACK_MONTH, ERROR, "进展反馈未填写反馈月份"),
            Expected(Sheet.FEEDBACK, 7, Col.REPORTER, WARNING, "有协办单位的事项应由主办单位县财政局报送")]


def _bad_rules(f: dict[str, pd.DataFrame]) -> list[Expected]:
    rules = default_rules_frame().drop(columns=ROW)
    rules = rules[rules[Col.RULE_CODE] != "R2B"].reset_index(drop=True).astype({Col.POINTS: object})
    row = int(rules.index[rules[Col.RULE_CODE] == "R4C"][0]) + 2
    rules.at[row - 2, Col.POINTS] = "扣三分"
    f[Sheet.RULES] = rules
    return [Expected(Sheet.RULES, 0, Col.RULE_CODE, ERROR, "缺少规则 R2B"),
            Expected(Sheet.RULES, row, Col.POINTS, ERROR, "分值不是数字：扣三分")]


BAD_LEDGERS: dict[str, Callable[[dict[str, pd.DataFrame]], list[Expected]]] = {
    "bad-01-单位名称错误.xlsx": _bad_units,
    "bad-02-日期写成文字.xlsx": _bad_dates,
    "bad-03-交办单号重复与时限倒置.xlsx": _bad_numbers,
    "bad-04-重大立项与临时机构.xlsx": _bad_approval,
    "bad-05-延期申请.xlsx": _bad_extensions,
    "bad-06-反馈记录.xlsx": _bad_feedback,
    "bad-07-规则表.xlsx": _bad_rules,
}
MISSING_SHEET = "bad-08-缺少台账表.xlsx"


def write_bad_ledgers(outdir: Path) -> list[dict]:
    """Write samples/bad/*.xlsx and expected.json; return the expected findings."""
    outdir.mkdir(parents=True, exist_ok=True)
    expected: list[dict] = []
    for name, spoil in BAD_LEDGERS.items():
        frames = _base()
        for finding in spoil(frames):
            letter = get_column_letter(SPECS[finding.sheet].names.index(finding.column) + 1)
            expected.append({"file": name, "sheet": finding.sheet,
                             "cell": f"{letter}{finding.row}" if finding.row else "",
                             "column": finding.column, "level": finding.level, "what": finding.what})
        fill_workbook(frames, Params(), outdir / name)
    fill_workbook(_base(), Params(), outdir / MISSING_SHEET)
    with warnings.catch_warnings():  # openpyxl cannot read 台账's formula print area; the sheet goes anyway
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(outdir / MISSING_SHEET)
    del wb[Sheet.ITEMS]
    wb.save(outdir / MISSING_SHEET)
    expected.append({"file": MISSING_SHEET, "unusable": True})
    (outdir / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return expected


def write_samples(outdir: Path) -> Path:
    """The valid sample ledger and the broken ones."""
    outdir = Path(outdir)
    path = fill_workbook(sample_frames(), Params(), outdir / SAMPLE_NAME)
    write_bad_ledgers(outdir / "bad")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = write_samples(Path(args[0]) if args else Path("samples"))
    print(f"已生成示例台账：{path}，以及错误示例 {path.parent / 'bad'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
