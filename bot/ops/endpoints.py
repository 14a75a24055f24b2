"""Renders Rasa's endpoints.yml and credentials.yml from our settings: one DATABASE-style URL configures
the tracker, the action server's shared token goes along with every action call, and the REST channel
is there only when ``GP_REST_CHANNEL`` is on."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.ops.config import PROJECT_ROOT, Settings, action_token

CREDENTIALS = PROJECT_ROOT / "credentials.yml"

TRACKER_STORE_CLASS = "bot.store.rasa_tracker.TrackerStore"


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


def event_broker_config(settings: Settings) -> Optional[Dict[str, Any]]:
    """Rasa's event broker: every tracker event also goes here, for the funnel (bot/analytics).

    ``sql``: Rasa's SQLEventBroker writes rows (id, sender_id, data) into the ``events`` table of its
    own database (default ``var/events.db``; the consumer deletes what it has read). ``pika``: a
    RabbitMQ queue, for several Rasa instances. ``off``: no broker, no funnel.
    """
    if settings.event_broker == "sql":
        return tracker_store_config(settings.events_url)
    if settings.event_broker == "pika":
        parsed = urlsplit(settings.rabbitmq_url)
        return {"type": "pika", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 5672,
                "username": parsed.username or "guest", "password": parsed.password or "guest",
                "queues": [settings.rabbitmq_queue]}
    return None


def render_endpoints(settings: Settings) -> Dict[str, Any]:
    endpoints: Dict[str, Any] = {
        # Rasa sends the whole domain (~60 KB of responses) with every action call unless told not to;
        # only the validate_* actions need it (actions/regional.py reads the rest from domain/ once).
        # Rasa 3.6 sends ``token`` as the query parameter ``token_name`` with every call; the action
        # server (bot.ops.action_server) refuses calls without it (issue 22 item 10).
        "action_endpoint": {"url": settings.action_url, "enable_selective_domain": True,
                            "token": action_token(settings), "token_name": "token"},
        # Rasa's SQL store, same keys and tables, without a second tracker load per save and with one
        # broker commit per turn instead of one per event (bot/store/rasa_tracker.py, issue 14)
        "tracker_store": dict(tracker_store_config(settings.tracker_store_url), type=TRACKER_STORE_CLASS),
    }
    broker = event_broker_config(settings)
    if broker is not None:
        endpoints["event_broker"] = broker
    if settings.redis_url:
        parsed = make_url(settings.redis_url)
        endpoints["lock_store"] = {"type": "redis", "url": parsed.host or "127.0.0.1",
                                   "port": parsed.port or 6379, "db": int(parsed.database or 0)}
    return endpoints


def _write_private(path: Path, text: str) -> Path:
    """Only for this user (0600), whatever the umask: the file holds a secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    path.chmod(0o600)
    return path


def write_endpoints(settings: Settings, path: Path) -> Path:
    return _write_private(path, yaml.safe_dump(render_endpoints(settings), sort_keys=False))


def render_credentials(settings: Settings, source: Path = CREDENTIALS) -> Dict[str, Any]:
    """The project's credentials.yml, without Rasa's REST channel unless ``settings.rest_channel``:
    the REST channel lets its caller choose any sender id (someone's conversation), so in production
    only our gateway channel (shared secret, server-made sender ids) stays."""
    channels = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    if not settings.rest_channel:
        channels.pop("rest", None)
    return channels


def write_credentials(settings: Settings, path: Path) -> Path:
    return _write_private(path, yaml.safe_dump(render_credentials(settings), sort_keys=False))
