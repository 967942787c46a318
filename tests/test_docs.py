"""docs/评分示例.md must say what the code computes from the committed sample.

The page explains one unit's score to that unit line by line; if the sample or
the scoring changes and the page is not regenerated, a clerk would be shown
numbers the tool no longer produces. These tests read the page's own tables.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from duban_xl.reader import read_ledger
from duban_xl.contract import QUARTERS, Col
from duban_xl.score import ScoreResult, plain_number, quarter_ranking, score

ON_TIME, OVERDUE, SOURCE, SUM_POINTS = Col.ON_TIME_COUNT, Col.OVERDUE_COUNT, Col.EVIDENCE, Col.SUM_POINTS

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "评分示例.md"
SAMPLE = ROOT / "samples" / "云和县2022年督查台账.xlsx"
AS_OF = date(2022, 12, 31)
CHINESE_QUARTERS = "一二三四"


def _cell_text(token) -> str:
    """Plain text of a table cell, without ** emphasis marks."""
    return "".join(child.content for child in token.children or () if child.type in ("text", "code_inline")).strip()


def _tables(markdown: str) -> dict[str, list[list[str]]]:
    """Each table of the page (header row first) under the heading it follows."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables: dict[str, list[list[str]]] = {}
    heading, rows, in_heading = "", None, False
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "inline" and in_heading:
            heading, in_heading = token.content, False
        elif token.type == "table_open":
            rows = tables.setdefault(heading, [])
        elif token.type == "tr_open" and rows is not None:
            rows.append([])
        elif token.type == "inline" and rows is not None:
            rows[-1].append(_cell_text(token))
        elif token.type == "table_close":
            rows = None
    return tables


def _number(text: str) -> float:
    """「+2」「−4」「**104**」「4 件」 → the number."""
    return float(re.sub(r"[^\d.\-+]", "", text.replace("−", "-")))


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def unit(page: str) -> str:
    match = re.match(r"# 评分示例：(\S+) ", page)
    assert match, "评分示例.md 的标题应为「# 评分示例：<单位名称> …」"
    return match.group(1)


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return score(read_ledger(SAMPLE), AS_OF)


@pytest.fixture(scope="module")
def tables(page: str) -> dict[str, list[list[str]]]:
    return _tables(page)


def _table(tables: dict[str, list[list[str]]], heading_start: str) -> list[list[str]]:
    found = [rows for heading, rows in tables.items() if heading.startswith(heading_start)]
    assert len(found) == 1, f"评分示例.md 应有且只有一个「{heading_start}」下的表格"
    return found[0]


def test_point_by_point_table_is_the_units_score_detail(tables, unit, result):
    header, *rows = _table(tables, "二、逐项说明")
    assert header == ["日期", "季度", "规则", "条款", "分值", "说明（程序生成）", "台账依据"]
    on_page = Counter((day, quarter, code, clause, _number(points), note, cells)
                      for day, quarter, code, clause, points, note, cells in rows)
    mine = result.detail[result.detail[Col.SCORING_UNIT] == unit]
    computed = Counter(zip(mine[Col.DATE].dt.strftime("%Y-%m-%d"), mine[Col.QUARTER], mine[Col.RULE_CODE],
                           mine[Col.CLAUSE], mine[Col.POINTS].astype(float), mine[Col.NOTE], mine[SOURCE]))
    assert len(mine) > 0, f"示例台账中没有「{unit}」的得分明细"
    assert on_page == computed, (
        f"页面多出的行：{sorted(on_page - computed)}\n程序算出但页面缺少的行：{sorted(computed - on_page)}")


def test_conclusion_table_is_the_units_ranking_row(tables, unit, result):
    ranking = result.ranking.set_index(Col.UNIT)
    row = ranking.loc[unit]
    group = row[Col.UNIT_CATEGORY]
    header, values, *more = _table(tables, "一、结论")
    assert not more
    assert header == ["基准分", "一季度", "二季度", "三季度", "四季度", "累计加减分", "总分", f"{group}排名",
                      "按时办结", "逾期未办结", "评优资格"]
    base, q1, q2, q3, q4, total_points, total, rank, on_time, overdue, eligibility = values
    group_size = int((ranking[Col.UNIT_CATEGORY] == group).sum())
    assert rank == f"第 {row[Col.RANK]} 名（共 {group_size} 个{group}）"
    assert _number(total) == row[Col.TOTAL]
    assert [_number(v) for v in (base, q1, q2, q3, q4, total_points)] == [
        row[Col.BASE], *(row[q] for q in QUARTERS), row[SUM_POINTS]]
    assert [_number(on_time), _number(overdue)] == [row[ON_TIME], row[OVERDUE]]
    assert eligibility == row[Col.ELIGIBILITY]


def test_quarter_end_ranks_sentence(page, unit, result):
    stated = re.findall(r"([一二三四])季度末 ([\d.]+) 分第 (\d+) 名", page)
    computed = []
    for quarter in (1, 2, 3, 4):
        table = quarter_ranking(result, quarter).set_index(Col.UNIT)
        computed.append((CHINESE_QUARTERS[quarter - 1], f"{plain_number(table.at[unit, Col.TOTAL])}",
                         f"{table.at[unit, Col.RANK]}"))
    assert stated == computed
