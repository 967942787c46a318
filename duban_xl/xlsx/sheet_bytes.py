"""A worksheet edited without parsing its cells: restyle cells by reference, edit what follows them.

WHY: marks change only the ``s`` of some cells and the elements after
``<sheetData>`` (legacyDrawing); a 台账 of 10,000 items is a 20 MB part, and
parsing and re-serialising it cost more than everything else a mark does
(issue 9: 10,000 marks in at most twice the time of the 校验结果 sheet alone).
So the cells stay bytes, patched where a reference matches, and only the
small tail of the part is parsed.
"""
from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from .safety import parse_xml

_ROOT = re.compile(rb"<((?:[\w.-]+:)?)worksheet\b[^>]*>")
_CELLS_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
# A cell reference attribute: letters and digits (a <row r> has digits only). The cheapest pattern
# there is, since it runs over the whole part; each hit is then checked to sit in a <c> start tag.
_REF = re.compile(rb""" r=["']([A-Z]{1,3}[0-9]{1,7})["']""")  # a literal prefix: the fast search
_ROW = re.compile(rb"""row r=["']([0-9]{1,7})["']""")  # literal prefix again; «<row» or «<x:row»
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c\s")
_S = re.compile(rb"""\ss\s*=\s*["']([^"']*)["']""")


class SheetBytes:
    """A worksheet part as its cells (bytes) and its tail (parsed, under a copy of the root tag).

    ``tail`` is an element with the root's name and namespaces whose children are
    the part's elements after ``</sheetData>``: code that looks for or inserts
    ``legacyDrawing`` or ``mergeCells`` works on it as on the whole sheet.
    """

    def __init__(self, data: bytes, where: str) -> None:
        root = _ROOT.search(data)
        end = _CELLS_END.search(data)
        if root is None or end is None:
            raise ValueError(f"{where}: no <sheetData> with cells")
        self.prefix = root.group(1)
        close = data.rfind(b"</" + self.prefix + b"worksheet")
        self.head = data[:end.end()]
        self.root_tag = root.group(0)
        self.tail = parse_xml(self.root_tag + data[end.end():close] + b"</" + self.prefix + b"worksheet>", where)

    def restyle(self, refs: set[str], new_style: Callable[[str, int], int | None]) -> set[str]:
        """Give each cell in ``refs`` the style ``new_style(ref, current)`` (None: leave it); the refs found.

        Cells are found row by row (``<row r>`` in order, then the cell inside its row), so
        the bytes are searched once however many refs there are; refs not found that way
        (rows without ``r``, unusual attribute order) get one scan of every cell tag.
        """
        spots = self._by_rows(refs)
        rest = refs - spots.keys()
        if rest:
            spots.update(self._by_scan(rest))
        out: list[bytes | memoryview] = []
        last, view = 0, memoryview(self.head)
        for ref, (start, end, r_end) in sorted(spots.items(), key=lambda item: item[1][0]):
            tag = self.head[start:end]
            s = _S.search(tag)
            old = int(s.group(1)) if s is not None and s.group(1).isdigit() else 0
            new = new_style(ref, old)
            if new is None or new == old:
                continue
            value = str(new).encode()
            at = r_end - start
            tag = tag[:s.start(1)] + value + tag[s.end(1):] if s is not None else \
                tag[:at] + b' s="' + value + b'"' + tag[at:]
            out += [view[last:start], tag]
            last = end
        if out:  # views, not slices: the part is copied once, however big (a 台账 of junk is 100 MB)
            self.head = b"".join(out + [view[last:]])
        return set(spots)

    def _by_rows(self, refs: set[str]) -> dict[str, tuple[int, int, int]]:
        """ref → (tag start, tag end, end of its r attribute), for cells found inside their row."""
        wanted: dict[int, list[str]] = {}
        for ref in refs:
            wanted.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(ref)
        head, found = self.head, {}
        starts = [(int(m.group(1)), m.start()) for m in _ROW.finditer(head)]
        for i, (number, start) in enumerate(starts):
            if number not in wanted:
                continue
            end = starts[i + 1][1] if i + 1 < len(starts) else len(head)
            for ref in wanted[number]:
                at = head.find(b' r="' + ref.encode("ascii") + b'"', start, end)
                spot = self._cell_tag(at, len(ref) + 5) if at != -1 else None
                if spot is not None:
                    found[ref] = spot
        return found

    def _by_scan(self, refs: set[str]) -> dict[str, tuple[int, int, int]]:
        wanted = {ref.encode("ascii"): ref for ref in refs}
        found = {}
        for m in _REF.finditer(self.head):
            ref = wanted.get(m.group(1))
            if ref is not None:
                spot = self._cell_tag(m.start(), m.end() - m.start())
                if spot is not None:
                    found[ref] = spot
        return found

    def _cell_tag(self, at: int, length: int) -> tuple[int, int, int] | None:
        """The <c> start tag around an r attribute at ``at`` (None: text that happens to read r="A1")."""
        start = self.head.rfind(b"<", 0, at)
        if not _CELL_START.match(self.head, start) or self.head.find(b">", start, at) != -1:
            return None
        return start, self.head.find(b">", at) + 1, at + length

    def to_bytes(self) -> bytes:
        tail = b"".join(etree.tostring(child) for child in self.tail)
        return b"".join((self.head, tail, b"</" + self.prefix + b"worksheet>"))  # one copy of the cells
