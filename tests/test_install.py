"""A wheel installed outside the repository runs every command: the proof an office's IT person needs.

Builds the wheel, installs it (without dependencies) into a fresh venv that sees this
venv's packages, and runs `duban` there from an unrelated folder.
"""
from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def run(args: list, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding only the built wheel (dependencies come from this venv)."""
    root = tmp_path_factory.mktemp("install")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", root / "dist", REPO], root)
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("duban_xl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "duban_xl/workbook_templates/月度通报.docx" in names and "duban_xl/samples/云和县2022年督查台账.xlsx" in names
    assert any(name.startswith("duban_xl/vba/") for name in names)  # what xl-setup puts in the .xlsm
    venv = root / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", venv], root).returncode == 0
    (purelib,) = (venv / "lib").glob("python*/site-packages")
    (purelib / "current_venv.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    done = run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-deps",
                "--no-index", wheel], root)
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed, tmp_path):
    where = run([installed / "python", "-c", "import duban_xl; print(duban_xl.__file__, duban_xl.__version__)"],
                tmp_path)
    path, version = where.stdout.split()
    assert Path(path).is_relative_to(installed.parent) and version == "0.1.0"


def test_demo_runs_from_an_unrelated_folder(installed, tmp_path):
    elsewhere = tmp_path / "某个文件夹"
    elsewhere.mkdir()
    demo = run([installed / "duban", "demo", "--out", "演示"], elsewhere)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    out = elsewhere / "演示"
    month = out / "督查输出" / "2022年6月"
    assert (out / "云和县2022年督查台账.xlsx").is_file() and (out / "云和县2022年督查台账（校验结果）.xlsx").is_file()
    assert (month / "通报_2022年6月.docx").is_file() and list(month.glob("交办单_*.docx"))
    assert list(month.glob("季度排名通报_*.docx")) and list(month.glob("催办单_*.docx"))
    assert (out / "督查输出" / "督查归档_2022年6月.zip").is_file()
    assert "校验完整" in demo.stdout


def test_init_validate_score_and_buttons_run_from_the_wheel(installed, tmp_path):
    made = run([installed / "duban", "init", "台账.xlsx", "--year", "2023"], tmp_path)
    assert made.returncode == 0, made.stderr
    checked = run([installed / "duban", "validate", "台账.xlsx", "--json", "--as-of", "2023-12-31"], tmp_path)
    assert checked.returncode == 0 and json.loads(checked.stdout) == []
    scored = run([installed / "duban", "score", "台账.xlsx", "--json", "--as-of", "2023-12-31"], tmp_path)
    assert scored.returncode == 0 and json.loads(scored.stdout)["year"] == 2023
    buttons = run([installed / "duban", "xl-setup", "台账.xlsx"], tmp_path)
    assert buttons.returncode == 0 and (tmp_path / "台账.xlsm").is_file(), buttons.stderr
    with zipfile.ZipFile(tmp_path / "台账.xlsm") as zf:  # the buttons' VBA ships inside the package
        assert len(zf.read("xl/vbaProject.bin")) > 50_000
