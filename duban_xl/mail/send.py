"""Mail the office sends to units (`--send`): 报送表, 催办单, 得分告知单, each at the unit's 电子邮箱.

二（三）/二（四）: the office sends forms and reminders to every unit; by mail
that is one message per unit with its files attached, to the address in the
单位 sheet. The same kind of mail about the same thing never goes to a unit
twice on the same day (the intake store remembers each one), and a unit
without an address is listed so the clerk can call it instead.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import pandas as pd

from ..contract import Col
from .config import MailConfig, config_path, load_config
from .outbox import Outbox, RecipientRefused, as_bytes, compose
from .state import SCHEMA, SentLog

Progress = Callable[[str], None] | None


@dataclass(frozen=True)
class Letter:
    """One unit's mail: what it is about (kind + ref, e.g. 报送表 2022-07), text and files."""

    unit: str
    kind: str
    ref: str
    subject: str
    body: str
    files: tuple[Path, ...] = ()


@dataclass
class Sending:
    sent: list[tuple[str, str]] = field(default_factory=list)    # (单位, address)
    already: list[str] = field(default_factory=list)             # sent earlier today: not again
    no_address: list[str] = field(default_factory=list)          # 单位 sheet has no usable 电子邮箱
    refused: list[str] = field(default_factory=list)             # the server refused the address

    @property
    def mailed(self) -> set[str]:
        """Units that have this mail today (now or by an earlier run)."""
        return {unit for unit, _ in self.sent} | set(self.already)

    def lines(self, what: str) -> list[str]:
        out = [f"已发送{what} {len(self.sent)} 封。"]
        if self.already:
            out.append(f"今天已发过、未重复发送：{'、'.join(self.already)}。")
        if self.no_address:
            out.append(f"「单位」表没有电子邮箱、未能发送（请补填或电话通知）：{'、'.join(self.no_address)}。")
        out += self.refused
        return out


def usable_address(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    address = parseaddr(value.strip())[1]
    return address if "@" in address and "." in address.rpartition("@")[2] else None


def send_letters(config: MailConfig, db: sqlite3.Connection, letters: Sequence[Letter],
                 addresses: dict[str, object], day: dt.date, progress: Progress = None) -> Sending:
    """Send each letter once per day; record each one the moment the server took it."""
    state = SentLog(db)
    result = Sending()
    with Outbox(config, config.password()) as out:
        for n, letter in enumerate(letters, 1):
            address = usable_address(addresses.get(letter.unit))
            if address is None:
                result.no_address.append(letter.unit)
                continue
            if state.already_sent(letter.kind, letter.ref, letter.unit, day):
                result.already.append(letter.unit)
                continue
            if progress:
                progress(f"发送 {n}/{len(letters)}：{letter.unit}")
            msg = compose(config, address, letter.subject, letter.body,
                          [(path.name, path.read_bytes()) for path in letter.files])
            try:
                out.send(address, as_bytes(msg))
            except RecipientRefused as refused:
                result.refused.append(f"{letter.unit} 的邮箱 {address} 拒收（{refused.reason}）。")
                continue
            state.record_sent(letter.kind, letter.ref, letter.unit, day, address, letter.subject)
            result.sent.append((letter.unit, address))
    return result


def mail_units(ledger_path: Path, units: "pd.DataFrame", letters: Sequence[Letter], config: Path | None = None,
               progress: Progress = None) -> Sending:
    """Send letters per duban.toml beside the ledger, at the 单位 sheet's 电子邮箱, once a day each."""
    from ..clock import today
    from ..intake.store import Store

    settings = load_config(config_path(Path(ledger_path), config))
    addresses = dict(zip(units[Col.UNIT_NAME], units[Col.EMAIL])) if Col.EMAIL in units else {}
    with Store.beside(Path(ledger_path)) as store:
        store.ensure(*SCHEMA)
        return send_letters(settings, store.db, letters, addresses, today(), progress)
