"""Secrets, logs, files and transport: the parts of "one public door" that are not about the chat."""
import logging
import os
import stat
import subprocess
import sys

import pytest

from bot.handoff.delivery import Envelope, PermanentFailure
from bot.handoff.delivery_smtp import InsecureTransport, SmtpTransport
from bot.handoff.delivery_webhook import WebhookTransport, webhook_url_allowed
from bot.handoff.settings import HandoffSettings, load_handoff_settings
from bot.ops.config import PROJECT_ROOT, is_loopback_host
from bot.ops.logging_setup import QUIET_LOGGERS, configure_logging, redact
from bot.routing.counsellors import RegistryError, parse_registry

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


def _settings(tmp_path, **changes):
    return HandoffSettings(database_url=f"sqlite:///{tmp_path / 'l.db'}", var_dir=tmp_path,
                           link_secret="x" * 32, **changes)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.53"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["mail.example.org", "10.0.0.5", "192.168.1.2", "", "127.0.0.1.example.org"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


def test_smtp_to_a_remote_host_without_tls_is_refused_at_start(tmp_path):
    with pytest.raises(InsecureTransport, match="GP_SMTP_STARTTLS"):
        SmtpTransport(_settings(tmp_path, smtp_host="mail.example.org"))
    # each of the three explicit choices is accepted; loopback needs none of them
    SmtpTransport(_settings(tmp_path, smtp_host="mail.example.org", smtp_starttls=True))
    SmtpTransport(_settings(tmp_path, smtp_host="mail.example.org", smtp_ssl=True))
    SmtpTransport(_settings(tmp_path, smtp_host="mail.example.org", smtp_allow_plaintext=True))
    SmtpTransport(_settings(tmp_path, smtp_host="127.0.0.1"))


def test_webhook_urls_must_be_https_unless_loopback(tmp_path):
    assert webhook_url_allowed("https://crm.example.org/hook")
    assert webhook_url_allowed("http://127.0.0.1:9000/hook")
    for url in ("http://crm.example.org/hook", "ftp://crm.example.org", "https://", "http://10.1.2.3/x"):
        assert not webhook_url_allowed(url), url
    transport = WebhookTransport(_settings(tmp_path, webhook_secret="s" * 32))
    envelope = Envelope(1, "GP-1", "handoff", "webhook", "http://crm.example.org/hook", "k",
                        {"url": "http://crm.example.org/hook", "body": "{}"})
    with pytest.raises(PermanentFailure, match="https"):
        transport.send(envelope)


def test_the_registry_refuses_a_plain_http_webhook():
    data = {"regions": {"AM12": {"organisation": "Voorbeeld", "counsellors": [{
        "id": "x", "name": "X", "office": {"lat": 51.5, "lon": 3.6},
        "channels": {"webhook_url": "http://crm.example.org/hook"}}]}}}
    with pytest.raises(RegistryError, match="https"):
        parse_registry(data)


def test_a_short_link_secret_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("GP_LINK_SECRET", "kort-geheim")
    with pytest.raises(ValueError, match="at least 32"):
        load_handoff_settings()
    monkeypatch.setenv("GP_LINK_SECRET", "k" * 32)
    assert load_handoff_settings().link_secret == "k" * 32


def test_a_generated_link_secret_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GP_LINK_SECRET", raising=False)
    secret = load_handoff_settings().link_secret
    assert len(secret.encode()) >= 32
    assert stat.S_IMODE((tmp_path / "handoff-link-secret").stat().st_mode) == 0o600


def test_logs_mask_tokens_phone_numbers_and_mail_addresses():
    line = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage for +31612345678 / sam.de.vries@example.org"
    masked = redact(line)
    assert TOKEN not in masked and "612345678" not in masked and "sam.de.vries" not in masked
    assert "<bot-token>" in masked and "<telefoon>" in masked and "<e-mail>" in masked
    assert redact("lead GP-7K2M9Q kreeg status in_contact om 14:05") == "lead GP-7K2M9Q kreeg status in_contact om 14:05"


def test_configured_logging_quiets_url_loggers_and_redacts_every_record(capfd):
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    for handler in list(root.handlers):
        root.removeHandler(handler)
    try:
        configure_logging("INFO")
        for name in QUIET_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
        logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
        logging.getLogger("bot.test").warning("versturen naar %s mislukt", "+31 6 12345678")
        try:
            raise RuntimeError(f"token {TOKEN} geweigerd")
        except RuntimeError:
            logging.getLogger("bot.test").exception("fout")
        for handler in root.handlers:
            handler.flush()
        err = capfd.readouterr().err
        assert TOKEN not in err and "12345678" not in err
        assert "versturen naar <telefoon> mislukt" in err and "<bot-token>" in err
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_files_under_var_are_private(tmp_path):
    """`python -m bot` sets a private umask: the lead store it creates is 0600 in a 0700 folder."""
    var = tmp_path / "var"
    env = dict(os.environ, GP_VAR_DIR=str(var), DATABASE_URL=f"sqlite:///{var / 'leads.db'}",
               PYTHONPATH=str(PROJECT_ROOT))
    env.pop("GP_LINK_SECRET", None)
    subprocess.run([sys.executable, "-m", "bot", "leads", "export"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    created = [p for p in var.rglob("*") if p.is_file()]
    assert created, "the export should have created the lead store"
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_telegram_webhook_mode_needs_a_secret(tmp_path, monkeypatch, caplog):
    from bot.channels import telegram_bridge
    from bot.ops.config import load_settings

    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    with caplog.at_level(logging.ERROR):
        assert telegram_bridge.run(load_settings()) == 1
    assert "TELEGRAM_WEBHOOK_SECRET" in caplog.text


def test_the_web_app_parses_http_with_aiohttp_c_parser():
    """Rasa 3.6 pins aiohttp < 3.10. CVE-2024-52304 and CVE-2025-53643 (request smuggling) are in
    aiohttp's pure-Python parser; with the C parser in use they do not apply (docs/deploy.md)."""
    import aiohttp.http_parser as parser

    assert not os.environ.get("AIOHTTP_NO_EXTENSIONS"), "AIOHTTP_NO_EXTENSIONS switches the C parser off"
    c_parser = getattr(parser, "HttpRequestParserC", None)
    assert c_parser is not None and parser.HttpRequestParser is c_parser
