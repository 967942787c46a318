"""The reader is tolerant of what clerks do and strict about what matters."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from duban_xl.errors import MissingHeader, MissingSheet
from duban_xl.normalize import parse_date, parse_item_no, parse_month
from duban_xl.reader import read_ledger
from workbooks import ITEM, D, item, write_ledger


@pytest.mark.parametrize("text", ["2022-5-6", "2022/5/6", "2022.5.6", "2022年5月6日", "２０２２－０５－０６", " 2022-05-06 ",
                                  "20220506", "2022-05-06 00:00:00"])
def test_text_dates_people_type(text):
    parsed = parse_date(text)
    assert parsed.value == pd.Timestamp(2022, 5, 6) and parsed.lenient


@pytest.mark.parametrize("text", ["2022.13.40", "2022-02-30", "五月六日", "下周"])
def test_unreadable_dates(text):
    assert not parse_date(text).ok


@pytest.mark.parametrize("text,expected", [("2022-012", "2022-012"), ("2022-12", "2022-012"), ("2022－012", "2022-012"),
                                           ("2022年12号", "2022-012"), ("2022年第12号", "2022-012"), ("2022-0012", "2022-012"),
                                           ("2022-1234", "2022-1234"), ("2022-000", None), ("x2022-1", None)])
def test_item_numbers(text, expected):
    assert parse_item_no(text).value == expected


def test_month_excel_turned_into_a_date():
    assert parse_month(D(2022, 5, 1)).value == "2022-05"
    assert parse_month("2022年5月").value == "2022-05"


def test_header_below_title_rows_and_real_row_numbers(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", header_row=3)
    ledger = read_ledger(path)
    assert ledger.items["_row"].tolist() == [4]
    assert ledger.cell("台账", 4, "完成时限") == "J4"


def test_columns_in_another_order_extra_columns_blank_rows_and_rows_below_table(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", {"台账": [ITEM, item(ITEM_NO="2022-002")]})
    book = load_workbook(path)
    ws = book["台账"]
    ws.move_range("J1:J3", rows=0, cols=20)  # 完成时限 moved far right, after an extra column
    ws["J1"], ws["Z1"] = "空列", "我的备注"
    ws.insert_rows(3)  # a blank row between the two items
    ws.append([])
    ws.append(["2022-003"] + [ITEM[c] for c in list(ITEM)[1:9]] + [None, "每月反馈"])
    ws.cell(row=ws.max_row, column=30, value=D(2022, 9, 30))
    ws.add_table(__import__("openpyxl").worksheet.table.Table(displayName="tblItems", ref="A1:P4"))
    book.save(path)
    ledger = read_ledger(path)
    items = ledger.items
    assert items["交办单号"].tolist() == ["2022-001", "2022-002", "2022-003"]
    assert items["_row"].tolist() == [2, 4, 6]
    assert items["完成时限"].tolist() == [pd.Timestamp(2022, 6, 30)] * 2 + [pd.Timestamp(2022, 9, 30)]
    assert ledger.cell("台账", 6, "完成时限") == "AD6"


def test_full_width_brackets_spaces_and_separators_are_folded(tmp_path):
    units = [{"单位名称": " 县委办(县府办) ", "单位类别": "乡镇(街道)"}, {"单位名称": "县财政局", "单位类别": "县直部门"}]
    path = write_ledger(tmp_path / "l.xlsx", {"单位": units, "台账": [item(HOST="县委办（县府办）", COHOSTS="县财政局; 县委办(县府办)")]})
    ledger = read_ledger(path)
    assert ledger.units["单位名称"].tolist() == ["县委办（县府办）", "县财政局"]
    assert ledger.units["单位类别"].tolist() == ["乡镇（街道）", "县直部门"]
    assert ledger.items.at[0, "协办单位"] == "县财政局、县委办（县府办）"


def test_phone_numbers_keep_their_digits(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", {"单位": [{"单位名称": "县财政局", "单位类别": "县直部门", "联系电话": 13905780001}]})
    assert read_ledger(path).units.at[0, "联系电话"] == "13905780001"


def test_missing_sheet_is_unusable_and_says_which(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", drop=("台账",))
    with pytest.raises(MissingSheet) as caught:
        read_ledger(path)
    assert "「台账」" in caught.value.message


def test_missing_required_header_is_unusable_and_says_which(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx")
    book = load_workbook(path)
    book["台账"]["J1"] = "期限"
    book.save(path)
    with pytest.raises(MissingHeader) as caught:
        read_ledger(path)
    assert "完成时限" in caught.value.message and "「台账」" in caught.value.message


def test_params_read_and_defaulted(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", {"参数": [{"参数": "年度", "值": 2023}, {"参数": "临期预警天数", "值": "10"}]})
    ledger = read_ledger(path)
    assert ledger.params.year == 2023 and ledger.params.warn_days == 10 and ledger.params.base_score == 100
    assert any(f.code == "missing_param" for f in ledger.read_findings)


@pytest.mark.parametrize("value,expected", [(3, 3.0), ("3", 3.0), ("＋3分", 3.0), ("-5", -5.0), (float("inf"), None),
                                            ("nan", None), ("inf", None), (True, None), ("三分", None)])
def test_numbers(value, expected):
    from duban_xl.normalize import parse_number
    assert parse_number(value).value == expected
