"""duban forms / duban intake --dir on real files: clean forms merge once, everything else is refused by cell."""
from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl import api
from duban_xl.cli import main
from duban_xl.contract import Col, FormSheet, Sheet
from duban_xl.intake.keys import KEY_FILE, STATE_DIR
from duban_xl.reader import read_ledger
from intake_files import FIRST_ROW, ISSUED, MONTH, fill, host_rows, issue, letter, parts
from workbooks import D

DATA = Path(__file__).resolve().parent / "data"
UNIT = "丽水市生态环境局云和分局"  # hosts two open items on 2022-06-25
OTHER = "县交通运输局"


@pytest.fixture()
def office(tmp_path):
    ledger, forms = issue(tmp_path)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    return ledger, forms, inbox


def intake(ledger: Path, inbox: Path, *extra: str) -> dict:
    from click.testing import CliRunner

    from duban_xl.cli import cli

    result = CliRunner().invoke(cli, ["intake", str(ledger), "--dir", str(inbox), "--as-of", "2022-07-05",
                                      "--json", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def merged(ledger: Path):
    fb = read_ledger(ledger).feedback
    return fb[fb[Col.RECEIPT_NO].notna() & fb[Col.RECEIPT_NO].str.startswith("BS202207")]


def test_forms_are_signed_with_a_key_kept_beside_the_ledger_only(office):
    ledger, forms, _ = office
    folder = ledger.parent / STATE_DIR
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
    key = (folder / KEY_FILE).read_text().strip()
    assert forms[UNIT].name == f"{UNIT}_2022年7月报送表.xlsx"
    assert forms[UNIT].parent == ledger.parent / "督查输出" / "2022年7月" / "报送表"
    for path in [*forms.values(), ledger]:
        assert not any(key.encode() in data or bytes.fromhex(key) in data for data in parts(path).values())
    wb = load_workbook(forms[UNIT])
    ws = wb[FormSheet.FORM]
    assert wb[FormSheet.IDENTITY].sheet_state == "hidden" and ws.protection.sheet
    assert ws["B2"].value == UNIT and ws["F2"].value == MONTH and ws["I2"].value == "2022年7月5日"
    row = host_rows(forms[UNIT])[0]
    assert ws[f"A{row}"].protection.locked and not ws[f"{letter(Col.PROGRESS)}{row}"].protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date", "textLength"} <= kinds
    assert ws.print_title_rows == "$5:$5" and ws.page_setup.orientation == "landscape"


def test_forms_list_open_hosted_items_with_the_deadline_then_in_force_and_cohosted_items_read_only(office):
    ledger, forms, _ = office
    book = read_ledger(ledger)
    open_items = book.items[(book.items[Col.ASSIGNED] <= "2022-06-25") & ~(book.items[Col.DONE] <= "2022-06-25")]
    for unit, path in forms.items():
        ws = load_workbook(path)[FormSheet.FORM]
        rows = [r for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if r[0]]
        hosted = {r[0] for r in rows if r[1] == "主办"}
        expected = {no for no, host in zip(open_items[Col.ITEM_NO], open_items[Col.HOST]) if unit in host.split("、")}
        assert hosted == expected, unit
    units_without = set(book.units[Col.UNIT_NAME]) - set(forms)
    assert units_without  # a unit with nothing open gets no form


def test_a_clean_form_merges_once_and_touches_nothing_else(office):
    ledger, forms, inbox = office
    before = parts(ledger)
    fill(forms[UNIT], inbox / forms[UNIT].name)
    report = intake(ledger, inbox)
    assert [f["结果"] for f in report["files"]] == ["已合并"] and report["合并行数"] == 2 and report["退回数"] == 0
    rows = merged(ledger)
    assert len(rows) == 2 and set(rows[Col.REPORTER]) == {UNIT}
    assert set(rows[Col.CHECK_RESULT]) == {"待核查"} and set(rows[Col.FEEDBACK_MONTH]) == {MONTH}
    assert rows[Col.FEEDBACK_DATE].dt.date.astype(str).tolist() == ["2022-07-04"] * 2
    assert rows[Col.SIGNER].tolist() == ["王建国"] * 2 and rows[Col.PHONE].tolist() == ["0578-5123456"] * 2
    assert all(r.startswith("BS202207-") and r.endswith("/进展反馈") for r in rows[Col.RECEIPT_NO])
    assert (inbox / "已处理" / forms[UNIT].name).exists() and not (inbox / forms[UNIT].name).exists()
    assert rows[Col.ATTACHMENT].iloc[0] == str(Path("..") / "收件" / "已处理" / forms[UNIT].name) \
        or rows[Col.ATTACHMENT].iloc[0].endswith(f"已处理/{forms[UNIT].name}")
    receipt = load_workbook(inbox / "回执" / f"{forms[UNIT].stem}_回执.xlsx")[FormSheet.RECEIPT]
    assert receipt["A1"].value.startswith(f"已合并：{UNIT}2022年7月报送表的 2 个事项已登记")
    after = parts(ledger)
    feedback_part = _sheet_part(ledger, Sheet.FEEDBACK)
    assert {n for n in before if before[n] != after.get(n)} <= {feedback_part}
    # the same file again: 重复, and the ledger does not change
    shutil.copy(inbox / "已处理" / forms[UNIT].name, inbox / forms[UNIT].name)
    snapshot = ledger.read_bytes()
    again = intake(ledger, inbox)
    assert [f["结果"] for f in again["files"]] == ["重复"] and again["合并行数"] == 0
    assert ledger.read_bytes() == snapshot


def _sheet_part(ledger: Path, sheet: str) -> str:
    from duban_xl.xlsx.package import Package

    with Package(ledger) as pkg:
        return pkg.sheets()[sheet]


def test_a_later_copy_replaces_pending_rows_and_is_appended_once_checked(office):
    ledger, forms, inbox = office
    fill(forms[UNIT], inbox / forms[UNIT].name)
    intake(ledger, inbox)
    fill(forms[UNIT], inbox / forms[UNIT].name, progress="完成年度投资的70%（更正）")
    assert [f["结果"] for f in intake(ledger, inbox)["files"]] == ["已合并"]
    rows = merged(ledger)
    assert len(rows) == 2 and set(rows[Col.PROGRESS]) == {"完成年度投资的70%（更正）"}
    # the office checks the rows (通过); a further copy is a 重新报送: appended, the checked rows kept
    book = load_workbook(ledger)
    ws = book[Sheet.FEEDBACK]
    header = [c.value for c in ws[1]]
    for r in rows["_row"]:
        ws.cell(int(r), header.index(Col.CHECK_RESULT) + 1).value = "通过"
    book.save(ledger)
    fill(forms[UNIT], inbox / forms[UNIT].name, progress="完成年度投资的75%")
    report = intake(ledger, inbox)
    assert [f["结果"] for f in report["files"]] == ["已合并"]
    rows = merged(ledger)
    assert len(rows) == 4 and rows[Col.CHECK_RESULT].tolist() == ["通过", "通过", "待核查", "待核查"]
    newest = max((inbox / "回执").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    assert "重新报送" in load_workbook(newest)[FormSheet.RECEIPT]["A1"].value


def _tampered(forms, inbox, case: str) -> tuple[Path, str, str]:
    """(file, expected cell, expected code) for each way a returned form can be wrong."""
    form = forms[UNIT]
    row = host_rows(form)[0]
    dest = inbox / form.name
    if case == "locked cell changed":
        fill(form, dest, {f"{letter(Col.SUBJECT)}{row}": "改过的督查事项"})
        return dest, f"C{row}", "locked_changed"
    if case == "another unit's item":
        other = load_workbook(forms[OTHER])[FormSheet.FORM][f"A{host_rows(forms[OTHER])[0]}"].value
        fill(form, dest, {f"A{row}": other})
        return dest, f"A{row}", "item_not_of_unit"
    if case == "formula in 办理进展":
        fill(form, dest, {f"{letter(Col.PROGRESS)}{row}": '=HYPERLINK("http://x.example","点击")'})
        return dest, f"{letter(Col.PROGRESS)}{row}", "formula"
    if case == "missing 核签人":
        fill(form, dest, {f"{letter(Col.SIGNER)}{row}": None})
        return dest, f"{letter(Col.SIGNER)}{row}", "missing_value"
    if case == "completion without a date":
        fill(form, dest, {f"{letter(Col.FEEDBACK_TYPE)}{row}": "办结反馈"})
        return dest, f"{letter(Col.CLAIMED_DONE)}{row}", "missing_value"
    if case == "a value off the list":
        fill(form, dest, {f"{letter(Col.FEEDBACK_TYPE)}{row}": "已完成"})
        return dest, f"{letter(Col.FEEDBACK_TYPE)}{row}", "bad_choice"
    if case == "header unit changed":
        fill(form, dest, {"B2": OTHER})
        return dest, "B2", "header_changed"
    if case == "issue date spoiled":
        fill(form, dest, identity={"B4": "不是日期"})
        return dest, "", "identity_damaged"
    if case == "identity stripped, header month changed":
        fill(form, dest, {"F2": "2022-08"}, drop_identity=True)
        return dest, "", "identity_missing"
    if case == "form number changed":
        fill(form, dest, identity={"B1": "BS202207-000000"})
        return dest, "", "mac_mismatch"
    if case == "a row repeated":
        fill(form, dest, {f"A{row + 1}": load_workbook(form)[FormSheet.FORM][f"A{row}"].value})
        return dest, f"A{row + 1}", "item_repeated"
    if case == "a row added":
        last = load_workbook(form)[FormSheet.FORM].max_row + 1
        fill(form, dest, {f"A{last}": "2022-999", f"{letter(Col.PROGRESS)}{last}": "新增一行"})
        return dest, f"A{last}", "item_not_on_form"
    if case == "a row deleted":
        fill(form, dest, delete_row=row + 1)
        return dest, "", "item_removed"
    if case == "nothing filled":
        shutil.copy(form, dest)
        return dest, "", "nothing_filled"
    if case == "text too long":
        fill(form, dest, {f"{letter(Col.PROGRESS)}{row}": "很" * 2001})
        return dest, f"{letter(Col.PROGRESS)}{row}", "text_too_long"
    if case == "claimed done in the future":
        fill(form, dest, {f"{letter(Col.FEEDBACK_TYPE)}{row}": "办结反馈", f"{letter(Col.CLAIMED_DONE)}{row}": D(2022, 8, 1)})
        return dest, f"{letter(Col.CLAIMED_DONE)}{row}", "claimed_in_future"
    if case == "claimed done before assignment":
        fill(form, dest, {f"{letter(Col.FEEDBACK_TYPE)}{row}": "办结反馈", f"{letter(Col.CLAIMED_DONE)}{row}": D(2021, 1, 4)})
        return dest, f"{letter(Col.CLAIMED_DONE)}{row}", "claimed_before_assigned"
    if case == "a co-handled row filled":
        unit, cohost_row = next((u, r) for u, f in sorted(forms.items()) for r in _cohost_rows(f))
        dest = inbox / forms[unit].name
        fill(forms[unit], dest, {f"{letter(Col.PROGRESS)}{cohost_row}": "协办单位也报了"})
        return dest, f"{letter(Col.PROGRESS)}{cohost_row}", "cohost_filled"
    raise AssertionError(case)


def _cohost_rows(form: Path) -> list[int]:
    ws = load_workbook(form, read_only=True)[FormSheet.FORM]
    return [r for r, row in enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), FIRST_ROW) if row[1] == "协办"]


@pytest.mark.parametrize("case", [
    "locked cell changed", "another unit's item", "formula in 办理进展", "missing 核签人", "completion without a date",
    "a value off the list", "header unit changed", "issue date spoiled", "identity stripped, header month changed",
    "form number changed", "a row repeated", "a row added", "a row deleted", "nothing filled", "text too long",
    "claimed done in the future", "claimed done before assignment", "a co-handled row filled"])
def test_a_tampered_or_wrong_form_is_refused_at_its_cell_and_nothing_is_merged(office, case):
    ledger, forms, inbox = office
    before = ledger.read_bytes()
    path, cell, code = _tampered(forms, inbox, case)
    report = intake(ledger, inbox)
    (result,) = report["files"]
    assert result["结果"] == "退回" and report["退回数"] == 1 and report["合并行数"] == 0
    assert any(p["单元格"] == cell and p["代码"] == code and p["级别"] == "错误" for p in result["问题"]), result["问题"]
    assert ledger.read_bytes() == before
    receipt = load_workbook(inbox / "回执" / f"{path.stem}_回执.xlsx")[FormSheet.RECEIPT]
    assert receipt["A1"].value.startswith("退回：")
    cells = [receipt.cell(r, 4).value for r in range(6, receipt.max_row + 1)]
    assert (cell or "—") in cells
    assert (inbox / "已处理" / path.name).exists()


def test_a_form_whose_identity_sheet_was_removed_is_matched_by_its_header_with_a_warning(office):
    ledger, forms, inbox = office
    fill(forms[UNIT], inbox / forms[UNIT].name, drop_identity=True)
    (result,) = intake(ledger, inbox)["files"]
    assert result["结果"] == "已合并" and result["合并行数"] == 2
    assert any(p["代码"] == "identity_stripped" and p["级别"] == "警告" for p in result["问题"])


UNUSABLE = {
    "old.xlsm": "macro_workbook", "encrypted.xlsx": "encrypted", "damaged.xlsx": "damaged",
    "照片.jpg": "photo", "台账副本.xlsx": "unrelated",
}


def test_every_unusable_file_is_refused_with_a_receipt_saying_what_to_send(office):
    ledger, forms, inbox = office
    before = ledger.read_bytes()
    shutil.copy(forms[UNIT], inbox / "old.xlsm")
    shutil.copy(DATA / "realworld" / "excelize-encryptAES.xlsx", inbox / "encrypted.xlsx")
    (inbox / "damaged.xlsx").write_bytes(forms[UNIT].read_bytes()[:3000])
    (inbox / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(2000))
    shutil.copy(ledger, inbox / "台账副本.xlsx")
    report = intake(ledger, inbox)
    assert {f["文件"]: f["结果"] for f in report["files"]} == {name: "退回" for name in UNUSABLE}
    for f in report["files"]:
        (problem,) = [p for p in f["问题"] if p["级别"] == "错误"]
        assert problem["建议"] and f["文件"] in problem["问题"] or f["文件"] in problem["工作表"]
        receipt = load_workbook(inbox / "回执" / f"{Path(f['文件']).stem}_回执.xlsx")[FormSheet.RECEIPT]
        assert receipt["A1"].value.startswith("退回：")
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in (inbox / "已处理").iterdir()) == sorted(UNUSABLE)


def test_dry_run_writes_moves_and_records_nothing(office):
    ledger, forms, inbox = office
    fill(forms[UNIT], inbox / forms[UNIT].name)
    state = sorted((ledger.parent / STATE_DIR).iterdir())
    store_bytes = (ledger.parent / STATE_DIR / "收件.sqlite").read_bytes()
    before = ledger.read_bytes()
    report = intake(ledger, inbox, "--dry-run")
    assert [f["结果"] for f in report["files"]] == ["已合并"] and report["合并行数"] == 2
    assert ledger.read_bytes() == before and sorted(p.name for p in inbox.iterdir()) == [forms[UNIT].name]
    assert sorted((ledger.parent / STATE_DIR).iterdir()) == state
    assert (ledger.parent / STATE_DIR / "收件.sqlite").read_bytes() == store_bytes


def test_the_ledger_open_in_excel_means_nothing_merged_nothing_moved_exit_2(office):
    ledger, forms, inbox = office
    fill(forms[UNIT], inbox / forms[UNIT].name)
    (ledger.parent / f"~${ledger.name}").write_bytes(b"lock")
    before = ledger.read_bytes()
    assert main(["intake", str(ledger), "--dir", str(inbox), "--as-of", "2022-07-05"]) == 2
    assert ledger.read_bytes() == before and sorted(p.name for p in inbox.iterdir()) == [forms[UNIT].name]
    (ledger.parent / f"~${ledger.name}").unlink()
    assert intake(ledger, inbox)["合并行数"] == 2


def test_a_ledger_of_the_previous_template_gains_the_columns_at_the_end_of_its_header(tmp_path):
    ledger, forms = issue(tmp_path, DATA / "previous_template_ledger.xlsx")
    inbox = tmp_path / "收件"
    fill(forms[UNIT], inbox / forms[UNIT].name)
    before = parts(ledger)
    assert intake(ledger, inbox)["合并行数"] == 2
    ws = load_workbook(ledger)[Sheet.FEEDBACK]
    header = [c.value for c in ws[1]]
    old = [c.value for c in load_workbook(DATA / "previous_template_ledger.xlsx")[Sheet.FEEDBACK][1]]
    assert header[:len(old)] == old
    assert header[len(old):] == [Col.CLAIMED_DONE, Col.PROBLEMS, Col.NEXT_STEPS, Col.CONTACT, Col.PHONE, Col.RECEIPT_NO]
    after = parts(ledger)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= {_sheet_part(ledger, Sheet.FEEDBACK), "xl/tables/table5.xml"}, changed
    assert len(merged(ledger)) == 2


def test_intake_without_the_folder_is_a_clear_exit_2(office, tmp_path):
    ledger, _, _ = office
    assert main(["intake", str(ledger), "--dir", str(tmp_path / "没有这个文件夹")]) == 2


def test_api_intake_parcels_answers_a_mail_parcel_with_subject_and_receipt(office):
    import datetime as dt

    from duban_xl.intake.parcel import Attachment, Parcel

    ledger, forms, inbox = office
    path = fill(forms[UNIT], inbox / forms[UNIT].name)
    parcel = Parcel("mail:1:7", (Attachment(path.name, path.read_bytes()),),
                    dt.datetime(2022, 7, 4, 23, 30, tzinfo=dt.timezone.utc), sender="hb@example.gov.cn",
                    message_id="<m1@example>", origin="邮件 hb@example.gov.cn")
    run = api.intake_parcels(ledger, [parcel], ISSUED, dry_run=False)
    (result,) = run.parcels
    assert result.outcome == "已合并" and result.subject == f"回执：{UNIT}2022年7月报送表 已合并"
    assert result.receipts[0].data[:2] == b"PK" and "已合并" in result.body
    rows = merged(ledger)
    assert rows[Col.FEEDBACK_DATE].dt.date.astype(str).tolist() == ["2022-07-05"] * 2  # 23:30 UTC is 07-05 in China
    api.finish_intake(ledger, run)
    again = api.intake_parcels(ledger, [parcel], ISSUED)
    assert again.parcels[0].outcome == "重复"
    assert again.parcels[0].subject == f"回执：{UNIT}2022年7月报送表 已收到，与前次报送相同，未作改动"
    with zipfile.ZipFile(ledger):
        pass


def test_warnings_on_a_valid_form_reach_its_receipt_and_it_still_merges(office):
    ledger, forms, inbox = office
    row = host_rows(forms[UNIT])[0]
    book = load_workbook(ledger)  # the office rewords an item after the forms went out
    ws = book[Sheet.ITEMS]
    header = [c.value for c in ws[1]]
    target = next(r for r in range(2, ws.max_row + 1)
                  if ws.cell(r, 1).value == load_workbook(forms[UNIT])[FormSheet.FORM][f"A{row}"].value)
    ws.cell(target, header.index(Col.SUBJECT) + 1).value = "（台账中改写过的事项名称）"
    book.save(ledger)
    fill(forms[UNIT], inbox / forms[UNIT].name, {f"{letter(Col.CLAIMED_DONE)}{row}": D(2022, 7, 1),
                                                 f"{letter(Col.PHONE)}{row}": "问办公室"})
    (result,) = intake(ledger, inbox)["files"]
    assert result["结果"] == "已合并"
    codes = {(p["代码"], p["单元格"]) for p in result["问题"]}
    assert {("ledger_changed", f"C{row}"), ("claimed_on_progress", f"J{row}"), ("bad_phone", f"O{row}")} <= codes


def test_a_report_beside_its_form_is_checked_and_a_format_defect_marks_the_merged_row(office):
    ledger, forms, inbox = office
    row = host_rows(forms[UNIT])[0]
    item_no = load_workbook(forms[UNIT])[FormSheet.FORM][f"A{row}"].value
    fill(forms[UNIT], inbox / forms[UNIT].name)
    report = api.make_feedback_form(ledger, item_no, UNIT, ISSUED, out=ledger.parent / "报告")  # ×× left in
    shutil.copy(report, inbox / "反馈报告.docx")
    lonely = api.make_feedback_form(ledger, load_workbook(forms[OTHER])[FormSheet.FORM][f"A{host_rows(forms[OTHER])[0]}"].value,
                                    OTHER, ISSUED, out=ledger.parent / "报告2")
    shutil.copy(lonely, inbox / "另一份报告.docx")
    files = {f["文件"]: f for f in intake(ledger, inbox)["files"]}
    assert files[forms[UNIT].name]["结果"] == "已合并" and files["反馈报告.docx"]["结果"] == "已合并"
    assert any(p["代码"] == "report_format" for p in files[forms[UNIT].name]["问题"])
    assert files["另一份报告.docx"]["结果"] == "退回"
    assert [p["代码"] for p in files["另一份报告.docx"]["问题"]] == ["report_without_form"]
    rows = merged(ledger)
    marked = rows[rows[Col.ITEM_NO] == item_no]
    assert marked[Col.MATERIAL_DEFECTS].tolist() == ["格式不符"]
    assert rows[rows[Col.ITEM_NO] != item_no][Col.MATERIAL_DEFECTS].isna().all()


def test_a_mailed_form_from_another_address_is_merged_with_a_warning(office):
    import datetime as dt

    from duban_xl.intake.parcel import Attachment, Parcel

    ledger, forms, inbox = office
    path = fill(forms[UNIT], inbox / forms[UNIT].name)
    parcel = Parcel("mail:1:9", (Attachment(path.name, path.read_bytes()),),
                    dt.datetime(2022, 7, 4, 1, 0, tzinfo=dt.timezone.utc), sender="someone@qq.com")
    (result,) = api.intake_parcels(ledger, [parcel], ISSUED).parcels
    assert result.outcome == "已合并"
    assert [f.code for f in result.files[0].findings] == ["sender_not_unit"]


def test_done_when_on_the_sample_forms_filled_intake_twice_merges_each_clean_row_once(tmp_path):
    """Issue 10 «Done when»: forms --month 2022-07 --as-of 2022-06-25, some filled, intake --dir twice."""
    office = tmp_path / "office"
    office.mkdir()
    ledger = office / "督查台账.xlsx"
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "云和县2022年督查台账.xlsx", ledger)
    assert main(["forms", str(ledger), "--month", "2022-07", "--as-of", "2022-06-25"]) == 0
    forms = sorted((office / "督查输出" / "2022年7月" / "报送表").iterdir())
    inbox = tmp_path / "收件"
    clean = forms[:5]
    for form in clean:
        fill(form, inbox / form.name)
    fill(forms[5], inbox / forms[5].name, {"C6": "改过的督查事项"})
    fill(forms[6], inbox / forms[6].name, {f"{letter(Col.SIGNER)}6": None})
    (inbox / "扫描件.pdf").write_bytes(b"%PDF-1.4 not a form")
    before = parts(ledger)
    first = intake(ledger, inbox)
    expected_rows = sum(len(host_rows(form)) for form in clean)
    assert first["合并行数"] == expected_rows and first["退回数"] == 3
    for form in clean:
        shutil.copy(inbox / "已处理" / form.name, inbox / form.name)  # the same files arrive again
    second = intake(ledger, inbox)
    assert second["合并行数"] == 0 and {f["结果"] for f in second["files"]} == {"重复"}
    rows = merged(ledger)
    assert len(rows) == expected_rows and rows[Col.RECEIPT_NO].is_unique
    after = parts(ledger)
    assert {n for n in before if before[n] != after.get(n)} == {_sheet_part(ledger, Sheet.FEEDBACK)}
    assert set(after) == set(before)


def test_the_same_content_resaved_is_duplicate_and_an_older_copy_never_undoes_a_newer_one(office):
    import datetime as dt

    ledger, forms, inbox = office
    first = fill(forms[UNIT], inbox / forms[UNIT].name).read_bytes()
    intake(ledger, inbox)
    snapshot = ledger.read_bytes()
    (inbox / "同一个文件.xlsx").write_bytes(first)  # the very same file sent again
    (same,) = intake(ledger, inbox)["files"]
    assert same["结果"] == "重复" and ledger.read_bytes() == snapshot
    # saved again: other bytes, same content (or the same bytes, when saved within the same second)
    fill(forms[UNIT], inbox / "再存一次.xlsx", received=dt.datetime(2022, 7, 4, 10, 0))
    (again,) = intake(ledger, inbox)["files"]
    assert again["结果"] == "重复" and ledger.read_bytes() == snapshot
    fill(forms[UNIT], inbox / "旧的一份.xlsx", progress="较早的内容", received=dt.datetime(2022, 7, 2, 8, 0))
    (older,) = intake(ledger, inbox)["files"]
    assert older["结果"] == "重复" and [p["代码"] for p in older["问题"]] == ["older_copy"]
    assert ledger.read_bytes() == snapshot


def test_forms_name_the_office_mailbox_of_duban_toml_as_where_to_reply(tmp_path):
    folder = tmp_path / "office"
    folder.mkdir()
    ledger = folder / "督查台账.xlsx"
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "云和县2022年督查台账.xlsx", ledger)
    (folder / "duban.toml").write_text('[mail]\nfrom = "县政府督查室 <dcs@yunhe.gov.cn>"\n', encoding="utf-8")
    made = api.make_forms(ledger, MONTH, [UNIT], as_of=ISSUED)
    (_, path, rows), = made.files
    assert rows == 2
    howto = load_workbook(path)[FormSheet.FORM]["A3"].value
    assert "回复到 县政府督查室 <dcs@yunhe.gov.cn>" in howto and "2022年7月5日前" in howto
