"""Does a returned feedback report follow the 附件 «交办事项反馈报告格式要求»?

三（三） deducts a point for 反馈材料不符合格式要求, so the office checks each
returned .docx before 核查: the title «××单位关于云和县人民政府督查室2022年12号
交办单办理情况的报告», the addressee «县人民政府督查室：», the sections 一、办理事项
/ 二、办理进展情况 / 三、下步工作安排 in order and actually written (not the
form's ×××××× placeholders), the 落款 (unit, 盖章) and a date like
2022年7月1日 after it. Problems are plain Chinese sentences a clerk can pass on.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from .docx_templates import FORM_ADDRESSEE as ADDRESSEE
from .docx_templates import FORM_PLACEHOLDER
from .docx_templates import FORM_SECTIONS as SECTIONS
from .contract import format_item_no
from .errors import NotADocument
from .xlsx.safety import check_document_file

PLACEHOLDER_MARK = FORM_PLACEHOLDER[:2]  # ××, also when a unit shortened the run of ×
SEAL = ("（盖章）", "(盖章)")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_BLANK_DATE = re.compile(r"^(\d{4}|20××|)年(\d{0,2})月(\d{0,2})日$")
_ITEM_NO = re.compile(r"^(20\d{2})年([1-9]\d{0,5})号$")  # as many digits as the ledger allows
_SPACES = re.compile(r"\s+")


@dataclass
class ReportCheck:
    """The verdict on one returned report."""

    path: Path
    ok: bool = False  # True when no problem was found
    item_no: str | None = None  # "2022-012", read from the title
    unit: str | None = None  # the reporting unit, read from the title
    problems: list[str] = field(default_factory=list)


def _lines(path: Path) -> list[str]:
    """The report's non-empty paragraphs in order (table cells included), without spaces."""
    check_document_file(path)  # bounded, no DTD, well-formed: before python-docx reads anything
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NotADocument(f"“{path.name}”不是可以读取的 Word 文档（.docx）。如果是 .doc 或 WPS 格式，"
                           f"请在 Word/WPS 中“另存为”.docx 后再检查。", f"{path.name}: {exc}") from exc
    texts: list[str] = []
    for block in document.iter_inner_content():
        paragraphs = ([p for row in block.rows for cell in row.cells for p in cell.paragraphs]
                      if isinstance(block, Table) else [block])
        texts.extend(_SPACES.sub("", p.text) for p in paragraphs)
    return [t for t in texts if t]


def _find(lines: list[str], predicate, start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if predicate(lines[i])), None)


def _is_date_line(line: str) -> bool:
    return bool(_DATE.match(line) or _BLANK_DATE.match(line))


def _check_title(title: str, county: str, result: ReportCheck,
                 expected_item_no: str | None, known_item_nos: Collection[str] | None) -> None:
    office = f"{county}人民政府督查室"
    shape = re.match(rf"^(?P<unit>.*?)关于{re.escape(office)}(?P<no>.*?)交办单办理情况的报告$", title)
    if not shape:
        result.problems.append(f"标题格式不对，应为“××单位关于{office}2022年12号交办单办理情况的报告”，"
                               f"现在是“{title}”")
        return
    result.unit = shape["unit"] or None
    if not result.unit:
        result.problems.append("标题开头缺少报告单位名称（“××单位关于……”）")
    number = _ITEM_NO.match(shape["no"])
    if not number:
        result.problems.append(f"标题中的交办单号格式不对，应为“2022年12号”形式，现在是“{shape['no']}”")
        return
    result.item_no = f"{number[1]}-{int(number[2]):03d}"
    shown = format_item_no(result.item_no)
    if expected_item_no and result.item_no != expected_item_no:
        result.problems.append(f"标题中的交办单号是“{shown}”，但本报告应反馈“{format_item_no(expected_item_no)}”交办单")
    elif known_item_nos is not None and result.item_no not in known_item_nos:
        result.problems.append(f"标题中的交办单号“{shown}”在督查台账中不存在，请核对")


def _check_date(line: str, result: ReportCheck) -> None:
    filled = _DATE.match(line)
    if not filled:
        result.problems.append("落款日期未填写完整，应写成“2022年7月1日”形式")
        return
    try:
        dt.date(int(filled[1]), int(filled[2]), int(filled[3]))
    except ValueError:
        result.problems.append(f"落款日期“{line}”不是有效日期")


def check_report(path: Path, county: str = "云和县", expected_item_no: str | None = None,
                 known_item_nos: Collection[str] | None = None) -> ReportCheck:
    """Check one returned report against the 附件 format; ``result.ok`` when no problem was found.

    ``expected_item_no`` ("2022-012") demands that number in the title;
    ``known_item_nos`` demands one that exists in the ledger.
    """
    path = Path(path)
    result = ReportCheck(path)
    lines = _lines(path)
    if lines:
        _inspect(lines, county, expected_item_no, known_item_nos, result)
    else:
        result.problems.append("文档是空的，没有报告内容")
    result.ok = not result.problems
    return result


def _inspect(lines: list[str], county: str, expected_item_no: str | None,
             known_item_nos: Collection[str] | None, result: ReportCheck) -> None:
    """Walk the report top to bottom: title, addressee, sections, 落款, date."""

    addressee = _find(lines, lambda s: s.endswith(("：", ":")) and "如下" not in s)
    heads = [_find(lines, lambda s, h=h: s.startswith(h)) for h in SECTIONS]
    body_start = addressee if addressee is not None else next((h for h in heads if h is not None), len(lines))
    title_start = _find(lines[:body_start], lambda s: "关于" in s)
    if title_start is None:
        result.problems.append(f"缺少标题，应为“××单位关于{county}人民政府督查室2022年12号交办单办理情况的报告”")
    else:
        end = _find(lines[:body_start], lambda s: s.endswith("报告"), title_start)
        end = end if end is not None and end - title_start <= 2 else title_start  # a title may wrap
        _check_title("".join(lines[title_start:end + 1]), county, result, expected_item_no, known_item_nos)

    if addressee is None:
        result.problems.append(f"缺少主送机关“{ADDRESSEE}”")
    elif lines[addressee].replace(":", "：") != ADDRESSEE:
        result.problems.append(f"主送机关应为“{ADDRESSEE}”，现在是“{lines[addressee]}”")

    for heading, index in zip(SECTIONS, heads):
        if index is None:
            result.problems.append(f"缺少“{heading}”部分")
    found = [i for i in heads if i is not None]
    if found != sorted(found):
        result.problems.append("“一、办理事项”“二、办理进展情况”“三、下步工作安排”三部分的顺序不对")

    last_head = max(found) if found else body_start
    date_at = next((i for i in range(len(lines) - 1, last_head, -1) if _is_date_line(lines[i])), None)
    tail_end = date_at if date_at is not None else len(lines)
    signature = next((i for i in range(tail_end - 1, last_head, -1)
                      if lines[i].endswith(SEAL) or (result.unit and lines[i].endswith(result.unit))), None)
    if signature is None:
        result.problems.append("缺少落款（单位名称并加盖公章，写作“××单位（盖章）”）")
    if date_at is None:
        result.problems.append("缺少落款日期，应写成“2022年7月1日”形式")
    else:
        _check_date(lines[date_at], result)

    if addressee is not None and found:
        opening = lines[addressee + 1:min(found)]
        if any(PLACEHOLDER_MARK in s for s in opening):
            result.problems.append("开头一段还是“××××××”占位文字，请填写实际内容")
    content_end = signature if signature is not None else tail_end
    ordered = sorted((i, h) for h, i in zip(SECTIONS, heads) if i is not None)
    for n, (index, heading) in enumerate(ordered):
        stop = ordered[n + 1][0] if n + 1 < len(ordered) else content_end
        content = [lines[index][len(heading):].lstrip("：:")] + lines[index + 1:stop]
        content = [s for s in content if s]
        if not content:
            result.problems.append(f"“{heading}”部分没有内容")
        elif any(PLACEHOLDER_MARK in s for s in content):
            result.problems.append(f"“{heading}”部分还是“××××××”占位文字，请填写实际内容")
