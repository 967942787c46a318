"""The `duban` command end to end on real files: exit codes, output, what it writes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl.cli import cli, main
from workbooks import D, item, write_ledger

REALWORLD = Path(__file__).parent / "data" / "realworld"
FEEDBACK = {"交办单号": "2022-001", "反馈单位": "县发展和改革局", "反馈日期": D(2022, 6, 20), "反馈类型": "办结反馈",
            "核签人": "李四", "核查结果": "通过"}


@pytest.fixture
def clean(tmp_path):
    return write_ledger(tmp_path / "督查台账.xlsx", {"台账": [item(DONE=D(2022, 6, 18))], "反馈记录": [FEEDBACK]})


@pytest.fixture
def broken(tmp_path):
    return write_ledger(tmp_path / "督查台账.xlsx", {"台账": [item(HOST="县发改委", DEADLINE="2022.6.30")]})


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_command_is_documented_with_an_example():
    for name, command in cli.commands.items():
        assert command.help and "例" in command.help, f"duban {name} lacks help with an example"


def test_valid_ledger_exits_0(capsys, clean):
    code, out, _ = run(capsys, "validate", clean, "--as-of", "2022-12-31")
    assert code == 0 and "没有发现问题" in out


def test_errors_exit_1_and_name_sheet_and_cell(capsys, broken):
    code, out, _ = run(capsys, "validate", broken, "--as-of", "2022-12-31")
    assert code == 1
    assert "「台账」G2" in out and "县发展和改革局" in out  # the typo and its closest unit
    assert "「台账」J2" in out  # the text date (a warning)


def test_json_findings_have_the_promised_keys(capsys, broken):
    code, out, _ = run(capsys, "validate", broken, "--as-of", "2022-12-31", "--json")
    findings = json.loads(out)
    assert code == 1
    assert set(findings[0]) == {"级别", "代码", "工作表", "单元格", "列", "交办单号", "问题", "建议", "文件"}
    assert {f["文件"] for f in findings} == {broken.name}  # a scheduled job's log says which file it was
    assert {(f["工作表"], f["单元格"], f["级别"]) for f in findings} >= {("台账", "G2", "错误"), ("台账", "J2", "警告")}


@pytest.mark.parametrize("name", ["excelize-encryptAES.xlsx", "excelize-BadWorkbook.xlsx", "excelize-Book1.xlsx"])
def test_unusable_workbooks_exit_2_with_one_clear_line(capsys, name):
    code, out, err = run(capsys, "validate", REALWORLD / name)
    assert code == 2 and "无法处理" in err and "Traceback" not in err + out


def test_missing_file_legacy_xls_and_text_file_exit_2(capsys, tmp_path):
    text = tmp_path / "名单.xlsx"
    text.write_text("不是工作簿", encoding="utf-8")
    xls = tmp_path / "旧台账.xls"
    xls.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4000)
    for path in (tmp_path / "没有.xlsx", text, xls):
        code, _, err = run(capsys, "validate", path)
        assert code == 2 and "无法处理" in err, err


def test_bad_option_values_exit_2(capsys, clean):
    assert run(capsys, "validate", clean, "--as-of", "2022-13-01")[0] == 2
    assert run(capsys, "validate", clean, "--in-place")[0] == 2
    assert run(capsys, "bulletin", clean, "--month", "六月")[0] == 2
    assert run(capsys, "rank", clean, "--quarter", "2022Q5")[0] == 2


def test_write_makes_a_copy_with_findings_first_and_marks(capsys, broken):
    before = broken.read_bytes()
    code, _, err = run(capsys, "validate", broken, "--as-of", "2022-12-31", "--write")
    copy = broken.with_name("督查台账（校验结果）.xlsx")
    assert code == 1 and copy.exists() and broken.read_bytes() == before
    book = load_workbook(copy)
    assert book.sheetnames[0] == "校验结果"
    rows = list(book["校验结果"].iter_rows(min_row=2, values_only=True))
    assert ("错误", "台账", "G2") == rows[0][:3] and rows[0][-1] == "三（二）"  # the clause, not the code
    assert book["校验结果"]["C2"].hyperlink.location == "'台账'!G2"
    marked = book["台账"]["G2"]
    assert marked.comment is not None and "县发展和改革局" in marked.comment.text
    assert marked.fill.fgColor.rgb.endswith("C7CE")


def test_in_place_write_keeps_a_backup_and_refuses_while_open_in_excel(capsys, broken):
    original = broken.read_bytes()
    lock = broken.with_name("~$" + broken.name)
    lock.write_bytes(b"owner")
    code, _, err = run(capsys, "validate", broken, "--write", "--in-place")
    assert code == 2 and "Excel" in err and broken.read_bytes() == original
    lock.unlink()
    code, _, _ = run(capsys, "validate", broken, "--as-of", "2022-12-31", "--write", "--in-place")
    backups = list((broken.parent / "duban_备份").glob("*.xlsx"))
    assert code == 1 and len(backups) == 1 and backups[0].read_bytes() == original
    assert load_workbook(broken).sheetnames[0] == "校验结果"


def test_score_json_has_every_unit_and_the_detail(capsys, clean):
    code, out, _ = run(capsys, "score", clean, "--as-of", "2022-12-31", "--json")
    data = json.loads(out)
    assert code == 0 and data["as_of"] == "2022-12-31" and data["year"] == 2022
    units = {u["单位"]: u for u in data["units"]}
    assert set(units) == {"浮云街道", "紧水滩镇", "县发展和改革局", "县财政局"}  # 临时机构 are not ranked
    assert units["县发展和改革局"]["总分"] == 103 and units["浮云街道"]["总分"] == 100
    assert sum(d["分值"] for d in data["detail"] if d["计分单位"] == "县财政局") == 3


def test_score_refuses_an_invalid_ledger_with_exit_1(capsys, broken):
    code, out, err = run(capsys, "score", broken, "--as-of", "2022-12-31")
    assert code == 1 and "「台账」G2" in out and "台账有错误" in err


def test_score_json_refusal_is_json_too(capsys, broken):
    """Under --json a script reads one format: the refusal and the findings that caused it."""
    code, out, err = run(capsys, "score", broken, "--as-of", "2022-12-31", "--json")
    data = json.loads(out)
    assert code == 1 and data["error"]["code"] == "ledger_invalid" and "台账有错误" in err
    assert {"工作表": "台账", "单元格": "G2"}.items() <= data["findings"][0].items()


@pytest.mark.parametrize("args, code", [
    (["validate", "{missing}", "--json"], "missing_file"),
    (["score", "{ledger}", "--as-of", "2022-13-40", "--json"], "bad_argument"),
    (["validate", "{ledger}", "--in-place", "--json"], "bad_argument"),
    (["score", "{ledger}", "--no-such-option", "--json"], "bad_argument"),  # a usage error
])
def test_unusable_input_under_json_is_one_json_error(capsys, clean, tmp_path, args, code):
    """Exit 2 under --json: stdout is one JSON object naming the error's code, in Chinese and English."""
    args = [a.format(missing=tmp_path / "没有.xlsx", ledger=clean) for a in args]
    status, out, _ = run(capsys, *args)
    error = json.loads(out)["error"]
    assert status == 2 and error["code"] == code and error["message"] and error["english"]


def test_unknown_item_existing_file_and_busy_folder_have_their_own_errors(capsys, clean, tmp_path):
    """Each refusal has its own typed error (code) and one line for the clerk, exit 2."""
    from duban_xl.errors import FileExists, FolderNotEmpty, UnknownItem

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "别人的文件.txt").write_text("x", encoding="utf-8")
    runs = {FileExists: (["init", clean], "文件已存在"), FolderNotEmpty: (["demo", "--out", busy], "不是空的"),
            UnknownItem: (["form-report", clean, "2022-999", "--as-of", "2022-12-31"], "没有交办单号")}
    for error, (args, words) in runs.items():
        status, _, err = run(capsys, *args)
        assert status == 2 and words in err, error
    assert len({FileExists.code, FolderNotEmpty.code, UnknownItem.code, "bad_argument"}) == 4


def test_check_report_exit_codes(capsys, tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("随便写的报告")
    path = tmp_path / "反馈.docx"
    doc.save(path)
    code, out, _ = run(capsys, "check-report", path)
    assert code == 1 and "不符合格式" in out
    assert run(capsys, "check-report", tmp_path / "none.docx")[0] == 2


def test_check_report_record_writes_the_verdict_into_material_defects(capsys, clean, tmp_path):
    from duban_xl.reader import read_ledger

    code, _, _ = run(capsys, "form-report", clean, "2022-001", "--as-of", "2022-07-01", "--out", tmp_path / "docs")
    (form,) = list((tmp_path / "docs").rglob("*.docx"))  # unfilled: it breaks the 附件 format
    code, out, _ = run(capsys, "check-report", form, "--ledger", clean, "--record")
    assert code == 1 and "已记入材料问题：「反馈记录」K2 = 格式不符" in out
    fb = read_ledger(clean).feedback
    assert fb["材料问题"].tolist() == ["格式不符"]
    before = clean.read_bytes()
    run(capsys, "check-report", form, "--ledger", clean, "--record")  # recorded already: nothing is written
    assert clean.read_bytes() == before
    assert run(capsys, "check-report", form, "--record")[0] == 2  # --record needs the ledger


def test_form_report_then_check_report_flags_only_the_placeholders(capsys, clean, tmp_path):
    code, out, _ = run(capsys, "form-report", clean, "2022-001", "--as-of", "2022-07-01", "--out", tmp_path / "docs")
    (form,) = list((tmp_path / "docs").rglob("*.docx"))
    assert code == 0 and "县发展和改革局关于云和县人民政府督查室2022年1号交办单办理情况的报告" in "".join(
        p.text for p in __import__("docx").Document(form).paragraphs).replace("\n", "")  # the title is broken
    code, out, _ = run(capsys, "check-report", form, "--ledger", clean)
    problems = [line for line in out.splitlines() if line.strip().startswith("- ")]
    assert code == 1 and len(problems) == 3  # only what the unit still has to fill in:
    assert "落款日期" in problems[0] and "二、办理进展情况" in problems[1] and "三、下步工作安排" in problems[2]


# ---- the office's own Word templates (--templates, duban.toml) --------------------------------

def office_templates(folder: Path, size: int = 15) -> Path:
    """A copy of the shipped templates with the body text restyled, as an office would."""
    import shutil

    import docx
    from docx.shared import Pt

    from duban_xl import docx_templates as tpl
    from duban_xl.bundled import templates_folder

    shutil.copytree(templates_folder(), folder)
    template = docx.Document(str(folder / tpl.SLIP))
    template.styles[tpl.BODY].font.size = Pt(size)
    template.save(str(folder / tpl.SLIP))
    return folder


def slip_body_size(out: Path) -> float:
    import docx

    from duban_xl import docx_templates as tpl

    (slip,) = out.rglob("交办单_*.docx")
    return docx.Document(str(slip)).styles[tpl.BODY].font.size.pt


def test_slip_uses_the_office_templates_from_the_option_or_duban_toml(capsys, clean, tmp_path):
    office = office_templates(tmp_path / "本单位模板")
    code, _, err = run(capsys, "slip", clean, "2022-001", "--as-of", "2022-12-31", "--out", tmp_path / "a",
                       "--templates", office)
    assert code == 0 and slip_body_size(tmp_path / "a") == 15, err
    (clean.parent / "duban.toml").write_text('[documents]\ntemplates = "本单位模板"\n', encoding="utf-8")
    code, _, err = run(capsys, "slip", clean, "2022-001", "--as-of", "2022-12-31", "--out", tmp_path / "b")
    assert code == 0 and slip_body_size(tmp_path / "b") == 15, err


@pytest.mark.parametrize("setup, words", [
    ("missing folder", "找不到本单位的公文模板文件夹"),
    ("folder without the slip", "找不到公文模板“交办单.docx”"),
    ("broken slip", "公文模板「交办单.docx」无法使用"),
    ("bad toml", "不是有效的 TOML"),
])
def test_a_missing_or_broken_office_template_is_exit_2_never_the_shipped_look(capsys, clean, tmp_path, setup, words):
    office = tmp_path / "本单位模板"
    if setup == "folder without the slip":
        office.mkdir()
    elif setup == "broken slip":
        office_templates(office)
        (office / "交办单.docx").write_bytes(b"not a document")
    toml = '[documents]\ntemplates = "本单位模板"\n' if setup != "bad toml" else "[documents\n"
    (clean.parent / "duban.toml").write_text(toml, encoding="utf-8")
    code, _, err = run(capsys, "slip", clean, "2022-001", "--as-of", "2022-12-31", "--out", tmp_path / "out")
    assert code == 2 and words in err
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_bulletin_checks_the_office_template_before_touching_the_ledger(capsys, clean, tmp_path):
    office = office_templates(tmp_path / "本单位模板")
    (office / "月度通报.docx").write_bytes(b"PK\x03\x04 damaged")
    before = clean.read_bytes()
    code, _, err = run(capsys, "bulletin", clean, "--month", "2022-06", "--as-of", "2022-12-31",
                       "--templates", office)
    assert code == 2 and "公文模板「月度通报.docx」无法使用" in err and clean.read_bytes() == before
