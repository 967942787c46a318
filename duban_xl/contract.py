"""The ledger workbook contract: every sheet, column, closed list and default.

Sheet and column names are the interface staff type into (SPEC.md «The ledger
workbook»). They live here and nowhere else: code refers to ``Col.ITEM_NO``,
never to the string ``"交办单号"``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """How a cell's value is read and checked."""

    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    INT = "int"
    CHOICE = "choice"  # one value of a closed list
    CHOICES = "choices"  # one or more values of a closed list separated by 、
    UNITS = "units"  # one or more unit names separated by 、
    UNIT = "unit"  # exactly one unit name, drawn from the 单位 sheet
    NAME = "name"  # a name matched exactly: the 单位 sheet's own 单位名称
    ITEM_NO = "item_no"  # YYYY-NNN (at least three digits)
    MONTH = "month"  # YYYY-MM


class Sheet:
    """Sheet names of the ledger workbook."""

    PARAMS = "参数"
    UNITS = "单位"
    ITEMS = "台账"
    EXTENSIONS = "延期申请"
    FEEDBACK = "反馈记录"
    EVENTS = "加扣分事件"
    NOTICES = "通报记录"
    REMINDER_LOG = "催办记录"  # 二（三）: every reminder, typed by clerks or recorded by `remind`
    RULES = "规则"
    # Output sheets, written by the tool and replaced whole on each run.
    FINDINGS = "校验结果"
    SCORE_DETAIL = "得分明细"
    RANKING = "季度排名"
    MONTHLY = "月度通报"
    ANNUAL = "年度考核结果"  # 三: 评分结果纳入年度考核
    # A workbook of its own (催办清单_YYYYMMDD.xlsx), never written into the ledger.
    REMINDERS = "催办清单"
    # Guidance sheet of the template.
    GUIDE = "说明"


class Button:
    """Captions of the 督查 button bar `duban xl-setup` puts on 台账 (SPEC «Buttons in the workbook»)."""

    VALIDATE = "校验"
    SCORE = "计分"
    BULLETIN = "月度通报"
    INTAKE = "收件"
    CLOSE = "本月结账"
    ALL = (VALIDATE, SCORE, BULLETIN, INTAKE, CLOSE)


OUTPUT_SHEETS = (Sheet.FINDINGS, Sheet.SCORE_DETAIL, Sheet.RANKING, Sheet.MONTHLY, Sheet.ANNUAL)


class Col:
    """Column headers. One name may appear on several sheets (交办单号)."""

    # 参数
    PARAM = "参数"
    VALUE = "值"
    # 单位
    UNIT_NAME = "单位名称"
    SHORT_NAME = "简称"
    UNIT_CATEGORY = "单位类别"
    PARENT_UNIT = "所属单位"
    LIAISON = "联络员"
    PHONE = "联系电话"
    EMAIL = "电子邮箱"
    # 台账
    ITEM_NO = "交办单号"
    SOURCE = "来源类别"
    SUBJECT = "督查事项"
    MAJOR = "是否重大"
    APPROVED_BY = "立项审定"
    LEAD = "牵头领导"
    HOST = "主办单位"
    COHOSTS = "协办单位"
    ASSIGNED = "交办日期"
    DEADLINE = "完成时限"
    FEEDBACK_MODE = "反馈方式"
    REQUIREMENTS = "工作要求"
    DONE = "办结日期"
    OVERDUE_REASON = "逾期理由认定"
    ARCHIVED = "归档日期"
    REMARK = "备注"
    # 台账 formula columns of the template (computed by Excel, never read)
    EFFECTIVE_DEADLINE = "有效时限"
    DAYS_LEFT = "剩余天数"
    STATUS = "状态"
    # 延期申请
    APPLICANT = "申请单位"
    APPLIED = "申请日期"
    NEW_DEADLINE = "申请完成时限"
    CAUSE = "原因"
    PLAN = "办理方案"
    APPROVER = "审批领导"
    APPROVAL = "审批结果"
    APPROVAL_DATE = "审批日期"
    # 反馈记录
    REPORTER = "反馈单位"
    FEEDBACK_DATE = "反馈日期"
    FEEDBACK_TYPE = "反馈类型"
    FEEDBACK_MONTH = "反馈月份"
    PROGRESS = "办理进展"
    SIGNER = "核签人"
    CHECK_RESULT = "核查结果"
    PACE = "进度评价"
    CHECK_NOTE = "核查意见"
    MATERIAL_DEFECTS = "材料问题"
    BAD_FORMAT = "格式不符"  # the previous template's 是/否 column, read as 材料问题 = 格式不符
    FALSIFIED = "弄虚作假"
    ATTACHMENT = "附件"
    # 反馈记录 columns a returned 报送表 fills (SPEC «Returned sheets»); 联系电话 is Col.PHONE
    CLAIMED_DONE = "申报办结日期"
    PROBLEMS = "存在问题"
    NEXT_STEPS = "下步工作安排"
    CONTACT = "联系人"
    RECEIPT_NO = "收件编号"  # «表单编号/交办单号/反馈类型», the key of a merged row
    # 催办记录
    REMIND_DATE = "催办日期"
    REMIND_METHOD = "催办方式"
    REMIND_CONTENT = "催办内容"
    HANDLER = "经办人"
    REPLY = "单位答复"
    REPORTED = "报告领导"
    # 加扣分事件
    DATE = "日期"
    UNIT = "单位"
    EVENT_TYPE = "事件类型"
    POINTS = "分值"
    REASON = "事由"
    BASIS = "文件依据"
    # 通报记录
    ISSUE = "通报期次"
    NOTICE_DATE = "通报日期"
    NOTICE_TYPE = "通报类型"
    NOTE = "说明"
    # 规则
    RULE_CODE = "规则代码"
    CLAUSE = "条款"
    CONTENT = "内容"
    ENABLED = "启用"
    # Output columns (得分明细 / 季度排名)
    SCORING_UNIT = "计分单位"
    QUARTER = "季度"
    RANK = "排名"
    BASE = "基准分"
    TOTAL = "总分"
    ELIGIBILITY = "评优资格"
    EVIDENCE = "来源"  # 得分明细: the ledger cells behind a point
    SUM_POINTS = "累计加减分"
    ON_TIME_COUNT = "按时办结数"
    OVERDUE_COUNT = "逾期未办结数"
    R2E_COUNT = "R2E次数"
    # 年度考核结果 and 得分告知单 (三: 评分结果纳入年度考核)
    SUPERVISION_SCORE = "督查得分"
    GROUP_RANK = "组内排名"
    EARLY_COUNT = "提前办结数"
    NOTICED_COUNT = "通报扣分次数"
    DEFECT_COUNT = "材料问题件数"
    FALSIFIED_COUNT = "弄虚作假次数"
    PLUS = "加分合计"
    MINUS = "扣分合计"


# ---- closed lists -------------------------------------------------------------

YES, NO = "是", "否"
YES_NO = (YES, NO)


class UnitCategory:
    TOWNSHIP = "乡镇（街道）"
    DEPARTMENT = "县直部门"
    TEMPORARY = "临时机构"
    ALL = (TOWNSHIP, DEPARTMENT, TEMPORARY)
    RANKED = (TOWNSHIP, DEPARTMENT)


# 一、督查范围 (一)–(七)
SOURCES = (
    "重大决策部署",
    "会议议定事项",
    "政府工作报告任务",
    "民生实事",
    "人大建议政协提案",
    "上级督办及领导批示",
    "领导交办事项",
)

APPROVERS = ("县政府办公室", "县政府主要领导")
APPROVER_MAJOR = "县政府主要领导"  # 二（一）: 重大督查事项 报县政府主要领导审定


class FeedbackMode:
    ON_COMPLETION = "办结即反馈"
    MONTHLY = "每月反馈"
    ALL = (ON_COMPLETION, MONTHLY)


class OverdueReason:
    JUSTIFIED = "正当理由"
    UNJUSTIFIED = "无正当理由"
    ALL = (JUSTIFIED, UNJUSTIFIED)


class Approval:
    GRANTED = "同意"
    REFUSED = "不同意"
    PENDING = "待审批"
    ALL = (GRANTED, REFUSED, PENDING)


class FeedbackType:
    PROGRESS = "进展反馈"
    COMPLETION = "办结反馈"
    ALL = (PROGRESS, COMPLETION)


class CheckResult:
    PENDING = "待核查"
    PASSED = "通过"
    RETURNED = "退回"
    ALL = (PENDING, PASSED, RETURNED)


class RemindMethod:
    """二（三）: how the office chases a unit (电话问询、信息提醒、现场检查、专项督办、联合督查)."""

    PHONE = "电话问询"
    MESSAGE = "信息提醒"
    MAIL = "邮件"
    SITE_VISIT = "现场检查"
    SPECIAL = "专项督办"
    JOINT = "联合督查"
    ALL = (PHONE, MESSAGE, MAIL, SITE_VISIT, SPECIAL, JOINT)


class MaterialDefect:
    """三（三）: what is wrong with a report (每件扣1分) — 材料问题, several joined by 、."""

    FORMAT = "格式不符"
    UNCLEAR = "事实不清"
    INCOMPLETE = "内容不完整"
    INACCURATE = "数据不准确"
    UNFOCUSED = "针对性不强"
    ALL = (FORMAT, UNCLEAR, INCOMPLETE, INACCURATE, UNFOCUSED)


class Pace:
    NORMAL = "正常"
    LAGGING = "滞后"
    ALL = (NORMAL, LAGGING)


class NoticeType:
    LAGGING = "进度滞后"
    OVERDUE = "逾期未办结"
    LATE_FEEDBACK = "未按时反馈"
    PRAISE = "表扬"
    ALL = (LAGGING, OVERDUE, LATE_FEEDBACK, PRAISE)
    PENALISED = (LAGGING, OVERDUE)  # only these carry R2D points


class ItemStatus:
    """Status of an item as the template's formula and the bulletin show it."""

    OPEN = "在办"
    DUE_SOON = "临期"
    OVERDUE = "逾期"
    DONE = "已办结"
    ALL = (OPEN, DUE_SOON, OVERDUE, DONE)


# 加扣分事件 事件类型 → rule code (三（一）、（四）、（五）)
EVENT_RULES: dict[str, str] = {
    "拒不配合督查": "R1",
    "县政府主要领导批示肯定": "R4A",
    "县级通报表扬": "R4B",
    "县级通报批评": "R4C",
    "市级通报表扬": "R4D",
    "市级通报批评": "R4E",
    "省级以上通报表扬": "R4F",
    "省级以上通报批评": "R4G",
    "其他问题": "R5",
}
EVENT_TYPES = tuple(EVENT_RULES)
PRAISE_RULES = ("R4A", "R4B", "R4D", "R4F")


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    content: str
    points: float


# SPEC «Scoring»: defaults the template pre-fills into the 规则 sheet.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("R1", "三（一）", "不按要求配合开展督查工作或无正当理由拒不接收督查任务，每次扣5分", -5),
    Rule("R2A", "三（二）", "按时办结并按时反馈，每件加2分", 2),
    Rule("R2B", "三（二）", "提前办结并反馈，在按时办结基础上再加1分", 1),
    Rule("R2C", "三（二）", "按时办结但未按时反馈，每件扣1分", -1),
    Rule("R2D", "三（二）", "办理进度滞后，每通报1次扣1分", -1),
    Rule("R2E", "三（二）", "未按时完成交办事项且无正当理由，每件扣3分", -3),
    Rule("R3A", "三（三）", "反馈材料不符合格式要求或事实表述不清、内容不完整、数据不准确、针对性不强，每件扣1分", -1),
    Rule("R3B", "三（三）", "报送内容弄虚作假，每件扣10分", -10),
    Rule("R4A", "三（四）", "交办督办事项受到县政府主要领导批示肯定，每件加2分", 2),
    Rule("R4B", "三（四）", "受到县政府、县政府督查室通报表扬，每次加3分", 3),
    Rule("R4C", "三（四）", "被县政府、县政府督查室通报批评，每次扣3分", -3),
    Rule("R4D", "三（四）", "受到丽水市政府、督查室或有关部门通报表扬，每次加5分", 5),
    Rule("R4E", "三（四）", "被丽水市政府、督查室或有关部门通报批评，每次扣5分", -5),
    Rule("R4F", "三（四）", "受到省级以上部门通报表扬，每次加10分", 10),
    Rule("R4G", "三（四）", "被省级以上部门通报批评，每次扣10分", -10),
    Rule("R5", "三（五）", "督查中发现的其他问题酌情扣分（按事件分值）；弄虚作假的，按本规则分值倍数加倍扣分", 2),
)
RULE_CODES = tuple(r.code for r in DEFAULT_RULES)


@dataclass(frozen=True)
class Param:
    name: str  # as typed in the 参数 sheet
    field: str  # the attribute of ledger.Params
    default: object
    kind: Kind
    note: str


# SPEC «参数»
PARAMS: tuple[Param, ...] = (
    Param("年度", "year", 2022, Kind.INT, "考评年度"),
    Param("县名", "county", "云和县", Kind.TEXT, "用于公文标题"),
    Param("督查室", "office", "县政府督查室", Kind.TEXT, "发文机关"),
    Param("基准分", "base_score", 100, Kind.NUMBER, "三、考评标准：督查得分取基准分100分"),
    Param("临期预警天数", "warn_days", 7, Kind.INT, "距有效时限不超过该天数的在办事项标为临期"),
    Param("月度反馈截止日", "feedback_due_day", 5, Kind.INT, "二（四）：每月5日前反馈办理情况"),
    Param("通报截止日", "bulletin_due_day", 10, Kind.INT, "二（六）：每月10日前在全县范围内通报"),
    Param("提前办结天数", "early_days", 1, Kind.INT, "三（二）：提前至少该天数办结视为提前办结"),
    Param("评优否决次数", "veto_count", 3, Kind.INT, "三（二）：年度内3次未按时办结且无正当理由，建议取消评优评先资格"),
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    width: int = 14
    note: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None  # column naming the row in messages (交办单号)
    extra: tuple[Column, ...] = field(default=())  # template-only formula columns
    legacy: tuple[Column, ...] = field(default=())  # still read and checked when a workbook has them; not in the template
    optional: bool = False  # a sheet newer than some ledgers: read as empty when a workbook lacks it

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        """What the reader takes from a workbook: the template's columns and the legacy ones."""
        return self.columns + self.legacy

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.read_columns if c.name == name)


C = Column
INPUT_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(Sheet.PARAMS, (C(Col.PARAM, required=True, width=18), C(Col.VALUE, required=True, width=20),
                             C(Col.NOTE, width=60))),
    SheetSpec(Sheet.UNITS, (
        C(Col.UNIT_NAME, Kind.NAME, True, width=28),
        C(Col.SHORT_NAME, width=12),
        C(Col.UNIT_CATEGORY, Kind.CHOICE, True, UnitCategory.ALL, width=14),
        C(Col.PARENT_UNIT, Kind.UNIT, width=28, note="临时机构必填"),
        C(Col.LIAISON, width=10),
        C(Col.PHONE, width=16),
        C(Col.EMAIL, width=26),
    ), key=Col.UNIT_NAME),
    SheetSpec(Sheet.ITEMS, (
        C(Col.ITEM_NO, Kind.ITEM_NO, True, width=11),
        C(Col.SOURCE, Kind.CHOICE, True, SOURCES, width=16),
        C(Col.SUBJECT, required=True, width=40),
        C(Col.MAJOR, Kind.CHOICE, choices=YES_NO, width=8),
        C(Col.APPROVED_BY, Kind.CHOICE, choices=APPROVERS, width=14),
        C(Col.LEAD, required=True, width=10),
        C(Col.HOST, Kind.UNITS, True, width=22),
        C(Col.COHOSTS, Kind.UNITS, width=22),
        C(Col.ASSIGNED, Kind.DATE, True, width=11),
        C(Col.DEADLINE, Kind.DATE, True, width=11),
        C(Col.FEEDBACK_MODE, Kind.CHOICE, True, FeedbackMode.ALL, width=11),
        C(Col.REQUIREMENTS, width=30),
        C(Col.DONE, Kind.DATE, width=11),
        C(Col.OVERDUE_REASON, Kind.CHOICE, choices=OverdueReason.ALL, width=12),
        C(Col.ARCHIVED, Kind.DATE, width=11),
        C(Col.REMARK, width=20),
    ), key=Col.ITEM_NO, extra=(
        C(Col.EFFECTIVE_DEADLINE, Kind.DATE, width=11),
        C(Col.DAYS_LEFT, Kind.INT, width=9),
        C(Col.STATUS, width=8),
    )),
    SheetSpec(Sheet.EXTENSIONS, (
        C(Col.ITEM_NO, Kind.ITEM_NO, True, width=11),
        C(Col.APPLICANT, Kind.UNIT, True, width=22),
        C(Col.APPLIED, Kind.DATE, True, width=11),
        C(Col.NEW_DEADLINE, Kind.DATE, True, width=12),
        C(Col.CAUSE, width=30),
        C(Col.PLAN, width=30),
        C(Col.APPROVER, width=10),
        C(Col.APPROVAL, Kind.CHOICE, choices=Approval.ALL, width=10),
        C(Col.APPROVAL_DATE, Kind.DATE, width=11),
    ), key=Col.ITEM_NO),
    SheetSpec(Sheet.FEEDBACK, (
        C(Col.ITEM_NO, Kind.ITEM_NO, True, width=11),
        C(Col.REPORTER, Kind.UNIT, True, width=22),
        C(Col.FEEDBACK_DATE, Kind.DATE, True, width=11),
        C(Col.FEEDBACK_TYPE, Kind.CHOICE, True, FeedbackType.ALL, width=10),
        C(Col.FEEDBACK_MONTH, Kind.MONTH, width=10),
        C(Col.PROGRESS, width=36),
        C(Col.SIGNER, required=True, width=10),
        C(Col.CHECK_RESULT, Kind.CHOICE, choices=CheckResult.ALL, width=10),
        C(Col.PACE, Kind.CHOICE, choices=Pace.ALL, width=10),
        C(Col.CHECK_NOTE, width=24),
        C(Col.MATERIAL_DEFECTS, Kind.CHOICES, choices=MaterialDefect.ALL, width=14,
          note="三（三）：格式不符、事实不清、内容不完整、数据不准确、针对性不强，多项用顿号分隔"),
        C(Col.FALSIFIED, Kind.CHOICE, choices=YES_NO, width=9),
        C(Col.ATTACHMENT, width=20),
        C(Col.CLAIMED_DONE, Kind.DATE, width=12, note="单位申报的办结日期，台账办结日期由督查室核查后填写"),
        C(Col.PROBLEMS, width=24),
        C(Col.NEXT_STEPS, width=24),
        C(Col.CONTACT, width=10),
        C(Col.PHONE, width=14),
        C(Col.RECEIPT_NO, width=24, note="报送表收件时自动填写，请勿修改"),
    ), key=Col.ITEM_NO, legacy=(C(Col.BAD_FORMAT, Kind.CHOICE, choices=YES_NO, width=9),)),
    SheetSpec(Sheet.EVENTS, (
        C(Col.DATE, Kind.DATE, True, width=11),
        C(Col.UNIT, Kind.UNIT, width=22),
        C(Col.ITEM_NO, Kind.ITEM_NO, width=11),
        C(Col.EVENT_TYPE, Kind.CHOICE, True, EVENT_TYPES, width=20),
        C(Col.POINTS, Kind.NUMBER, width=8),
        C(Col.FALSIFIED, Kind.CHOICE, choices=YES_NO, width=9),
        C(Col.REASON, width=36),
        C(Col.BASIS, width=30),
    ), key=Col.ITEM_NO),
    SheetSpec(Sheet.NOTICES, (
        C(Col.ISSUE, required=True, width=14),
        C(Col.NOTICE_DATE, Kind.DATE, True, width=11),
        C(Col.ITEM_NO, Kind.ITEM_NO, True, width=11, note="表扬行可为空"),
        C(Col.UNIT, Kind.UNIT, True, width=22),
        C(Col.NOTICE_TYPE, Kind.CHOICE, True, NoticeType.ALL, width=12),
        C(Col.NOTE, width=40),
    ), key=Col.ITEM_NO),
    SheetSpec(Sheet.REMINDER_LOG, (
        C(Col.REMIND_DATE, Kind.DATE, True, width=11),
        C(Col.ITEM_NO, Kind.ITEM_NO, width=11),
        C(Col.UNIT, Kind.UNIT, True, width=22),
        C(Col.REMIND_METHOD, Kind.CHOICE, True, RemindMethod.ALL, width=10),
        C(Col.REMIND_CONTENT, width=40),
        C(Col.HANDLER, width=14),
        C(Col.REPLY, width=30),
        C(Col.REPORTED, Kind.CHOICE, choices=YES_NO, width=9, note="二（三）：重要情况及时向县政府领导报告"),
    ), key=Col.ITEM_NO, optional=True),
    SheetSpec(Sheet.RULES, (
        C(Col.RULE_CODE, required=True, width=9),
        C(Col.CLAUSE, required=True, width=10),
        C(Col.CONTENT, required=True, width=60),
        C(Col.POINTS, Kind.NUMBER, True, width=8),
        C(Col.ENABLED, Kind.CHOICE, True, YES_NO, width=8),
    ), key=Col.RULE_CODE),
)
del C

SPECS: dict[str, SheetSpec] = {s.name: s for s in INPUT_SHEETS}

# Output sheet columns
SCORE_DETAIL_COLUMNS = (Col.UNIT, Col.SCORING_UNIT, Col.ITEM_NO, Col.DATE, Col.QUARTER,
                        Col.RULE_CODE, Col.CLAUSE, Col.NOTE, Col.POINTS)  # SPEC; the sheet adds Col.EVIDENCE
DETAIL_SHEET_COLUMNS = (*SCORE_DETAIL_COLUMNS, Col.EVIDENCE)  # 得分明细 as written, with its evidence
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
QUARTER_NAMES = dict(zip(QUARTERS, ("第一季度", "第二季度", "第三季度", "第四季度")))  # as sheets and documents say it
RANKING_COLUMNS = (Col.UNIT_CATEGORY, Col.RANK, Col.UNIT, Col.BASE, *QUARTERS, Col.SUM_POINTS,
                   Col.TOTAL, Col.ON_TIME_COUNT, Col.OVERDUE_COUNT, Col.R2E_COUNT, Col.ELIGIBILITY)


class Out:
    """Columns and figures of output frames that are not ledger columns (sheets, JSON, documents)."""

    # 月度通报 一、总体情况 (二（六）)
    TOTAL_ITEMS = "总数"
    OPEN = "在办"
    DONE = "办结"
    OVERDUE = "逾期"
    ON_TIME_RATE = "按时办结率"
    FIGURE = "项目"
    COUNT = "数量"
    # 催办清单 (二（三）)
    REMINDER_KIND = "催办类型"
    # 延期申请 as judged (二（五）): EXTENSION_STATUS is one of ExtensionStatus
    EXTENSION_STATUS = "延期状态"
    IN_FORCE_WHEN_APPLIED = "申请时有效时限"
    # the units of an item: 主办 / 协办
    ROLE = "角色"
    # 季度排名 sheet: the R2E count as a clerk names it (三（二）: 未按时完成, finished late included)
    LATE_COUNT = "未按时办结数"


BULLETIN_FIGURES = (Out.TOTAL_ITEMS, Out.OPEN, Out.DONE, Out.OVERDUE, Out.ON_TIME_RATE)
ANNUAL_COLUMNS = (Col.UNIT, Col.UNIT_CATEGORY, Col.SUPERVISION_SCORE, Col.GROUP_RANK, Col.ELIGIBILITY,
                  Col.ON_TIME_COUNT, Col.EARLY_COUNT, Col.OVERDUE_COUNT, Col.NOTICED_COUNT, Col.DEFECT_COUNT,
                  Col.FALSIFIED_COUNT, Col.PLUS, Col.MINUS)
REMINDER_COLUMNS = (Col.UNIT, Col.ITEM_NO, Col.SUBJECT, Col.EFFECTIVE_DEADLINE, Col.DAYS_LEFT,
                    Out.REMINDER_KIND, Col.NOTE)


class ExtensionStatus:
    """延期状态 of one 延期申请 row (二（五）: 到期前申请，经县政府领导同意)."""

    COUNTED = "生效"
    LATE = "逾期申请"
    NOT_GRANTED = "未同意"
    INCOMPLETE = "日期不全"
    NOT_YET_APPROVED = "尚未批准"  # 同意, but approved after the as-of day
    AFTER_DONE = "办结后申请"  # applied for after the item's 办结日期: ignored everywhere


class ReminderKind:
    """催办类型 (二（三）、（四）)."""

    OVERDUE = ItemStatus.OVERDUE
    DUE_SOON = ItemStatus.DUE_SOON
    MONTHLY_MISSING = "本月反馈未报"


class Eligibility:
    """评优资格 (三（二）): 3 times overdue without 正当理由 in a year → 建议取消评优评先资格."""

    CANCELLED = "建议取消评优评先资格"
    NORMAL = "正常"
FINDING_COLUMNS = ("级别", "代码", "工作表", "单元格", "列", "交办单号", "问题", "建议")
FINDING_SOURCE = "文件"  # --json only: the file a finding was found in ("" when read from memory)
# the 校验结果 sheet: the clause a finding enforces (依据) in place of its machine code
FINDING_SHEET_COLUMNS = ("级别", "工作表", "单元格", "列", "交办单号", "问题", "建议", "依据")

# Separators people use between unit names (SPEC: 、 also ，, ; full/half width)
UNIT_SEPARATORS = "、，,；;／/"


def format_item_no(item_no: str) -> str:
    """2022-012 → 2022年12号, the form documents use (GB/T 9704: no leading zeros)."""
    year, _, seq = item_no.partition("-")
    return f"{year}年{int(seq)}号"


# ---- the 报送表 sent to units and taken back (SPEC «Returned sheets», 二（四）) -----------------

class FormSheet:
    """Sheets of a 报送表 workbook and of its 回执."""

    FORM = "报送表"
    IDENTITY = "表单信息"  # hidden: who the form is for and its HMAC
    RECEIPT = "回执"


class FormField:
    """Keys of the identity sheet (column A; values in column B)."""

    FORM_NO = "表单编号"
    UNIT = "单位"
    MONTH = "反馈月份"
    ISSUED = "签发日期"  # the as-of date the form was made: locked cells are checked as of it
    DUE = "报送截止日期"
    ROWS = "事项数"
    VERSION = "格式版本"
    MAC = "校验码"  # HMAC-SHA256 over the identity and every locked cell
    ALL = (FORM_NO, UNIT, MONTH, ISSUED, DUE, ROWS, VERSION, MAC)


class FormRole:
    """角色 of a row: the unit reports on what it hosts; co-handled items are shown read-only."""

    HOST = "主办"
    COHOST = "协办"


FORM_ROLE = "角色"
FORM_LABEL_UNIT, FORM_LABEL_MONTH, FORM_LABEL_DUE = "报送单位", "反馈月份", "报送截止"
# Locked: what the office assigned, as of the form's issue date (完成时限 in force then).
FORM_LOCKED = (Col.ITEM_NO, FORM_ROLE, Col.SUBJECT, Col.LEAD, Col.DEADLINE, Col.FEEDBACK_MODE, Col.REQUIREMENTS)
# Unlocked: what the unit reports; each becomes a 反馈记录 column of the merged row.
FORM_INPUTS = (Col.FEEDBACK_TYPE, Col.PROGRESS, Col.CLAIMED_DONE, Col.PROBLEMS, Col.NEXT_STEPS, Col.SIGNER,
               Col.CONTACT, Col.PHONE)
FORM_COLUMNS = FORM_LOCKED + FORM_INPUTS


class IntakeOutcome:
    """结果 of one returned file."""

    MERGED = "已合并"
    REFUSED = "退回"
    DUPLICATE = "重复"
