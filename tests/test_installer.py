"""The Windows installer build (installer/build.py): its inputs are checked, and it builds.

python.org is not reachable from every build machine, so the test builds with a
*stand-in* embeddable zip (the right file names, placeholder contents): it proves the
pynsist configuration, the wheels and the NSIS script build, not that the installed
Python runs — only a Windows PC can show that (README «Installing on Windows»).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("installer_build", REPO / "installer" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def stand_in_zip(folder: Path, name: str = "python-3.11.9-embed-amd64.zip", members=build.EMBED_MEMBERS) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as zf:
        for member in members:
            zf.writestr(member, "python311.zip\r\n.\r\n" if member.endswith("._pth") else f"stand-in {member}")
    return path


def test_the_embeddable_zip_is_checked_before_anything_is_built(tmp_path):
    assert build.check_embeddable(stand_in_zip(tmp_path)) == "3.11.9"
    with pytest.raises(SystemExit, match="python-3.11.N-embed-amd64.zip"):
        build.check_embeddable(stand_in_zip(tmp_path, "python-3.12.1-embed-amd64.zip"))
    with pytest.raises(SystemExit, match="lacks pythonw.exe"):
        build.check_embeddable(stand_in_zip(tmp_path, members=("python.exe", "python311.dll", "python311.zip",
                                                                   "python311._pth")))
    (tmp_path / "python-3.11.8-embed-amd64.zip").write_bytes(b"not a zip")
    with pytest.raises(SystemExit, match="not a zip"):
        build.check_embeddable(tmp_path / "python-3.11.8-embed-amd64.zip")


def _wheel_ok(name: str) -> bool:
    """A wheel a 64-bit Windows Python 3.11 installs: pure, or cp311 / abi3 for win_amd64."""
    tags = name[:-4].split("-")[-3:]
    python, abi, platform = tags
    if platform == "any":
        return True
    return platform == "win_amd64" and ("cp311" in python.split(".") or abi == "abi3")


@pytest.mark.slow
def test_the_installer_builds_with_every_dependency_as_a_windows_wheel(tmp_path):
    """One wheel download (~7 s) and one NSIS build (~2 min): CI keeps it to this one."""
    if not shutil.which("makensis"):
        if os.environ.get("DUBAN_REQUIRE_NSIS") == "1":
            pytest.fail("makensis (NSIS) is not installed: apt-get install nsis")
        pytest.skip("makensis (NSIS) is not installed: apt-get install nsis")
    pytest.importorskip("nsist", reason="pynsist is in the test extras")
    exe = build.build(stand_in_zip(tmp_path), tmp_path / "out")

    wheels = sorted(p.name for p in (tmp_path / "out" / "wheels").glob("*.whl"))
    assert [w for w in wheels if not _wheel_ok(w)] == []
    names = {w.split("-")[0].lower() for w in wheels}
    assert {"duban_xl", "xlwings", "pywin32", "pandas", "numpy", "lxml", "python_calamine"} <= names
    assert exe.is_file() and exe.read_bytes()[:2] == b"MZ" and exe.stat().st_size > 20 * 2**20
    nsi = (tmp_path / "out" / "nsis" / "installer.nsi").read_text(encoding="utf-8", errors="replace")
    assert "duban_pkgs.pth" in nsi  # the buttons' pythonw.exe finds the packages
    assert (tmp_path / "out" / "nsis" / "bin" / "duban.exe").is_file() or "duban.exe" in nsi  # duban on the PATH
