"""Renders Rasa's endpoints.yml from our settings, so one DATABASE-style URL configures the tracker."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import yaml
from sqlalchemy.engine import make_url

from bot.ops.config import Settings


def tracker_store_config(url: str) -> Dict[str, Any]:
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    config: Dict[str, Any] = {"type": "SQL", "dialect": dialect, "db": parsed.database}
    if dialect != "sqlite":
        config["dialect"] = "postgresql" if dialect.startswith("postgres") else dialect
        for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username),
                           ("password", parsed.password)):
            if value is not None:
                config[key] = value
    return config


def render_endpoints(settings: Settings) -> Dict[str, Any]:
    endpoints: Dict[str, Any] = {
        "action_endpoint": {"url": settings.action_url},
        "tracker_store": tracker_store_config(settings.tracker_store_url),
    }
    if settings.redis_url:
        parsed = make_url(settings.redis_url)
        endpoints["lock_store"] = {"type": "redis", "url": parsed.host or "127.0.0.1",
                                   "port": parsed.port or 6379, "db": int(parsed.database or 0)}
    return endpoints


def write_endpoints(settings: Settings, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(render_endpoints(settings), sort_keys=False))
    return path
