"""Build the Windows installer for staff without Python (README «Installing on Windows»).

    python installer/build.py --python-zip python-3.11.9-embed-amd64.zip [--out build/installer]

pynsist (with NSIS's makensis) builds it on Linux or Windows: the Python
embeddable zip (python.org, not reachable from every build machine, so it is an
input this script names and checks), every dependency as a win_amd64 wheel
(``pip download --platform win_amd64``; pywin32 and colorama are named because
pip judges environment markers for the machine it runs on), duban_xl's own
wheel, ``duban`` on the PATH, and ``duban_pkgs.pth`` so that the pythonw.exe
the Excel buttons start (INTERPRETER_WIN, written by ``duban xl-setup``) sees
the installed packages too.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON_VERSION = "3.11"  # what CI tests and xlwings 0.37.8 needs (≥ 3.11)
EMBED_NAME = re.compile(r"^python-(3\.11\.\d+)-embed-amd64\.zip$")
EMBED_MEMBERS = ("python.exe", "pythonw.exe", "python311.dll", "python311.zip", "python311._pth")
WINDOWS_ONLY = ("pywin32", "colorama")  # xlwings and click need them on Windows only

CONFIG = """\
[Application]
name=duban_xl
version={version}
publisher=县政府督查室
entry_point=duban_xl.cli:main
console=true

[Python]
version={python}
bitness=64
include_msvcrt=true

[Include]
local_wheels={wheels}/*.whl
files={pth} > $INSTDIR\\Python

[Command duban]
entry_point=duban_xl.cli:main

[Build]
directory={build}
installer_name={installer}
"""


def check_embeddable(path: Path) -> str:
    """The embeddable zip's Python version, or SystemExit saying what is wrong with it."""
    match = EMBED_NAME.match(path.name)
    if not match:
        raise SystemExit(f"{path.name}: expected python.org's python-3.11.N-embed-amd64.zip "
                         f"(https://www.python.org/downloads/windows/, «Windows embeddable package (64-bit)»)")
    if not path.is_file():
        raise SystemExit(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise SystemExit(f"{path}: not a zip file ({exc})") from None
    missing = [m for m in EMBED_MEMBERS if m not in names]
    if missing:
        raise SystemExit(f"{path.name} lacks {', '.join(missing)}: not a Python 3.11 embeddable package")
    return match.group(1)


def download_wheels(dest: Path, extras: str = "excel") -> list[Path]:
    """Every dependency as a cp311 win_amd64 or pure wheel, plus duban_xl's own wheel."""
    dest.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "--no-deps", "--quiet", "-w", str(dest), str(REPO)], check=True)
    own = sorted(dest.glob("duban_xl-*.whl"))[-1]
    subprocess.run([*pip, "download", "--quiet", "--only-binary=:all:", "--platform", "win_amd64",
                    "--python-version", PYTHON_VERSION, "--implementation", "cp", "-d", str(dest),
                    f"{own}[{extras}]", *WINDOWS_ONLY], check=True)
    return sorted(dest.glob("*.whl"))


def build(python_zip: Path, out: Path) -> Path:
    python = check_embeddable(python_zip)
    version = _project_version()
    out.mkdir(parents=True, exist_ok=True)
    wheels = out / "wheels"
    download_wheels(wheels)
    installer = f"duban_xl_{version}_win64.exe"
    cfg = out / "installer.cfg"
    cfg.write_text(CONFIG.format(version=version, python=python, wheels=wheels.as_posix(),
                                 pth=(HERE / "duban_pkgs.pth").as_posix(), build=(out / "nsis").as_posix(),
                                 installer=installer), encoding="utf-8")
    with tempfile.TemporaryDirectory() as cache:
        shutil.copy(python_zip, Path(cache) / python_zip.name)  # pynsist looks for the zip in its cache
        env = {**__import__("os").environ, "PYNSIST_CACHE_DIR": cache}
        subprocess.run([sys.executable, "-m", "nsist", str(cfg)], check=True, env=env)
    return out / "nsis" / installer


def _project_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-zip", type=Path, required=True,
                        help="python.org's python-3.11.N-embed-amd64.zip")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "installer")
    args = parser.parse_args(argv)
    print(build(args.python_zip, args.out))


if __name__ == "__main__":
    main()
