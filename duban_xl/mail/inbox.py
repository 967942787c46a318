"""The office mailbox over IMAP (IMAPClient does the protocol).

Messages are read by UID with PEEK (nothing is marked read behind the
clerk's back) and leave the inbox only by a MOVE to the done folder once
their receipt went out; so an interrupted run leaves them where the next run
finds them. Folder names such as 已处理 travel in modified UTF-7; IMAPClient
encodes them.
"""
from __future__ import annotations

import datetime as dt
import socket
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from .config import MailConfig
from .errors import MailUnavailable

TIMEOUT = 60.0
MAX_MESSAGE_BYTES = 32 * 1024 * 1024   # one 20 MB form, base64-encoded, with room for a report beside it


def tls_context(config: MailConfig) -> ssl.SSLContext:
    """Certificate and host name checked, against the office's own CA when ca_file is set."""
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    return context


@dataclass(frozen=True)
class Envelope:
    """What the server says about a message before we download it."""

    uid: int
    size: int
    internal_date: dt.datetime | None


def _where(config: MailConfig) -> str:
    return f"收件服务器 {config.imap_host}:{config.imap_port}"


class Inbox:
    """One connection to the inbox folder; a context manager that always logs out."""

    def __init__(self, config: MailConfig, password: str) -> None:
        self.config = config
        self._password = password
        self.client: IMAPClient | None = None
        self.uidvalidity = 0

    def __enter__(self) -> "Inbox":
        config = self.config
        try:
            client = IMAPClient(config.imap_host, port=config.imap_port, ssl=config.imap_security == "ssl",
                                ssl_context=tls_context(config), timeout=TIMEOUT)
            if config.imap_security == "starttls":
                client.starttls(tls_context(config))
            client.normalise_times = False
            self.client = client
            client.login(config.user, self._password)
            if client.has_capability("ID"):  # 163/126 mail refuse clients that do not say who they are
                client.id_({"name": "duban_xl", "vendor": "duban_xl"})
            info = client.select_folder(config.folder)
        except LoginError as exc:
            self._drop()
            raise MailUnavailable(f"{_where(config)} 拒绝登录 {config.user}：用户名或密码（授权码）不对。请核对后重试。",
                                  f"IMAP login refused: {_text(exc)}") from None
        except (OSError, IMAPClientError) as exc:
            self._drop()
            raise unavailable(config, exc) from None
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        return self

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except (OSError, IMAPClientError):
                pass
            self._drop()

    def _drop(self) -> None:
        if self.client is not None:
            try:
                self.client.shutdown()
            except (OSError, IMAPClientError):
                pass
        self.client = None

    def envelopes(self, after_uid: int) -> list[Envelope]:
        """Messages with UID > after_uid, oldest first (a `UID n:*` search may return the last UID: filtered)."""
        uids = [u for u in self.client.search(["UID", f"{after_uid + 1}:*"]) if u > after_uid]
        return self.describe(uids)

    def describe(self, uids: list[int]) -> list[Envelope]:
        """Size and arrival time of the UIDs still in the folder (others were moved or deleted)."""
        if not uids:
            return []
        found = self.client.fetch(sorted(uids), ["RFC822.SIZE", "INTERNALDATE"])
        return [Envelope(uid, int(data.get(b"RFC822.SIZE", 0)), data.get(b"INTERNALDATE"))
                for uid, data in sorted(found.items())]

    def download(self, uid: int) -> bytes | None:
        """The whole message, unread flag untouched; None when it vanished meanwhile."""
        found = self.client.fetch([uid], ["BODY.PEEK[]"])
        data = found.get(uid, {})
        return data.get(b"BODY[]")

    def download_header(self, uid: int) -> bytes | None:
        """Only the header of a message too large to take in: enough to answer its sender."""
        found = self.client.fetch([uid], ["BODY.PEEK[HEADER]"])
        return found.get(uid, {}).get(b"BODY[HEADER]")

    def ensure_folder(self, name: str) -> None:
        if not self.client.folder_exists(name):
            self.client.create_folder(name)
            try:
                self.client.subscribe_folder(name)
            except IMAPClientError:
                pass

    def move(self, uid: int, folder: str) -> None:
        """MOVE (RFC 6851) where the server has it, else COPY + delete of just this UID."""
        if self.client.has_capability("MOVE"):
            self.client.move([uid], folder)
            return
        self.client.copy([uid], folder)
        self.client.add_flags([uid], [b"\\Deleted"], silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge([uid])
        else:
            self.client.expunge()

    def wait(self, seconds: float) -> bool:
        """IMAP IDLE until something arrives or ``seconds`` pass; True when the server announced news."""
        try:
            self.client.idle()
            try:
                responses = self.client.idle_check(timeout=seconds)
            finally:
                self.client.idle_done()
        except (OSError, IMAPClientError) as exc:
            raise unavailable(self.config, exc) from None
        return bool(responses)


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def unavailable(config: MailConfig, exc: BaseException) -> MailUnavailable:
    """One plain line for each way a mailbox can be out of reach."""
    where = _where(config)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailUnavailable(f"{where} 的证书无法验证（{exc.verify_message}）。如单位用自己的证书，请在 duban.toml 里设 ca_file。",
                               f"certificate not trusted: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return MailUnavailable(f"{where} 的加密连接失败。请核对 imap_security（ssl / starttls / none）和端口。",
                               f"TLS failed: {exc}")
    if isinstance(exc, ConnectionRefusedError):
        return MailUnavailable(f"{where} 拒绝连接：服务器没有开或端口不对。稍后会自动重试，邮件不会丢失。",
                               "connection refused")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return MailUnavailable(f"{where} 没有响应（超时）。稍后会自动重试，邮件不会丢失。", "timed out")
    if isinstance(exc, socket.gaierror):
        return MailUnavailable(f"找不到{where}：请核对 duban.toml 中的 imap_host。", f"unknown host: {exc}")
    if isinstance(exc, OSError):
        return MailUnavailable(f"与{where} 的连接中断（{exc.strerror or exc}）。下次运行会从中断处继续，邮件不会丢失。",
                               f"connection lost: {exc}")
    return MailUnavailable(f"{where} 报错：{_text(exc)[:200]}。下次运行会从中断处继续，邮件不会丢失。",
                           f"IMAP error: {_text(exc)[:200]}")
