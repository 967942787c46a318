"""In-place writes keep the office's file: mode, owner, links, read-only; kills, full disks and races lose nothing."""
from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from duban_xl.contract import Sheet
from duban_xl.xlsx.graft import OwnedSheet
from duban_xl.xlsx.lock import BACKUP_DIR
from duban_xl.xlsx.transaction import write_workbook
from workbooks import write_ledger

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "云和县2022年督查台账.xlsx"


def _findings(ws) -> None:
    ws.append(["级别", "问题"])
    ws.append(["错误", "完成时限早于交办日期"])


FINDINGS = OwnedSheet(Sheet.FINDINGS, _findings, first=True)


def _has_findings(path: Path) -> bool:
    return Sheet.FINDINGS in openpyxl.load_workbook(path, read_only=True).sheetnames


def _stray(folder: Path, ledger: Path) -> list[str]:
    """Files other than the ledger, complete backups and duban's lock."""
    names = [p.name for p in folder.iterdir() if p.name not in (ledger.name, BACKUP_DIR)]
    backups = folder / BACKUP_DIR
    if backups.is_dir():
        names += [f"{BACKUP_DIR}/{p.name}" for p in backups.iterdir()
                  if p.name != f".~{ledger.name}.lock" and not (p.name.startswith(ledger.stem) and p.suffix == ".xlsx")]
    return names


@pytest.fixture
def ledger(tmp_path) -> Path:
    return write_ledger(tmp_path / "督查台账.xlsx")


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_in_place_write_keeps_the_mode(ledger, mode):
    os.chmod(ledger, mode)
    write_workbook(ledger, sheets=[FINDINGS])
    assert stat.S_IMODE(ledger.stat().st_mode) == mode and _has_findings(ledger)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_in_place_write_keeps_the_owner(ledger):
    os.chown(ledger, 1234, 2345)
    write_workbook(ledger, sheets=[FINDINGS])
    info = ledger.stat()
    assert (info.st_uid, info.st_gid) == (1234, 2345)


def test_a_new_file_gets_the_usual_mode_not_0600(ledger, tmp_path):
    target = tmp_path / "副本.xlsx"
    write_workbook(ledger, target=target, sheets=[FINDINGS])
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_a_symlinked_ledger_is_written_through_to_its_target(ledger, tmp_path):
    link = tmp_path / "共享" / "台账链接.xlsx"
    link.parent.mkdir()
    link.symlink_to(ledger)
    result = write_workbook(link, sheets=[FINDINGS])
    assert link.is_symlink() and link.resolve() == ledger.resolve()
    assert _has_findings(ledger) and result.backup.parent == ledger.parent / BACKUP_DIR


def test_a_hard_linked_ledger_stays_one_file(ledger, tmp_path):
    other = tmp_path / "另一个名字.xlsx"
    os.link(ledger, other)
    inode = ledger.stat().st_ino
    write_workbook(ledger, sheets=[FINDINGS])
    assert ledger.stat().st_ino == inode == other.stat().st_ino and other.stat().st_nlink == 2
    assert _has_findings(other)


def _duban(*args: str, cwd: Path, limit_fsize: int | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    def limits() -> None:
        if limit_fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_fsize, limit_fsize))

    return subprocess.run([sys.executable, "-m", "duban_xl.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limits, env={**os.environ, "DUBAN_TODAY": "2022-12-31"})


def test_a_read_only_ledger_is_refused_with_one_line(ledger):
    os.chmod(ledger, 0o444)
    before = ledger.read_bytes()
    done = _duban("validate", ledger.name, "--as-of", "2022-12-31", "--write", "--in-place", cwd=ledger.parent)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "只读" in lines[0] and ledger.name in lines[0]
    assert ledger.read_bytes() == before and _stray(ledger.parent, ledger) == []


@pytest.mark.slow
def test_a_full_disk_exits_2_and_leaves_the_old_ledger_and_nothing_else(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    shutil.copy(SAMPLE, ledger)
    before = ledger.read_bytes()
    # RLIMIT_FSIZE: no file this process writes may pass half the ledger's size (EFBIG, as a full disk gives ENOSPC)
    done = _duban("validate", ledger.name, "--write", "--in-place", cwd=tmp_path, limit_fsize=len(before) // 2)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "磁盘空间不足" in lines[0], done.stderr
    assert ledger.read_bytes() == before and _stray(tmp_path, ledger) == []
    assert not [p for p in (tmp_path / BACKUP_DIR).iterdir() if p.suffix == ".xlsx"]  # no partial backup


@pytest.mark.slow
def test_a_full_disk_on_a_tiny_tmpfs(tmp_path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        ledger = mount / "台账.xlsx"
        shutil.copy(SAMPLE, ledger)  # 120 KB of 200 KB: the new copy cannot fit beside it
        before = ledger.read_bytes()
        done = _duban("validate", ledger.name, "--write", "--in-place", cwd=mount)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and "磁盘空间不足" in lines[0], done.stderr
        assert ledger.read_bytes() == before and _stray(mount, ledger) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.slow
def test_a_writer_killed_anywhere_leaves_the_old_ledger_or_the_new_and_nothing_else(tmp_path):
    rng = random.Random(9)
    script = ("import sys; from duban_xl.api import validate_workbook; import datetime as dt;"
              "validate_workbook(__import__('pathlib').Path(sys.argv[1]), dt.date(2022, 12, 31), write='in_place')")
    for attempt in range(8):
        folder = tmp_path / f"try{attempt}"
        folder.mkdir()
        ledger = folder / "台账.xlsx"
        shutil.copy(SAMPLE, ledger)
        before = ledger.read_bytes()
        writer = subprocess.Popen([sys.executable, "-c", script, str(ledger)], cwd=folder)
        time.sleep(rng.uniform(1.0, 8.0))  # imports, reading, building, writing: anywhere
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        after = ledger.read_bytes()
        assert after == before or _has_findings(ledger), f"try {attempt}: the ledger is neither old nor new"
        assert _stray(folder, ledger) == [], f"try {attempt}"
        for backup in (folder / BACKUP_DIR).glob("*.xlsx") if (folder / BACKUP_DIR).exists() else []:
            assert backup.read_bytes() == before, f"try {attempt}: a partial backup"


RACER = """
import sys, time
from pathlib import Path
from duban_xl.api import issue_bulletin

folder, month, me, other, tries = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
for i in range(tries):
    (folder / f"ready{i}.{me}").touch()
    while not (folder / f"ready{i}.{other}").exists():
        time.sleep(0.005)
    issue_bulletin(folder / f"台账{i}.xlsx", month, out=folder / f"out{i}-{me}")
"""


@pytest.mark.slow
def test_two_bulletins_racing_on_one_ledger_both_keep_their_rows(tmp_path):
    tries = 20
    for i in range(tries):
        shutil.copy(SAMPLE, tmp_path / f"台账{i}.xlsx")
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(tmp_path), month, me, other, str(tries)],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
              for month, me, other in (("2022-05", "a", "b"), ("2022-06", "b", "a"))]
    for racer in racers:
        _, err = racer.communicate(timeout=1500)
        assert racer.returncode == 0, err[-2000:]
    for i in range(tries):
        rows = openpyxl.load_workbook(tmp_path / f"台账{i}.xlsx", read_only=True)[Sheet.NOTICES].iter_rows(
            min_row=2, values_only=True)
        issues = {r[0] for r in rows if r and r[0]}
        assert {"2022年第5期", "2022年第6期"} <= issues, f"try {i}: {sorted(issues)}"


@pytest.mark.parametrize("command", [["validate"], ["score", "--as-of", "2022-06-30"],
                                     ["bulletin", "--month", "2022-06", "--dry-run"]])
def test_a_command_that_only_reads_the_ledger_leaves_its_folder_as_it_was(tmp_path, command):
    """No lock and no 备份 folder beside a file duban only read (it may sit on a share the clerk only reads)."""
    from duban_xl.cli import main

    folder = tmp_path / "台账夹"
    folder.mkdir()
    ledger = Path(shutil.copy(SAMPLE, folder / SAMPLE.name))
    before = ledger.read_bytes()
    out = tmp_path / "输出"
    extra = ["--out", str(out)] if command[0] == "bulletin" else []
    assert main([command[0], str(ledger), *command[1:], *extra]) in (0, 1)
    assert [p.name for p in folder.iterdir()] == [ledger.name] and ledger.read_bytes() == before
