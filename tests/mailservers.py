"""Real mail servers on loopback for tests: a throwaway Dovecot and an SMTP sink.

Dovecot (imap, imaps with a self-signed certificate made here by openssl, lmtp
for delivery, passwd-file users) is started from a config under a temp root on
high ports of 127.0.0.1 only; receipts go to an aiosmtpd server in this
process. Nothing here talks to any address but 127.0.0.1.

Without dovecot/openssl (or as a non-root user, which Dovecot's privilege
separation needs) the tests skip saying what is missing; under CI
(DUBAN_REQUIRE_MAIL=1, set by .ci/run) they fail instead.
"""
from __future__ import annotations

import email
import ipaddress
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from pathlib import Path
from typing import Iterator

import pytest

LOOPBACK = "127.0.0.1"
USERS = 500
PASSWORD = "test-pass"


def require(message: str) -> None:
    """Skip saying what is missing — or fail, under CI."""
    if os.environ.get("DUBAN_REQUIRE_MAIL") == "1":
        pytest.fail(message)
    pytest.skip(message)


def assert_loopback(host: str) -> None:
    """Tests never reach beyond this machine."""
    assert ipaddress.ip_address(socket.gethostbyname(host)).is_loopback, f"{host} is not a loopback address"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port}")


CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir:UTF-8
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    """A running throwaway Dovecot: users, delivery by LMTP, and a look into mailboxes."""

    root: Path
    imap: int
    imaps: int
    lmtp: int
    host: str = LOOPBACK
    users: Iterator[int] = field(default_factory=lambda: iter(range(USERS)))

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def add_user(self) -> str:
        """A fresh, empty mailbox for one test (password «test-pass»).

        The users exist from the start: Dovecot re-reads a changed passwd-file
        only when its mtime moves on, too coarse for tests a millisecond apart.
        """
        return f"clerk{next(self.users):03d}@duban.test"

    def deliver(self, user: str, raw: bytes) -> None:
        with smtplib.LMTP(LOOPBACK, self.lmtp) as lmtp:
            lmtp.sendmail("unit@duban.test", [user], raw)

    def client(self, user: str, password: str = PASSWORD):
        """An IMAPClient logged in as ``user`` over imaps, for checking what the run left."""
        import ssl

        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.imaps, ssl=True,
                            ssl_context=ssl.create_default_context(cafile=str(self.ca_file)), timeout=30)
        client.login(user, password)
        return client

    def status(self, user: str, folder: str) -> dict[str, int]:
        """The server's STATUS of a folder: messages, uidvalidity, uidnext."""
        with self.client(user) as c:
            found = c.folder_status(folder, ["MESSAGES", "UIDVALIDITY", "UIDNEXT"])
        return {k.decode().lower(): int(v) for k, v in found.items()}

    def messages(self, user: str, folder: str) -> list[Message]:
        """Every message in a folder (empty when the folder does not exist)."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            fetched = c.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [email.message_from_bytes(fetched[u][b"BODY[]"], policy=policy.compat32) for u in sorted(fetched)]

    def stop(self) -> None:
        """SIGTERM to this instance's master (it ends its children), then the temp root goes."""
        pid_file = self.root / "run" / "master.pid"
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot() -> Dovecot:
    """A fresh Dovecot under a temp root (0.3–0.5 s), or a skip saying what is missing."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])  # dovecot lives in sbin
    found = {exe: shutil.which(exe, path=search) for exe in ("dovecot", "openssl")}
    missing = [exe for exe, path in found.items() if path is None]
    if missing:
        require(f"needs {', '.join(missing)}: "
                "apt-get install --no-install-recommends dovecot-imapd dovecot-lmtpd openssl")
    if os.geteuid() != 0:
        require("a throwaway Dovecot needs root (privilege separation); run as root or set DUBAN_REQUIRE_MAIL=0")
    root = Path(tempfile.mkdtemp(prefix="duban-dovecot-"))
    root.chmod(0o755)
    subprocess.run([found["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"],
                   check=True, capture_output=True)
    (root / "passwd").write_text("".join(f"clerk{n:03d}@duban.test:{{PLAIN}}{PASSWORD}::::::\n" for n in range(USERS)),
                                 encoding="utf-8")
    (root / "home").mkdir()
    shutil.chown(root / "home", "nobody", "nogroup")
    server = Dovecot(root, imap=free_port(), imaps=free_port(), lmtp=free_port())
    server.conf.write_text(CONF.format(root=root, imap=server.imap, imaps=server.imaps, lmtp=server.lmtp),
                                       encoding="utf-8")
    # the daemon inherits stdout/stderr: never hand it a pipe we would wait on
    with open(root / "start.log", "w") as log:
        done = subprocess.run([found["dovecot"], "-c", str(server.conf)],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    if done.returncode != 0:
        raise RuntimeError(f"dovecot did not start: {(root / 'start.log').read_text()}")
    for port in (server.imap, server.imaps, server.lmtp):
        wait_for_port(port)
    assert_loopback(server.host)
    return server


@dataclass
class SmtpSink:
    """An SMTP server on loopback that keeps every message it is given, in order."""

    port: int
    host: str = LOOPBACK
    received: list[tuple[list[str], Message]] = field(default_factory=list)
    full: set[str] = field(default_factory=set)    # recipients whose mailbox is «full» (552)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages(self, to: str | None = None) -> list[Message]:
        with self.lock:
            return [m for rcpts, m in self.received if to is None or to in rcpts]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()


def _authenticate(server, session, envelope, mechanism, auth_data):
    """SMTP AUTH against the test password (the TLS sinks ask for a login, as an office server does)."""
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=getattr(auth_data, "password", b"") == PASSWORD.encode())


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.sink.full:
            return "552 5.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.sink.lock:
            self.sink.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def start_smtp_sink(security: str = "none", cert: Path | None = None):
    """(sink, controller): aiosmtpd in a thread of this process; controller.stop() ends it.

    ``security`` "ssl" (implicit TLS) or "starttls" use ``cert`` (with key.pem beside it).
    """
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        require("needs aiosmtpd (pip install aiosmtpd; it is in the [test] extra)")
    sink = SmtpSink(port=free_port())
    tls = {}
    if security != "none":
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, cert.with_name("key.pem"))
        tls = {"ssl_context": context} if security == "ssl" else {"tls_context": context, "require_starttls": True}
        tls["authenticator"] = _authenticate
    controller = Controller(_Handler(sink), hostname=LOOPBACK, port=sink.port, **tls)
    controller.start()
    assert_loopback(sink.host)
    return sink, controller


@pytest.fixture(scope="session")
def dovecot():
    server = start_dovecot()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink, controller = start_smtp_sink()
    yield sink
    controller.stop()


def unit_mail(sender: str, number: int, files: list[tuple[str, bytes]] = (), **headers: str) -> bytes:
    """A unit's message to the office as a mail client writes it (``Auto_Submitted=`` → Auto-Submitted:)."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "dcs@duban.test", f"7月报送表 {number}"
    msg["Message-ID"] = f"<r{number}.{sender}>"
    msg["Date"] = "Mon, 04 Jul 2022 09:30:00 +0800"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("督查室：报送表见附件。")
    for name, data in files:
        msg.add_attachment(data, "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=name)
    return msg.as_bytes()


def write_config(folder: Path, server: Dovecot, sink: SmtpSink, user: str, security: str = "ssl", **extra) -> Path:
    """A duban.toml for a test mailbox (password in $DUBAN_MAIL_PASSWORD, never in the file)."""
    port = {"ssl": server.imaps, "starttls": server.imap, "none": server.imap}[security]
    values = {"imap_host": server.host, "imap_port": port, "imap_security": security, "user": user,
              "password_env": "DUBAN_MAIL_PASSWORD", "folder": "INBOX", "done_folder": "已处理",
              "smtp_host": sink.host, "smtp_port": sink.port, "smtp_security": "none",
              "from": "县政府督查室 <dcs@duban.test>", "ca_file": str(server.ca_file), **extra}
    assert_loopback(str(values["imap_host"]))
    assert_loopback(str(values["smtp_host"]))
    lines = ["[mail]"] + [f"{k} = {v}" if isinstance(v, int) else f'{k} = "{v}"' for k, v in values.items()]
    path = folder / "duban.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class DroppingProxy:
    """A TCP relay on loopback that cuts the connection after the server sent ``cut_after`` bytes.

    It stands for a mail server whose line drops in the middle of a run.
    """

    def __init__(self, target_port: int, cut_after: int) -> None:
        self.target_port, self.cut_after = target_port, cut_after
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection((LOOPBACK, self.target_port))
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.cut_after), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while limit is None or sent < limit:
                data = source.recv(4096 if limit is None else min(4096, limit - sent))
                if not data:
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.listener.close()
