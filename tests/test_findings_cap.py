"""The cap on findings (issue 9, Deliver 6): each sheet lists its first ``CAP`` findings of a kind and one
«还有 N 处同类问题» line per capped kind — in the terminal, in --json, in 校验结果 and in the ledger's marks.

A ledger of junk goes through the real CLI; N must be the true count of the rest, and a ledger of
200,000 junk rows must end with a bounded report, exit 1 and a measured peak under 1 GiB (the
child's own ``ru_maxrss``, see peak.py).
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duban_xl.cap import CAP
from duban_xl.contract import Col, FormSheet, Sheet
from duban_xl.reader import read_ledger
from duban_xl.validate import validate
from intake_files import fill, issue, letter
from junk import JUNK_PER_ROW, junk_form, junk_ledger
from peak import duban as _run
from workbooks import D, item, write_ledger

GIB = 1 << 30
MORE = re.compile(r"^还有 (\d+) 处同类问题")


def _more(finding: dict) -> int:
    return int(MORE.match(finding["问题"])[1])


def _kinds(findings: list[dict]) -> tuple[Counter, dict]:
    """Listed findings per (sheet, code), and the N of each «还有 N 处» line by the kind whose example it quotes."""
    listed = Counter((f["工作表"], f["代码"]) for f in findings if not f["代码"].startswith("more_"))
    messages: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        messages.setdefault((f["工作表"], f["代码"]), set()).add(f["问题"])
    more = {}
    for f in findings:
        if f["代码"].startswith("more_"):
            (kind,) = [k for k, said in messages.items() if k[0] == f["工作表"] and not k[1].startswith("more_")
                       and any(m.rstrip("。") in f["问题"] for m in said)]
            more[kind] = _more(f)
    return listed, more


def _check_capped(findings: list[dict], rows: int) -> None:
    listed, more = _kinds(findings)
    assert set(listed) == set(JUNK_PER_ROW) == set(more)
    for kind, per_row in JUNK_PER_ROW.items():
        assert listed[kind] == CAP, kind
        assert more[kind] == rows * per_row - CAP, kind  # the true count of the rest, not an estimate


def test_a_ledger_of_junk_lists_the_first_of_each_kind_and_counts_the_rest(tmp_path):
    rows = 2000
    ledger = junk_ledger(tmp_path / "督查台账.xlsx", rows)
    done = _run(["validate", str(ledger), "--json"], tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    findings = json.loads(done.stdout)
    _check_capped(findings, rows)
    (dates,) = [f for f in findings if f["代码"] == "more_errors" and "不是有效日期" in f["问题"]]
    # which columns the rest are in, with their counts: the first 50 listed are all 交办日期
    assert f"“交办日期”列 {rows - CAP} 处、“完成时限”列 {rows} 处、“办结日期”列 {rows} 处" in dates["问题"]
    assert dates["级别"] == "错误" and dates["单元格"] == "" and dates["建议"].startswith(f"每类只列出前 {CAP} 处")
    text = _run(["validate", str(ledger)], tmp_path)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert lines[-1] == f"校验未通过：错误 {rows * sum(JUNK_PER_ROW.values())} 处，警告 0 处。"  # the true totals
    assert sum(1 for line in lines if "还有" in line and "处同类问题" in line) == len(JUNK_PER_ROW)


def test_only_listed_findings_are_marked_and_the_results_sheet_ends_with_the_lines(tmp_path):
    rows = 2000
    ledger = junk_ledger(tmp_path / "督查台账.xlsx", rows)
    done = _run(["validate", str(ledger), "--write", "--in-place"], tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    sheet = load_workbook(ledger, read_only=True)[Sheet.FINDINGS]
    table = [dict(zip(("级别", "工作表", "单元格", "列", "交办单号", "问题", "建议", "依据"), r))
             for r in sheet.iter_rows(min_row=2, values_only=True)]
    lines = [r for r in table if r["问题"].startswith("还有")]
    assert len(table) == CAP * len(JUNK_PER_ROW) + len(JUNK_PER_ROW) and len(lines) == len(JUNK_PER_ROW)
    assert table[-len(lines):] == lines  # after the examples they count
    assert sum(_more(r) for r in lines) == rows * sum(JUNK_PER_ROW.values()) - CAP * len(JUNK_PER_ROW)
    assert {r["依据"] for r in lines} == {"SPEC «校验»"}
    with zipfile.ZipFile(ledger) as zf:
        comments = b"".join(zf.read(n) for n in zf.namelist() if re.fullmatch(r"xl/comments\d*\.xml", n))
    assert comments.count(b"<comment ") == CAP * len(JUNK_PER_ROW)  # one mark per listed finding, none more
    assert b"\xe8\xbf\x98\xe6\x9c\x89" not in comments  # no «还有» line is a mark: it has no cell


def test_a_kind_of_warnings_is_capped_as_a_warning_and_a_ledger_of_them_still_passes(tmp_path):
    """50 of a kind are all listed; 60 list 50 and one 警告 line of 10, and the ledger stays valid."""
    def typed(n: int) -> Path:
        items = [item(ITEM_NO=f"2022-{i:03d}", ASSIGNED="2022.3.1") for i in range(1, n + 1)]
        return write_ledger(tmp_path / f"台账{n}.xlsx", {Sheet.ITEMS: items})

    exact = validate(read_ledger(typed(CAP)), D(2022, 12, 31))
    assert [f.code for f in exact.findings] == ["date_as_text"] * CAP
    over = validate(read_ledger(typed(CAP + 10)), D(2022, 12, 31))
    (line,) = [f for f in over.findings if f.more]
    assert (line.code, line.level, line.more, line.column) == ("more_warnings", "警告", 10, Col.ASSIGNED)
    assert line.message.startswith("还有 10 处同类问题") and over.ok
    assert over.summary() == f"校验通过：错误 0 处，警告 {CAP + 10} 处。"
    done = _run(["validate", str(tmp_path / f"台账{CAP + 10}.xlsx")], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_returned_form_full_of_junk_gets_one_receipt_with_the_first_of_each_kind(tmp_path):
    """Within the row limit: each junk row is an item not on the form and a formula; the receipt lists
    50 of each and «还有 N 处», and nothing is merged."""
    ledger, forms = issue(tmp_path)
    inbox = tmp_path / "收件"
    unit, form = next(iter(forms.items()))
    rows = 1500
    junk_form(fill(form, inbox / form.name), rows, letter(Col.ITEM_NO), letter(Col.PROGRESS))
    before = ledger.read_bytes()
    done = _run(["intake", str(ledger), "--dir", str(inbox), "--as-of", "2022-07-05", "--json"], tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    (result,) = json.loads(done.stdout)["files"]
    assert result["结果"] == "退回" and ledger.read_bytes() == before
    problems = result["问题"]
    codes = Counter(p["代码"] for p in problems)
    assert codes["item_not_on_form"] == CAP and codes["formula"] == CAP and codes["more_errors"] == 2
    assert sorted(_more(p) for p in problems if p["代码"] == "more_errors") == [rows - CAP, rows - CAP]
    receipt = load_workbook(inbox / "回执" / f"{form.stem}_回执.xlsx")[FormSheet.RECEIPT]
    assert receipt["A1"].value.startswith(f"退回：{unit}") and f"有 {2 * rows}" in receipt["A1"].value
    assert receipt.max_row < 2 * CAP + 20


@pytest.mark.slow
def test_a_returned_form_of_200000_junk_rows_is_refused_with_one_small_receipt(tmp_path):
    ledger, forms = issue(tmp_path)
    inbox = tmp_path / "收件"
    form = next(iter(forms.values()))
    junk_form(fill(form, inbox / form.name), 200_000, letter(Col.ITEM_NO), letter(Col.PROGRESS))
    done = _run(["intake", str(ledger), "--dir", str(inbox), "--as-of", "2022-07-05", "--json"], tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.peak < GIB, f"peak {done.peak >> 20} MiB"
    (result,) = json.loads(done.stdout)["files"]
    (problem,) = result["问题"]
    assert result["结果"] == "退回" and problem["代码"] == "unusable_file" and "超过 2000 行" in problem["问题"]
    assert (inbox / "回执" / f"{form.stem}_回执.xlsx").stat().st_size < 20_000


@pytest.fixture(scope="module")
def junk_200k(tmp_path_factory) -> Path:
    return junk_ledger(tmp_path_factory.mktemp("junk") / "督查台账.xlsx", 200_000)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [["--json"], ["--write"], ["--write", "--in-place"]])
def test_200000_rows_of_junk_end_with_a_bounded_report_under_1_gib(junk_200k, tmp_path, mode):
    """Issue 9 measured 2.6 million findings, over two minutes and 1.6 GiB; the time is in benchmarks/."""
    ledger = Path(shutil.copy(junk_200k, tmp_path / junk_200k.name))
    done = _run(["validate", str(ledger), *mode], tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.peak < GIB, f"peak {done.peak >> 20} MiB"
    if mode == ["--json"]:
        _check_capped(json.loads(done.stdout), 200_000)
        return
    written = ledger if "--in-place" in mode else tmp_path / "督查台账（校验结果）.xlsx"
    sheet = load_workbook(written, read_only=True)[Sheet.FINDINGS]
    found = [r[5] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(found) == (CAP + 1) * len(JUNK_PER_ROW)
    assert sum(int(MORE.match(m)[1]) for m in found if MORE.match(m)) == \
        200_000 * sum(JUNK_PER_ROW.values()) - CAP * len(JUNK_PER_ROW)


def test_a_huge_cell_is_quoted_short_so_a_finding_stays_one_readable_line(tmp_path):
    """A 30,000-character unit name (a hostile sheet) is named by its start and its length, not printed whole."""
    huge = "县" + "某" * 30_000 + "局"
    ledger = write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST=huge)]})
    (finding,) = [f for f in validate(read_ledger(ledger), D(2022, 12, 31)).findings if f.code == "unknown_unit"]
    assert finding.cell.startswith("G") and "（共 30002 字）" in finding.message and len(finding.message) < 200


def test_the_python_api_gets_the_same_capped_report_with_true_totals(tmp_path):
    """A script calling duban_xl.validate sees the cap too: the listed findings, one 错误 line per capped
    kind whose ``more`` is the true rest, and error_count that counts them all."""
    rows = 120
    report = validate(read_ledger(junk_ledger(tmp_path / "督查台账.xlsx", rows)), D(2022, 12, 31))
    lines = [f for f in report.findings if f.more]
    assert {f.code for f in lines} == {"more_errors"} and len(lines) == len(JUNK_PER_ROW)
    listed = Counter((f.sheet, f.code) for f in report.findings if not f.more)
    assert all(listed[kind] == CAP for kind in JUNK_PER_ROW)
    assert sum(f.more for f in lines) == sum(rows * n - CAP for n in JUNK_PER_ROW.values())
    assert report.error_count == rows * sum(JUNK_PER_ROW.values()) and not report.ok
