"""The office mailbox, as `duban.toml` describes it (SPEC «Returned sheets», [mail]).

The file sits beside the ledger (or is named by ``--config``) and never inside
the ledger. It holds no password: that comes from the environment variable it
names (``password_env``) or from the system keyring (the optional ``keyring``
package, service «duban_xl», the mailbox user), so a file copied around the
office gives nobody the mailbox.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..config import CONFIG_NAME, config_path, load  # noqa: F401 (config_path: callers import it from here)
from .errors import BadConfig

KEYRING_SERVICE = "duban_xl"
Security = Literal["ssl", "starttls", "none"]
SECURITIES = ("ssl", "starttls", "none")


@dataclass(frozen=True)
class MailConfig:
    """The [mail] block, checked. Paths are absolute; ports are ints."""

    imap_host: str
    imap_port: int
    imap_security: Security
    user: str
    password_env: str
    folder: str
    done_folder: str
    smtp_host: str
    smtp_port: int
    smtp_security: Security
    sender: str                      # the TOML key is «from»
    ca_file: Path | None
    source: Path                     # the file it came from, for messages

    def password(self) -> str:
        """The mailbox password (or 授权码): the environment first, then the keyring."""
        if self.password_env and os.environ.get(self.password_env):
            return os.environ[self.password_env]
        secret = _keyring_password(self.user)
        if secret:
            return secret
        raise BadConfig(
            f"没有找到邮箱 {self.user} 的密码：请设置环境变量 {self.password_env or 'DUBAN_MAIL_PASSWORD'}，"
            f"或用 keyring set {KEYRING_SERVICE} {self.user} 存入系统钥匙串。",
            f"no password: set ${self.password_env or 'DUBAN_MAIL_PASSWORD'} or the keyring entry")


def _keyring_password(user: str) -> str | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # no usable backend on this machine: as if nothing were stored
        return None


_DEFAULTS = {"imap_port": None, "imap_security": "ssl", "password_env": "DUBAN_MAIL_PASSWORD",
             "folder": "INBOX", "done_folder": "已处理", "smtp_port": None, "smtp_security": "ssl",
             "ca_file": ""}
_REQUIRED = ("imap_host", "user", "smtp_host", "from")
_PORTS = {("imap", "ssl"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
          ("smtp", "ssl"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 25}
_KNOWN = set(_DEFAULTS) | set(_REQUIRED)
_SECRET_KEYS = ("password", "pass", "passwd", "secret", "auth_code", "授权码")


def load_config(path: Path) -> MailConfig:
    """Read and check the [mail] block; anything wrong is one BadConfig line (exit 2)."""
    where = f"配置文件 {path}"
    if not path.is_file():
        raise BadConfig(f"找不到{where}。请在台账旁放一个 {CONFIG_NAME}（见 README「邮箱收件」），或用 --config 指定。",
                        f"config file not found: {path}")
    mail = load(path).get("mail")
    if not isinstance(mail, dict):
        raise BadConfig(f"{where}中没有 [mail] 一节。", "no [mail] table")
    secrets = [k for k in mail if k.lower() in _SECRET_KEYS]
    if secrets:
        raise BadConfig(f"{where}中不能写密码（{secrets[0]}）：请删去该行，把密码放进环境变量（password_env）或系统钥匙串。",
                        "a password must not be in the config file")
    unknown = sorted(set(mail) - _KNOWN)
    if unknown:
        raise BadConfig(f"{where} [mail] 中有不认识的设置“{unknown[0]}”。可用的设置：{'、'.join(sorted(_KNOWN))}。",
                        f"unknown key {unknown[0]!r}")
    missing = [k for k in _REQUIRED if not str(mail.get(k, "")).strip()]
    if missing:
        raise BadConfig(f"{where} [mail] 缺少“{missing[0]}”。", f"missing key {missing[0]!r}")
    values = {**_DEFAULTS, **mail}
    for key in ("imap_host", "user", "smtp_host", "from", "password_env", "folder", "done_folder",
                "imap_security", "smtp_security", "ca_file"):
        if not isinstance(values[key], str):
            raise BadConfig(f"{where} [mail] {key} 应是带引号的文字。", f"{key} must be a string")
    for key in ("imap_security", "smtp_security"):
        if values[key] not in SECURITIES:
            raise BadConfig(f"{where} [mail] {key} = “{values[key]}”不对，只能是 ssl、starttls 或 none。",
                            f"{key} must be ssl, starttls or none")
    ports = {}
    for proto in ("imap", "smtp"):
        port = values[f"{proto}_port"]
        if port is None:
            port = _PORTS[(proto, values[f"{proto}_security"])]
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise BadConfig(f"{where} [mail] {proto}_port 应是 1–65535 的整数。", f"bad {proto}_port")
        ports[proto] = port
    ca_file = None
    if values["ca_file"].strip():
        ca_file = Path(values["ca_file"]).expanduser()
        ca_file = ca_file if ca_file.is_absolute() else path.parent / ca_file
        if not ca_file.is_file():
            raise BadConfig(f"{where} [mail] ca_file 指向的证书文件 {ca_file} 不存在。", f"ca_file not found: {ca_file}")
    if not values["done_folder"].strip() or values["done_folder"] == values["folder"]:
        raise BadConfig(f"{where} [mail] done_folder 须是另一个文件夹（例如“已处理”）。", "done_folder must differ from folder")
    return MailConfig(
        imap_host=values["imap_host"].strip(), imap_port=ports["imap"], imap_security=values["imap_security"],
        user=values["user"].strip(), password_env=values["password_env"].strip(), folder=values["folder"],
        done_folder=values["done_folder"], smtp_host=values["smtp_host"].strip(), smtp_port=ports["smtp"],
        smtp_security=values["smtp_security"], sender=values["from"].strip(), ca_file=ca_file, source=path)
