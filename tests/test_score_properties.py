"""Properties of scoring that hold for any ledger (hypothesis): the ranking is the sum of the
detail, units of one item are treated alike (三（二）), ranks follow totals, row order is irrelevant."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from duban_xl.ledger import ROW, Ledger, Params
from duban_xl.score import score

UNITS = [
    {"单位名称": "甲镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "乙镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "丙镇", "单位类别": "乡镇（街道）"},
    {"单位名称": "县发改局", "单位类别": "县直部门"},
    {"单位名称": "县财政局", "单位类别": "县直部门"},
    {"单位名称": "专班", "单位类别": "临时机构", "所属单位": "县发改局"},
]
NAMES = [u["单位名称"] for u in UNITS]
days = st.dates(date(2021, 12, 1), date(2023, 1, 31))
maybe_day = st.none() | days
yes_no = st.sampled_from([None, "是", "否"])
# Modest runs: one scoring costs ~0.1 s of pandas overhead on the 2 shared cores.
SETTINGS = settings(max_examples=60, deadline=None)
SHUFFLE_SETTINGS = settings(max_examples=30, deadline=None)  # scores twice per example


@st.composite
def ledgers(draw) -> tuple[Ledger, date]:
    n_items = draw(st.integers(0, 6))
    numbers = [f"2022-{i:03d}" for i in range(1, n_items + 1)]
    item_no = st.sampled_from(numbers) if numbers else st.nothing()
    items = []
    for no in numbers:
        units = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        items.append({"交办单号": no, "主办单位": units[0], "协办单位": "、".join(units[1:]) or None,
                      "完成时限": draw(days), "办结日期": draw(maybe_day),
                      "逾期理由认定": draw(st.sampled_from([None, "正当理由", "无正当理由"]))})
    some = (lambda strategy, n: st.lists(strategy, max_size=n)) if numbers else (lambda strategy, n: st.just([]))
    extensions = draw(some(st.fixed_dictionaries({
        "交办单号": item_no, "申请单位": st.sampled_from(NAMES), "申请日期": days, "申请完成时限": days,
        "审批结果": st.sampled_from(["同意", "不同意", "待审批"])}), 4))
    feedback = draw(some(st.fixed_dictionaries({
        "交办单号": item_no, "反馈单位": st.sampled_from(NAMES), "反馈日期": days,
        "反馈类型": st.sampled_from(["进展反馈", "办结反馈"]), "核查结果": st.sampled_from([None, "待核查", "通过", "退回"]),
        "格式不符": yes_no, "弄虚作假": yes_no}), 8))
    events = draw(st.lists(st.fixed_dictionaries({
        "日期": days, "单位": st.none() | st.sampled_from(NAMES), "交办单号": st.none() | item_no,
        "事件类型": st.sampled_from(["拒不配合督查", "县级通报表扬", "市级通报批评", "省级以上通报表扬", "其他问题"]),
        "分值": st.sampled_from([1, 2, 0.5, -3]), "弄虚作假": yes_no}), max_size=4))
    notices = draw(some(st.fixed_dictionaries({
        "通报期次": st.just("2022年第1期"), "通报日期": days, "交办单号": item_no, "单位": st.sampled_from(NAMES),
        "通报类型": st.sampled_from(["进度滞后", "逾期未办结", "未按时反馈", "表扬"])}), 4))
    params = Params(early_days=draw(st.integers(0, 3)), veto_count=draw(st.integers(1, 3)))
    book = Ledger.from_frames(params=params, 单位=UNITS, 台账=items, 延期申请=extensions, 反馈记录=feedback,
                              加扣分事件=events, 通报记录=notices)
    return book, draw(days)


def _multiset(detail: pd.DataFrame) -> Counter:
    return Counter(tuple(map(str, row)) for row in detail.itertuples(index=False))


def check_total_is_the_base_plus_the_detail_of_each_scoring_unit(result) -> None:
    sums = result.detail.groupby("计分单位")["分值"].sum()
    for unit, total in zip(result.ranking["单位"], result.ranking["总分"]):
        assert abs(total - (100 + sums.get(unit, 0.0))) < 1e-9
    quarters = result.ranking[["Q1", "Q2", "Q3", "Q4"]].sum(axis=1)
    assert ((result.ranking["累计加减分"] - quarters).abs() < 1e-9).all()


def check_units_of_one_item_get_equal_completion_points(book, result) -> None:
    completion = result.detail[result.detail["规则代码"].isin(["R2A", "R2B", "R2C", "R2E"])]
    for no, units in book.item_units().groupby("交办单号")["单位"]:
        of_item = completion[completion["交办单号"] == no]
        per_unit = [sorted(zip(mine["规则代码"], mine["日期"], mine["分值"]))
                    for mine in (of_item[of_item["单位"] == unit] for unit in units)]
        assert all(points == per_unit[0] for points in per_unit)


def check_ranks_follow_totals_within_each_group(result) -> None:
    for _, group in result.ranking.groupby("单位类别"):
        totals = group["总分"].tolist()
        assert group["排名"].tolist() == [1 + sum(t > mine for t in totals) for mine in totals]
        assert group["排名"].is_monotonic_increasing
    assert set(result.ranking["单位"]) == {"甲镇", "乙镇", "丙镇", "县发改局", "县财政局"}


# One scoring per example serves the three invariants.
@SETTINGS
@given(ledgers())
def test_scoring_invariants(case):
    book, as_of = case
    result = score(book, as_of)
    check_total_is_the_base_plus_the_detail_of_each_scoring_unit(result)
    check_units_of_one_item_get_equal_completion_points(book, result)
    check_ranks_follow_totals_within_each_group(result)


@SHUFFLE_SETTINGS
@given(ledgers(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_row_order_of_any_sheet(case, rng):
    book, as_of = case
    shuffled = {name: frame.sample(frac=1, random_state=rng.randrange(2**32)) for name, frame in book.frames.items()}
    again = Ledger(params=book.params, frames=shuffled)
    assert all(ROW in frame for frame in shuffled.values())  # rows keep their Excel row numbers
    first, second = score(book, as_of), score(again, as_of)
    assert _multiset(first.detail) == _multiset(second.detail)
    pd.testing.assert_frame_equal(first.ranking, second.ranking)
