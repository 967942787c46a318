"""`duban xl-setup`: the ledger as a macro-enabled workbook with a 督查 button bar on 台账.

WHY (SPEC «Buttons in the workbook»): a clerk clicks a button instead of typing
a command. The .xlsm is made at the zip level like every other write (the
user's parts are copied byte for byte, never re-saved through openpyxl):

- the VBA project is xlwings' own standalone workbook's (``vba/``), so the
  buttons need no add-in. New VBA cannot be compiled here (no working MS-OVBA
  compressor, notes/xlwings.md), so every button is bound to the one macro that
  VBA already has, ``Module1.SampleCall``: it runs ``import <workbook name>;
  <workbook name>.main()``. xl-setup writes that small module beside the
  workbook, and ``xl.main`` tells the buttons apart by the caption of the
  button Excel reports as ``Application.Caller``;
- the buttons are legacy form controls (VML ``o:spt="201"``) in 台账's VML
  drawing, shared with any comments the sheet already has;
- an optional hidden ``xlwings.conf`` sheet names the interpreter (INTERPRETER_WIN).

Re-running on the .xlsm replaces its own buttons (and conf sheet) and nothing else.
"""
from __future__ import annotations

import io
import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import olefile
from lxml import etree
from openpyxl.utils.cell import column_index_from_string

from .contract import Button, Sheet
from .errors import BadArgument, ForeignMacros, MissingSheet
from .xlsx.atomic import atomic_path
from .xlsx.comments import attach_vml, next_shape_id, next_vml_block, vml_part_of
from .xlsx.ns import CT_VML, CT_WORKSHEET, M, NS_MAIN, NS_R, NS_V, NS_X, REL_WORKSHEET
from .xlsx.package import Package, parse_xml, relative, rels_name, resolve
from .xlsx.safety import check_workbook_file
from .xlsx.transaction import backup, refuse_locked

XLWINGS_VERSION = "0.37.8"  # the xlwings whose standalone VBA is shipped; pinned in pyproject's extras
VBA_RESOURCE = f"xlwings-{XLWINGS_VERSION}-vbaProject.bin"
MACRO = "SampleCall"  # Module1.SampleCall of xlwings' quickstart_standalone.xlsm
FMLA_MACRO = f"[0]!{MACRO}"
CONF_SHEET = "xlwings.conf"
VBA_PART = "xl/vbaProject.bin"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
WORKBOOK_CODE_NAME = "ThisWorkbook"  # the document modules of the shipped VBA: ThisWorkbook, Sheet1, Sheet2
BUTTON_COLUMNS = 1.3  # each button ≈ 1.3 default columns wide: room for four characters (本月结账)

VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    '<o:idmap v:ext="edit" data="{block}"/></o:shapelayout></xml>')
BUTTON_TYPE = (
    '<v:shapetype xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
    'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>')
BUTTON_SHAPE = (
    '<v:shape xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel" id="_x0000_s{sid}" type="#_x0000_t201" '
    'style="position:absolute;margin-left:{left}pt;margin-top:1.5pt;width:{width}pt;height:27pt;z-index:{z};'
    'mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" '
    'o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
    '<o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
    '<div style="text-align:center"><font face="宋体" size="220" color="#000000">{caption}</font></div></v:textbox>'
    '<x:ClientData ObjectType="Button"><x:Anchor>{c0}, {o0}, 0, 2, {c1}, {o1}, 1, 18</x:Anchor>'
    '<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>'
    '<x:FmlaMacro>{macro}</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign>'
    '<x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>')
LAUNCHER = (
    '"""由 duban xl-setup 生成：工作簿「{book}」的按钮运行这里的 main()（xlwings 宏 SampleCall）。\n\n'
    '请与工作簿放在同一文件夹并保持同名；工作簿改名后请重新运行 duban xl-setup。\n"""\n'
    'from duban_xl.xl import main  # noqa: F401\n')


@dataclass(frozen=True)
class Setup:
    workbook: Path
    launcher: Path  # <workbook name>.py: what SampleCall imports
    buttons: tuple[str, ...]
    interpreter: str | None
    backup: Path | None = None


def vba_project() -> bytes:
    """The shipped vbaProject.bin (xlwings' standalone VBA of the pinned version)."""
    return (Path(__file__).with_name("vba") / VBA_RESOURCE).read_bytes()


def carries_xlwings(data: bytes) -> bool:
    """Is this vbaProject.bin the standalone xlwings project (Module1.SampleCall + the xlwings module)?

    Excel rewrites the project's bytes whenever the clerk saves, so a re-run
    recognises it by its modules (the OLE streams and the PROJECT stream's list)
    and keeps it as Excel saved it.
    """
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not (ole.exists("VBA/Module1") and ole.exists("VBA/xlwings") and ole.exists("PROJECT")):
                return False
            project = ole.openstream("PROJECT").read()
    except (OSError, ValueError):  # not an OLE file at all
        return False
    modules = set(re.findall(rb"^Module=(\w+)", project, re.M))
    return {b"Module1", b"xlwings"} <= modules


def default_interpreter() -> str | None:
    """On Windows, the pythonw.exe beside the Python running duban (no console window); elsewhere unknown."""
    if sys.platform != "win32":
        return None
    windowless = Path(sys.executable).with_name("pythonw.exe")
    return str(windowless if windowless.exists() else Path(sys.executable))


def setup_workbook(ledger: Path, out: Path | None = None, interpreter: str | None = None) -> Setup:
    """Write ``<ledger>.xlsm`` (or ``out``) with the buttons, the VBA and the launcher module beside it."""
    ledger = Path(ledger)
    check_workbook_file(ledger)
    target = Path(out) if out else ledger.with_suffix(".xlsm")
    _check_target(target)
    interpreter = interpreter or default_interpreter()
    refuse_locked(ledger)
    if target != ledger:
        refuse_locked(target)
    captions = Button.ALL
    with atomic_path(target) as temp:
        with temp.open("wb") as fh, Package(ledger) as pkg:
            parts = pkg.sheets()
            if Sheet.ITEMS not in parts:
                raise MissingSheet(f"「{ledger.name}」中没有「{Sheet.ITEMS}」工作表，按钮无处安放。请确认选的是督查台账。")
            _macro_enable(pkg)
            if interpreter:
                _conf_sheet(pkg, interpreter)
            _code_names(pkg)
            _place_buttons(pkg, pkg.sheets()[Sheet.ITEMS], captions)
            pkg.save(fh)
        kept = backup(ledger) if target == ledger else None
    launcher = target.with_suffix(".py")
    launcher.write_text(LAUNCHER.format(book=target.name), encoding="utf-8")
    return Setup(target, launcher, captions, interpreter, kept)


def _check_target(target: Path) -> None:
    """SampleCall imports the workbook's name as a Python module: it must be one."""
    if target.suffix.lower() != ".xlsm":
        raise BadArgument(f"按钮工作簿须为 .xlsm 文件，「{target.name}」不是。", f"{target.name} is not .xlsm")
    stem = target.stem
    if not stem.isidentifier() or keyword.iskeyword(stem) or unicodedata.normalize("NFKC", stem) != stem:
        raise BadArgument(
            f"工作簿名「{stem}」不能用作按钮的模块名（须以汉字或字母开头，只含汉字、字母、数字和下划线，"
            f"不含空格、括号、全角数字）。请用 --out 另取一个名字，例如 --out 督查台账{_digits(stem)}.xlsm。",
            f"workbook name {stem!r} is not a Python identifier")


def _digits(stem: str) -> str:
    return "".join(re.findall(r"\d", unicodedata.normalize("NFKC", stem)))


# -- macro-enabled package ---------------------------------------------------------------------

def _macro_enable(pkg: Package) -> None:
    """The workbook part becomes macro-enabled and gets the VBA project (a foreign one is refused)."""
    ours = vba_project()
    rels = pkg.rels(pkg.workbook)
    existing = [resolve(pkg.workbook, r.get("Target", "")) for r in rels if r.get("Type") == REL_VBA]
    if existing:
        if pkg.has(existing[0]) and not carries_xlwings(pkg.read(existing[0])):
            raise ForeignMacros("这个工作簿已有别的宏（VBA 工程，不含 xlwings 的 RunPython），duban 不会覆盖它。"
                                "请改用未加宏的 .xlsx 台账运行 duban xl-setup。")
        part = existing[0]
    else:
        part = VBA_PART if not pkg.has(VBA_PART) else pkg.unique_name("xl/vbaProject{}.bin")
        pkg.add_rel(rels, REL_VBA, relative(pkg.workbook, part))
        pkg.put_xml(rels_name(pkg.workbook), rels)
    if not existing or not pkg.has(part):
        pkg.write(part, ours)
    if pkg.content_type(pkg.workbook) != CT_MACRO_BOOK:
        pkg.set_content_types({pkg.workbook: CT_MACRO_BOOK}, set())
    pkg.ensure_default("bin", CT_VBA)
    pkg.ensure_default("vml", CT_VML)


def _code_names(pkg: Package) -> None:
    """ThisWorkbook on the workbook, Sheet1…SheetN in tab order: the names the VBA's document modules bind to.

    Only parts whose code name differs are touched, so a re-run leaves them alone.
    """
    book = pkg.xml(pkg.workbook)
    pr = book.find(M + "workbookPr")
    if pr is None or pr.get("codeName") != WORKBOOK_CODE_NAME:
        if pr is None:
            pr = etree.Element(M + "workbookPr")
            _insert_first(book, pr, after=("fileVersion", "fileSharing"))
        pr.set("codeName", WORKBOOK_CODE_NAME)
        pkg.put_xml(pkg.workbook, book)
    for n, part in enumerate(pkg.sheets().values(), start=1):
        if not pkg.has(part):
            continue
        sheet = pkg.xml(part)
        pr = sheet.find(M + "sheetPr")
        if pr is not None and pr.get("codeName") == f"Sheet{n}":
            continue
        if pr is None:
            pr = etree.Element(M + "sheetPr")
            sheet.insert(0, pr)
        pr.set("codeName", f"Sheet{n}")
        pkg.put_xml(part, sheet)


def _insert_first(parent: etree._Element, child: etree._Element, after: tuple[str, ...]) -> None:
    """Insert ``child`` right after the leading elements named in ``after`` (schema order)."""
    at = 0
    for i, el in enumerate(parent):
        if etree.QName(el).localname in after:
            at = i + 1
    parent.insert(at, child)


def _conf_sheet(pkg: Package, interpreter: str) -> None:
    """A hidden ``xlwings.conf`` sheet (xlwings reads it before any conf file): INTERPRETER_WIN."""
    rows = [("Interpreter_Win", interpreter)]
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{escape(k)}</t></is></c>'
        f'<c r="B{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c></row>' for r, (k, v) in enumerate(rows, 1))
    xml = f'<worksheet xmlns="{NS_MAIN}"><sheetData>{cells}</sheetData></worksheet>'.encode()
    parts = pkg.sheets()
    if CONF_SHEET in parts:
        pkg.write(parts[CONF_SHEET], xml)
        return
    part = pkg.unique_name("xl/worksheets/sheet{}.xml")
    pkg.write(part, xml)
    rels = pkg.rels(pkg.workbook)
    rid = pkg.add_rel(rels, REL_WORKSHEET, relative(pkg.workbook, part))
    pkg.put_xml(rels_name(pkg.workbook), rels)
    book = pkg.xml(pkg.workbook)
    sheets = book.find(M + "sheets")
    ids = [int(s.get("sheetId", "0")) for s in sheets]
    entry = etree.SubElement(sheets, M + "sheet", name=CONF_SHEET, sheetId=str(max(ids, default=0) + 1), state="hidden")
    entry.set(f"{{{NS_R}}}id", rid)
    pkg.put_xml(pkg.workbook, book)
    pkg.set_content_types({part: CT_WORKSHEET}, set())


# -- the button bar ------------------------------------------------------------------------------

def _place_buttons(pkg: Package, part: str, captions: tuple[str, ...]) -> None:
    """Our buttons in the sheet's VML drawing, right of the table in rows 1–2; earlier ones of ours replaced."""
    sheet = pkg.xml(part)
    rels = pkg.rels(part)
    vml_part = vml_part_of(part, sheet, rels)
    if vml_part and pkg.has(vml_part):
        vml = parse_xml(pkg.read(vml_part), vml_part)
        for shape in _our_buttons(vml, captions):
            vml.remove(shape)
    else:
        vml = parse_xml(VML_HEAD.format(block=next_vml_block(pkg)).encode(), "vml")
    if vml.find(f"{{{NS_V}}}shapetype[@id='_x0000_t201']") is None:
        vml.append(parse_xml(BUTTON_TYPE.encode(), "vml shapetype"))
    first_col = _last_column(sheet) + 1  # one empty column between the table and the bar
    for k, caption in enumerate(captions):
        start = first_col + k * BUTTON_COLUMNS
        end = start + BUTTON_COLUMNS - 0.1
        vml.append(parse_xml(BUTTON_SHAPE.format(
            sid=next_shape_id(vml), z=k + 1, left=round(start * 48, 1), width=round((end - start) * 48, 1),
            caption=escape(caption), c0=int(start), o0=round(start % 1 * 64), c1=int(end), o1=round(end % 1 * 64),
            macro=FMLA_MACRO).encode(), "vml button"))
    if vml_part is None or not pkg.has(vml_part):
        vml_part = attach_vml(pkg, part, sheet, rels)
        pkg.put_xml(rels_name(part), rels)
        pkg.put_xml(part, sheet)
    pkg.write(vml_part, etree.tostring(vml))


def _our_buttons(vml: etree._Element, captions: tuple[str, ...]) -> list[etree._Element]:
    """Buttons bound to our macro whose caption is one of ours: what a re-run replaces."""
    ours = []
    for shape in vml.iter(f"{{{NS_V}}}shape"):
        data = shape.find(f"{{{NS_X}}}ClientData")
        if data is None or data.get("ObjectType") != "Button":
            continue
        text = "".join(shape.find(f"{{{NS_V}}}textbox").itertext()).strip() if shape.find(f"{{{NS_V}}}textbox") is not None else ""
        if (data.findtext(f"{{{NS_X}}}FmlaMacro") or "").strip() == FMLA_MACRO and text in captions:
            ours.append(shape)
    return ours


def _last_column(sheet: etree._Element) -> int:
    """How many columns the header row (the first row written) uses."""
    row = sheet.find(f"{M}sheetData/{M}row")
    refs = [c.get("r", "") for c in row.iterfind(M + "c")] if row is not None else []
    return max((column_index_from_string(re.match(r"[A-Z]+", r).group()) for r in refs if re.match(r"[A-Z]+", r)),
               default=0)


# -- build time: the VBA comes from the installed, pinned xlwings ----------------------------------

def copy_vba(folder: Path) -> Path:
    """Copy vbaProject.bin out of the installed xlwings' quickstart_standalone.xlsm (`make templates`)."""
    import zipfile

    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise SystemExit(f"xlwings {xlwings.__version__} is installed; the buttons ship {XLWINGS_VERSION}'s VBA. "
                         f"Install xlwings=={XLWINGS_VERSION} or update XLWINGS_VERSION and the pins together.")
    standalone = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
    with zipfile.ZipFile(standalone) as zf:
        data = zf.read(VBA_PART)
    dest = Path(folder) / VBA_RESOURCE
    dest.write_bytes(data)
    return dest


if __name__ == "__main__":
    print(copy_vba(Path(sys.argv[1])))
