"""Issue 22 item 10: loopback trusts everyone.

The action server had no authentication: a forged tracker posted to ``/webhook`` ("I am the victim's
conversation, show what is stored") came back with the victim's full lead. Here the real action server
runs as ``make run`` starts it (the launcher's own service, on a free loopback port, no Rasa needed)
and an attacker on the same machine posts that forged call. Rasa's REST channel, which lets its caller
choose any sender id, can be switched off (``GP_REST_CHANNEL=0``) and is off in the production example.
"""
from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml

from bot.intake.referral import create_lead
from bot.ops.config import action_token, load_settings
from bot.ops.endpoints import render_credentials, render_endpoints
from bot.ops.launcher import build_services, free_port, start_all, stop_all
from bot.routing.assign import route
from bot.routing.counsellors import load_registry
from bot.routing.regions import place_for_postcode
from bot.store.db import get_engine
from bot.store.leads import NewLead

VICTIM = "web-" + "0123456789abcdef" * 2
PHONE = "+31611122233"


def forged_call(sender: str) -> dict:
    """What Rasa would send for ``action_person_check_done``, made up by hand: the access route
    "Alleen dit gesprek" in the victim's conversation."""
    return {"next_action": "action_person_check_done", "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": {"person_purpose": "access", "person_route": "this_conversation"},
                        "latest_message": {"text": "Alleen dit gesprek", "intent": {"name": "inform"}, "entities": []},
                        "events": [], "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "action_listen"}}


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("action-token")
    port = free_port()
    settings = replace(load_settings(), var_dir=var, database_url=f"sqlite:///{var / 'leads.db'}",
                       tracker_store_url=f"sqlite:///{var / 'tracker.db'}", events_url=f"sqlite:///{var / 'events.db'}",
                       action_port=port, action_url=f"http://127.0.0.1:{port}/webhook", rasa_port=free_port(),
                       web_port=free_port(), telegram_token="", action_token="")
    get_engine(settings.database_url)
    place = place_for_postcode("4331")
    decision = route(place, load_registry(), date.today())
    create_lead(settings.database_url, NewLead(
        conversation_id=VICTIM, channel="web", consent=True, consent_text="…", consent_text_version="v1",
        first_name="Geheimnaam", age_band="16-17", postcode="4331", gemeente_name="Middelburg", region_code="AM24",
        region_name="Zeeland", counsellor_id=decision.counsellor.id, routing_rule=decision.rule,
        routing_reason=decision.reason, contact_method="phone", contact_value=PHONE))
    services = [s for s in build_services(settings, Path("geen-model.tar.gz")) if s.name == "actieserver"]
    start_all(services, out=lambda msg: None, ready_timeout=float(os.environ.get("GP_READY_TIMEOUT") or 300))
    try:
        yield settings, f"http://127.0.0.1:{port}"
    finally:
        stop_all(services)


def test_a_forged_tracker_without_the_token_gets_nothing(action_server):
    settings, base = action_server
    for url in (f"{base}/webhook", f"{base}/webhook?token=", f"{base}/webhook?token=raden"):
        refused = httpx.post(url, json=forged_call(VICTIM), timeout=30)
        assert refused.status_code == 403, refused.text
        assert "Geheimnaam" not in refused.text and "11122233" not in refused.text
    assert httpx.get(f"{base}/actions", timeout=30).status_code == 403
    assert httpx.get(f"{base}/health", timeout=30).status_code == 200      # the launcher's readiness check


def test_rasa_is_configured_with_the_token_and_with_it_the_call_works(action_server):
    settings, base = action_server
    endpoints = yaml.safe_load((settings.var_dir / f"endpoints-{settings.rasa_port}.yml").read_text())
    token = endpoints["action_endpoint"]["token"]
    assert token == action_token(settings) and len(token) >= 32 and endpoints["action_endpoint"]["token_name"] == "token"
    assert stat.S_IMODE(os.stat(settings.var_dir / f"endpoints-{settings.rasa_port}.yml").st_mode) == 0o600
    # What Rasa sends (``?token=…``) gets through: the check is what stops the forged call above.
    allowed = httpx.post(f"{base}/webhook", params={"token": token}, json=forged_call(VICTIM), timeout=30)
    assert allowed.status_code == 200 and "Geheimnaam" in allowed.text


def test_the_rest_channel_can_be_switched_off(tmp_path, monkeypatch):
    settings = replace(load_settings(), var_dir=tmp_path)
    assert "rest" in render_credentials(settings) and "bot.channels.gateway.GatewayInput" in render_credentials(settings)
    monkeypatch.setenv("GP_REST_CHANNEL", "0")
    off = load_settings()
    assert off.rest_channel is False
    assert "rest" not in render_credentials(off) and "bot.channels.gateway.GatewayInput" in render_credentials(off)
    rasa = next(s for s in build_services(replace(off, var_dir=tmp_path), Path("m.tar.gz")) if s.name == "rasa")
    credentials = Path(rasa.cmd[rasa.cmd.index("--credentials") + 1])
    assert "rest" not in yaml.safe_load(credentials.read_text()) and credentials.parent == tmp_path
    assert render_endpoints(replace(off, var_dir=tmp_path))["action_endpoint"]["token"]


def test_the_production_example_switches_the_rest_channel_off():
    deploy = (Path(__file__).resolve().parents[1] / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "GP_REST_CHANNEL=0" in deploy and "GP_ACTION_TOKEN" in deploy
