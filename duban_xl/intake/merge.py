"""Plan the 反馈记录 rows a run merges, keyed by 收件编号, so any run repeated merges each row once.

SPEC «Returned sheets»: a later valid copy of a form replaces the rows it merged
earlier while they are still 待核查, and is appended (重新报送) once the office
has checked them; the same content twice changes nothing. The ledger itself is
the record of what was merged, so a run killed before its state was saved and
run again finds its rows already there and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..contract import FORM_INPUTS, CheckResult, Col, Sheet
from ..forms import canonical
from ..ledger import ROW
from ..xlsx.rows import RecordsUpsert

# What makes two rows "the same content" (反馈日期 and 附件 say when and where, not what).
CONTENT = (Col.ITEM_NO, Col.REPORTER, Col.FEEDBACK_TYPE, Col.FEEDBACK_MONTH, Col.BAD_FORMAT, Col.MATERIAL_DEFECTS,
           *FORM_INPUTS,
           Col.RECEIPT_NO)


@dataclass
class Planned:
    """One form's effect on the ledger."""

    changed: bool = False  # some row is written, cleared or appended
    resubmitted: bool = False  # appended after the office had checked the earlier rows (重新报送)


@dataclass
class MergePlan:
    """Every 反馈记录 edit of a run, built form by form in the order the forms arrived."""

    rows: dict[int, dict] = field(default_factory=dict)  # Excel row → its record now (ledger rows with 收件编号)
    read_keys: dict[int, str] = field(default_factory=dict)  # Excel row → 收件编号 as read
    at_rows: dict[int, dict] = field(default_factory=dict)
    clear_rows: set[int] = field(default_factory=set)
    append: list[dict] = field(default_factory=list)

    @classmethod
    def from_feedback(cls, feedback: pd.DataFrame) -> "MergePlan":
        plan = cls()
        keyed = feedback[feedback[Col.RECEIPT_NO].notna()]
        for rec in keyed.to_dict("records"):
            plan.rows[int(rec[ROW])] = rec
            plan.read_keys[int(rec[ROW])] = rec[Col.RECEIPT_NO]
        return plan

    def add_form(self, form_no: str, records: list[dict]) -> Planned:
        """Merge one valid form's records: replace its pending rows, keep checked ones, append the rest."""
        result = Planned()
        prefix = f"{form_no}/"
        mine = {row: rec for row, rec in self._current().items()
                if str(rec.get(Col.RECEIPT_NO) or "").startswith(prefix)}
        pending = {row: rec for row, rec in mine.items() if _pending(rec)}
        checked = [rec for rec in mine.values() if not _pending(rec)]
        free = list(pending)
        placed: dict[object, dict] = {}
        for record in records:
            key = record[Col.RECEIPT_NO]
            same_key = [row for row in free if pending[row].get(Col.RECEIPT_NO) == key]
            if same_key:
                placed[same_key[0]] = record
                free.remove(same_key[0])
                continue
            if any(rec.get(Col.RECEIPT_NO) == key and _same(rec, record) for rec in checked):
                continue  # already merged and checked, unchanged
            if any(rec.get(Col.RECEIPT_NO) == key for rec in checked):
                result.resubmitted = True
            placed[(ADD, len(placed))] = record
        for slot, record in list(placed.items()):
            if _is_add(slot) and free:  # reuse a stale pending row of this form
                del placed[slot]
                placed[free.pop(0)] = record
        for slot, record in placed.items():
            if _is_add(slot):
                self.append.append(record)
                result.changed = True
            elif not _same(pending[slot], record):
                self._write(slot, record)
                result.changed = True
        for row in free:  # rows of an earlier copy the later one no longer has
            self._clear(row)
            result.changed = True
        return result

    def upsert(self) -> RecordsUpsert | None:
        if not (self.at_rows or self.clear_rows or self.append):
            return None
        touched = set(self.at_rows) | self.clear_rows
        return RecordsUpsert(Sheet.FEEDBACK, Col.ITEM_NO,
                             at_rows={r: rec for r, rec in self.at_rows.items() if r > 0},
                             clear_rows=sorted(r for r in self.clear_rows if r > 0),
                             append=[rec for rec in self.append if rec],
                             expected_keys={r: self.read_keys[r] for r in touched if r in self.read_keys},
                             guard_column=Col.RECEIPT_NO)

    # -- the ledger as planned so far ---------------------------------------------------------------
    def _current(self) -> dict[object, dict]:
        current: dict[object, dict] = {row: rec for row, rec in self.rows.items() if row not in self.clear_rows}
        current.update(self.at_rows)
        current.update({(NEW, i): rec for i, rec in enumerate(self.append) if rec})
        return current

    def _write(self, slot: object, record: dict) -> None:
        if isinstance(slot, tuple):
            self.append[slot[1]] = record
        else:
            self.at_rows[slot] = record
            self.clear_rows.discard(slot)

    def _clear(self, slot: object) -> None:
        if isinstance(slot, tuple):  # planned earlier in this run: keep indices, drop the content
            self.append[slot[1]] = {}
        else:
            self.clear_rows.add(slot)
            self.at_rows.pop(slot, None)


ADD, NEW = "add", "new"  # slots: a record still to place; a record appended earlier in this run


def _is_add(slot: object) -> bool:
    return isinstance(slot, tuple) and slot[0] == ADD


def _pending(rec: dict) -> bool:
    value = rec.get(Col.CHECK_RESULT)
    return not canonical(value) or value == CheckResult.PENDING


def _same(a: dict, b: dict) -> bool:
    return all(canonical(a.get(c)) == canonical(b.get(c)) for c in CONTENT)
