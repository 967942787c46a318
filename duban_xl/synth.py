"""Synthetic, realistic ledgers for tests and benchmarks (1k–100k items).

The shape follows the office's own process (二、督查流程): items of all seven
来源类别 (一、督查范围) assigned to 1–3 units, monthly progress and completion
feedback (二（四）), some returned (二（五）核查), extensions filed before —
or too late after — the deadline (二（五）), praise and criticism events
(三（一）、（四）、（五）) and monthly bulletins (二（六）). Deterministic per seed.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

import pandas as pd

from .contract import (
    EVENT_TYPES, NO, SOURCES, SPECS, YES, APPROVER_MAJOR, APPROVERS, Approval, CheckResult, Col,
    FeedbackMode, FeedbackType, Kind, MaterialDefect, NoticeType, OverdueReason, Pace, Sheet, UnitCategory,
)

# 云和县's 乡镇（街道）
TOWNSHIPS = ("浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "紧水滩镇", "石塘镇", "崇头镇",
             "安溪畲族乡", "赤石乡", "雾溪畲族乡")
# Typical 县直部门: (全称, 简称)
DEPARTMENTS = (
    ("县发展和改革局", "县发改局"), ("县财政局", "县财政局"), ("县住房和城乡建设局", "县住建局"),
    ("县自然资源和规划局", "县自然资源局"), ("县农业农村局", "县农业农村局"), ("县教育局", "县教育局"),
    ("县卫生健康局", "县卫健局"), ("县交通运输局", "县交通局"), ("县水利局", "县水利局"),
    ("县经济商务科技局", "县经商局"), ("县民政局", "县民政局"), ("县人力资源和社会保障局", "县人社局"),
    ("县文化和广电旅游体育局", "县文广旅体局"), ("县市场监督管理局", "县市场监管局"),
    ("县综合行政执法局", "县综合执法局"), ("县应急管理局", "县应急管理局"), ("县公安局", "县公安局"),
    ("丽水市生态环境局云和分局", "县环境分局"), ("县委宣传部", "县委宣传部"), ("县林业局", "县林业局"),
    ("县大数据发展中心", "县大数据中心"), ("县行政审批服务管理办公室", "县审批办"),
)
# 临时机构 and the unit that scores for them (三（六）)
TEMPORARY = (
    ("县创建全国文明城市工作指挥部办公室", "县创文办", "县委宣传部"),
    ("县美丽城镇建设工作专班", "县美丽城镇专班", "县住房和城乡建设局"),
    ("县重大项目建设攻坚专班", "县重大项目专班", "县发展和改革局"),
)
LEADERS = ("陈建平", "王晓东", "李志强", "刘海燕", "周国华", "吴立新", "叶晓峰")
SIGNERS = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐涛", "孙丽")
TOPICS = (
    "老旧小区改造", "城乡供水一体化", "农村生活污水治理", "美丽城镇建设", "木制玩具产业园扩容",
    "云和梯田景区提升", "紧水滩库区生态保护", "数字化改革应用场景建设", "营商环境优化提升",
    "生活垃圾分类", "中小学校扩容提质", "县域医共体建设", "道路交通安全隐患整治", "小水电站清理整改",
    "低收入农户增收", "城市污水管网改造", "共同富裕示范区建设", "山区26县跨越式高质量发展",
    "农贸市场改造提升", "消防安全专项整治", "防汛防台准备", "招商引资项目落地", "未来社区创建",
    "农村公路提档升级", "土地综合整治", "养老服务中心建设", "婴幼儿照护服务", "文化礼堂建设",
)
SOURCE_SUBJECTS = {
    "重大决策部署": "贯彻落实县政府关于{t}的决策部署",
    "会议议定事项": "落实县政府常务会议议定的{t}事项",
    "政府工作报告任务": "完成政府工作报告确定的{t}年度任务",
    "民生实事": "推进民生实事项目：{t}",
    "人大建议政协提案": "办理人大代表建议和政协委员提案：关于{t}的建议",
    "上级督办及领导批示": "落实县政府主要领导关于{t}的批示",
    "领导交办事项": "办理县政府领导交办的{t}工作",
}
EVENT_REASONS = {
    "拒不配合督查": "无正当理由拒不接收督查任务",
    "县政府主要领导批示肯定": "{t}工作获县政府主要领导批示肯定",
    "县级通报表扬": "{t}工作成效明显，县政府通报表扬",
    "县级通报批评": "{t}工作推进不力，县政府督查室通报批评",
    "市级通报表扬": "{t}工作获丽水市政府通报表扬",
    "市级通报批评": "{t}工作被丽水市有关部门通报批评",
    "省级以上通报表扬": "{t}工作获省级部门通报表扬",
    "省级以上通报批评": "{t}工作被省级部门通报批评",
    "其他问题": "督查发现{t}台账资料不实",
}
ITEMS_PER_UNIT = 30  # for big ledgers: about one unit per 30 items


@dataclass
class _Item:
    no: str
    units: list[str]
    assigned: dt.date
    deadline: dt.date
    done: dt.date | None
    topic: str


def synth_frames(n_items: int, seed: int = 0, year: int = 2022, invalid_rows: int = 0) -> dict[str, pd.DataFrame]:
    """A ledger of ``n_items`` items as frames keyed by sheet name (contract columns).

    ``invalid_rows`` plants that many mistakes clerks make (unknown unit, text
    dates, 完成时限 before 交办日期, a duplicate 交办单号, an unknown 交办单号 in
    反馈记录), each in its own row.
    """
    rng = random.Random(seed)
    units = _units(n_items)
    names = units[Col.UNIT_NAME].tolist()
    items, item_rows = _items(rng, n_items, year, names)
    frames = {
        Sheet.UNITS: units,
        Sheet.ITEMS: item_rows,
        Sheet.EXTENSIONS: _extensions(rng, items, year),
        Sheet.FEEDBACK: _feedback(rng, items, year),
        Sheet.EVENTS: _events(rng, items, year, names),
    }
    frames[Sheet.NOTICES] = _notices(items, frames[Sheet.FEEDBACK], frames[Sheet.EVENTS], year)
    if invalid_rows:
        _plant_errors(rng, frames, invalid_rows)
    return {name: _ordered(frame, name) for name, frame in frames.items()}


# ---- units -----------------------------------------------------------------------------

def _units(n_items: int) -> pd.DataFrame:
    rows = [(name, name, UnitCategory.TOWNSHIP, None) for name in TOWNSHIPS]
    rows += [(name, short, UnitCategory.DEPARTMENT, None) for name, short in DEPARTMENTS]
    rows += [(name, short, UnitCategory.TEMPORARY, parent) for name, short, parent in TEMPORARY]
    for k in range(1, n_items // ITEMS_PER_UNIT - len(rows) + 1):
        rows.append((f"县直属事业单位第{k}中心", f"第{k}中心", UnitCategory.DEPARTMENT, None))
    frame = pd.DataFrame(rows, columns=[Col.UNIT_NAME, Col.SHORT_NAME, Col.UNIT_CATEGORY, Col.PARENT_UNIT])
    frame[Col.LIAISON] = [SIGNERS[i % len(SIGNERS)] for i in range(len(frame))]
    frame[Col.PHONE] = [f"0578-55{i % 100000:05d}" for i in range(len(frame))]
    frame[Col.EMAIL] = [f"ducha{i + 1:04d}@yunhe.gov.cn" for i in range(len(frame))]
    return frame


# ---- items -------------------------------------------------------------------------------

def _item_no(year: int, seq: int, n_items: int) -> str:
    return f"{year}-{seq:0{max(3, len(str(n_items)))}d}"


def _items(rng: random.Random, n: int, year: int, units: list[str]) -> tuple[list[_Item], pd.DataFrame]:
    start, year_end = dt.date(year, 1, 4), dt.date(year, 12, 31)
    items, rows = [], []
    for seq in range(1, n + 1):
        source = SOURCES[(seq - 1) % len(SOURCES)] if seq <= len(SOURCES) else rng.choice(SOURCES)
        topic = rng.choice(TOPICS)
        major = source == "重大决策部署" or rng.random() < 0.05
        chosen = rng.sample(units, k=min(len(units), rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]))
        assigned = start + dt.timedelta(days=rng.randrange(0, 300))
        deadline = min(assigned + dt.timedelta(days=rng.randrange(20, 200)), year_end)
        done = _done_date(rng, assigned, deadline, year_end)
        overdue = (done is None and deadline < year_end) or (done is not None and done > deadline)
        item = _Item(_item_no(year, seq, n), chosen, assigned, deadline, done, topic)
        items.append(item)
        rows.append({
            Col.ITEM_NO: None, Col.SOURCE: source, Col.SUBJECT: SOURCE_SUBJECTS[source].format(t=topic),
            Col.MAJOR: YES if major else NO,
            Col.APPROVED_BY: APPROVER_MAJOR if major else APPROVERS[0],
            Col.LEAD: rng.choice(LEADERS), Col.HOST: chosen[0], Col.COHOSTS: "、".join(chosen[1:]) or None,
            Col.ASSIGNED: assigned, Col.DEADLINE: deadline,
            Col.FEEDBACK_MODE: FeedbackMode.MONTHLY if (deadline - assigned).days > 60 else FeedbackMode.ON_COMPLETION,
            Col.REQUIREMENTS: f"按期完成{topic}各项任务，及时报送办理情况",
            Col.DONE: done,
            Col.OVERDUE_REASON: (rng.choice(OverdueReason.ALL) if overdue and rng.random() < 0.7 else None),
            Col.ARCHIVED: done + dt.timedelta(days=rng.randrange(5, 30)) if done and done < dt.date(year, 11, 30) else None,
            Col.REMARK: None,
        })
    # 交办单号 run in the order items were assigned, as a ledger kept day by day does
    order = sorted(range(n), key=lambda i: (items[i].assigned, i))
    items = [replace(items[i], no=_item_no(year, seq, n)) for seq, i in enumerate(order, start=1)]
    rows = [dict(rows[i], **{Col.ITEM_NO: item.no}) for item, i in zip(items, order)]
    return items, pd.DataFrame(rows)


def _done_date(rng: random.Random, assigned: dt.date, deadline: dt.date, year_end: dt.date) -> dt.date | None:
    """Most items finish on time, some early, some late, some are still open at year end."""
    roll = rng.random()
    if roll < 0.15:
        return None
    span = (deadline - assigned).days
    if roll < 0.85:
        done = assigned + dt.timedelta(days=rng.randrange(max(1, span // 3), span + 1))
    else:
        done = deadline + dt.timedelta(days=rng.randrange(1, 40))
    return done if done <= year_end else None


# ---- feedback, extensions, events, notices ---------------------------------------------------

def _feedback(rng: random.Random, items: list[_Item], year: int) -> pd.DataFrame:
    rows = []
    for item in items:
        host = item.units[0]
        signer = rng.choice(SIGNERS)
        last = item.done or min(item.deadline, dt.date(year, 12, 31))
        month = _next_month(item.assigned)
        while month <= last and month.year == year:
            day = rng.randrange(1, 6) if rng.random() < 0.93 else rng.randrange(6, 10)
            lagging = rng.random() < 0.1
            rows.append(_feedback_row(item, host, month.replace(day=day), FeedbackType.PROGRESS, signer, rng,
                                      month=f"{month:%Y-%m}", pace=Pace.LAGGING if lagging else Pace.NORMAL,
                                      progress=f"{item.topic}按计划推进" if not lagging else f"{item.topic}进度滞后，正在加快推进"))
            month = _next_month(month)
        if item.done:
            date = min(item.done + dt.timedelta(days=rng.randrange(0, 4)), dt.date(year, 12, 31))
            if rng.random() < 0.05:
                rows.append(_feedback_row(item, host, date, FeedbackType.COMPLETION, signer, rng,
                                          result=CheckResult.RETURNED, note="事实表述不清，退回重新报送"))
                date = min(date + dt.timedelta(days=rng.randrange(2, 8)), dt.date(year, 12, 31))
            rows.append(_feedback_row(item, host, date, FeedbackType.COMPLETION, signer, rng,
                                      progress=f"{item.topic}已全部完成"))
    return pd.DataFrame(rows)


def _feedback_row(item: _Item, unit: str, date: dt.date, kind: str, signer: str, rng: random.Random, *,
                  month: str | None = None, pace: str = Pace.NORMAL, progress: str = "",
                  result: str = CheckResult.PASSED, note: str | None = None) -> dict:
    return {
        Col.ITEM_NO: item.no, Col.REPORTER: unit, Col.FEEDBACK_DATE: date, Col.FEEDBACK_TYPE: kind,
        Col.FEEDBACK_MONTH: month, Col.PROGRESS: progress or f"{item.topic}办理情况", Col.SIGNER: signer,
        Col.CHECK_RESULT: result, Col.PACE: pace, Col.CHECK_NOTE: note,
        Col.MATERIAL_DEFECTS: MaterialDefect.FORMAT if rng.random() < 0.03 else None, Col.FALSIFIED: YES if rng.random() < 0.003 else NO,
        Col.ATTACHMENT: None,
    }


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _extensions(rng: random.Random, items: list[_Item], year: int) -> pd.DataFrame:
    rows = []
    for item in items:
        if rng.random() >= 0.08:
            continue
        late = rng.random() < 0.1
        applied = item.deadline + dt.timedelta(days=rng.randrange(0, 5)) if late else \
            item.deadline - dt.timedelta(days=rng.randrange(1, 15))
        applied = min(max(applied, item.assigned), dt.date(year, 12, 28))  # nothing dated after the year
        result = rng.choices(Approval.ALL, (0.7, 0.2, 0.1))[0]
        granted = result == Approval.GRANTED
        rows.append({
            Col.ITEM_NO: item.no, Col.APPLICANT: item.units[0], Col.APPLIED: applied,
            Col.NEW_DEADLINE: item.deadline + dt.timedelta(days=rng.randrange(30, 90)),
            Col.CAUSE: "受政策处理和天气影响，无法按期完成", Col.PLAN: f"倒排工期，加快推进{item.topic}",
            Col.APPROVER: rng.choice(LEADERS) if granted else None, Col.APPROVAL: result,
            Col.APPROVAL_DATE: applied + dt.timedelta(days=rng.randrange(1, 4)) if result != Approval.PENDING else None,
        })
    return pd.DataFrame(rows)


def _events(rng: random.Random, items: list[_Item], year: int, units: list[str]) -> pd.DataFrame:
    """About one event per 20 items, every 事件类型 represented."""
    rows = []
    for k in range(max(len(EVENT_TYPES), len(items) // 20)):
        kind = EVENT_TYPES[k % len(EVENT_TYPES)]
        item = rng.choice(items)
        item_only = rng.random() < 0.2
        falsified = kind == "其他问题" and rng.random() < 0.3
        rows.append({
            Col.DATE: _after(dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29)), item.assigned, year),
            Col.UNIT: None if item_only else rng.choice(item.units),
            Col.ITEM_NO: item.no if item_only or kind != "拒不配合督查" else None,
            Col.EVENT_TYPE: kind, Col.POINTS: rng.choice((1, 2, 3)) if kind == "其他问题" else None,
            Col.FALSIFIED: YES if falsified else NO, Col.REASON: EVENT_REASONS[kind].format(t=item.topic),
            Col.BASIS: f"云政督〔{year}〕{k + 1}号",
        })
    return pd.DataFrame(rows)


def _after(day: dt.date, assigned: dt.date, year: int) -> dt.date:
    """An event about an item happens after the item was assigned (and within the year)."""
    return min(max(day, assigned + dt.timedelta(days=14)), dt.date(year, 12, 31))


def _notices(items: list[_Item], feedback: pd.DataFrame, events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Monthly bulletin rows (二（六）): one per unit of each lagging item, and praised units."""
    units_of = {item.no: item.units for item in items}
    rows = []
    lagging = feedback[feedback[Col.PACE] == Pace.LAGGING]
    for item_no, date in zip(lagging[Col.ITEM_NO], lagging[Col.FEEDBACK_DATE]):
        if date.month == 12:
            continue
        issue, issued = f"{year}年第{date.month}期", dt.date(year, date.month + 1, 10)
        rows += [{Col.ISSUE: issue, Col.NOTICE_DATE: issued, Col.ITEM_NO: item_no, Col.UNIT: unit,
                  Col.NOTICE_TYPE: NoticeType.LAGGING, Col.NOTE: "办理进度滞后"} for unit in units_of[item_no]]
    praise = events[events[Col.EVENT_TYPE].isin(("县政府主要领导批示肯定", "县级通报表扬")) & events[Col.UNIT].notna()]
    for unit, date in zip(praise[Col.UNIT], praise[Col.DATE]):
        if date.month < 12:
            rows.append({Col.ISSUE: f"{year}年第{date.month}期", Col.NOTICE_DATE: dt.date(year, date.month + 1, 10),
                         Col.ITEM_NO: None, Col.UNIT: unit, Col.NOTICE_TYPE: NoticeType.PRAISE, Col.NOTE: "工作成效明显"})
    return pd.DataFrame(rows)


# ---- planted mistakes -------------------------------------------------------------------------

def _plant_errors(rng: random.Random, frames: dict[str, pd.DataFrame], count: int) -> None:
    """Mistakes clerks make, cycling through kinds, each in a different 台账/反馈记录 row."""
    items = frames[Sheet.ITEMS].astype({Col.ASSIGNED: object, Col.DEADLINE: object})
    feedback = frames[Sheet.FEEDBACK]
    rows = rng.sample(range(len(items)), k=min(count, len(items)))
    for k, row in enumerate(rows):
        kind = k % 5
        if kind == 0:
            items.at[row, Col.HOST] = "县发改局"  # 简称, not the registered name
        elif kind == 1:
            items.at[row, Col.ASSIGNED] = "2022.13.40"  # unreadable text date
        elif kind == 2:
            items.at[row, Col.DEADLINE] = items.at[row, Col.ASSIGNED] - dt.timedelta(days=10)
        elif kind == 3:
            items.at[row, Col.ITEM_NO] = items.at[(row + 1) % len(items), Col.ITEM_NO]
        elif len(feedback):
            feedback.at[row % len(feedback), Col.ITEM_NO] = "2099-999"
    frames[Sheet.ITEMS] = items


def _ordered(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Contract column order; date columns as datetime64 unless a planted text date is in them."""
    names = SPECS[sheet].names
    out = frame.reindex(columns=list(names))
    for column in SPECS[sheet].columns:
        if column.kind == Kind.DATE:
            values = out[column.name]
            if not any(isinstance(v, str) for v in values):
                out[column.name] = pd.to_datetime(values).astype("datetime64[ns]")
    return out
