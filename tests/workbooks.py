"""Build small ledger workbooks on disk for tests: contract headers, given rows.

Values are written as given: a ``datetime.date`` becomes a real Excel date, a
string stays text (so tests can type '2022.5.6' the way a clerk would).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from duban_xl.contract import DEFAULT_RULES, INPUT_SHEETS, PARAMS, SPECS, Col, Sheet

D = dt.date

UNITS = [
    {Col.UNIT_NAME: "浮云街道", Col.UNIT_CATEGORY: "乡镇（街道）"},
    {Col.UNIT_NAME: "紧水滩镇", Col.UNIT_CATEGORY: "乡镇（街道）"},
    {Col.UNIT_NAME: "县发展和改革局", Col.SHORT_NAME: "县发改局", Col.UNIT_CATEGORY: "县直部门"},
    {Col.UNIT_NAME: "县财政局", Col.UNIT_CATEGORY: "县直部门"},
    {Col.UNIT_NAME: "县创建办", Col.UNIT_CATEGORY: "临时机构", Col.PARENT_UNIT: "县发展和改革局"},
]

ITEM = {
    Col.ITEM_NO: "2022-001", Col.SOURCE: "民生实事", Col.SUBJECT: "推进城区停车位建设", Col.MAJOR: "否",
    Col.APPROVED_BY: "县政府办公室", Col.LEAD: "张三", Col.HOST: "县发展和改革局", Col.COHOSTS: "县财政局",
    Col.ASSIGNED: D(2022, 3, 1), Col.DEADLINE: D(2022, 6, 30), Col.FEEDBACK_MODE: "每月反馈",
}

DEFAULT_RULES_ROWS = [{Col.RULE_CODE: r.code, Col.CLAUSE: r.clause, Col.CONTENT: r.content, Col.POINTS: r.points,
                       Col.ENABLED: "是"} for r in DEFAULT_RULES]


def item(**changes) -> dict:
    row = dict(ITEM)
    row.update({getattr(Col, k) if k.isupper() else k: v for k, v in changes.items()})
    return row


def write_ledger(path: Path, sheets: dict[str, list[dict]] | None = None, *, drop: tuple[str, ...] = (),
                 header_row: int = 1) -> Path:
    """A ledger workbook with every input sheet; ``sheets`` gives rows per sheet name."""
    sheets = dict(sheets or {})
    sheets.setdefault(Sheet.UNITS, UNITS)
    sheets.setdefault(Sheet.ITEMS, [ITEM])
    sheets.setdefault(Sheet.PARAMS, [{Col.PARAM: p.name, Col.VALUE: p.default} for p in PARAMS])
    sheets.setdefault(Sheet.RULES, DEFAULT_RULES_ROWS)
    book = Workbook()
    book.remove(book.active)
    for spec in INPUT_SHEETS:
        if spec.name in drop:
            continue
        ws = book.create_sheet(spec.name)
        for _ in range(header_row - 1):
            ws.append([f"{spec.name}（标题行）"])
        ws.append(list(spec.names))
        for record in sheets.get(spec.name, []):
            ws.append([record.get(name) for name in spec.names])
    book.save(path)
    return path


__all__ = ["D", "UNITS", "ITEM", "item", "write_ledger", "SPECS", "DEFAULT_RULES_ROWS"]
