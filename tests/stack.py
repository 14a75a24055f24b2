"""Starts the real action server and Rasa server on free local ports for end-to-end tests.

Used by the ``stack`` fixture in conftest.py; everything it starts is stopped again, also when a
test fails. Tests read conversations from the tracker store itself (``user_events``): Rasa's HTTP API
is off, as in production. Each stack has its own random channel and identity secrets.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List

import httpx
import sqlalchemy as sa

from bot.channels.identity import telegram_sender_id, web_sender_id
from bot.ops.config import PROJECT_ROOT, Settings, load_settings
from bot.ops.launcher import build_services, free_port, start_all, stop_all  # noqa: F401 (free_port re-exported)
from bot.ops.training import ensure_model


@dataclass
class Stack:
    settings: Settings
    services: list

    def say(self, sender: str, message: str) -> List[Dict[str, Any]]:
        response = httpx.post(f"{self.settings.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": message}, timeout=60)
        return response.raise_for_status().json()

    def texts(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))

    def events(self, sender: str) -> List[Dict[str, Any]]:
        """Every event of one conversation, straight from the tracker store (oldest first)."""
        engine = sa.create_engine(self.settings.tracker_store_url)
        try:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table("events"):
                    return []
                rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                                    {"s": sender}).scalars().all()
        finally:
            engine.dispose()
        return [json.loads(row) for row in rows]

    def user_events(self, sender: str) -> List[Dict[str, Any]]:
        return [e for e in self.events(sender) if e.get("event") == "user"]

    def web_sender(self, token: str) -> str:
        return web_sender_id(self.settings.identity_secret, token)

    def telegram_sender(self, chat_id: int) -> str:
        return telegram_sender_id(self.settings.identity_secret, chat_id)

    def stop(self) -> None:
        stop_all(self.services)


def start_stack(var_dir: Path, with_web: bool = False, **overrides: Any) -> Stack:
    base = load_settings()
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    settings = replace(
        base,
        var_dir=var_dir,
        database_url=f"sqlite:///{var_dir / 'leads.db'}",
        tracker_store_url=f"sqlite:///{var_dir / 'tracker.db'}",
        events_url=f"sqlite:///{var_dir / 'events.db'}",
        rasa_port=rasa_port, action_port=action_port, web_port=web_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}/webhook",
        telegram_token="",
        channel_secret=secrets.token_urlsafe(32), identity_secret=secrets.token_urlsafe(32),
    )
    settings = replace(settings, **overrides)
    model = ensure_model(base.models_dir, PROJECT_ROOT / "var" / "logs")
    services = build_services(settings, model)
    if not with_web:
        services = [s for s in services if s.name != "webapp"]
    # Generous: on a shared 2-core machine loading the model has taken over 3 minutes (GP_READY_TIMEOUT raises it).
    start_all(services, out=lambda msg: None, ready_timeout=float(os.environ.get("GP_READY_TIMEOUT") or 600))
    return Stack(settings, services)
