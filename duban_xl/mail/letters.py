"""What the office's mail to a unit says: a 催办单 (二（三）).

Plain text a unit's clerk reads in a mail client: what is attached, what to
do with it and by when, and that the answer is a reply to this mail.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..contract import Col
from ..dates import cn_date
from .send import Letter

REMINDER = "催办单"


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
