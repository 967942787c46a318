"""A package lint for .xlsx files: what Excel checks before it offers to «repair» a workbook.

LibreOffice accepts almost anything (a duplicate ``<row r>`` silently), so the
suite's LibreOffice checks cannot see these faults; this lint can. It checks:
well-formed XML; rows unique and ascending, cells unique, ascending and inside
their row; every relationship target present and inside the package; every part
with a content type; shared-string, style, author and defined-name references in
range; and, where the ISO/IEC 29500 transitional schemas are at hand
(``shared/ooxml-schemas`` beside the repository), the XSD validity of given parts.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO.parent / "shared" / "ooxml-schemas"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
M = f"{{{NS_MAIN}}}"
REF = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
MAX_ROW, MAX_COL = 1_048_576, 16_384
BUILTIN_NUMFMTS = 164  # ids below are built in (ECMA-376 18.8.30)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int] | None:
    """'B7' → (7, 2), or None when it is no valid cell reference."""
    m = REF.match(ref or "")
    if not m:
        return None
    row, col = int(m.group(2)), _col(m.group(1))
    return (row, col) if row <= MAX_ROW and col <= MAX_COL else None


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _owner(rels: str) -> str:
    """xl/worksheets/_rels/sheet1.xml.rels → xl/worksheets/sheet1.xml; _rels/.rels → ''."""
    folder, _, base = rels.rpartition("_rels/")
    return (folder + base[:-len(".rels")]).rstrip("/") if base != ".rels" else ""


class Linter:
    """One package; ``problems`` lists each fault as «part: what is wrong»."""

    def __init__(self, path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.names = [n for n in self.zip.namelist() if not n.endswith("/")]
        self.folded = {n.lower(): n for n in self.names}
        self.problems: list[str] = []
        self.trees: dict[str, etree._Element] = {}

    def xml(self, part: str) -> etree._Element | None:
        part = self.folded.get(part.lower(), part)
        if part not in self.trees:
            try:
                self.trees[part] = etree.fromstring(self.zip.read(part), _PARSER)
            except (etree.XMLSyntaxError, KeyError) as exc:
                self.problems.append(f"{part}: not well-formed XML ({exc})")
                self.trees[part] = None
        return self.trees[part]

    def run(self) -> list[str]:
        for name in self.names:
            if name.endswith((".xml", ".rels", ".vml")):
                self.xml(name)
        self.content_types()
        targets = self.relationships()
        sst = self.shared_string_count(targets)
        xfs = self.styles(targets)
        sheets = self.workbook(targets)
        for name, part in sheets:
            self.worksheet(part, sst, xfs)
        for part in self.names:
            if any(r_type.endswith("/comments") for r_type, _ in targets.get(part, [])):
                for r_type, target in targets[part]:
                    if r_type.endswith("/comments"):
                        self.comments(target)
        return self.problems

    # -- package ----------------------------------------------------------------------
    def content_types(self) -> None:
        types = self.xml("[Content_Types].xml")
        if types is None:
            return
        overrides = {el.get("PartName", "").lstrip("/").lower() for el in types.iter(f"{{{NS_CT}}}Override")}
        defaults = {el.get("Extension", "").lower() for el in types.iter(f"{{{NS_CT}}}Default")}
        for name in self.names:
            if name == "[Content_Types].xml":
                continue
            ext = name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
            if name.lower() not in overrides and ext not in defaults:
                self.problems.append(f"{name}: no content type")
        for part in overrides:
            if part not in self.folded:
                self.problems.append(f"[Content_Types].xml: override for missing part /{part}")

    def relationships(self) -> dict[str, list[tuple[str, str]]]:
        """source part → [(type, target part)] for internal relationships; checks targets exist."""
        found: dict[str, list[tuple[str, str]]] = {}
        for rels in (n for n in self.names if n.endswith(".rels")):
            owner = _owner(rels)
            if owner and owner.lower() not in self.folded:
                self.problems.append(f"{rels}: relationships of a missing part {owner}")
            root = self.trees.get(rels)
            if root is None:
                continue
            ids = [rel.get("Id") for rel in root]
            if len(ids) != len(set(ids)):
                self.problems.append(f"{rels}: duplicate relationship Id")
            for rel in root:
                if rel.get("TargetMode") == "External":
                    continue
                target = _resolve(owner, rel.get("Target", ""))
                if target.startswith("..") or target.startswith("/"):
                    self.problems.append(f"{rels}: target {rel.get('Target')} lies outside the package")
                elif target.lower() not in self.folded:
                    self.problems.append(f"{rels}: target {target} is missing")
                else:
                    found.setdefault(self.folded.get(owner.lower(), owner), []).append(
                        (rel.get("Type", ""), self.folded[target.lower()]))
        return found

    def _of_type(self, targets: dict, source: str, suffix: str) -> list[str]:
        return [t for r_type, t in targets.get(source, []) if r_type.endswith(suffix)]

    def _workbook_part(self, targets: dict) -> str | None:
        found = self._of_type(targets, "", "/officeDocument")
        return found[0] if found else None

    # -- workbook parts -------------------------------------------------------------------
    def shared_string_count(self, targets: dict) -> int:
        book = self._workbook_part(targets)
        parts = self._of_type(targets, book, "/sharedStrings") if book else []
        root = self.xml(parts[0]) if parts else None
        return 0 if root is None else len(root.findall(M + "si"))

    def styles(self, targets: dict) -> int:
        book = self._workbook_part(targets)
        parts = self._of_type(targets, book, "/styles") if book else []
        root = self.xml(parts[0]) if parts else None
        if root is None:
            return 1  # no styles part: only the default style 0 exists
        count = {kind: len(root.findall(f"{M}{kind}/*")) for kind in ("fonts", "fills", "borders", "cellStyleXfs")}
        fmts = {int(f.get("numFmtId", "-1")) for f in root.iter(M + "numFmt")}
        for kind in ("cellXfs", "cellStyleXfs"):
            box = root.find(M + kind)
            if box is None:
                continue
            items = list(box)
            for i, xf in enumerate(items):
                for attr, pool in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                    if int(xf.get(attr, "0")) >= max(count[pool], 1):
                        self.problems.append(f"{parts[0]}: {kind}[{i}] {attr}={xf.get(attr)} out of range")
                fmt = int(xf.get("numFmtId", "0"))
                if fmt >= BUILTIN_NUMFMTS and fmt not in fmts:
                    self.problems.append(f"{parts[0]}: {kind}[{i}] numFmtId={fmt} is not defined")
                if kind == "cellXfs" and int(xf.get("xfId", "0")) >= max(count["cellStyleXfs"], 1):
                    self.problems.append(f"{parts[0]}: cellXfs[{i}] xfId={xf.get('xfId')} out of range")
        self.dxf_count = len(root.findall(f"{M}dxfs/{M}dxf"))
        box = root.find(M + "cellXfs")
        return len(box) if box is not None else 1

    def workbook(self, targets: dict) -> list[tuple[str, str]]:
        book = self._workbook_part(targets)
        root = self.xml(book) if book else None
        if root is None:
            self.problems.append("package: no workbook part")
            return []
        rels = {}
        rels_part = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
        rels_root = self.trees.get(self.folded.get(rels_part.lower(), rels_part))
        for rel in ([] if rels_root is None else rels_root):
            rels[rel.get("Id")] = _resolve(book, rel.get("Target", ""))
        sheets = []
        names = set()
        for sheet in root.iter(M + "sheet"):
            name = sheet.get("name")
            if name.lower() in names:
                self.problems.append(f"{book}: sheet name {name} twice")
            names.add(name.lower())
            target = rels.get(sheet.get(f"{{{NS_R}}}id"))
            if target is None or target.lower() not in self.folded:
                self.problems.append(f"{book}: sheet {name} has no part")
            else:
                sheets.append((name, self.folded[target.lower()]))
        count = len(root.findall(f"{M}sheets/{M}sheet"))
        for defined in root.iter(M + "definedName"):
            local = defined.get("localSheetId")
            if local is not None and not 0 <= int(local) < count:
                self.problems.append(f"{book}: definedName {defined.get('name')} localSheetId={local} out of range")
        for view in root.iter(M + "workbookView"):
            if int(view.get("activeTab", "0")) >= count:
                self.problems.append(f"{book}: activeTab={view.get('activeTab')} out of range")
        selected = 0
        for _, part in sheets:
            root_sheet = self.xml(part)
            if root_sheet is not None and any(v.get("tabSelected") in ("1", "true")
                                              for v in root_sheet.iter(M + "sheetView")):
                selected += 1
        return sheets

    def worksheet(self, part: str, sst: int, xfs: int) -> None:
        root = self.xml(part)
        if root is None or root.tag != M + "worksheet":
            return
        last_row = 0
        for row in root.iter(M + "row"):
            r = int(row.get("r", "0") or 0)
            if not 0 < r <= MAX_ROW:
                self.problems.append(f"{part}: row r={row.get('r')} invalid")
                continue
            if r <= last_row:
                self.problems.append(f"{part}: row {r} after row {last_row} (rows must be unique and ascending)")
            last_row = max(last_row, r)
            if row.get("s") is not None and int(row.get("s")) >= xfs:
                self.problems.append(f"{part}: row {r} style {row.get('s')} out of range ({xfs} cellXfs)")
            last_col = 0
            for c in row.iter(M + "c"):
                at = split_ref(c.get("r", ""))
                if at is None:
                    self.problems.append(f"{part}: cell r={c.get('r')} invalid")
                    continue
                if at[0] != r:
                    self.problems.append(f"{part}: cell {c.get('r')} inside row {r}")
                if at[1] <= last_col:
                    self.problems.append(f"{part}: cell {c.get('r')} not after column {last_col} (unique, ascending)")
                last_col = max(last_col, at[1])
                if int(c.get("s", "0")) >= xfs:
                    self.problems.append(f"{part}: cell {c.get('r')} style {c.get('s')} out of range ({xfs} cellXfs)")
                if c.get("t") == "s":
                    v = c.findtext(M + "v")
                    if v is None or not v.strip().isdigit() or int(v) >= sst:
                        self.problems.append(f"{part}: cell {c.get('r')} shared string {v} out of range ({sst})")
        for col in root.iter(M + "col"):
            if col.get("style") is not None and int(col.get("style")) >= xfs:
                self.problems.append(f"{part}: col {col.get('min')} style {col.get('style')} out of range")
        for rule in root.iter(M + "cfRule"):
            if rule.get("dxfId") is not None and int(rule.get("dxfId")) >= getattr(self, "dxf_count", 0):
                self.problems.append(f"{part}: cfRule dxfId={rule.get('dxfId')} out of range")
        for link in root.iter(M + "hyperlink"):
            if all(split_ref(x) is None for x in link.get("ref", "").split(":")):
                self.problems.append(f"{part}: hyperlink ref={link.get('ref')} invalid")

    def comments(self, part: str) -> None:
        root = self.xml(part)
        if root is None:
            return
        authors = len(root.findall(f"{M}authors/{M}author"))
        refs = set()
        for comment in root.iter(M + "comment"):
            if int(comment.get("authorId", "0")) >= authors:
                self.problems.append(f"{part}: comment {comment.get('ref')} authorId out of range")
            if comment.get("ref") in refs:
                self.problems.append(f"{part}: two comments on {comment.get('ref')}")
            refs.add(comment.get("ref"))


def lint(path) -> list[str]:
    """Every structural fault of a package (empty when Excel would open it without repair)."""
    linter = Linter(path)
    try:
        return linter.run()
    finally:
        linter.zip.close()


# -- XSD validation ---------------------------------------------------------------------------

# root element (Clark name) → the schema file that declares it
SCHEMA_OF_ROOT = {
    f"{M}worksheet": "sml.xsd", f"{M}workbook": "sml.xsd", f"{M}styleSheet": "sml.xsd",
    f"{M}comments": "sml.xsd", f"{M}sst": "sml.xsd", f"{M}table": "sml.xsd",
    f"{{{NS_CT}}}Types": "opc-contentTypes.xsd",
    "{http://schemas.openxmlformats.org/package/2006/relationships}Relationships": "opc-relationships.xsd",
    "{http://schemas.openxmlformats.org/officeDocument/2006/customXml}datastoreItem":
        "shared-customXmlDataProperties.xsd",
}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@lru_cache(maxsize=None)
def schema(name: str) -> etree.XMLSchema | None:
    """An ISO/IEC 29500 transitional schema by file name (sml.xsd, …), or None when absent here."""
    found = sorted(SCHEMAS.rglob(name)) if SCHEMAS.is_dir() else []
    return etree.XMLSchema(etree.parse(str(found[0]))) if found else None


def schemas_present() -> bool:
    return schema("sml.xsd") is not None


def xsd_problems(name: str, data: bytes) -> list[str]:
    """Schema errors of one part (none when no schema covers its root element).

    ``xml:space`` is stripped first: every writer puts it on ``<t>`` and the schema
    does not declare it (shared/ooxml-schemas/README.md).
    """
    if not name.endswith((".xml", ".rels")):
        return []
    root = etree.fromstring(data, _PARSER)
    xsd = schema(SCHEMA_OF_ROOT[root.tag]) if root.tag in SCHEMA_OF_ROOT else None
    if xsd is None:
        return []
    _strip_extensions(root)
    if xsd.validate(root):
        return []
    return [f"{name}: {e.message}" for e in list(xsd.error_log)[:20]]


def new_xsd_problems(name: str, data: bytes, before: bytes | None) -> list[str]:
    """Schema errors of a part a writer emitted that the part did not have before (the user's
    own quirks, such as a 6-digit rgb, are not the writer's)."""
    old = set(xsd_problems(name, before)) if before is not None else set()
    return [p for p in xsd_problems(name, data) if p not in old]


NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _strip_extensions(root: etree._Element) -> None:
    """What a transitional-only consumer sees (ECMA-376 Part 3, markup compatibility):
    ignorable namespaces' attributes and elements dropped, AlternateContent replaced by
    its Fallback; ``xml:space`` dropped (see above)."""
    ignorable = {root.nsmap.get(p) for p in (root.get(f"{{{NS_MC}}}Ignorable") or "").split()}
    for el in list(root.iter(tag=etree.Element)):
        for attr in list(el.attrib):
            ns = etree.QName(attr).namespace
            if attr == XML_SPACE or ns in ignorable or ns == NS_MC:
                del el.attrib[attr]
    for alt in list(root.iter(f"{{{NS_MC}}}AlternateContent")):
        fallback = alt.find(f"{{{NS_MC}}}Fallback")
        for child in ([] if fallback is None else list(fallback)):
            alt.addprevious(child)
        alt.getparent().remove(alt)
    for el in list(root.iter(tag=etree.Element)):
        if etree.QName(el).namespace in ignorable and el.getparent() is not None:
            el.getparent().remove(el)


def assert_clean(path, source: Path | None = None) -> None:
    """The lint finds nothing; with ``source``, the parts written since then are also schema-valid."""
    problems = lint(path)
    if source is not None and schemas_present():
        with zipfile.ZipFile(source) as a, zipfile.ZipFile(path) as b:
            before = {n: a.read(n) for n in a.namelist()}
            for name in b.namelist():
                data = b.read(name)
                if before.get(name) != data:
                    problems += new_xsd_problems(name, data, before.get(name))
    assert not problems, "\n".join(problems[:30])
