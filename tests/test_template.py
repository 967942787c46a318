"""The ledger template: built from the contract, reproducible, and working in a real spreadsheet."""
from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from duban_xl.contract import SPECS, Col, ItemStatus, Kind, Sheet
from duban_xl.errors import BadArgument
from duban_xl.ledger import Params
from duban_xl.template import SHEET_ORDER, UNIT_LIST_NAME, build_template, fill_workbook, init_ledger

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "workbook_templates" / "督查台账.xlsx"
ALL_SHEETS_CSV = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
FORMULA_ERRORS = ("Err:", "#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A")


def test_committed_template_is_what_the_code_builds(tmp_path):
    fresh = build_template(tmp_path / "t.xlsx")
    with zipfile.ZipFile(COMMITTED) as old, zipfile.ZipFile(fresh) as new:
        assert sorted(old.namelist()) == sorted(new.namelist())
        for name in old.namelist():
            assert old.read(name) == new.read(name), f"{name} differs: run python -m duban_xl.template {COMMITTED}"


def test_every_sheet_and_column_of_the_contract_is_there():
    wb = load_workbook(COMMITTED)
    assert tuple(wb.sheetnames) == SHEET_ORDER
    for name, spec in SPECS.items():
        header = [c.value for c in wb[name][1]]
        assert header == list(spec.names) + [c.name for c in spec.extra]
        assert wb[name].freeze_panes == "A2"
        assert wb[name].page_setup.orientation == "landscape"
    params = {row[0]: row[1] for row in wb[Sheet.PARAMS].iter_rows(min_row=2, values_only=True)}
    assert params["县名"] == "云和县" and params["年度"] == 2022 and params["临期预警天数"] == 7
    rules = list(wb[Sheet.RULES].iter_rows(min_row=2, values_only=True))
    assert ("R2E", "三（二）") == rules[5][:2] and rules[5][3] == -3 and all(r[4] == "是" for r in rules)


def test_closed_lists_have_dropdowns_and_unit_columns_use_the_unit_list():
    wb = load_workbook(COMMITTED)
    assert wb.defined_names[UNIT_LIST_NAME].attr_text.startswith("'单位'!$A$2:$A$")
    for name, spec in SPECS.items():
        validations = wb[name].data_validations.dataValidation
        for i, column in enumerate(spec.columns):
            letter = chr(ord("A") + i)
            dv = next((v for v in validations if f"{letter}2:{letter}1048576" in str(v.sqref)), None)
            if column.kind == Kind.CHOICE:
                assert dv.type == "list" and dv.formula1 == '"' + ",".join(column.choices) + '"', (name, column.name)
                assert dv.error and dv.prompt
            elif column.kind == Kind.UNIT:
                assert dv.type == "list" and dv.formula1 == UNIT_LIST_NAME, (name, column.name)
            elif column.kind in (Kind.UNITS, Kind.CHOICES):
                assert dv.type is None and "、" in dv.prompt, (name, column.name)
                assert all(choice in dv.prompt for choice in column.choices), (name, column.name)
            else:
                assert dv is None, (name, column.name)


def test_init_refuses_to_overwrite_a_ledger(tmp_path):
    path = init_ledger(tmp_path / "台账.xlsx", 2023, "云和县")
    assert load_workbook(path)[Sheet.PARAMS]["B2"].value == 2023
    with pytest.raises(BadArgument, match="文件已存在"):
        init_ledger(path, 2024, "云和县")
    init_ledger(path, 2024, "云和县", force=True)
    assert load_workbook(path)[Sheet.PARAMS]["B2"].value == 2024


def _sheets_as_csv(libreoffice, path: Path) -> dict[str, list[list[str]]]:
    libreoffice(path, ALL_SHEETS_CSV)
    out = {}
    for sheet in SHEET_ORDER:
        with (path.parent / f"lo-{path.stem}" / f"{path.stem}-{sheet}.csv").open(encoding="utf-8") as fh:
            out[sheet] = list(csv.reader(fh))
    return out


def _assert_no_formula_errors(sheets: dict[str, list[list[str]]]) -> None:
    for sheet, rows in sheets.items():
        for row in rows:
            for value in row:
                assert not value.startswith(FORMULA_ERRORS), f"{sheet}: {value}"


@pytest.mark.libreoffice
def test_template_opens_in_libreoffice_without_formula_errors(libreoffice, tmp_path):
    path = build_template(tmp_path / "template.xlsx")
    sheets = _sheets_as_csv(libreoffice, path)
    _assert_no_formula_errors(sheets)
    assert sheets[Sheet.ITEMS][1][-3:] == ["", "", ""]  # empty rows show nothing


@pytest.mark.libreoffice
def test_filled_ledger_computes_status_live(libreoffice, tmp_path):
    today = pd.Timestamp(dt.date.today())

    def item(no, deadline, done=None):
        return {Col.ITEM_NO: no, Col.SOURCE: "民生实事", Col.SUBJECT: "老旧小区改造", Col.LEAD: "王晓东",
                Col.HOST: "县财政局", Col.ASSIGNED: pd.Timestamp("2022-01-05"), Col.DEADLINE: deadline,
                Col.FEEDBACK_MODE: "每月反馈", Col.DONE: done}

    frames = {
        Sheet.UNITS: pd.DataFrame([{Col.UNIT_NAME: "县财政局", Col.UNIT_CATEGORY: "县直部门"}]),
        Sheet.ITEMS: pd.DataFrame([
            item("2022-001", pd.Timestamp("2022-03-31"), pd.Timestamp("2022-03-20")),  # finished
            item("2022-002", pd.Timestamp("2022-03-31")),  # past its deadline
            item("2022-003", today + pd.Timedelta(days=3)),  # due within 临期预警天数
            item("2022-004", pd.Timestamp("2022-03-31")),  # extended in time far ahead
            item("2022-005", pd.Timestamp("2022-03-31")),  # extension filed too late: still overdue
        ]),
        Sheet.EXTENSIONS: pd.DataFrame([
            {Col.ITEM_NO: "2022-004", Col.APPLICANT: "县财政局", Col.APPLIED: pd.Timestamp("2022-03-01"),
             Col.NEW_DEADLINE: pd.Timestamp("2099-12-31"), Col.APPROVER: "王晓东", Col.APPROVAL: "同意"},
            {Col.ITEM_NO: "2022-005", Col.APPLICANT: "县财政局", Col.APPLIED: pd.Timestamp("2022-04-01"),
             Col.NEW_DEADLINE: pd.Timestamp("2099-12-31"), Col.APPROVER: "王晓东", Col.APPROVAL: "同意"},
        ]),
    }
    path = fill_workbook(frames, Params(), tmp_path / "filled.xlsx")
    sheets = _sheets_as_csv(libreoffice, path)
    _assert_no_formula_errors(sheets)
    status = {row[0]: (row[-3], row[-1]) for row in sheets[Sheet.ITEMS][1:6]}
    assert status == {
        "2022-001": ("2022-03-31", ItemStatus.DONE),
        "2022-002": ("2022-03-31", ItemStatus.OVERDUE),
        "2022-003": ((today + pd.Timedelta(days=3)).strftime("%Y-%m-%d"), ItemStatus.DUE_SOON),
        "2022-004": ("2099-12-31", ItemStatus.OPEN),
        "2022-005": ("2022-03-31", ItemStatus.OVERDUE),
    }


@pytest.mark.libreoffice
def test_sample_ledger_opens_in_libreoffice_without_formula_errors(libreoffice, tmp_path):
    path = tmp_path / "sample.xlsx"
    path.write_bytes((REPO / "samples" / "云和县2022年督查台账.xlsx").read_bytes())
    sheets = _sheets_as_csv(libreoffice, path)
    _assert_no_formula_errors(sheets)
    status = {row[0]: row[-1] for row in sheets[Sheet.ITEMS][1:] if row[0]}
    # curated cases (samples/README.md): 2022-026 finished, 2022-046 overdue without 正当理由
    assert status["2022-026"] == ItemStatus.DONE and status["2022-046"] == ItemStatus.OVERDUE
