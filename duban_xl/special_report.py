"""督查专报 (二（六）: 对县委、县政府重点督查事项，以专报形式报领导阅示): one item, its whole record.

What a leader needs on one page or two: the item's facts (来源, 牵头领导, 承办单位, dates),
its deadline history (every 延期申请 and how it was judged as of the report's day),
every report with its 核查 (结果, 意见, 材料问题), every 催办, and where it stands now
with its open problems. Seen as of the report's date D (SPEC «Time-true views»):
nothing dated after D, no extension not yet approved on D.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .contract import Col, ExtensionStatus, OverdueReason, Pace, Sheet, YES, format_item_no
from .dates import workday_on_or_after
from .deadlines import EXTENSION_STATUS, effective_deadlines, extension_outcomes
from .defects import material_defects
from .documents import format_date, office_name, render_docx, safe_filename, title_lines
from . import docx_templates as tpl
from .errors import BadArgument
from .ledger import ROW, Ledger, split_units

# how each 延期状态 reads in the report
_JUDGED = {
    ExtensionStatus.COUNTED: "有效，完成时限据此变更",
    ExtensionStatus.LATE: "到期当日或之后申请，不予认可",
    ExtensionStatus.NOT_GRANTED: "未获同意",
    ExtensionStatus.INCOMPLETE: "日期不全，待补正",
    ExtensionStatus.NOT_YET_APPROVED: "截至报告日尚未批准",
    ExtensionStatus.AFTER_DONE: "办结后申请，不予认可",
}


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _day(value: object, year: int) -> str:
    """A date in a table cell: 4月5日 within the report's year (a cell is narrow), else 2021年4月5日."""
    if pd.isna(value):
        return ""
    day = pd.Timestamp(value)
    return f"{day.month}月{day.day}日" if day.year == year else format_date(day)


def _on_or_before(frame: pd.DataFrame, column: str, as_of: dt.date) -> pd.DataFrame:
    return frame[frame[column].notna() & (frame[column] <= pd.Timestamp(as_of))]


def special_report_context(ledger: Ledger, item_no: str, as_of: dt.date) -> dict:
    """Everything the 专报 template shows for ``item_no`` as of ``as_of``."""
    rows = ledger.items[ledger.items[Col.ITEM_NO] == item_no]
    if rows.empty:
        raise BadArgument(f"台账中没有交办单号“{item_no}”，请核对后重试（交办单号形如 2022-012）。",
                          f"item {item_no} not in the ledger")
    item = rows.iloc[0]
    number, subject = format_item_no(item_no), _text(item[Col.SUBJECT])
    deadline = effective_deadlines(ledger, as_of).get(item_no, pd.NaT)
    units = "、".join(split_units(item[Col.HOST]))
    cohosts = "、".join(split_units(item[Col.COHOSTS]))
    facts = [
        f"{number}交办事项“{subject}”，来源类别为{_text(item[Col.SOURCE])}"
        + ("，属重大事项，经县政府主要领导审定" if item[Col.MAJOR] == YES else "")
        + f"，由{_text(item[Col.LEAD])}同志牵头，{units}主办" + (f"，{cohosts}协办" if cohosts else "")
        + f"，{format_date(item[Col.ASSIGNED])}交办，{_text(item[Col.FEEDBACK_MODE])}。",
    ]
    if _text(item[Col.REQUIREMENTS]):
        facts.append(f"工作要求：{_text(item[Col.REQUIREMENTS]).rstrip('。')}。")

    ext = extension_outcomes(ledger, as_of)
    ext = _on_or_before(ext[ext[Col.ITEM_NO] == item_no], Col.APPLIED, as_of).sort_values([Col.APPLIED, ROW])
    extensions = [{
        "applied": _day(r[Col.APPLIED], as_of.year), "new": _day(r[Col.NEW_DEADLINE], as_of.year), "cause": _text(r[Col.CAUSE]),
        "approval": (_text(r[Col.APPROVER]) + " " if _text(r[Col.APPROVER]) else "") + _text(r[Col.APPROVAL])
        + (f"（{_day(r[Col.APPROVAL_DATE], as_of.year)}）" if pd.notna(r[Col.APPROVAL_DATE])
           and r[Col.APPROVAL_DATE] <= pd.Timestamp(as_of) else ""),
        "status": _JUDGED.get(r[EXTENSION_STATUS], _text(r[EXTENSION_STATUS])),
    } for r in ext.to_dict("records")]
    original = item[Col.DEADLINE]
    deadline_line = f"原定完成时限{format_date(original)}" + (
        f"，经批准延期，截至{format_date(as_of)}有效时限为{format_date(deadline)}。"
        if pd.notna(deadline) and deadline != original else "，未变更。")

    fb = ledger.feedback
    fb = _on_or_before(fb[fb[Col.ITEM_NO] == item_no], Col.FEEDBACK_DATE, as_of).sort_values([Col.FEEDBACK_DATE, ROW])
    defects = material_defects(fb)
    reports = [{
        "date": _day(r[Col.FEEDBACK_DATE], as_of.year), "kind": _text(r[Col.FEEDBACK_TYPE]),
        "progress": f"{_text(r[Col.REPORTER])}：{_text(r[Col.PROGRESS])}",
        "check": _text(r[Col.CHECK_RESULT]) + (f"，{_text(r[Col.PACE])}" if _text(r[Col.PACE]) else ""),
        "note": "；".join(p for p in (_text(r[Col.CHECK_NOTE]), f"材料问题：{defects[i]}" if defects[i] else "",
                                      "弄虚作假" if r[Col.FALSIFIED] == YES else "") if p),
    } for i, r in fb.iterrows()]

    log = ledger.frames[Sheet.REMINDER_LOG]
    log = _on_or_before(log[log[Col.ITEM_NO] == item_no], Col.REMIND_DATE, as_of).sort_values([Col.REMIND_DATE, ROW])
    reminders = [{
        "date": _day(r[Col.REMIND_DATE], as_of.year), "method": _text(r[Col.REMIND_METHOD]), "unit": _text(r[Col.UNIT]),
        "content": _text(r[Col.REMIND_CONTENT]) + ("（已报告县政府领导）" if r[Col.REPORTED] == YES else ""),
        "reply": _text(r[Col.REPLY]),
    } for r in log.to_dict("records")]

    status = _status(item, deadline, as_of, fb)
    office = office_name(ledger.params.county)
    date = workday_on_or_after(as_of)
    return {
        "issue": f"{number}",
        "office_full": office,
        "date": format_date(date),
        "title": title_lines(f"关于{number}交办事项办理情况的专报"),
        "opening": f"现将{number}交办单（{subject.rstrip('。')}）截至{format_date(as_of)}的办理情况报告如下：",
        "facts": facts, "deadline_line": deadline_line, "extensions": extensions,
        "reports": reports, "reminders": reminders, "status": status,
        "file_name": safe_filename(f"督查专报_{number}_{as_of:%Y%m%d}.docx"),
    }


def _status(item: pd.Series, deadline: pd.Timestamp, as_of: dt.date, fb: pd.DataFrame) -> list[str]:
    """Where the item stands on ``as_of`` and what is still open (二（五）核查, 三（二）)."""
    today, done = pd.Timestamp(as_of), item[Col.DONE]
    lines = []
    if pd.notna(done) and done <= today:
        on_time = pd.notna(deadline) and done <= deadline
        lines.append(f"该事项已于{format_date(done)}办结，" + ("在有效时限内。" if on_time else "超过有效时限。"))
    elif pd.notna(deadline) and deadline < today:
        reason = ("，已认定有正当理由" if item[Col.OVERDUE_REASON] == OverdueReason.JUSTIFIED
                  else "，未认定正当理由，按三（二）扣分")
        lines.append(f"该事项尚未办结，已超过有效时限{(today - deadline).days}天{reason}。")
    elif pd.notna(deadline):
        lines.append(f"该事项正在办理，距有效时限还有{(deadline - today).days}天。")
    problems = [_text(p) for p in fb.get(Col.PROBLEMS, pd.Series(dtype=object)) if _text(p)]
    if problems:
        lines.append(f"承办单位最近报告的存在问题：{problems[-1].rstrip('。')}。")
    lagging = fb[fb[Col.PACE] == Pace.LAGGING]
    if len(lagging):
        lines.append(f"核查中{len(lagging)}次评定进度滞后（最近一次{format_date(lagging[Col.FEEDBACK_DATE].iloc[-1])}）。")
    if not (pd.notna(done) and done <= today):
        lines.append("建议：督促承办单位加快推进，按时报送经主要负责人核签的书面报告；督查室继续跟踪督办。")
    return lines


def render_special_report(ledger: Ledger, item_no: str, as_of: dt.date, out_dir: Path,
                          templates_dir: Path | None = None) -> Path:
    """The 专报 of one item as a Word document in the official format."""
    context = special_report_context(ledger, item_no, as_of)
    return render_docx(tpl.SPECIAL_REPORT, context, Path(out_dir) / context["file_name"], templates_dir)
