"""Scoring and quarterly ranking (三、考评标准), exact and explainable.

Every point is one dated row of 得分明细 with a plain Chinese sentence and the
ledger cells behind it (来源), so a clerk can read any unit its score line by
line. The ranking is nothing but 基准分 plus the sum of those rows (SPEC
«Scoring»). Pure over a ``Ledger`` and an as-of date; no I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .contract import (
    DETAIL_SHEET_COLUMNS, EVENT_RULES, NO, QUARTERS, RANKING_COLUMNS, RULE_CODES, SCORE_DETAIL_COLUMNS, YES,
    CheckResult, Col,
    Eligibility, FeedbackType, NoticeType, OverdueReason, Sheet, UnitCategory,
)
from .deadlines import EFFECTIVE, counted_extensions, effective_deadlines
from .dates import quarter_end
from .defects import material_defects
from .errors import MissingRule
from .ledger import ROW, Ledger


# Columns every rule's raw points carry before rule values are applied.
_RAW = [Col.UNIT, Col.ITEM_NO, Col.DATE, Col.RULE_CODE, Col.NOTE, Col.EVIDENCE, Col.POINTS]


@dataclass
class ScoreResult:
    """Points of the year up to ``as_of`` and the per-group ranking built from them."""

    as_of: date
    year: int
    base: float
    detail: pd.DataFrame  # 得分明细: DETAIL_SHEET_COLUMNS
    ranking: pd.DataFrame  # 季度排名: RANKING_COLUMNS
    units: pd.DataFrame = field(default_factory=pd.DataFrame)  # ranked units (单位, 单位类别) in 单位 sheet order
    veto_count: int = 3


# ---- small helpers -------------------------------------------------------------

def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d") if pd.notna(value) else ""


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _where(ledger: Ledger, sheet: str, rows: pd.Series, column: str) -> pd.Series:
    """「反馈记录」C12 for each row number — the cells behind the points (empty where no row)."""
    letter = ledger.letter(sheet, column)
    numbers = pd.to_numeric(rows).astype("Int64").astype(str)
    return (f"「{sheet}」{letter}" + numbers).where(rows.notna(), "").astype(object)


def _days(values: pd.Series) -> pd.Series:
    """Dates as 2022-06-30 text ("" when empty), for 说明 sentences."""
    return values.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def _join(*parts: pd.Series) -> list[str]:
    """Evidence cells joined with ；, skipping empty ones."""
    return ["；".join(p for p in cells if p) for cells in zip(*parts)]


def _raw(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reindex(columns=_RAW)


def rule_table(ledger: Ledger) -> pd.DataFrame:
    """规则 sheet → code-indexed 分值 / 条款 / enabled. A missing rule is a programming guard:
    validation reports it to the clerk first."""
    rules = ledger.rules.drop_duplicates(Col.RULE_CODE).set_index(Col.RULE_CODE)
    for code in RULE_CODES:
        if code not in rules.index or pd.isna(rules.at[code, Col.POINTS]):
            raise MissingRule(f"「规则」工作表缺少规则 {code} 或其分值为空，请按模板补全这一行后再计分。")
    table = pd.DataFrame({
        Col.POINTS: rules[Col.POINTS].astype(float),
        Col.CLAUSE: rules[Col.CLAUSE],
        "enabled": rules[Col.ENABLED] != NO,
    })
    return table.loc[list(RULE_CODES)]


# ---- 三（二）: completion of items ------------------------------------------------

def _item_facts(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """One row per item: deadline D in force on ``as_of``, 办结日期, first counted 办结反馈, evidence cells."""
    items = ledger.items.drop_duplicates(Col.ITEM_NO)[[Col.ITEM_NO, Col.DONE, Col.OVERDUE_REASON, ROW]]
    items = items[items[Col.ITEM_NO].notna()].copy()
    items[EFFECTIVE] = effective_deadlines(ledger, as_of).reindex(items[Col.ITEM_NO]).to_numpy()
    # The deadline in force comes from the last counted extension, else from 台账 完成时限 (二（五）).
    last_ext = (counted_extensions(ledger, as_of).drop_duplicates(Col.ITEM_NO, keep="last")
                .set_index(Col.ITEM_NO)[ROW])
    ext_rows = pd.Series(last_ext.reindex(items[Col.ITEM_NO]).to_numpy(), index=items.index)
    ext_cell = _where(ledger, Sheet.EXTENSIONS, ext_rows, Col.NEW_DEADLINE)
    items["deadline_cell"] = ext_cell.where(ext_cell != "", _where(ledger, Sheet.ITEMS, items[ROW], Col.DEADLINE))
    items["done_cell"] = _where(ledger, Sheet.ITEMS, items[ROW].where(items[Col.DONE].notna()), Col.DONE)
    fb = ledger.feedback
    # 三（二）: a 办结反馈 returned (退回) by the office does not count; a later resubmission does.
    counted = fb[(fb[Col.FEEDBACK_TYPE] == FeedbackType.COMPLETION) & (fb[Col.CHECK_RESULT] != CheckResult.RETURNED)
                 & fb[Col.FEEDBACK_DATE].notna()]
    first = (counted.sort_values([Col.FEEDBACK_DATE, ROW], kind="stable").drop_duplicates(Col.ITEM_NO)
             [[Col.ITEM_NO, Col.FEEDBACK_DATE, ROW]].rename(columns={ROW: "fb_row"}))
    items = items.merge(first, on=Col.ITEM_NO, how="left")
    items["fb_cell"] = _where(ledger, Sheet.FEEDBACK, items["fb_row"], Col.FEEDBACK_DATE)
    return items


def _completion_points(ledger: Ledger, item_units: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """R2A, R2B, R2C, R2E per item, then copied to every unit of the item (均实行一样的加分或扣分).

    D is the deadline in force on ``as_of`` (SPEC «Time-true views»): a later approval may
    change a point when a later as-of date sees it; the year-end score is the final one.
    """
    f = _item_facts(ledger, as_of)
    deadline, done, fed = f[EFFECTIVE], f[Col.DONE], f[Col.FEEDBACK_DATE]
    done_in_time = done.notna() & deadline.notna() & (done <= deadline)
    fed_in_time = fed.notna() & (fed <= deadline)
    early = done <= deadline - pd.Timedelta(days=ledger.params.early_days)
    day_after = deadline + pd.Timedelta(days=1)
    no, d_text, done_text, fed_text = f[Col.ITEM_NO].astype(object), _days(deadline), _days(done), _days(fed)
    facts = "（有效时限" + d_text + "，办结" + done_text
    sources = pd.Series(_join(f["deadline_cell"], f["done_cell"], f["fb_cell"]), index=f.index, dtype=object)
    overdue_sources = pd.Series(_join(f["deadline_cell"], f["done_cell"]), index=f.index, dtype=object)

    def rows(mask: pd.Series, code: str, when: pd.Series, note: pd.Series, cells: pd.Series = sources) -> pd.DataFrame:
        return pd.DataFrame({Col.ITEM_NO: no[mask], Col.DATE: when[mask], Col.RULE_CODE: code,
                             Col.NOTE: note[mask], Col.EVIDENCE: cells[mask]})

    a = done_in_time & fed_in_time
    days_early = (deadline - done).dt.days.astype("Int64").astype(str)
    late_feedback = ("，办结反馈" + fed_text + "才报送）").where(fed.notna(), "，截至有效时限未收到合格的办结反馈）")
    open_or_late = ("，办结" + done_text + "）").where(done.notna(), "，有效时限内未办结）")
    per_item = pd.concat([
        rows(a, "R2A", fed, no + " 按时办结并按时反馈" + facts + "，反馈" + fed_text + "）"),
        rows(a & early, "R2B", fed, no + " 提前办结并反馈" + facts + "，提前" + days_early + "天）"),
        rows(done_in_time & ~fed_in_time, "R2C", day_after, no + " 按时办结但未按时反馈" + facts + late_feedback),
        rows(deadline.notna() & ~done_in_time & (f[Col.OVERDUE_REASON] != OverdueReason.JUSTIFIED), "R2E", day_after,
             no + " 未按时完成且无正当理由（有效时限" + d_text + open_or_late, overdue_sources),
    ], ignore_index=True)
    return _raw(per_item.merge(item_units, on=Col.ITEM_NO))


def _notice_points(ledger: Ledger) -> pd.DataFrame:
    """R2D: each 通报记录 row of 进度滞后 / 逾期未办结 costs its 单位 one point (每通报1次扣1分)."""
    n = ledger.notices
    n = n[n[Col.NOTICE_TYPE].isin(NoticeType.PENALISED) & n[Col.UNIT].notna() & n[Col.NOTICE_DATE].notna()]
    return _raw(pd.DataFrame({
        Col.UNIT: n[Col.UNIT], Col.ITEM_NO: n[Col.ITEM_NO], Col.DATE: n[Col.NOTICE_DATE], Col.RULE_CODE: "R2D",
        Col.NOTE: [(f"{_text(no)} " if _text(no) else "") + f"被{_text(issue)}通报{kind}"
                   for no, issue, kind in zip(n[Col.ITEM_NO], n[Col.ISSUE], n[Col.NOTICE_TYPE])],
        Col.EVIDENCE: _where(ledger, Sheet.NOTICES, n[ROW], Col.NOTICE_TYPE),
    }))


def _feedback_points(ledger: Ledger) -> pd.DataFrame:
    """R3A 材料问题 and R3B 弄虚作假 of a 反馈记录 row, charged to its 反馈单位 alone (三（三）).

    R3A is once per report (每件), however many defects it has; its 说明 names them.
    """
    fb = ledger.feedback
    dated = fb[Col.REPORTER].notna() & fb[Col.FEEDBACK_DATE].notna()
    defects = material_defects(fb)
    # the cell behind R3A: 材料问题, or the previous template's 格式不符 when only that says so
    listed = fb[Col.MATERIAL_DEFECTS].notna()
    cells = _where(ledger, Sheet.FEEDBACK, fb[ROW], Col.MATERIAL_DEFECTS).where(
        listed, _where(ledger, Sheet.FEEDBACK, fb[ROW], Col.BAD_FORMAT))
    parts = []
    for mask, code, what in ((defects != "", "R3A", None), (fb[Col.FALSIFIED] == YES, "R3B", "报送内容弄虚作假")):
        sub = fb[mask & dated]
        whats = [what or f"材料问题：{d}" for d in defects[sub.index]]
        parts.append(pd.DataFrame({
            Col.UNIT: sub[Col.REPORTER], Col.ITEM_NO: sub[Col.ITEM_NO], Col.DATE: sub[Col.FEEDBACK_DATE],
            Col.RULE_CODE: code,
            Col.NOTE: [f"{no} {_day(d)}报送的{_text(kind)}{w}" + (f"（核查意见：{_text(note)}）" if _text(note) else "")
                       for no, d, kind, w, note in zip(sub[Col.ITEM_NO], sub[Col.FEEDBACK_DATE], sub[Col.FEEDBACK_TYPE],
                                                       whats, sub[Col.CHECK_NOTE])],
            Col.EVIDENCE: cells[sub.index] if code == "R3A" else _where(ledger, Sheet.FEEDBACK, sub[ROW], Col.FALSIFIED),
        }))
    return _raw(pd.concat(parts, ignore_index=True))


def _event_points(ledger: Ledger, rules: pd.DataFrame, item_units: pd.DataFrame) -> pd.DataFrame:
    """R1, R4A–R4G, R5 from 加扣分事件 (三（一）（四）（五）).

    An event without 单位 but with 交办单号 applies to every unit of that item. R5 deducts the
    event's own 分值 (absolute value), multiplied by the R5 rule value when 弄虚作假=是 (加倍扣分).
    """
    ev = ledger.events.copy()
    ev[Col.RULE_CODE] = ev[Col.EVENT_TYPE].map(EVENT_RULES)
    ev = ev[ev[Col.RULE_CODE].notna() & ev[Col.DATE].notna()]
    ev = ev[(ev[Col.RULE_CODE] != "R5") | ev[Col.POINTS].notna()]
    falsified = ev[Col.FALSIFIED] == YES
    factor = falsified.map({True: abs(rules.at["R5", Col.POINTS]), False: 1.0})
    r5 = ev[Col.RULE_CODE] == "R5"
    ev["value"] = (-ev[Col.POINTS].abs() * factor).where(r5)
    ev[Col.NOTE] = [
        (f"{_text(no)} " if _text(no) else "") + f"{kind}" + (f"：{_text(why)}" if _text(why) else "")
        + (f"（{_text(basis)}）" if _text(basis) else "")
        + ((f"，扣{abs(amount):g}分" + (f"，弄虚作假按{abs(rules.at['R5', Col.POINTS]):g}倍扣分" if fake else ""))
           if code == "R5" else "")
        for no, kind, why, basis, code, amount, fake in zip(
            ev[Col.ITEM_NO], ev[Col.EVENT_TYPE], ev[Col.REASON], ev[Col.BASIS], ev[Col.RULE_CODE],
            ev[Col.POINTS], falsified)
    ]
    ev[Col.EVIDENCE] = _where(ledger, Sheet.EVENTS, ev[ROW], Col.EVENT_TYPE)
    named = ev[ev[Col.UNIT].notna()]
    by_item = ev[ev[Col.UNIT].isna() & ev[Col.ITEM_NO].notna()].drop(columns=[Col.UNIT]).merge(
        item_units, on=Col.ITEM_NO)
    both = pd.concat([named, by_item], ignore_index=True)
    return _raw(both.drop(columns=[Col.POINTS]).rename(columns={"value": Col.POINTS}))


# ---- putting it together ---------------------------------------------------------

DAY_AFTER_RULES = ("R2C", "R2E")  # dated D + 1 day


def _detail(ledger: Ledger, as_of: date) -> pd.DataFrame:
    rules = rule_table(ledger)
    item_units = ledger.item_units()[[Col.ITEM_NO, Col.UNIT]]
    raw = pd.concat([_completion_points(ledger, item_units, as_of), _notice_points(ledger), _feedback_points(ledger),
                     _event_points(ledger, rules, item_units)], ignore_index=True)
    raw[Col.DATE] = pd.to_datetime(raw[Col.DATE]).astype("datetime64[ns]")
    enabled = raw[Col.RULE_CODE].map(rules["enabled"]).astype(bool)
    in_scope = (raw[Col.DATE].dt.year == ledger.params.year) & (raw[Col.DATE] <= pd.Timestamp(as_of))
    # 三（二）: an item due on the year's last day and missed is a point of that year. R2C/R2E are
    # dated D+1 (known the day after D), which is 1 January: once as-of has reached it, date it D.
    year_end = pd.Timestamp(ledger.params.year, 12, 31)
    spills = (raw[Col.RULE_CODE].isin(DAY_AFTER_RULES) & (raw[Col.DATE] == year_end + pd.Timedelta(days=1))
              & (raw[Col.DATE] <= pd.Timestamp(as_of)))
    raw.loc[spills, Col.DATE] = year_end
    d = raw[enabled & (in_scope | spills)].copy()
    d[Col.POINTS] = d[Col.POINTS].astype(float).fillna(d[Col.RULE_CODE].map(rules[Col.POINTS]))
    credited = ledger.scoring_unit()
    d[Col.SCORING_UNIT] = [credited.get(u, u) for u in d[Col.UNIT]]
    d[Col.QUARTER] = "Q" + d[Col.DATE].dt.quarter.astype(str)
    d[Col.CLAUSE] = d[Col.RULE_CODE].map(rules[Col.CLAUSE])
    d[Col.ITEM_NO] = d[Col.ITEM_NO].astype(object).where(d[Col.ITEM_NO].notna(), "")
    d = d.sort_values([Col.DATE, Col.ITEM_NO, Col.RULE_CODE, Col.UNIT, Col.EVIDENCE], kind="stable")
    return d[list(DETAIL_SHEET_COLUMNS)].reset_index(drop=True)


def _ranked_units(ledger: Ledger) -> pd.DataFrame:
    """乡镇（街道） and 县直部门 units in 单位 sheet order (the order ties are listed in)."""
    u = ledger.units.sort_values(ROW, kind="stable")
    u = u[u[Col.UNIT_CATEGORY].isin(UnitCategory.RANKED)].drop_duplicates(Col.UNIT_NAME)
    return pd.DataFrame({Col.UNIT: u[Col.UNIT_NAME].to_numpy(), Col.UNIT_CATEGORY: u[Col.UNIT_CATEGORY].to_numpy()})


def _rank(detail: pd.DataFrame, units: pd.DataFrame, base: float, veto_count: int) -> pd.DataFrame:
    """季度排名: per group, total = 基准分 + points; equal totals share a rank (1, 2, 2, 4)."""
    quarters = (detail.groupby([Col.SCORING_UNIT, Col.QUARTER])[Col.POINTS].sum().unstack(fill_value=0.0)
                .reindex(index=units[Col.UNIT], columns=list(QUARTERS)).fillna(0.0))

    def count(code: str) -> pd.Series:
        counted = detail.loc[detail[Col.RULE_CODE] == code, Col.SCORING_UNIT].value_counts()
        return counted.reindex(units[Col.UNIT], fill_value=0).astype(int).to_numpy()

    table = units.copy()
    table[Col.BASE] = base
    for q in QUARTERS:
        table[q] = quarters[q].round(6).to_numpy()
    table[Col.SUM_POINTS] = quarters.sum(axis=1).round(6).to_numpy()
    table[Col.TOTAL] = (base + table[Col.SUM_POINTS]).round(6)
    table[Col.ON_TIME_COUNT] = count("R2A")
    table[Col.OVERDUE_COUNT] = count("R2E")
    table[Col.R2E_COUNT] = table[Col.OVERDUE_COUNT]
    table[Col.ELIGIBILITY] = [Eligibility.CANCELLED if n >= veto_count else Eligibility.NORMAL for n in table[Col.R2E_COUNT]]
    table["_order"] = range(len(table))
    groups = []
    for category in UnitCategory.RANKED:
        g = table[table[Col.UNIT_CATEGORY] == category].copy()
        g[Col.RANK] = g[Col.TOTAL].rank(method="min", ascending=False).astype(int)
        groups.append(g.sort_values([Col.RANK, "_order"], kind="stable"))
    return pd.concat(groups, ignore_index=True)[list(RANKING_COLUMNS)]


def score(ledger: Ledger, as_of: date) -> ScoreResult:
    """Score every unit for 年度 as of ``as_of`` (三、考评标准; SPEC «Scoring»)."""
    detail = _detail(ledger, as_of)
    units = _ranked_units(ledger)
    p = ledger.params
    return ScoreResult(as_of=as_of, year=p.year, base=float(p.base_score), detail=detail,
                       ranking=_rank(detail, units, float(p.base_score), p.veto_count),
                       units=units, veto_count=p.veto_count)


def quarter_ranking(result: ScoreResult, quarter: int) -> pd.DataFrame:
    """The ranking as it stood at the end of ``quarter`` (points dated ≤ quarter end), for 季度排名通报."""
    detail = result.detail[result.detail[Col.DATE] <= pd.Timestamp(quarter_end(result.year, quarter))]
    return _rank(detail, result.units, result.base, result.veto_count)


def plain_number(value: object) -> int | float:
    """Plain int where whole (JSON shows 102, not 102.0)."""
    number = float(value)
    return int(number) if number.is_integer() else number


def score_json(result: ScoreResult, ledger: Ledger) -> dict:
    """The ``score --json`` shape. ``ledger`` names the 年度 the result was computed for."""
    units = [{
        Col.UNIT: row[Col.UNIT], Col.UNIT_CATEGORY: row[Col.UNIT_CATEGORY], Col.RANK: int(row[Col.RANK]),
        Col.TOTAL: plain_number(row[Col.TOTAL]), Col.QUARTER: {q: plain_number(row[q]) for q in QUARTERS},
        Col.ELIGIBILITY: row[Col.ELIGIBILITY],
    } for row in result.ranking.to_dict("records")]
    detail = [{
        **{c: row[c] for c in SCORE_DETAIL_COLUMNS},
        Col.DATE: _day(row[Col.DATE]), Col.POINTS: plain_number(row[Col.POINTS]),
    } for row in result.detail.to_dict("records")]
    return {"as_of": _day(result.as_of), "year": int(ledger.params.year), "units": units, "detail": detail}
