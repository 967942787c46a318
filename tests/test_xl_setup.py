"""`duban xl-setup`: the macro-enabled copy of the ledger, checked part by part, with LibreOffice and olevba."""
from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from duban_xl import api
from duban_xl.cli import main as cli_main
from duban_xl.clock import today
from duban_xl.contract import Button, Sheet
from duban_xl.errors import BadArgument, ForeignMacros
from duban_xl.xl import BUTTONS
from duban_xl.xl_setup import CONF_SHEET, FMLA_MACRO, MACRO, VBA_RESOURCE, XLWINGS_VERSION, vba_project
from workbooks import item, write_ledger

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "云和县2022年督查台账.xlsx"
WINDOWS_PYTHON = r"C:\duban\Python\pythonw.exe"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
      "v": "urn:schemas-microsoft-com:vml", "x": "urn:schemas-microsoft-com:office:excel"}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def canon(root: etree._Element) -> bytes:
    return etree.tostring(root, method="c14n")


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def sheet_parts(book: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → part name, from workbook.xml and its rels."""
    rels = {r.get("Id"): r.get("Target") for r in xml(book["xl/_rels/workbook.xml.rels"])}
    out = {}
    for s in xml(book["xl/workbook.xml"]).iterfind("m:sheets/m:sheet", NS):
        target = rels[s.get(f"{{{NS['r']}}}id")]
        out[s.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def buttons(book: dict[str, bytes]) -> list[tuple[str, str]]:
    """(caption, macro) of every form button in every VML part."""
    found = []
    for name, data in book.items():
        if name.endswith(".vml"):
            for shape in xml(data).iterfind("v:shape", NS):
                client = shape.find("x:ClientData", NS)
                if client is not None and client.get("ObjectType") == "Button":
                    found.append(("".join(shape.find("v:textbox", NS).itertext()).strip(),
                                  client.findtext("x:FmlaMacro", namespaces=NS)))
    return found


@pytest.fixture()
def ledger(tmp_path) -> Path:
    path = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, path)
    return path


def test_every_part_of_the_ledger_is_carried_over(ledger):
    """The part-by-part proof: untouched parts byte for byte; edited parts equal once our additions are undone."""
    made = api.setup_buttons(ledger, interpreter=WINDOWS_PYTHON)
    assert made.workbook == ledger.with_suffix(".xlsm") and ledger.exists()
    before, after = parts(ledger), parts(made.workbook)
    assert set(before) <= set(after)
    sheets = sheet_parts(after)
    items = sheets[Sheet.ITEMS]
    edited = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
              "xl/worksheets/_rels/" + items.rsplit("/", 1)[1] + ".rels", *(sheet_parts(before).values())}
    assert {n for n in before if before[n] != after[n]} <= edited
    for name in set(before) - edited:
        assert before[name] == after[name], name

    # worksheets: only sheetPr/@codeName (Sheet1…SheetN in tab order) and 台账's <legacyDrawing>
    for n, (sheet, part) in enumerate(sheet_parts(before).items(), start=1):
        root = xml(after[part])
        pr = root.find("m:sheetPr", NS)
        assert pr.get("codeName") == f"Sheet{n}"
        del pr.attrib["codeName"]
        if not len(pr) and not pr.attrib and xml(before[part]).find("m:sheetPr", NS) is None:
            root.remove(pr)
        legacy = root.find("m:legacyDrawing", NS)
        if sheet == Sheet.ITEMS:
            assert legacy.getnext().tag == f"{{{NS['m']}}}tableParts"  # schema order: before <tableParts>
            root.remove(legacy)
        else:
            assert legacy is None
        assert canon(root) == canon(xml(before[part])), sheet

    book = xml(after["xl/workbook.xml"])
    assert book.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"
    del book.find("m:workbookPr", NS).attrib["codeName"]
    [conf] = [s for s in book.iterfind("m:sheets/m:sheet", NS) if s.get("name") == CONF_SHEET]
    assert conf.get("state") == "hidden"
    conf.getparent().remove(conf)
    assert canon(book) == canon(xml(before["xl/workbook.xml"]))

    types = xml(after["[Content_Types].xml"])
    ctype = {el.get("PartName") or el.get("Extension"): el.get("ContentType") for el in types}
    assert ctype["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert ctype["bin"] == "application/vnd.ms-office.vbaProject"
    assert ctype["vml"] == "application/vnd.openxmlformats-officedocument.vmlDrawing"
    old = {el.get("PartName") or el.get("Extension"): el.get("ContentType") for el in xml(before["[Content_Types].xml"])}
    assert {k: v for k, v in ctype.items() if k in old and k != "/xl/workbook.xml"} == \
        {k: v for k, v in old.items() if k != "/xl/workbook.xml"}

    for rels in ("xl/_rels/workbook.xml.rels", "xl/worksheets/_rels/" + items.rsplit("/", 1)[1] + ".rels"):
        kept = {(r.get("Id"), r.get("Type"), r.get("Target")) for r in xml(after[rels])}
        assert {(r.get("Id"), r.get("Type"), r.get("Target")) for r in xml(before[rels])} <= kept

    assert after["xl/vbaProject.bin"] == vba_project()
    assert buttons(after) == [(caption, FMLA_MACRO) for caption in BUTTONS]
    assert tuple(BUTTONS) == Button.ALL  # every button xl-setup places has its function in xl.py
    conf_rows = xml(after[sheets[CONF_SHEET]]).iterfind(".//m:c", NS)
    assert ["".join(c.itertext()) for c in conf_rows] == ["Interpreter_Win", WINDOWS_PYTHON]


def test_the_xlsm_reads_and_takes_validate_write_keeping_its_buttons(tmp_path):
    """validate --write marks a cell with a comment in the VML part the buttons live in: both stay."""
    ledger = write_ledger(tmp_path / "台账.xlsx", {Sheet.ITEMS: [item(HOST="县发改委")]})
    made = api.setup_buttons(ledger).workbook
    checked = api.validate_workbook(made, today(), write="in_place")
    assert [f.cell for f in checked.report.errors] == ["G2"]
    after = parts(checked.written)
    assert buttons(after) == [(caption, FMLA_MACRO) for caption in BUTTONS]
    assert after["xl/vbaProject.bin"] == vba_project()
    comments = [n for n in after if re.match(r"xl/comments\d*\.xml", n)]
    assert comments and "G2" in after[comments[0]].decode()


def test_a_rerun_replaces_its_own_buttons_and_nothing_else(ledger, tmp_path):
    first = api.setup_buttons(ledger, interpreter=WINDOWS_PYTHON).workbook
    once = parts(first)
    # a user's own button on 台账 (another macro) must survive a re-run
    vml_name = next(n for n in once if n.endswith(".vml"))
    theirs = once[vml_name].replace(b"</xml>", b'<v:shape xmlns:v="urn:schemas-microsoft-com:vml" '
                                    b'xmlns:x="urn:schemas-microsoft-com:office:excel" id="_x0000_s9999" '
                                    b'type="#_x0000_t201"><v:textbox><div>mine</div></v:textbox>'
                                    b'<x:ClientData ObjectType="Button"><x:FmlaMacro>[0]!Mine</x:FmlaMacro>'
                                    b'</x:ClientData></v:shape></xml>')
    edited = tmp_path / "edited.xlsm"
    with zipfile.ZipFile(first) as src, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, theirs if info.filename == vml_name else src.read(info))
    shutil.move(edited, first)
    before = parts(first)

    made = api.setup_buttons(first, interpreter=WINDOWS_PYTHON)
    assert made.workbook == first and made.backup is not None and made.backup.exists()
    after = parts(first)
    assert set(after) == set(before)
    assert {n for n in before if before[n] != after[n]} <= {vml_name}
    assert sorted(buttons(after)) == sorted([("mine", "[0]!Mine")] + [(c, FMLA_MACRO) for c in BUTTONS])


def _with_vba(src: Path, dest: Path, vba: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, vba if info.filename == "xl/vbaProject.bin" else zin.read(info))
    return dest


def test_a_foreign_vba_project_is_refused(ledger, tmp_path):
    """Another project (here xlwings' add-in quickstart: Module1 but no xlwings module) is never overwritten."""
    xw = pytest.importorskip("xlwings")
    made = api.setup_buttons(ledger).workbook
    with zipfile.ZipFile(Path(xw.__file__).with_name("quickstart.xlsm")) as zf:
        theirs = zf.read("xl/vbaProject.bin")
    foreign = _with_vba(made, tmp_path / "他人宏.xlsm", theirs)
    with pytest.raises(ForeignMacros):
        api.setup_buttons(foreign)
    with pytest.raises(ForeignMacros):
        api.setup_buttons(_with_vba(made, tmp_path / "坏宏.xlsm", b"not an OLE file"))


def test_a_project_excel_has_resaved_is_kept_as_it_is(ledger, tmp_path):
    """Excel rewrites vbaProject.bin on every save (here: its p-code cache stream changed); a re-run keeps it."""
    import olefile

    made = api.setup_buttons(ledger).workbook
    resaved_vba = tmp_path / "resaved.bin"
    resaved_vba.write_bytes(vba_project())
    with olefile.OleFileIO(str(resaved_vba), write_mode=True) as ole:
        cache = ole.openstream("VBA/_VBA_PROJECT").read()
        ole.write_stream("VBA/_VBA_PROJECT", cache[:-1] + bytes([cache[-1] ^ 0xFF]))
    resaved = _with_vba(made, tmp_path / "台账再存.xlsm", resaved_vba.read_bytes())
    api.setup_buttons(resaved)
    assert parts(resaved)["xl/vbaProject.bin"] == resaved_vba.read_bytes() != vba_project()
    assert buttons(parts(resaved)) == [(caption, FMLA_MACRO) for caption in BUTTONS]


def test_a_name_python_cannot_import_is_refused_with_the_way_out(tmp_path):
    path = write_ledger(tmp_path / "2022年督查台账.xlsx", {Sheet.ITEMS: [item()]})
    with pytest.raises(BadArgument, match="--out"):
        api.setup_buttons(path)
    assert api.setup_buttons(path, out=tmp_path / "督查台账2022.xlsm").workbook.exists()
    assert cli_main(["xl-setup", str(tmp_path / "2022年督查台账.xlsx")]) == 2


def test_the_launcher_is_what_samplecall_imports(ledger, monkeypatch):
    """SampleCall runs `import <workbook name>; <workbook name>.main()` with the workbook's folder on sys.path."""
    import duban_xl.xl

    made = api.setup_buttons(ledger)
    assert made.launcher == ledger.with_suffix(".py")
    monkeypatch.syspath_prepend(str(made.launcher.parent))
    name = made.workbook.stem
    module = importlib.import_module(name)
    try:
        assert module.main is duban_xl.xl.main
    finally:
        sys.modules.pop(name, None)


def test_the_shipped_vba_is_the_pinned_xlwings_standalone_workbooks(tmp_path):
    """Build-time copy (`make templates`): the same bytes as the installed xlwings, the same version everywhere."""
    xw = pytest.importorskip("xlwings")
    olevba = pytest.importorskip("oletools.olevba")
    assert xw.__version__ == XLWINGS_VERSION
    with zipfile.ZipFile(Path(xw.__file__).with_name("quickstart_standalone.xlsm")) as zf:
        assert zf.read("xl/vbaProject.bin") == vba_project()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject.count(f'"xlwings=={XLWINGS_VERSION}"') >= 2  # the excel extra and the test extra
    assert f"vba/{VBA_RESOURCE}" in pyproject or "vba/*.bin" in pyproject  # shipped in the wheel
    path = tmp_path / "vba.bin"
    path.write_bytes(vba_project())
    code = {name: text for _, _, name, text in olevba.VBA_Parser(str(path)).extract_macros()}
    assert f"'Version: {XLWINGS_VERSION}" in code["xlwings.bas"]


def test_olevba_lists_the_modules_and_the_macro_every_button_names(ledger):
    olevba = pytest.importorskip("oletools.olevba", reason="oletools is in the test extras")
    made = api.setup_buttons(ledger).workbook
    parser = olevba.VBA_Parser(str(made))
    assert parser.detect_vba_macros()
    code = {name: text for _, _, name, text in parser.extract_macros()}
    assert {"ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "Module1.bas", "xlwings.bas", "Dictionary.cls"} <= set(code)
    named = {macro.removeprefix("[0]!") for _, macro in buttons(parts(made))}
    assert named == {MACRO}
    for macro in named:
        [module] = [n for n, text in code.items() if re.search(rf"^Sub {macro}\(\)", text, re.M)]
        assert module == "Module1.bas"
    assert re.search(r'RunPython "import " & mymodule & ";" & mymodule & "\.main\(\)"', code["Module1.bas"])
    assert "Public Function RunPython(" in code["xlwings.bas"]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_lists_every_button_with_its_macro(ledger, libreoffice):
    made = api.setup_buttons(ledger).workbook
    ods = libreoffice(made, "ods")
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode("utf-8")
    found = [(re.search(r'form:label="([^"]*)"', m.group(0)).group(1),
              re.findall(r'xlink:href="([^"]*)"', m.group(0)))
             for m in re.finditer(r"<form:button .*?</form:button>", content, re.S)]
    macro = f"vnd.sun.star.script:VBAProject.Module1.{MACRO}?language=Basic&amp;location=document"
    assert found == [(caption, [macro]) for caption in BUTTONS]
    tables = re.findall(r'<table:table table:name="([^"]*)"', content)
    assert tables[:len(sheet_parts(parts(ledger)))] == list(sheet_parts(parts(ledger)))
