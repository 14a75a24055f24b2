"""Foundation pieces that need no Rasa: settings, training fingerprint, endpoints, lead export."""
from pathlib import Path

import pytest
import yaml

from bot.ops.config import load_settings
from bot.ops.endpoints import render_endpoints, tracker_store_config
from bot.intake.referral import create_lead
from bot.store.leads import NewLead, export_leads
from bot.ops.training import model_path, training_fingerprint


def test_settings_defaults_keep_everything_local(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "TRACKER_STORE_URL", "GP_PRIVATE_HOST", "GP_PUBLIC_HOST", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GP_VAR_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.host == "127.0.0.1" and settings.public_host == "127.0.0.1"
    assert settings.database_url == f"sqlite:///{tmp_path / 'leads.db'}"
    assert settings.tracker_store_url.endswith("tracker.db")
    assert settings.telegram_token == ""


def test_settings_read_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/gp")
    monkeypatch.setenv("GP_RASA_PORT", "6005")
    monkeypatch.setenv("GP_PRIVATE_HOST", "  ")  # blank means default, not an empty host
    settings = load_settings()
    assert settings.database_url == "postgresql://postgres@127.0.0.1:5432/gp"
    assert settings.rasa_url == "http://127.0.0.1:6005"


def _mini_project(root: Path) -> None:
    (root / "data" / "nlu").mkdir(parents=True)
    (root / "domain").mkdir()
    (root / "domain" / "basis.yml").write_text("version: '3.1'\n")
    (root / "config.yml").write_text("language: nl\n")
    (root / "data" / "nlu" / "a.yml").write_text("nlu: []\n")


def test_fingerprint_changes_only_with_training_inputs(tmp_path):
    _mini_project(tmp_path)
    first = training_fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("not a training input")
    assert training_fingerprint(tmp_path) == first
    (tmp_path / "domain" / "basis.yml~").write_text("an editor's backup, not read by Rasa")
    assert training_fingerprint(tmp_path) == first
    (tmp_path / "domain" / "intake.yml").write_text("responses: {}\n")
    assert training_fingerprint(tmp_path) != first
    (tmp_path / "domain" / "intake.yml").unlink()
    assert training_fingerprint(tmp_path) == first
    (tmp_path / "data" / "nlu" / "a.yml").write_text("nlu: [x]\n")
    changed = training_fingerprint(tmp_path)
    assert changed != first
    (tmp_path / "data" / "nlu" / "a.yml").rename(tmp_path / "data" / "nlu" / "b.yml")
    assert training_fingerprint(tmp_path) != changed
    assert model_path(tmp_path, changed).name == f"gouden-poort-{changed}.tar.gz"


def test_tracker_store_from_urls():
    sqlite = tracker_store_config("sqlite:////tmp/x/tracker.db")
    assert sqlite == {"type": "SQL", "dialect": "sqlite", "db": "/tmp/x/tracker.db"}
    pg = tracker_store_config("postgresql://rasa:geheim@10.0.0.5:5433/tracker")
    assert pg["dialect"] == "postgresql" and pg["url"] == "10.0.0.5" and pg["port"] == 5433
    assert pg["username"] == "rasa" and pg["password"] == "geheim" and pg["db"] == "tracker"


def test_endpoints_add_redis_lock_store_only_when_configured():
    from dataclasses import replace

    settings = replace(load_settings(), redis_url="")
    assert "lock_store" not in render_endpoints(settings)
    rendered = render_endpoints(replace(settings, redis_url="redis://127.0.0.1:6379/2"))
    assert rendered["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6379, "db": 2}
    assert yaml.safe_load(yaml.safe_dump(rendered)) == rendered


def test_endpoints_event_broker_sql_by_default_pika_for_scale_or_off():
    from dataclasses import replace

    settings = replace(load_settings(), event_broker="sql", events_url="sqlite:////tmp/x/events.db")
    assert render_endpoints(settings)["event_broker"] == {"type": "SQL", "dialect": "sqlite", "db": "/tmp/x/events.db"}
    pika = render_endpoints(replace(settings, event_broker="pika", rabbitmq_queue="q1",
                                    rabbitmq_url="amqp://guest:guest@127.0.0.1:5672/"))
    assert pika["event_broker"] == {"type": "pika", "url": "127.0.0.1", "port": 5672, "username": "guest",
                                    "password": "guest", "queues": ["q1"]}
    assert "event_broker" not in render_endpoints(replace(settings, event_broker="off"))


def test_lead_needs_consent(sqlite_url):
    with pytest.raises(ValueError):
        create_lead(sqlite_url, NewLead(conversation_id="c1", channel="rest", consent=False))
    assert export_leads(sqlite_url) == []


def test_dotenv_fills_gaps_but_environment_wins(monkeypatch, tmp_path):
    from bot.ops.config import load_dotenv

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nGP_TEST_A=uit-bestand\nGP_TEST_B='ook'\n\nnonsense\n")
    monkeypatch.setenv("GP_TEST_A", "uit-omgeving")
    monkeypatch.delenv("GP_TEST_B", raising=False)
    load_dotenv(env_file)
    import os
    assert os.environ["GP_TEST_A"] == "uit-omgeving"
    assert os.environ["GP_TEST_B"] == "ook"
    monkeypatch.delenv("GP_TEST_B")


def test_fingerprint_changes_with_the_intent_models_code(tmp_path):
    """The intent model (issue 13) normalises text at training and at prediction: a model trained with
    older code would read new messages differently, so a change to that code must retrain."""
    _mini_project(tmp_path)
    first = training_fingerprint(tmp_path)
    code = tmp_path / "bot" / "conversation" / "chat_text.py"
    code.parent.mkdir(parents=True)
    code.write_text("def normalise_chat(text, places=frozenset()):\n    return text.lower()\n")
    assert training_fingerprint(tmp_path) != first
    with_code = training_fingerprint(tmp_path)
    code.write_text("def normalise_chat(text, places=frozenset()):\n    return text\n")
    assert training_fingerprint(tmp_path) != with_code
