"""Starts the real action server and Rasa server on free local ports for end-to-end tests.

Used by the ``stack`` fixture in conftest.py; everything it starts is stopped again, also when a
test fails.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List

import httpx

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
        rasa_port=rasa_port, action_port=action_port, web_port=web_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}/webhook",
        telegram_token="",
    )
    settings = replace(settings, **overrides)
    model = ensure_model(base.models_dir, PROJECT_ROOT / "var" / "logs")
    services = build_services(settings, model)
    if not with_web:
        services = [s for s in services if s.name != "webapp"]
    start_all(services, out=lambda msg: None)
    return Stack(settings, services)
