"""`duban.toml` beside the ledger: the office's settings, never inside the ledger itself.

This module reads the file and its ``[documents]`` block; other blocks (``[mail]``)
are read by the modules that use them, from the same table. Example::

    [documents]
    templates = "公文模板"   # the office's restyled Word templates (relative to this file)
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import BadConfig, BadTemplate

CONFIG_NAME = "duban.toml"


def config_path(ledger: Path, given: Path | None = None) -> Path:
    """`--config FILE`, else duban.toml beside the ledger."""
    return given if given is not None else Path(ledger).parent / CONFIG_NAME


def load(path: Path) -> dict:
    """The whole table of ``path`` ({} when there is no such file); unreadable TOML is a BadConfig."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadConfig(f"配置文件 {path} 不是有效的 TOML（{exc}）。请按 README 的示例改正。",
                        f"invalid TOML in {path}: {exc}") from None


def office_templates(ledger: Path, option: Path | None = None) -> Path | None:
    """The office's own Word templates: ``--templates``, else duban.toml's [documents] templates.

    None means the templates that ship with duban. A folder that is named but absent is an
    error here, so a typo never silently falls back to the shipped look.
    """
    if option is None:
        path = config_path(ledger)
        entry = load(path).get("documents", {}).get("templates")
        if entry is None:
            return None
        if not isinstance(entry, str) or not entry.strip():
            raise BadConfig(f"配置文件「{path.name}」中 [documents] templates 应为文件夹路径（文字）。",
                            f"{path}: [documents] templates must be a folder path")
        option = path.parent / entry
    folder = Path(option)
    if not folder.is_dir():
        raise BadTemplate(f"找不到本单位的公文模板文件夹「{folder}」。请核对 --templates 或 duban.toml 中的路径。",
                          f"templates folder not found: {folder}")
    return folder
