"""duban_xl — 县政府督查室督查台账工具: validate, score, bulletin, documents.

The public API, for scripts and notebooks::

    import duban_xl as duban
    ledger = duban.read_ledger("督查台账.xlsx")
    report = duban.validate(ledger, date(2022, 12, 31))
    duban.issue_bulletin(Path("督查台账.xlsx"), "2022-06")

Names load on first use (PEP 562), so ``import duban_xl`` — and ``duban
--help`` or an Excel button before it does any work — imports neither pandas
nor pandera.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module, metadata
from typing import TYPE_CHECKING

try:
    __version__ = metadata.version("duban_xl")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

# public name → module that defines it
_EXPORTS: dict[str, str] = {
    **{name: "api" for name in (
        "validate_workbook", "score_workbook", "issue_bulletin", "rank_quarter", "make_slips",
        "make_reminders", "make_feedback_form", "check_reports", "archive_month", "verify_archive",
        "init_workbook", "load_valid", "close_month", "make_forms", "intake_folder", "intake_parcels",
        "finish_intake", "intake_mail", "mail_forms", "mail_statements",
    )},
    "read_ledger": "reader",
    "validate": "validate",
    "score": "score",
    "Ledger": "ledger",
    "Params": "ledger",
    "Report": "findings",
    "Finding": "findings",
    "CATALOGUE": "catalogue",
    "DubanError": "errors",
    "LedgerInvalid": "errors",
}
__all__ = ["__version__", *_EXPORTS]


class _Package(types.ModuleType):
    """``duban_xl.validate`` / ``duban_xl.score`` are the functions, though modules of the same
    name exist: importing such a module must not overwrite the package attribute with it
    (``from duban_xl.validate import …`` still works through ``sys.modules``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and name in _EXPORTS and _EXPORTS[name] == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'duban_xl' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # what type checkers and IDEs see; nothing is imported at run time
    from .api import (archive_month, check_reports, finish_intake, init_workbook, intake_folder, intake_mail,
                      intake_parcels, issue_bulletin, load_valid, mail_forms, mail_statements, make_feedback_form,
                      make_forms, make_reminders, make_slips, rank_quarter, score_workbook, validate_workbook,
                      verify_archive)
    from .errors import DubanError, LedgerInvalid
    from .catalogue import CATALOGUE
    from .findings import Finding, Report
    from .ledger import Ledger, Params
    from .reader import read_ledger
    from .score import score
    from .validate import validate
