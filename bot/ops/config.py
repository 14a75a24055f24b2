"""All runtime settings, read from environment variables in one place.

Every setting has a default that works on a fresh laptop (SQLite files under ``var/``, everything on
127.0.0.1), so ``make run`` needs no configuration; production overrides them through the
environment (see ``.env.example``).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    tracker_store_url: str
    redis_url: str
    host: str
    rasa_port: int
    action_port: int
    web_port: int
    rasa_url: str
    action_url: str
    models_dir: Path
    telegram_token: str
    consent_text_version: str
    # Only the web app listens here (the one public door); everything else binds ``host`` (loopback).
    public_host: str = "127.0.0.1"
    # Shared secret the web app and the Telegram bridge send to Rasa's gateway channel, and the key
    # that derives sender ids, session tokens and client keys. Empty: generated once into var/.
    channel_secret: str = ""
    identity_secret: str = ""
    # Limits (bot/channels/limits.py); tests lower them through the same settings.
    max_message_chars: int = 2000
    limit_messages_per_minute: int = 20
    limit_address_messages_per_minute: int = 120
    limit_conversations_per_hour: int = 30
    limit_leads_per_day: int = 10
    rasa_max_request_bytes: int = 65536
    action_max_request_bytes: int = 8 * 1024 * 1024
    trusted_proxies: tuple = ()


def load_dotenv(path: Path) -> None:
    """Reads KEY=value lines from .env; real environment variables always win."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def stored_secret(var_dir: Path, name: str, configured: str = "") -> str:
    """The configured secret, or one random secret per installation kept in ``var/<name>`` (0600).

    Several processes (web app, Rasa, action server, bridge) must agree on it, so it is created once
    with O_EXCL; a process that loses that race reads the winner's value.
    """
    if configured:
        return configured
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            try:
                os.write(fd, secrets.token_urlsafe(32).encode())
            finally:
                os.close(fd)
    return path.read_text().strip()


def channel_secret(settings: "Settings") -> str:
    return stored_secret(settings.var_dir, "channel-secret", settings.channel_secret)


def identity_secret(settings: "Settings") -> str:
    """Never rotate this one on a running installation: every sender id is derived from it."""
    return stored_secret(settings.var_dir, "identity-secret", settings.identity_secret)


def load_settings() -> Settings:
    load_dotenv(PROJECT_ROOT / ".env")
    var_dir = Path(_env("GP_VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    host = _env("GP_PRIVATE_HOST", "127.0.0.1")
    rasa_port = int(_env("GP_RASA_PORT", "5005"))
    action_port = int(_env("GP_ACTION_PORT", "5055"))
    return Settings(
        var_dir=var_dir,
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'leads.db'}"),
        tracker_store_url=_env("TRACKER_STORE_URL", f"sqlite:///{var_dir / 'tracker.db'}"),
        redis_url=_env("REDIS_URL", ""),
        host=host,
        rasa_port=rasa_port,
        action_port=action_port,
        web_port=int(_env("GP_WEB_PORT", "8000")),
        rasa_url=_env("GP_RASA_URL", f"http://{host}:{rasa_port}"),
        action_url=_env("GP_ACTION_URL", f"http://{host}:{action_port}/webhook"),
        models_dir=Path(_env("GP_MODELS_DIR", str(PROJECT_ROOT / "models"))).resolve(),
        telegram_token=_env("TELEGRAM_BOT_TOKEN", ""),
        consent_text_version=_env("GP_CONSENT_TEXT_VERSION", "2026-11-v1"),
        public_host=_env("GP_PUBLIC_HOST", "127.0.0.1"),
        channel_secret=_env("GP_CHANNEL_SECRET", ""),
        identity_secret=_env("GP_IDENTITY_SECRET", ""),
        max_message_chars=int(_env("GP_MAX_MESSAGE_CHARS", "2000")),
        limit_messages_per_minute=int(_env("GP_LIMIT_MESSAGES_PER_MINUTE", "20")),
        limit_address_messages_per_minute=int(_env("GP_LIMIT_ADDRESS_MESSAGES_PER_MINUTE", "120")),
        limit_conversations_per_hour=int(_env("GP_LIMIT_CONVERSATIONS_PER_HOUR", "30")),
        limit_leads_per_day=int(_env("GP_LIMIT_LEADS_PER_DAY", "10")),
        rasa_max_request_bytes=int(_env("GP_RASA_MAX_REQUEST_BYTES", "65536")),
        action_max_request_bytes=int(_env("GP_ACTION_MAX_REQUEST_BYTES", str(8 * 1024 * 1024))),
        trusted_proxies=tuple(p.strip() for p in _env("GP_TRUSTED_PROXIES", "").split(",") if p.strip()),
    )
