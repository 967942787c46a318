"""Official Word documents rendered from the .docx templates (docxtpl).

The templates (``workbook_templates/*.docx``, built by ``docx_templates`` and shipped in
the package, or an office's own restyled copies) hold
all layout as named styles; this module only computes the text that goes into
them, from the ledger and from the results of the bulletin and scoring stages.
Every function returns the path it wrote. Writes are atomic (temp + replace),
so a crash never leaves half a .docx where a clerk expects a document.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml.etree import XMLSyntaxError

from . import bulletin, clock, remind
from .dates import cn_date, day_of_month, issue_date, quarter_end, workday_on_or_after
from . import docx_templates as tpl
from .contract import QUARTER_NAMES, Col, Eligibility, FeedbackMode, UnitCategory, format_item_no
from .deadlines import effective_deadlines
from .bundled import templates_folder
from .errors import BadTemplate, DubanError, UnknownItem
from .xlsx.atomic import atomic_path
from .xlsx.safety import check_document_file, shown
from .ledger import Ledger, Params, split_units

ADDRESSEE_ALL = "各乡（镇）人民政府、街道办事处，县政府直属各单位："
# 版记 抄送 as the source document (云政办发〔2022〕24号) has it; staff may change it in the template context
COPY_TO = "县委各部门，县人大办、政协办，县人武部，县法院，县检察院，各群众团体。"
TITLE_CHARS = 20  # characters of 2号 小标宋 in the 156 mm line
TITLE_BREAK_BEFORE = ("关于", "县政府督查工作", "考评得分", "交办单办理", "督查事项办理", "办理情况")
TITLE_BREAK_AFTER = ("关于", "督查室")
# 三、考评标准 of the source document, clause by clause, as the ranking bulletin quotes it (四、评分依据)
SCORING_CLAUSES = (
    "（一）不按要求配合开展督查工作或无正当理由拒不接收督查任务的单位，每次扣5分。",
    "（二）按时办结并按时反馈的每件加2分，提前办结并反馈的在此基础上再加1分；按时办结但未按时反馈的每件扣1分；"
    "办理进度滞后的，每通报1次扣1分；未按时完成交办事项且无正当理由的，每件扣3分。一项交办任务涉及多家责任单位的，"
    "均实行一样的加分或扣分。年度内同一单位如出现3次没有按时办结且无正当理由的，建议取消当年评优评先资格。",
    "（三）反馈材料不符合格式要求，或反馈材料事实表述不清、内容不完整、数据不准确、针对性不强的，每件扣1分；"
    "报送内容弄虚作假的，每件扣10分。",
    "（四）交办督办事项受到县政府主要领导批示肯定的，每件加2分；受到县政府、县政府督查室通报表扬的，每次加3分；"
    "被通报批评的，每次扣3分。受到丽水市政府、督查室或有关部门通报表扬的，每次加5分；被通报批评的，每次扣5分。"
    "受到省级以上部门通报表扬的，每次加10分；被通报批评的，每次扣10分。",
    "（五）对在督查中发现的其他问题，酌情扣分；发现弄虚作假的，加倍扣分。",
    "（六）临时性机构的加扣分主体为该机构所在县直单位。",
)
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# ---- shared formatting -------------------------------------------------------------------

def format_date(value: Any) -> str:
    """2022-07-01 → «2022年7月1日» (GB/T 9704: 成文日期 without leading zeros); empty → ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return cn_date(pd.Timestamp(value))


def office_name(county: str) -> str:
    """云和县 → 云和县人民政府督查室, the office's full name on documents."""
    return f"{county}人民政府督查室"


def safe_filename(name: str) -> str:
    """A file name Windows accepts: no \\ / : * ? " < > |, no trailing dot or space."""
    cleaned = _UNSAFE_IN_NAME.sub("_", name).rstrip(" .")
    return cleaned or "_"


def plan_citation(year: int) -> str:
    """How a clerk cites the rules: the year's 实施方案 (for 2022 云政办发〔2022〕24号) by its title."""
    return f"《{year}年度县政府督查工作实施方案》"


def _width(text: str) -> float:
    """Width in Chinese characters: digits and Latin letters are half as wide."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def title_lines(text: str, chars: int = TITLE_CHARS) -> str:
    """A title longer than one line, broken where the words allow (GB/T 9704 7.3.1: 回行时词意完整).

    Breaks only at the known word boundaries (before 关于, after 督查室 …); the fewest lines,
    as even as possible, the first line the longer on a tie. Without a fitting break the
    title is left to wrap.
    """
    if _width(text) <= chars:
        return text
    cuts = sorted({i + (len(word) if after else 0)
                   for words, after in ((TITLE_BREAK_BEFORE, False), (TITLE_BREAK_AFTER, True))
                   for word in words for i in _find_all(text, word)} - {0, len(text)})
    best: tuple | None = None
    for count in (1, 2):
        for chosen in itertools.combinations(cuts, count):
            lines = [text[a:b] for a, b in zip((0, *chosen), (*chosen, len(text)))]
            widths = [_width(line) for line in lines]
            if max(widths) > chars:
                continue
            key = (max(widths), max(widths) - min(widths), -widths[0])
            if best is None or key < best[0]:
                best = (key, lines)
        if best:
            return "\n".join(best[1])
    return text


def _find_all(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> str:
    """12.0 → «12», 2.5 → «2.5», −3 → «-3»; empty → ""."""
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _sentence(text: str) -> str:
    """Text ending with a full stop, as a numbered line of a report."""
    text = text.rstrip("。；;，, ")
    return f"{text}。" if text else ""


# ---- rendering -----------------------------------------------------------------------------

def template_path(template: str, templates_dir: Path | None = None) -> Path:
    """The template file: in the office's own folder when given, else the one duban ships.

    Never a silent substitute: a template missing from the office's folder is an error
    (the clerk would otherwise send a document in the wrong look). Every template passes the
    gate a ledger or a returned report passes (sizes, zip bombs, DTDs, well-formed XML) before
    docxtpl opens it: an office's template folder is a file from outside like any other.
    """
    folder = templates_dir or templates_folder()
    path = folder / template
    if not os.path.lexists(path):
        raise BadTemplate(f"找不到公文模板“{template}”（应在文件夹 {folder} 中）。"
                          f"请把模板放回该文件夹，或运行 python -m duban_xl.docx_templates 重新生成。",
                          f"template not found: {path}")
    try:
        check_document_file(path)  # the gate every outside file passes (issue 9): bounded, no DTD, whole
    except DubanError as exc:
        raise BadTemplate(f"公文模板「{shown(path)}」无法使用：{exc.message}", exc.english) from None
    return path


# What a damaged or hand-broken .docx raises inside docxtpl / python-docx / jinja (OverflowError: the
# sandbox's range() past 100,000).
BROKEN_TEMPLATE = (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError, TemplateError,
                   OverflowError)
MAX_PRODUCT = 100_000  # characters or items one placeholder may multiply into being


class TemplateSandbox(SandboxedEnvironment):
    """jinja for templates an office edits in Word: a placeholder cannot reach into Python (without the
    sandbox ``{{ cycler.__init__.__globals__.os.system(…) }}`` runs any command on the office's machine)
    nor make a giant string or number (``{{ "x" * 10**10 }}``); range() stops at 100,000."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"乘方的指数过大（{right}）")
        if operator == "*":
            for many, times in ((left, right), (right, left)):
                if isinstance(many, (str, list, tuple)) and isinstance(times, int) and len(many) * times > MAX_PRODUCT:
                    raise SecurityError(f"占位符生成的内容过长（{len(many)} × {times}）")
        return super().call_binop(context, operator, left, right)


def _broken(path: Path, exc: Exception) -> BadTemplate:
    if isinstance(exc, (SecurityError, OverflowError)):
        return BadTemplate(f"公文模板「{path.name}」中有不允许的占位符（{exc}），已拒绝使用：占位符只能填入文字。"
                           f"请用 Word 打开删去该占位符，或换回随程序提供的模板。", f"unsafe placeholder in {path}: {exc}")
    return BadTemplate(f"公文模板「{path.name}」无法使用：{exc}。请用 Word 打开检查占位符 {{{{ … }}}} 是否完整，"
                       f"或换回随程序提供的模板。", f"broken template {path}: {exc}")


def check_template(template: str, templates_dir: Path | None = None) -> Path:
    """Open and parse a template without rendering it, so a command can refuse before it writes anything."""
    path = template_path(template, templates_dir)
    try:
        DocxTemplate(path).get_undeclared_template_variables(TemplateSandbox())
    except BROKEN_TEMPLATE as exc:
        raise _broken(path, exc) from None
    return path


def render_docx(template: str, context: dict, out: Path, templates_dir: Path | None = None) -> Path:
    """Fill ``template`` with ``context`` (autoescaped) and write ``out`` atomically."""
    path = template_path(template, templates_dir)
    try:
        doc = DocxTemplate(path)
        doc.render(context, TemplateSandbox(), autoescape=True)
    except BROKEN_TEMPLATE as exc:
        raise _broken(path, exc) from None
    out = Path(out)
    with atomic_path(out) as temp:
        doc.save(temp)
    return out


# ---- 交办单 and 反馈报告 ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Item:
    """One 台账 row with its effective deadline, as documents need it."""

    row: pd.Series
    deadline: pd.Timestamp

    @property
    def original_deadline(self) -> pd.Timestamp:
        return self.row[Col.DEADLINE]


def _item(ledger: Ledger, item_no: str, as_of: dt.date | None) -> _Item:
    """The item with the deadline in force on ``as_of`` — the date the document carries (二（五））;
    None: its 交办日期 (a 交办单 is dated the day it is assigned)."""
    match = ledger.items[ledger.items[Col.ITEM_NO] == item_no]
    if match.empty:
        raise UnknownItem(f"台账中没有交办单号“{item_no}”，请核对后重试（交办单号形如 2022-012）。",
                          f"item {item_no} not in the ledger")
    row = match.iloc[0]
    if as_of is None:
        as_of = row[Col.ASSIGNED].date() if pd.notna(row[Col.ASSIGNED]) else clock.today()
    deadline = effective_deadlines(ledger, as_of).get(item_no, pd.NaT)
    return _Item(row, deadline)


def feedback_due_dates(assigned: Any, deadline: Any, due_day: int) -> list[dt.date]:
    """每月反馈 due dates (二（四） 每月5日前): the due day of each month after 交办, up to the deadline."""
    if pd.isna(assigned) or pd.isna(deadline):
        return []
    start, end = pd.Timestamp(assigned), pd.Timestamp(deadline)
    year, month = start.year, start.month
    dates = []
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = day_of_month(year, month, due_day)
        if pd.Timestamp(day) > end:
            return dates
        dates.append(day)


def _deadline_text(item: _Item) -> str:
    effective, original = item.deadline, item.original_deadline
    if pd.notna(effective) and pd.notna(original) and effective != original:
        return f"{format_date(effective)}（经批准延期，原完成时限为{format_date(original)}）"
    return format_date(original)


def _feedback_due_text(item: _Item, params: Params) -> str:
    mode = _text(item.row[Col.FEEDBACK_MODE])
    if mode == FeedbackMode.MONTHLY:
        dates = feedback_due_dates(item.row[Col.ASSIGNED], item.deadline, params.feedback_due_day)
        listed = "、".join(format_date(d) for d in dates)
        monthly = f"每月{params.feedback_due_day}日前报送上月办理进展"
        monthly += f"（{listed}）" if listed else ""
        return f"{monthly}；办结后及时报送办结反馈，不迟于完成时限。"
    return "办结后及时反馈，不迟于完成时限。"


def render_slip(ledger: Ledger, item_no: str, out_dir: Path, templates_dir: Path | None = None) -> Path:
    """交办单 (二（二） 交办): content, 牵头领导, 承办单位, 完成时限, 工作要求, how and when to report.

    The slip is dated its 交办日期, so it shows the deadline in force that day.
    """
    item = _item(ledger, item_no, as_of=None)
    row, params = item.row, ledger.params
    number = format_item_no(item_no)
    context = {
        "office_full": office_name(params.county),
        "item_no_text": number,
        "source": _text(row[Col.SOURCE]),
        "subject": _text(row[Col.SUBJECT]),
        "lead": _text(row[Col.LEAD]),
        "host": "、".join(split_units(row[Col.HOST])),
        "cohosts": "、".join(split_units(row[Col.COHOSTS])) or "无",
        "assigned": format_date(row[Col.ASSIGNED]),
        "deadline": _deadline_text(item),
        "feedback_mode": _text(row[Col.FEEDBACK_MODE]),
        "feedback_due": _feedback_due_text(item, params),
        "requirements": _text(row[Col.REQUIREMENTS]) or "按时保质完成。",
        "report_rule": ("承办单位按要求在规定期限内办理，并及时报送经承办单位主要负责人核签的书面报告。"
                        "涉及两个或两个以上承办单位的，由主办单位牵头起草和报送办理情况报告，"
                        "报告要整合各方意见，并说明协办情况。因客观条件不具备、确实不能在规定期限内办结的，"
                        "请在到期前书面说明原因并提出办理方案、完成时限，经县政府领导同意后更改办结时限。"),
        "report_format": (f"反馈报告请按《交办事项反馈报告格式要求》撰写，标题为“××单位关于"
                          f"{office_name(params.county)}{number}交办单办理情况的报告”，"
                          f"主送{tpl.FORM_ADDRESSEE.rstrip('：')}。"),
        "date": format_date(row[Col.ASSIGNED]),
    }
    return render_docx(tpl.SLIP, context, Path(out_dir) / safe_filename(f"交办单_{number}.docx"), templates_dir)


def render_feedback_form(ledger: Ledger, item_no: str, unit: str, out_dir: Path, as_of: dt.date,
                         templates_dir: Path | None = None) -> Path:
    """附件 交办事项反馈报告格式要求, pre-filled for ``unit`` with the deadline in force on ``as_of``;
    the ×× lines are for the unit to write."""
    item = _item(ledger, item_no, as_of)
    row, params = item.row, ledger.params
    number = format_item_no(item_no)
    subject = _text(row[Col.SUBJECT])
    matters = [_sentence(subject)]
    if _text(row[Col.REQUIREMENTS]):
        matters.append(_sentence(f"工作要求：{_text(row[Col.REQUIREMENTS])}"))
    matters.append(_sentence(f"完成时限：{_deadline_text(item)}"))
    context = {
        "unit": unit,
        "title": title_lines(f"{unit}关于{office_name(params.county)}{number}交办单办理情况的报告"),
        "opening": f"现将{office_name(params.county)}{number}交办单（{subject.rstrip('。')}）办理情况报告如下：",
        "matters": matters,
    }
    name = safe_filename(f"反馈报告_{number}_{unit}.docx")
    return render_docx(tpl.FEEDBACK_FORM, context, Path(out_dir) / name, templates_dir)


# ---- 月度通报 -------------------------------------------------------------------------------

def _rate(value: float) -> str:
    """0.875 → «87.5%» (按时办结率)."""
    return f"{float(value) * 100:.1f}%"


def _item_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    return [{"item_no": format_item_no(_text(r[Col.ITEM_NO])), "subject": _text(r[Col.SUBJECT]),
             "units": _text(r[Col.UNIT]), "deadline": format_date(r[Col.EFFECTIVE_DEADLINE]),
             "note": _text(r.get(Col.CHECK_NOTE))} for _, r in frame.iterrows()]


def render_monthly_bulletin(b: bulletin.MonthlyBulletin, out_dir: Path, templates_dir: Path | None = None) -> Path:
    """督查通报 (二（六） 一月一通报): overdue, lagging, late-feedback items, praise, and what units must do."""
    year, month = (int(part) for part in b.month.split("-"))
    totals = b.totals
    month_text = f"{year}年{month}月"
    justified = totals[bulletin.OVERDUE] - len(b.overdue)  # 正当理由: overdue, but not named below
    overdue = f"逾期未办结{totals[bulletin.OVERDUE]}件" + (f"（其中{justified}件经认定有正当理由）" if justified else "")
    summary = (f"截至{format_date(b.as_of)}，全县共有督查事项{totals[bulletin.TOTAL]}件，其中已办结{totals[bulletin.DONE]}件、"
               f"在办{totals[bulletin.OPEN]}件，{overdue}，"
               f"按时办结率{_rate(totals[bulletin.ON_TIME_RATE])}。现将{month_text}督查事项办理情况通报如下：")
    praise = [{"unit": _text(r[Col.UNIT]), "kind": _text(r[Col.EVENT_TYPE]), "reason": _text(r[Col.REASON]),
               "date": format_date(r[Col.DATE])} for _, r in b.praise.iterrows()]
    plan = plan_citation(year)
    requirements = [
        # 二（六）: 对工作进度滞后、敷衍塞责的单位进行通报，责成报告原因及改进意见
        f"责成{'、'.join(b.ordered)}认真分析逾期未办结、进度滞后的原因，于{format_date(b.answer_by)}前"
        f"向{b.office}书面报告原因及改进意见，加快推进落实。" if b.ordered else
        "请未按时反馈的单位高度重视，及时补报办理情况，加快推进落实。",
        "各承办单位要严格落实“一月一反馈”要求，按时报送经单位主要负责人核签的书面报告；"
        "确因客观原因不能按期办结的，应在到期前书面申请延期。",
        f"逾期未办结且无正当理由、办理进度滞后被通报的，按{plan}“三、考评标准”第（二）项扣分，"
        "评分结果纳入年度考核。",
    ]
    context = {
        "office_full": office_name(b.county),
        "issue": b.issue,
        "date": format_date(b.date),
        "title": title_lines(f"{month_text}督查事项办理情况通报"),
        "summary": summary,
        "overdue": _item_rows(b.overdue),
        "lagging": _item_rows(b.lagging),
        "late_feedback": _item_rows(b.late_feedback),
        "praise": praise,
        "requirements": requirements,
        **_imprint(office_name(b.county), b.date),
    }
    return render_docx(tpl.MONTHLY, context, Path(out_dir) / safe_filename(f"通报_{month_text}.docx"), templates_dir)


# ---- 季度排名通报 ----------------------------------------------------------------------------

def ranking_number(params: Params, year: int, quarter: int) -> str:
    """发文字号 of the ranking bulletin (GB/T 9704 7.2.4: 代字〔年份〕序号, no 第, no leading zero).

    The 代字 is the county's first character + 政督 (云政督); the quarter is the sequence number
    of the office's ranking bulletins. An office with its own numbering edits it in the document.
    """
    return f"{params.county[:1]}政督〔{year}〕{quarter}号"


def _imprint(printer: str, date: dt.date) -> dict[str, str]:
    """版记 (GB/T 9704 7.4): 抄送, 印发机关 and 印发日期 (the day it is issued)."""
    return {"copy_to": COPY_TO, "printer": printer, "print_date": format_date(date)}


def render_quarterly_ranking(ranking: pd.DataFrame, year: int, quarter: int, params: Params, out_dir: Path,
                             date: dt.date | None = None, templates_dir: Path | None = None) -> Path:
    """季度考评得分通报 (二（八） 每季度通报分数排名情况): a table per group, 评优 veto, 评分依据."""
    quarter_end(year, quarter)  # refuses a quarter outside 1–4 with the one Chinese message
    quarter_name = QUARTER_NAMES[f"Q{quarter}"]
    numerals = ("一", "二")
    groups = []
    for numeral, category in zip(numerals, UnitCategory.RANKED):
        # ties stay in 单位 sheet order, as the ranking lists them (SPEC «Ranking»)
        frame = ranking[ranking[Col.UNIT_CATEGORY] == category].sort_values(Col.RANK, kind="stable")
        # 未按时办结: every R2E point (三（二）), items finished late included — not only those still open
        rows = [{"rank": _number(r[Col.RANK]), "unit": _text(r[Col.UNIT]),
                 "quarter": _number(r[f"Q{quarter}"]), "sum": _number(r[Col.SUM_POINTS]),
                 "total": _number(r[Col.TOTAL]), "on_time": _number(r[Col.ON_TIME_COUNT]),
                 "late": _number(r[Col.OVERDUE_COUNT])} for _, r in frame.iterrows()]
        groups.append({"heading": f"{numeral}、{category}考评得分情况", "rows": rows})
    vetoed = ranking[ranking[Col.ELIGIBILITY] == Eligibility.CANCELLED][Col.UNIT].map(_text).tolist()
    if vetoed:
        veto = (f"{'、'.join(vetoed)}年度内已出现{params.veto_count}次及以上未按时办结且无正当理由的情况，"
                f"根据{plan_citation(year)}“三、考评标准”第（二）项，建议取消其{year}年度评优评先资格。")
    else:
        veto = f"截至本季度末，没有单位年度内出现{params.veto_count}次及以上未按时办结且无正当理由的情况。"
    title = f"关于{year}年{quarter_name}县政府督查工作考评得分情况的通报"
    date = date or issue_date(quarter_end(year, quarter), params.bulletin_due_day)
    context = {
        "doc_number": ranking_number(params, year, quarter),
        "title": title_lines(title),
        "addressee": ADDRESSEE_ALL,
        "opening": (f"根据{plan_citation(year)}“三、考评标准”，督查得分取基准分"
                    f"{_number(params.base_score)}分，实行分项累计加扣分制，评分结果纳入乡镇（街道）和部门年度考核。"
                    f"现将{year}年{quarter_name}各单位督查工作考评得分及排名情况通报如下："),
        "quarter_name": quarter_name,
        "groups": groups,
        "veto": veto,
        "clauses": [f"依据{plan_citation(year)}“三、考评标准”，督查得分取基准分{_number(params.base_score)}分，"
                    "在此基础上实行分项累计加扣分制。", *SCORING_CLAUSES],
        "office_full": office_name(params.county),
        "date": format_date(date),
        **_imprint(office_name(params.county), date),
    }
    name = safe_filename(f"季度排名通报_{year}年第{quarter}季度.docx")
    return render_docx(tpl.QUARTERLY, context, Path(out_dir) / name, templates_dir)


# ---- 催办单 ---------------------------------------------------------------------------------

def _reminder_rows(rows: pd.DataFrame) -> list[dict[str, str]]:
    """One row per item: an item both overdue and unreported is one line, its reasons joined."""
    items = []
    for item_no, group in rows.groupby(Col.ITEM_NO, sort=False):
        first = group.iloc[0]
        items.append({"item_no": format_item_no(_text(item_no)), "subject": _text(first[Col.SUBJECT]),
                      "deadline": format_date(first[Col.EFFECTIVE_DEADLINE]),
                      "kind": "、".join(dict.fromkeys(_text(k) for k in group[remind.KIND])),
                      "note": "".join(dict.fromkeys(_text(n) for n in group[Col.NOTE]))})
    return items


def _reminder_requirements(kinds: set[str], params: Params) -> list[str]:
    """What the unit is asked to do: only the paragraphs that apply to its items."""
    lines = []
    if remind.DUE_SOON in kinds:
        lines.append("请你单位对临期事项加快推进，确保在有效时限内办结，并及时报送经单位主要负责人核签的书面报告。")
    if remind.OVERDUE in kinds:
        lines.append(f"对已逾期的事项，请尽快书面说明原因、整改措施和办结时间，报{params.office}；"
                     f"逾期未办结且无正当理由的，按{plan_citation(params.year)}“三、考评标准”第（二）项每件扣3分，"
                     "并在月度督查通报中通报。")
    if remind.MONTHLY_MISSING in kinds:
        lines.append(f"对本月进展反馈未报的事项，请立即补报办理情况，今后于每月{params.feedback_due_day}日前报送。")
    if kinds & {remind.DUE_SOON, remind.OVERDUE}:
        lines.append("确因客观原因不能按期办结的，应在到期前书面说明原因、申请延期，经县政府领导同意后更改办结时限。")
    return lines or ["请你单位抓紧办理，并按时反馈办理情况。"]


def render_reminder(unit: str, rows: pd.DataFrame, as_of: dt.date, params: Params, out_dir: Path,
                    templates_dir: Path | None = None) -> Path:
    """督查催办单 (二（三） 催办) for one unit: items due soon, overdue, or whose monthly report is missing."""
    context = {
        "office_full": office_name(params.county),
        "unit": unit,
        "opening": f"截至{format_date(as_of)}，你单位承办的以下督查事项需抓紧办理或反馈，现予催办：",
        "rows": _reminder_rows(rows),
        "requirements": _reminder_requirements(set(rows[remind.KIND]), params),
        "date": format_date(workday_on_or_after(as_of)),  # sent on a working day (SPEC «Monthly close…»)
    }
    name = safe_filename(f"催办单_{unit}_{pd.Timestamp(as_of):%Y%m%d}.docx")
    return render_docx(tpl.REMINDER, context, Path(out_dir) / name, templates_dir)


# ---- 得分告知单 -------------------------------------------------------------------------------

def compact_cells(evidence: str) -> str:
    """「台账」J6；「台账」M6；「反馈记录」C11 → 「台账」J6、M6；「反馈记录」C11 (fits a table cell)."""
    groups: dict[str, list[str]] = {}
    for ref in filter(None, str(evidence).split("；")):
        sheet, _, cell = ref.rpartition("」")
        groups.setdefault(sheet + "」" if sheet else "", []).append(cell)
    return "；".join(sheet + "、".join(cells) for sheet, cells in groups.items())


def render_statement(s, params: Params, out_dir: Path, templates_dir: Path | None = None) -> Path:
    """得分告知单 (三、考评标准) for one unit: its score and rank, every point with its evidence, how to object."""
    from .statement import OBJECTION_WORKDAYS, score_line

    office = office_name(params.county)
    quarter = QUARTER_NAMES[f"Q{s.quarter}"]
    points = [{"date": f"{r[Col.DATE].month}月{r[Col.DATE].day}日",
               "item_no": format_item_no(r[Col.ITEM_NO]) if r[Col.ITEM_NO] else "",
               "clause": _text(r[Col.CLAUSE]), "points": f"{r[Col.POINTS]:+g}",
               "note": _text(r[Col.NOTE]) + (f"（依据：{compact_cells(r[Col.EVIDENCE])}）" if r[Col.EVIDENCE] else "")}
              for r in s.points.to_dict("records")]
    context = {
        "office_full": office,
        "title": title_lines(f"{office}关于{s.year}年{quarter}督查考评得分的告知单"),
        "unit": s.unit,
        "opening": (f"根据{plan_citation(s.year)}“三、考评标准”，现将你单位截至{format_date(s.as_of)}的督查考评得分"
                    "及加扣分依据告知如下："),
        "score_line": score_line(s),
        "points": points,
        "objection": [
            f"如对上述得分有异议，请于{format_date(s.objection_by)}前（本告知单印发之日起{OBJECTION_WORKDAYS}个工作日内）"
            f"向{params.office}书面提出，写明所涉交办单号、加扣分条目和理由，并附相关材料。",
            f"逾期未提出异议的，视为无异议；得分按{plan_citation(s.year)}纳入年度考核。",
        ],
        "date": format_date(s.date),
    }
    name = safe_filename(f"得分告知单_{s.unit}_{s.year}年{quarter}.docx")
    return render_docx(tpl.STATEMENT, context, Path(out_dir) / name, templates_dir)


__all__ = [
    "format_date", "office_name", "safe_filename", "render_docx", "feedback_due_dates", "render_slip",
    "render_feedback_form", "render_monthly_bulletin", "render_quarterly_ranking", "render_reminder",
    "render_statement",
]
