"""Typed errors for input that cannot be used at all (exit code 2).

Each carries a stable code, a plain Chinese message that says what to do, and
an English line for logs. Data problems inside a usable ledger are not errors
but findings (see ``findings.py``).
"""
from __future__ import annotations


class DubanError(Exception):
    """Base: the input cannot be used. The CLI prints ``str(e)`` and exits 2."""

    code = "unusable"
    english = "the input cannot be used"

    def __init__(self, message: str, english: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if english:
            self.english = english

    def __str__(self) -> str:
        return f"{self.message}（{self.english}）"


class NotAWorkbook(DubanError):
    """Not an .xlsx/.xlsm file, or a damaged one."""

    code = "not_a_workbook"
    english = "not an Excel workbook"


class LegacyXls(DubanError):
    """An old .xls (BIFF) workbook: we read only .xlsx."""

    code = "legacy_xls"
    english = "legacy .xls workbook; save it as .xlsx"


class EncryptedWorkbook(DubanError):
    """Password-protected workbooks cannot be read without the password."""

    code = "encrypted"
    english = "the workbook is password-protected"


class UnsafeWorkbook(DubanError):
    """Too large, a zip bomb, or XML that tries to expand or reach outside."""

    code = "unsafe"
    english = "the file exceeds safety limits"


class StrictWorkbook(DubanError):
    """A Strict Open XML workbook: readable, but the writer only writes transitional OOXML."""

    code = "strict_ooxml"
    english = "a Strict Open XML workbook cannot be written; save it as a normal .xlsx"


class NotADocument(DubanError):
    """Not a .docx file, or a damaged one (a returned report)."""

    code = "not_a_document"
    english = "not a Word .docx document"


class MissingSheet(DubanError):
    """A sheet of the contract is absent."""

    code = "missing_sheet"
    english = "a required sheet is missing"


class MissingHeader(DubanError):
    """A required column header is absent from a sheet."""

    code = "missing_header"
    english = "a required column is missing"


class MissingRule(DubanError):
    """The 规则 sheet lacks a rule the engine applies, or its 分值 is empty (validation reports it first)."""

    code = "missing_rule"
    english = "a scoring rule is missing from the rules sheet"


class FileLocked(DubanError):
    """Excel (or WPS) has the file open: writing now would fight with it."""

    code = "locked"
    english = "the file is open in Excel"


class FileChanged(DubanError):
    """The file changed on disk after we read it: writing would lose that change."""

    code = "changed"
    english = "the file changed since it was read"


class ReadOnlyFile(DubanError):
    """The file (or its folder) is marked read-only: the office chose not to let it change."""

    code = "read_only"
    english = "the file is read-only"


class DiskFull(DubanError):
    """The disk (or a size limit) ran out while writing; the old file is as it was."""

    code = "disk_full"
    english = "no space left to write the file"


class CannotWrite(DubanError):
    """A file or folder the write needs is not what it must be (a folder that is a file, no permission)."""

    code = "cannot_write"
    english = "the file cannot be written there"


class FileMissing(DubanError):
    """The named file does not exist."""

    code = "missing_file"
    english = "file not found"


class BadArgument(DubanError):
    """A command-line value is malformed (a date, a month, a quarter)."""

    code = "bad_argument"
    english = "invalid argument"


class UnknownItem(BadArgument):
    """A 交办单号 asked for (交办单, 反馈报告) is not in 台账."""

    code = "unknown_item"
    english = "no such item in the ledger"


class FileExists(BadArgument):
    """The file to create is already there (duban init without --force): never overwrite a ledger."""

    code = "file_exists"
    english = "the file already exists"


class FolderNotEmpty(BadArgument):
    """The output folder holds other files (duban demo): never mix our output with someone's files."""

    code = "folder_not_empty"
    english = "the folder is not empty"


class ForeignMacros(DubanError):
    """xl-setup on a workbook that already carries a VBA project of its own: never overwritten."""

    code = "foreign_macros"
    english = "the workbook already has its own VBA project"


class LedgerInvalid(DubanError):
    """The ledger has validation errors, so a result computed from it would be wrong.

    Unlike the other errors the input is usable, so the CLI exits 1 and lists the findings.
    """

    code = "ledger_invalid"
    english = "the ledger has errors"

    def __init__(self, report: "object") -> None:
        super().__init__("台账存在错误，请先按校验结果修改后再运行。")
        self.report = report


class BadTemplate(DubanError):
    """A Word template (the office's own, or a damaged installation's) is missing or cannot be used."""

    code = "bad_template"
    english = "a document template is missing or broken"


class BadConfig(DubanError):
    """duban.toml cannot be read, or one of its entries is wrong."""

    code = "bad_config"
    english = "the configuration file is wrong"


class CalendarFallback(UserWarning):
    """Not an error: the holiday calendar does not know this year yet, so weekends only were
    used (dates.is_workday warns; the CLI shows it once at the end)."""
