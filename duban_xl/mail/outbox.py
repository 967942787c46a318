"""Mail out by SMTP (stdlib smtplib + EmailMessage): receipts as replies, forms and reminders.

A reply threads under the unit's message (In-Reply-To, References) and says
it is automatic (RFC 3834 Auto-Submitted), so an out-of-office answer never
starts a loop. Attachment names go out as RFC 2231 (what Python writes).
Each message is built once and kept as bytes in the state store before it
is sent, so a run that is killed resends exactly the same message.
"""
from __future__ import annotations

import mimetypes
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from typing import Sequence

from .config import MailConfig
from .errors import MailUnavailable
from .inbox import TIMEOUT, tls_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def compose(config: MailConfig, to: str, subject: str, body: str,
            attachments: Sequence[tuple[str, bytes]] = (), in_reply_to: str | None = None,
            references: str = "") -> EmailMessage:
    """One message from the office: plain text, the files attached, a fresh Message-ID."""
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(config.sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("duban", domain=domain)
    msg["Auto-Submitted"] = "auto-replied" if in_reply_to else "auto-generated"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = f"{references} {in_reply_to}".strip()
    msg.set_content(body)
    for name, data in attachments:
        kind = XLSX if name.lower().endswith(".xlsx") else (mimetypes.guess_type(name)[0] or "application/octet-stream")
        maintype, subtype = kind.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def as_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=SMTP)


class RecipientRefused(Exception):
    """The server took the connection but not this recipient (a full or unknown mailbox)."""

    def __init__(self, to: str, reason: str) -> None:
        super().__init__(f"{to}: {reason}")
        self.to, self.reason = to, reason


def _where(config: MailConfig) -> str:
    return f"发件服务器 {config.smtp_host}:{config.smtp_port}"


class Outbox:
    """One SMTP session (opened on first use); send() raises RecipientRefused or MailUnavailable."""

    def __init__(self, config: MailConfig, password: str) -> None:
        self.config = config
        self._password = password
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        config = self.config
        try:
            if config.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=TIMEOUT,
                                        context=tls_context(config))
            else:
                smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT)
                if config.smtp_security == "starttls":
                    smtp.starttls(context=tls_context(config))
            smtp.ehlo_or_helo_if_needed()
            if smtp.has_extn("auth"):  # a local relay may take mail without logging in
                smtp.login(config.user, self._password)
        except smtplib.SMTPAuthenticationError:
            raise MailUnavailable(f"{_where(config)} 拒绝登录 {config.user}：用户名或密码（授权码）不对。",
                                  "SMTP login refused") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _unavailable(config, exc) from None
        return smtp

    def send(self, to: str, raw: bytes) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        sender = parseaddr(self.config.sender)[1] or self.config.user
        try:
            self.smtp.sendmail(sender, [to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
            raise RecipientRefused(to, f"{code} {text}") from None
        except smtplib.SMTPDataError as exc:
            if 500 <= exc.smtp_code < 600:
                raise RecipientRefused(to, f"{exc.smtp_code} {exc.smtp_error!r}") from None
            raise _unavailable(self.config, exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.smtp = None
            raise _unavailable(self.config, exc) from None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None

    def __enter__(self) -> "Outbox":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _unavailable(config: MailConfig, exc: BaseException) -> MailUnavailable:
    where = _where(config)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailUnavailable(f"{where} 的证书无法验证（{exc.verify_message}）。请在 duban.toml 里设 ca_file。",
                               "SMTP certificate not trusted")
    if isinstance(exc, ConnectionRefusedError):
        return MailUnavailable(f"{where} 拒绝连接：服务器没有开或端口不对。回执已保存，下次运行补发。",
                               "SMTP connection refused")
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return MailUnavailable(f"{where} 没有响应（超时）。回执已保存，下次运行补发。", "SMTP timed out")
    return MailUnavailable(f"{where} 发信失败（{str(exc)[:160]}）。回执已保存，下次运行补发。",
                           f"SMTP error: {str(exc)[:160]}")
