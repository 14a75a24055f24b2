"""All runtime settings, read from environment variables in one place.

Every setting has a default that works on a fresh laptop (SQLite files under ``var/``, everything on
127.0.0.1), so ``make run`` needs no configuration; production overrides them through the
environment (see ``.env.example``).
"""
from __future__ import annotations

import os
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

    @property
    def public_rasa_url(self) -> str:
        return self.rasa_url


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


def load_settings() -> Settings:
    load_dotenv(PROJECT_ROOT / ".env")
    var_dir = Path(_env("GP_VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    host = _env("GP_HOST", "127.0.0.1")
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
    )
