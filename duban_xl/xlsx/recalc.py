"""Fresh formula values after a write: Excel is asked to recalculate, LibreOffice is shown no stale value.

WHY: formulas keep their cached values; when the writer adds rows to 通报记录 or
replaces an output sheet, a formula elsewhere that counts them would show the
old value until something recalculates (notes/libreoffice.md: LibreOffice saves
``calcPr`` without ``fullCalcOnLoad``). Excel honours ``fullCalcOnLoad``
(ECMA-376 18.2.2); LibreOffice (7.4, default settings) does not, but it does
compute every formula that has no cached value — so the cached values of the
formulas that may read a changed sheet are dropped.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree

from .ns import M
from .package import Package, place

# CT_Workbook children that come after <calcPr>, in schema order (ECMA-376 18.2.28)
AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                 "fileRecoveryPr", "webPublishObjects", "extLst")


def _has_formula(data: bytes) -> bool:
    """A formula's text ends in </f> (or </x:f>); shared-formula children need a master in the same sheet."""
    return b"</f>" in data or b":f>" in data


def ask_full_recalc(pkg: Package) -> None:
    """Set ``<calcPr fullCalcOnLoad="1">`` in the workbook part, keeping its other settings."""
    book = pkg.xml(pkg.workbook)
    calc = book.find(M + "calcPr")
    if calc is None:
        calc = etree.Element(M + "calcPr")
        place(book, calc, AFTER_CALC_PR)
    if calc.get("fullCalcOnLoad") in ("1", "true"):
        return
    calc.set("fullCalcOnLoad", "1")
    pkg.put_xml(pkg.workbook, book)


def refresh_formulas(pkg: Package, changed: set[str]) -> None:
    """After ``changed`` sheets were written: when the workbook holds any formula, ask for a full
    recalculation on load, and drop the cached value of every formula that may read a changed sheet
    (those on it and those naming it); their text and everything else stay as they were.
    Each sheet is read once for both (a 100,000-item ledger's sheets are 200 MB of XML)."""
    names = [escape(name).encode("utf-8") for name in changed]
    any_formula = False
    for sheet_name, part in pkg.sheets().items():
        if not pkg.has(part):
            continue
        data = pkg.read(part)
        if not _has_formula(data):
            continue
        any_formula = True
        own = sheet_name in changed
        if own or any(name in data for name in names):
            root = pkg.xml(part)
            if _drop_values(root, None if own else changed):
                pkg.put_xml(part, root)
    if any_formula:
        ask_full_recalc(pkg)


def _drop_values(root: etree._Element, changed: set[str] | None) -> bool:
    """``changed`` None: every formula of the sheet; else those whose text names a changed sheet."""
    formulas = [(c, f) for c in root.iter(M + "c") for f in c.iterfind(M + "f")]
    shared = {f.get("si") for _, f in formulas if f.get("t") == "shared" and f.text and _reads(f.text, changed)}
    dropped = False
    for c, f in formulas:
        if _reads(f.text or "", changed) or (f.get("t") == "shared" and f.get("si") in shared):
            v = c.find(M + "v")
            if v is not None:
                c.remove(v)
                dropped = True
    return dropped


def _reads(text: str, changed: set[str] | None) -> bool:
    return changed is None or any(name in text for name in changed)
