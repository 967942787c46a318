"""What the office's mail to a unit says: the 报送表 of a month, a 催办单, a 得分告知单 (二（三）、（四）, 三).

Plain text a unit's clerk reads in a mail client: what is attached, what to
do with it and by when, and that the answer is a reply to this mail.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..contract import Col, RemindMethod, Sheet
from ..dates import cn_date, day_of_month, parse_month, workday_on_or_before
from .send import Letter

FORMS, REMINDER, STATEMENT = "报送表", "催办单", "得分告知单"


def form_letters(issued: Iterable[tuple[str, Path]], month: str, due_day: int, office: str,
                 slips: dict[str, Path] | None = None) -> list[Letter]:
    """二（四）: each unit's 报送表 for ``month``, due by 月度反馈截止日 (the working day on or before it);
    二（三）: with the unit's 催办单 attached when ``slips`` has one for it."""
    first, _ = parse_month(month)
    due = workday_on_or_before(day_of_month(first.year, first.month, due_day))
    slips = slips or {}
    letters = []
    for unit, path in issued:
        slip = (f"    你单位另有督查事项需抓紧办理，催办单一并附上，请一并落实。\n" if unit in slips else "")
        body = (f"{unit}：\n\n"
                f"    现将{first.year}年{first.month}月督查事项报送表发给你单位（见附件），请按表头说明填写办理进展、"
                f"存在问题、下步工作安排等内容，经单位负责人核签后，于{cn_date(due)}前直接回复本邮件，"
                "把填好的报送表作为附件发回；书面反馈报告（.docx）可一并附上。\n"
                "    表中灰色锁定的内容请勿改动，否则报送表将被退回。收到后系统会自动回复回执。\n"
                f"{slip}\n{office}")
        files = (path, slips[unit]) if unit in slips else (path,)
        letters.append(Letter(unit, FORMS, month, f"{unit}{first.year}年{first.month}月督查事项报送表（请于{cn_date(due)}前报回）",
                              body, files))
    return letters


def sent_log_rows(letters: Sequence[Letter], day: dt.date) -> dict:
    """催办记录 (二（三）) of a --send: one 邮件 row per unit that has its letter today.

    Keyed by 经办人 «duban自动发送<kind>（day）», so a same-day re-run replaces its own rows.
    """
    handler = f"duban自动发送{letters[0].kind}（{day:%Y-%m-%d}）"
    rows = [{Col.REMIND_DATE: day, Col.ITEM_NO: None, Col.UNIT: letter.unit, Col.REMIND_METHOD: RemindMethod.MAIL,
             Col.REMIND_CONTENT: f"邮件发送：{letter.subject}", Col.HANDLER: handler, Col.REPLY: None,
             Col.REPORTED: None} for letter in letters]
    return {"sheet": Sheet.REMINDER_LOG, "key_column": Col.HANDLER, "key_value": handler, "rows": rows}


def reminder_letters(rows: pd.DataFrame, documents: dict[str, Path], as_of: dt.date, office: str) -> list[Letter]:
    """二（三）: each unit's items to chase, one line each, with its 催办单 attached."""
    letters = []
    for unit, group in rows.groupby(Col.UNIT, sort=False):
        items = "\n".join(f"    {rec[Col.ITEM_NO]} {rec[Col.SUBJECT]}：{rec[Col.NOTE]}"
                          for rec in group.to_dict("records"))
        body = (f"{unit}：\n\n    截至{cn_date(as_of)}，你单位以下督查事项需要抓紧办理并按时反馈（催办单见附件）：\n\n"
                f"{items}\n\n    请按要求办理，并按时报送办理情况。\n\n{office}")
        files = (documents[unit],) if unit in documents else ()
        letters.append(Letter(unit, REMINDER, as_of.isoformat(), f"督查事项催办单：{unit}（{cn_date(as_of)}）",
                              body, files))
    return letters


def statement_letters(statements: Sequence, files: dict[str, tuple[Path, ...]], office: str) -> list[Letter]:
    """三、考评标准: each unit its 得分告知单 of the quarter (Word and xlsx), with the score in the text."""
    letters = []
    for s in statements:
        quarter = f"{s.year}年第{s.quarter}季度"
        body = (f"{s.unit}：\n\n    现将你单位{quarter}督查工作得分告知单发给你单位（见附件）：截至{cn_date(s.as_of)}，"
                f"得分 {s.total:g} 分，在{s.category}中排第 {s.rank} 名（共 {s.group_size} 个单位）。"
                "每一项加扣分的日期、事项、依据和说明见附件。\n"
                f"    如有异议，请于{cn_date(s.objection_by)}前向督查室书面提出。\n\n"
                f"{office}")
        letters.append(Letter(s.unit, STATEMENT, f"{s.year}Q{s.quarter}", f"得分告知单：{s.unit}（{quarter}）",
                              body, files.get(s.unit, ())))
    return letters
