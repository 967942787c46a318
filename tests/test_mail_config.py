"""duban.toml [mail]: what a clerk may write, and the one line a mistake gets (exit 2)."""
from __future__ import annotations

from pathlib import Path

import pytest

from duban_xl.mail.config import config_path, load_config
from duban_xl.mail.errors import BadConfig

GOOD = """[mail]
imap_host = "127.0.0.1"
imap_port = 993
imap_security = "ssl"
user = "dcs@example.gov.cn"
password_env = "DUBAN_TEST_PW"
folder = "INBOX"
done_folder = "已处理"
smtp_host = "127.0.0.1"
smtp_port = 465
smtp_security = "ssl"
from = "县政府督查室 <dcs@example.gov.cn>"
ca_file = ""
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "duban.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_spec_block_reads_and_the_password_comes_from_the_environment(tmp_path, monkeypatch):
    config = load_config(write(tmp_path, GOOD))
    assert (config.imap_port, config.smtp_security, config.done_folder) == (993, "ssl", "已处理")
    assert config.sender == "县政府督查室 <dcs@example.gov.cn>" and config.ca_file is None
    monkeypatch.setenv("DUBAN_TEST_PW", "授权码123")
    assert config.password() == "授权码123"


def test_beside_the_ledger_unless_given(tmp_path):
    ledger = tmp_path / "督查台账.xlsx"
    assert config_path(ledger) == tmp_path / "duban.toml"
    assert config_path(ledger, tmp_path / "x.toml") == tmp_path / "x.toml"


def test_ports_default_by_security(tmp_path):
    text = GOOD.replace("imap_port = 993\n", "").replace('imap_security = "ssl"', 'imap_security = "starttls"')
    assert load_config(write(tmp_path, text)).imap_port == 143


def test_a_relative_ca_file_is_beside_the_config(tmp_path):
    (tmp_path / "office-ca.pem").write_text("x")
    config = load_config(write(tmp_path, GOOD.replace('ca_file = ""', 'ca_file = "office-ca.pem"')))
    assert config.ca_file == tmp_path / "office-ca.pem"


@pytest.mark.parametrize("text, says", [
    (GOOD + 'password = "secret"\n', "不能写密码"),
    (GOOD.replace('imap_security = "ssl"', 'imap_security = "tls"'), "ssl、starttls 或 none"),
    (GOOD.replace("imap_port = 993", "imap_port = 99999"), "1–65535"),
    (GOOD.replace("imap_port = 993", 'imap_port = "993"'), "1–65535"),
    (GOOD.replace('user = "dcs@example.gov.cn"\n', ""), "缺少“user”"),
    (GOOD + 'imap_hots = "x"\n', "不认识的设置“imap_hots”"),
    (GOOD.replace('ca_file = ""', 'ca_file = "missing.pem"'), "证书文件"),
    (GOOD.replace('done_folder = "已处理"', 'done_folder = "INBOX"'), "另一个文件夹"),
    ("[mail\nimap_host=", "不是有效的 TOML"),
    ("[other]\n", "没有 [mail]"),
])
def test_a_bad_configuration_is_one_line(tmp_path, text, says):
    with pytest.raises(BadConfig) as caught:
        load_config(write(tmp_path, text))
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_and_missing_password_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(BadConfig, match="找不到配置文件"):
        load_config(tmp_path / "duban.toml")
    monkeypatch.delenv("DUBAN_TEST_PW", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(BadConfig, match="DUBAN_TEST_PW"):
        load_config(write(tmp_path, GOOD)).password()


def test_the_password_can_come_from_the_system_keyring(tmp_path, monkeypatch):
    keyring = pytest.importorskip("keyring")
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        """A keyring that lives in this test (the system's own may be absent on a server)."""

        priority = 1
        stored = {("duban_xl", "dcs@example.gov.cn"): "钥匙串里的授权码"}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        monkeypatch.delenv("DUBAN_TEST_PW", raising=False)
        assert load_config(write(tmp_path, GOOD)).password() == "钥匙串里的授权码"
        monkeypatch.setenv("DUBAN_TEST_PW", "环境变量优先")
        assert load_config(write(tmp_path, GOOD)).password() == "环境变量优先"
    finally:
        keyring.set_keyring(previous)
