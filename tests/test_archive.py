"""归档 (二（七）): a reproducible monthly zip whose manifest lets anyone check it years later."""
import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from duban_xl.archive import build_archive, verify_archive
from duban_xl.errors import BadArgument, FileMissing


@pytest.fixture
def inputs(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    ledger = src / "督查台账.xlsx"
    ledger.write_bytes(b"PK ledger bytes " * 100)
    docs = [src / "2022年第6期月度通报.docx", src / "催办清单.xlsx"]
    docs[0].write_bytes(b"word document")
    docs[1].write_bytes(b"reminder workbook")
    return ledger, docs


def _rewrite(path: Path, change) -> None:
    """Rebuild a zip with ``change(name, data)`` → data or None (drop); simulates tampering on disk."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            new = change(info.filename, data)
            if new is not None:
                zf.writestr(info, new)


def test_archive_contents_manifest_and_index(tmp_path, inputs):
    ledger, docs = inputs
    (tmp_path / "out").mkdir()
    out = build_archive(tmp_path / "out", "2022-06", docs, ledger)
    assert out == tmp_path / "out" / "督查归档_2022年6月.zip"
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert set(names) == {"manifest.json", "索引.csv", "督查台账.xlsx", "2022年第6期月度通报.docx", "催办清单.xlsx",
                              "催办记录.csv"}
        assert zf.read("督查台账.xlsx") == ledger.read_bytes()
        manifest = json.loads(zf.read("manifest.json"))
        index = zf.read("索引.csv")
    assert manifest["month"] == "2022-06"
    ledger_entry = next(e for e in manifest["files"] if e["name"] == "督查台账.xlsx")
    assert ledger_entry["size"] == 1600 and len(ledger_entry["sha256"]) == 64
    assert index.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(index.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "文件名", "类型", "大小", "SHA-256"]
    assert [r[1] for r in rows[1:]] == sorted(e["name"] for e in manifest["files"])
    kinds = {r[1]: r[2] for r in rows[1:]}
    assert kinds["督查台账.xlsx"] == "督查台账（快照）" and kinds["2022年第6期月度通报.docx"] == "Word文档"
    assert verify_archive(out) == []


def test_rerun_is_byte_identical_and_replaces(tmp_path, inputs):
    ledger, docs = inputs
    target = tmp_path / "督查归档_2022年6月.zip"
    first = build_archive(target, "2022-06", docs, ledger).read_bytes()
    second = build_archive(target, "2022-06", list(reversed(docs)), ledger).read_bytes()
    assert first == second
    docs[0].write_bytes(b"word document, corrected")
    third = build_archive(target, "2022-06", docs, ledger).read_bytes()
    assert third != first and verify_archive(target) == []
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_verify_catches_tampered_file(tmp_path, inputs):
    ledger, docs = inputs
    out = build_archive(tmp_path / "a.zip", "2022-06", docs, ledger)
    _rewrite(out, lambda name, data: b"WORD DOCUMENT" if name.endswith(".docx") else data)  # same size
    assert verify_archive(out) == ["文件「2022年第6期月度通报.docx」内容与清单不符（SHA-256 校验不一致），可能被改动过。"]


def test_verify_catches_size_missing_and_extra(tmp_path, inputs):
    ledger, docs = inputs
    out = build_archive(tmp_path / "a.zip", "2022-06", docs, ledger)

    def change(name, data):
        if name == "催办清单.xlsx":
            return None
        return data + b"!" if name == "督查台账.xlsx" else data

    _rewrite(out, change)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("私加的文件.txt", b"x")
    problems = verify_archive(out)
    assert problems == [
        "文件「督查台账.xlsx」大小不符：清单记载 1600 字节，实际 1601 字节。",
        "缺少文件「催办清单.xlsx」：清单中有，归档包里没有。",
        "文件「私加的文件.txt」不在清单中，来历不明。",
    ]


def test_verify_not_a_zip(tmp_path):
    fake = tmp_path / "督查归档_2022年6月.zip"
    fake.write_bytes(b"not a zip at all")
    assert verify_archive(fake) == ["「督查归档_2022年6月.zip」不是完整的 zip 归档包，文件可能已损坏。"]


def test_missing_input_and_clashing_names_are_plain_errors(tmp_path, inputs):
    ledger, docs = inputs
    with pytest.raises(FileMissing) as missing:
        build_archive(tmp_path / "a.zip", "2022-06", [tmp_path / "没有这个.docx"], ledger)
    assert "找不到要归档的文件" in missing.value.message
    other = tmp_path / "other"
    other.mkdir()
    (other / docs[0].name).write_bytes(b"another")
    with pytest.raises(BadArgument) as clash:
        build_archive(tmp_path / "a.zip", "2022-06", [docs[0], other / docs[0].name], ledger)
    assert "请把其中一个改名" in clash.value.message
    assert not (tmp_path / "a.zip").exists()
    # the same file given twice is filed once
    out = build_archive(tmp_path / "a.zip", "2022-06", [docs[0], docs[0], ledger], ledger)
    assert len(json.loads(zipfile.ZipFile(out).read("manifest.json"))["files"]) == 3  # and 催办记录.csv


def test_bad_month(tmp_path, inputs):
    ledger, docs = inputs
    with pytest.raises(BadArgument):
        build_archive(tmp_path / "a.zip", "2022年6月", docs, ledger)


def test_the_months_reminders_are_filed_with_the_archive(tmp_path):
    import shutil

    from duban_xl import api

    ledger = Path(shutil.copy(Path(__file__).resolve().parents[1] / "samples" / "云和县2022年督查台账.xlsx",
                              tmp_path / "督查台账.xlsx"))
    out = api.archive_month(ledger, "2022-09", out=tmp_path / "out")
    with zipfile.ZipFile(out) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("催办记录.csv").decode("utf-8-sig"))))
    assert rows[0] == ["催办日期", "交办单号", "单位", "催办方式", "催办内容", "经办人", "单位答复", "报告领导"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [("2022-09-02", "赤石乡", "电话问询"), ("2022-09-15", "赤石乡", "现场检查")]
    assert verify_archive(out) == []
