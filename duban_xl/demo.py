"""`duban demo`: one month of the office's work, run on the bundled sample ledger.

June 2022 as the 督查室 would do it: check the ledger, issue the month's
交办单, send 催办 before the 5th-of-month and deadline dates, pre-fill a
feedback form, publish the bulletin (一月一通报), score and rank the quarter,
and archive the month. Everything lands in one folder a clerk could send out.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Callable

import pandas as pd

from . import api
from .bundled import sample_ledger
from .contract import Col
from .errors import FolderNotEmpty
from .reader import read_ledger

MONTH = "2022-06"
MARKER = ".duban_demo"


def _fresh_folder(folder: Path) -> None:
    """Start clean, but only ever delete a folder the demo made itself."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise FolderNotEmpty(f"演示输出目录「{folder}」不是空的，也不是演示建立的；请换一个目录。",
                                  f"demo folder {folder} is not empty")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("duban demo output\n", encoding="utf-8")


def run_demo(folder: Path, progress: Callable[[str], None] | None = None, sample: Path | None = None) -> list[str]:
    """Run the month on ``sample`` (default: the shipped sample ledger); return the lines to show."""
    sample = sample or sample_ledger()
    folder = Path(folder).resolve()
    _fresh_folder(folder)
    ledger_path = folder / sample.name
    shutil.copyfile(sample, ledger_path)
    lines = [f"示例台账（副本）：{ledger_path}"]
    year_end, month_end = dt.date(2022, 12, 31), dt.date(2022, 6, 30)

    checked = api.validate_workbook(ledger_path, year_end, write="copy", progress=progress)
    lines.append(f"1. 校验：{checked.report.summary()} 校验结果：{checked.written.name}")

    items = read_ledger(ledger_path).items
    june = items[(items[Col.ASSIGNED] >= pd.Timestamp(2022, 6, 1)) & (items[Col.ASSIGNED] <= pd.Timestamp(month_end))]
    slips = api.make_slips(ledger_path, list(june[Col.ITEM_NO]), as_of=month_end, progress=progress)
    lines.append(f"2. 交办单：{len(slips)} 份（6月交办的事项）")

    reminders = api.make_reminders(ledger_path, dt.date(2022, 6, 24), progress=progress)  # a Friday
    lines.append(f"3. 催办：{len(reminders.rows)} 条，催办单 {len(reminders.documents)} 份，清单 "
                 f"{reminders.workbook.name if reminders.workbook else '无'}")

    form = api.make_feedback_form(ledger_path, june[Col.ITEM_NO].iloc[0], as_of=month_end, progress=progress)
    lines.append(f"4. 反馈报告（预填）：{form.name}")

    issued = api.issue_bulletin(ledger_path, MONTH, progress=progress)
    b = issued.bulletin
    lines.append(f"5. 月度通报 {b.issue}：逾期未办结 {len(b.overdue)} 项，进度滞后 {len(b.lagging)} 项，"
                 f"未按时反馈 {len(b.late_feedback)} 项，表扬 {len(b.praise)} 次；{issued.document.name}；"
                 f"台账已写入「月度通报」表和通报记录")

    month_dir = api.month_folder(ledger_path, MONTH)
    scoring = api.score_workbook(ledger_path, month_end, write="in_place", csv_dir=month_dir, progress=progress)
    top = scoring.result.ranking.groupby(Col.UNIT_CATEGORY, sort=False).first()
    leaders = "；".join(f"{group}第一名 {row[Col.UNIT]}（{row[Col.TOTAL]:g}分）" for group, row in top.iterrows())
    lines.append(f"6. 考评赋分（截至{month_end:%Y-%m-%d}）：{len(scoring.result.detail)} 条得分明细；{leaders}")

    _, ranking_doc = api.rank_quarter(ledger_path, "2022Q2", progress=progress)
    lines.append(f"7. 季度排名通报：{ranking_doc.name}")

    archive = api.archive_month(ledger_path, MONTH, progress=progress)
    problems = api.verify_archive(archive)
    lines.append(f"8. 归档：{archive.name}（{'校验完整' if not problems else '；'.join(problems)}）")
    lines.append(f"全部输出在：{month_dir}")
    return lines
