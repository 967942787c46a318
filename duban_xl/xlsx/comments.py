"""A sheet's legacy comments part and its VML shapes, merged into (never replacing) the user's own.

WHY: validate --write explains each bad cell in a comment (SPEC «validate
--write»); the user's own comments and threaded comments must survive.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from .. import palette
from .cells import XML_ILLEGAL, split
from .ns import CT_COMMENTS, CT_VML, M, NS_MAIN, NS_O, NS_R, NS_V, NS_X, REL_COMMENTS, REL_VML
from .package import Package, place, relative, rels_name, resolve
from .safety import parse_xml, to_bytes

AUTHOR = "duban_xl"
# CT_Worksheet children that must follow <legacyDrawing> (ECMA-376 18.3.1.99).
AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                        "webPublishItems", "tableParts", "extLst")


VML_TEMPLATE = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
    '<o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype></xml>')
SHAPE_TEMPLATE = (
    '<v:shape id="_x0000_s{sid}" type="#_x0000_t202" '
    'style="position:absolute;margin-left:60pt;margin-top:2pt;width:160pt;height:60pt;z-index:{sid};'
    'visibility:hidden" fillcolor="#' + palette.COMMENT.lower() + '" o:insetmode="auto">'
    '<v:fill color2="#' + palette.COMMENT.lower() + '"/>'
    '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
    '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
    '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
    '<x:Anchor>{c1}, 15, {r0}, 2, {c3}, 15, {r4}, 4</x:Anchor><x:AutoFill>False</x:AutoFill>'
    '<x:Row>{r0}</x:Row><x:Column>{c0}</x:Column></x:ClientData></v:shape>')


def vml_part_of(part: str, sheet: etree._Element, rels: etree._Element) -> str | None:
    """The VML part a sheet's <legacyDrawing> points at: comments' shapes and form buttons share it."""
    legacy = sheet.find(M + "legacyDrawing")
    if legacy is None:
        return None
    rid = legacy.get(f"{{{NS_R}}}id")
    return next((resolve(part, r.get("Target", "")) for r in rels if r.get("Id") == rid), None)


def next_vml_block(pkg: Package) -> int:
    """A shape-id block (o:idmap) no other VML part of the package uses."""
    blocks = [int(b) for n in pkg.names() if n.lower().endswith(".vml")
              for b in re.findall(rb'data="(\d+)', pkg.read(n))]
    return max(blocks, default=0) + 1


def next_shape_id(vml: etree._Element) -> int:
    """The next free _x0000_sN in a VML part, inside its o:idmap block (1024 ids each)."""
    idmap = vml.find(f".//{{{NS_O}}}idmap")
    block = int(((idmap.get("data") if idmap is not None else None) or "1").split(",")[0])
    ids = [int(i) for shape in vml.iter(f"{{{NS_V}}}shape") for i in re.findall(r"_x0000_s(\d+)", shape.get("id", ""))]
    return max(ids, default=block * 1024) + 1


def attach_vml(pkg: Package, part: str, sheet: etree._Element, rels: etree._Element) -> str:
    """A new VML part for the sheet: relationship, <legacyDrawing> in schema order, content type."""
    vml_part = pkg.unique_name("xl/drawings/vmlDrawing{}.vml")
    rid = pkg.add_rel(rels, REL_VML, relative(part, vml_part))
    legacy = sheet.find(M + "legacyDrawing")
    if legacy is None:
        legacy = etree.Element(M + "legacyDrawing")
        place(sheet, legacy, AFTER_LEGACY_DRAWING)
    legacy.set(f"{{{NS_R}}}id", rid)
    pkg.ensure_default("vml", CT_VML)
    return vml_part


class Notes:
    """A sheet's legacy comments part + VML, merged into (never replacing) the user's own."""

    def __init__(self, pkg: Package, part: str, sheet: etree._Element) -> None:
        self.pkg, self.part, self.sheet = pkg, part, sheet
        self.rels = pkg.rels(part)
        by_type = {r.get("Type"): resolve(part, r.get("Target", "")) for r in self.rels
                   if r.get("TargetMode") != "External"}
        self.comments_part = by_type.get(REL_COMMENTS)
        self.vml_part = vml_part_of(part, sheet, self.rels)
        self.comments = pkg.xml(self.comments_part) if self.comments_part else None
        self.vml = parse_xml(pkg.read(self.vml_part), self.vml_part) if self.vml_part else None
        self._refs: set[str] | None = None
        self._author = "0"
        self._next_sid: int | None = None
        # New comments and note shapes as XML text, spliced into the serialised parts in save:
        # building 10,000 of each as elements cost more than the rest of a mark (issue 9).
        self._new_comments: list[str] = []
        self._shapes: list[str] = []

    def _ensure_comments(self) -> etree._Element:
        if self.comments is None:
            self.comments = etree.Element(M + "comments", nsmap={None: NS_MAIN})
            etree.SubElement(self.comments, M + "authors")
            etree.SubElement(self.comments, M + "commentList")
        return self.comments

    def add(self, ref: str, text: str) -> None:
        """Our comment on a cell, unless the user (or a threaded comment) already has one there."""
        comments = self._ensure_comments()
        if self._refs is None:
            self._refs = {c.get("ref") for c in comments.iter(M + "comment")}
            names = [a.text for a in comments.find(M + "authors")]
            if AUTHOR not in names:
                etree.SubElement(comments.find(M + "authors"), M + "author").text = AUTHOR
                names.append(AUTHOR)
            self._author = str(names.index(AUTHOR))
        if ref in self._refs:
            return  # the user's comment stays; the red fill still shows the cell
        self._refs.add(ref)
        body = xml_escape(XML_ILLEGAL.sub("", f"{AUTHOR}:\n{text}")).replace("\n", "&#10;")
        self._new_comments.append(f'<comment{self._xmlns()} ref="{ref}" authorId="{self._author}"><text><r>'
                                  f'<t xml:space="preserve">{body}</t></r></text></comment>')
        self._add_shape(ref)

    def _xmlns(self) -> str:
        """A default-namespace declaration for our comment text unless the part already has it."""
        return "" if self.comments.nsmap.get(None) == NS_MAIN else f' xmlns="{NS_MAIN}"'

    @staticmethod
    def _splice(data: bytes, marker: bytes, new: list[str]) -> bytes:
        return data.replace(marker, "".join(new).encode("utf-8"), 1)

    def _ensure_vml(self) -> etree._Element:
        """The sheet's VML with a shape layout block (LibreOffice writes none) and the note shape type."""
        if self.vml is None:
            self.vml = parse_xml(VML_TEMPLATE.format(block=next_vml_block(self.pkg)).encode(), "vml")
        idmap = self.vml.find(f".//{{{NS_O}}}idmap")
        if idmap is None:
            layout = parse_xml(VML_TEMPLATE.format(block=next_vml_block(self.pkg)).encode(), "vml")[0]
            self.vml.insert(0, layout)
            idmap = layout[0]
        if self.vml.find(f".//{{{NS_V}}}shapetype[@id='_x0000_t202']") is None:
            self.vml.append(parse_xml(VML_TEMPLATE.format(block=1).encode(), "vml")[1])
        return idmap

    def _add_shape(self, ref: str) -> None:
        if self._next_sid is None:
            self._ensure_vml()
            self._next_sid = next_shape_id(self.vml)
        sid = self._next_sid
        self._next_sid += 1
        row, col = split(ref)
        self._shapes.append(SHAPE_TEMPLATE.format(sid=sid, r0=row - 1, c0=col - 1, c1=col, c3=col + 2, r4=row + 3))

    def remove_ours(self) -> set[tuple[int, int]]:
        """Drop our comments and their VML shapes; the (row, column) of each one removed.

        Ours are found by author or, after LibreOffice rewrote every author to a
        space (notes/libreoffice.md), by the «duban_xl:» our text starts with.
        """
        if self.comments is None:
            return set()
        authors = [a.text for a in self.comments.find(M + "authors")]
        ours = str(authors.index(AUTHOR)) if AUTHOR in authors else None
        removed = set()
        for comment in list(self.comments.iter(M + "comment")):
            body = "".join(comment.find(M + "text").itertext()) if comment.find(M + "text") is not None else ""
            if comment.get("authorId") == ours or body.startswith(f"{AUTHOR}:"):
                removed.add(split(comment.get("ref")))
                comment.getparent().remove(comment)
        if self.vml is not None and removed:
            for shape in list(self.vml.iter(f"{{{NS_V}}}shape")):
                data = shape.find(f"{{{NS_X}}}ClientData")
                if data is not None and data.findtext(f"{{{NS_X}}}Row") is not None:
                    where = (int(data.findtext(f"{{{NS_X}}}Row")) + 1, int(data.findtext(f"{{{NS_X}}}Column")) + 1)
                    if where in removed:
                        shape.getparent().remove(shape)
        return removed

    def save(self) -> None:
        if self.comments is None:
            return
        if self.vml is not None:
            self._ensure_vml()  # a shape layout for Excel, also in a LibreOffice-saved VML
        if self._shapes and any(self.vml.nsmap.get(p) != ns for p, ns in (("v", NS_V), ("o", NS_O), ("x", NS_X))):
            shapes = parse_xml((f'<xml xmlns:v="{NS_V}" xmlns:o="{NS_O}" xmlns:x="{NS_X}">'
                                + "".join(self._shapes) + "</xml>").encode(), "vml shapes")
            self.vml.extend(list(shapes))  # the VML binds v/o/x otherwise: our text cannot be spliced
            self._shapes = []
        has_comments = bool(self._new_comments) or self.comments.find(f"{M}commentList/{M}comment") is not None
        has_shapes = bool(self._shapes) or (self.vml is not None and self.vml.find(f"{{{NS_V}}}shape") is not None)
        types: dict[str, str] = {}
        gone: set[str] = set()
        if has_comments:
            if self.comments_part is None:
                self.comments_part = self.pkg.unique_name("xl/comments{}.xml")
                self.pkg.add_rel(self.rels, REL_COMMENTS, relative(self.part, self.comments_part))
                types[self.comments_part] = CT_COMMENTS
            marker = etree.Comment("duban_xl new comments")
            self.comments.find(M + "commentList").append(marker)
            data = self._splice(to_bytes(self.comments), b"<!--duban_xl new comments-->", self._new_comments)
            marker.getparent().remove(marker)
            self.pkg.write(self.comments_part, data)
        elif self.comments_part:
            self._unlink(self.comments_part)
            gone.add(self.comments_part)
        if has_shapes:
            if self.vml_part is None:
                self.vml_part = attach_vml(self.pkg, self.part, self.sheet, self.rels)
            marker = etree.Comment("duban_xl new shapes")
            self.vml.append(marker)
            self.pkg.write(self.vml_part, self._splice(etree.tostring(self.vml), b"<!--duban_xl new shapes-->",
                                                       self._shapes))
            self.vml.remove(marker)
        elif self.vml_part:
            legacy = self.sheet.find(M + "legacyDrawing")
            self.sheet.remove(legacy)
            self._unlink(self.vml_part)
        self.pkg.put_xml(rels_name(self.part), self.rels)
        self.pkg.set_content_types(types, gone)

    def _unlink(self, target: str) -> None:
        for rel in list(self.rels):
            if rel.get("TargetMode") != "External" and resolve(self.part, rel.get("Target", "")) == target:
                self.rels.remove(rel)
        self.pkg.delete(target)
