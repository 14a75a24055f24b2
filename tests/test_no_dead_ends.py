"""Issue 26: no dead ends, a short greeting halfway, and the reference sent once (unit level).

Dead ends (item 6): every response without buttons or a link is either a question the person answers,
always followed by another message in the same turn, or a deliberate goodbye; each one is named
below with its reason, so a new response that ends a path without a next step fails here. And the last
response of every rule and story in data/ offers a next step (or is the goodbye).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.ops.config import PROJECT_ROOT
from tests.handoff_support import fake_telegram  # noqa: F401 (fixture)

# A person who says goodbye or that all is well gets no new offer (not after "doei").
GOODBYES = {"utter_goodbye", "utter_nudge_yes"}
# Always followed by another message in the same turn (the form's question, a list, the next step).
FOLLOWED = {
    # the form's question comes next (in a form, actions/asking.py and the rules of onderbrekingen.yml)
    "utter_iamabot_in_form", "utter_keep_data", "utter_human_in_form", "utter_no_live_person",
    "utter_no_live_person_today", "utter_reach_organisation", "utter_quick_callback", "utter_intake_intro",
    "utter_already_known", "utter_preview_changed", "utter_events_after_intake", "utter_accepted_first_name",
    "utter_accepted_situation", "utter_accepted_interests", "utter_accepted_contact_time",
    "utter_asker_parent", "utter_asker_grandparent", "utter_asker_teacher", "utter_asker_youth_worker",
    "utter_explore_intro", "utter_explore_pick_button", "utter_greet_again_form", "utter_greet_again_form_plain",
    "utter_why_general", "utter_why_first_name", "utter_why_age", "utter_why_situation", "utter_why_interests",
    "utter_why_postcode", "utter_why_contact", "utter_why_consent", "utter_why_explore",
    # followed by the promise's next step (utter_erasure_hint, with "Stuur mij dit")
    "utter_lead_saved",
    # followed by utter_guarantee_status (buttons)
    "utter_guarantee",
    # the events and their next step follow (tests/test_events_never_dead_end.py)
    "utter_events", "utter_events_found", "utter_events_further",
    # the initiatives' lines with their links, then the events' next step (actions/events.py)
    "utter_initiatives_near",
    # the jobs and utter_explore_next follow
    "utter_explore_result_intro",
}
# The action adds the buttons (actions/actions.py: other ways to be reached).
BUTTONS_FROM_ACTION = {"utter_stuck_contact_value"}
LINK = re.compile(r"https?://|\{(\w*_url|website)\}")


def _responses():
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        for name, variations in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}).items():
            yield name, variations


def _offers_next_step(variation) -> bool:
    return bool(variation.get("buttons")) or bool(LINK.search(variation.get("text") or ""))


def _asks(variation) -> bool:
    """The text asks a question or says what to type or choose: the answer is the next step."""
    return bool(re.search(r"\?|\bType? (je|het|de|your|the)\b|\bKies\b|\bChoose\b", variation.get("text") or ""))


def test_every_response_that_ends_a_path_offers_a_next_step():
    dead = []
    for name, variations in _responses():
        if name in GOODBYES | FOLLOWED | BUTTONS_FROM_ACTION:
            continue
        for variation in variations:
            if not (_offers_next_step(variation) or _asks(variation)):
                dead.append(f"{name}: {(variation.get('text') or '')[-70:]!r}")
    assert dead == [], "ends a path without buttons or a link:\n" + "\n".join(dead)


def test_the_lists_above_name_only_responses_that_exist():
    names = {name for name, _ in _responses()}
    assert (GOODBYES | FOLLOWED | BUTTONS_FROM_ACTION) - names == set()


def test_the_last_response_of_every_rule_and_story_offers_a_next_step():
    responses = dict(_responses())
    dead = []
    for path in sorted((PROJECT_ROOT / "data").glob("*/*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for flow in (content.get("rules") or []) + (content.get("stories") or []):
            actions = [s["action"] for s in flow.get("steps") or [] if "action" in s]
            last = actions[-1] if actions else None
            if not last or not last.startswith("utter_") or last in GOODBYES:
                continue
            if not all(_offers_next_step(v) or _asks(v) for v in responses[last]):
                dead.append(f"{path.name}: {flow.get('rule') or flow.get('story')}: {last}")
    assert dead == [], "\n".join(dead)


def test_the_old_dead_ends_now_have_buttons():
    responses = dict(_responses())
    for name in ("utter_minor_info", "utter_minor_stopped", "utter_no_consent", "utter_intake_stopped",
                 "utter_stop_general", "utter_no_counsellor_available", "utter_erasure_hint",
                 "utter_already_referred", "utter_why_outside_form", "utter_nudge_no"):
        assert all(v.get("buttons") for v in responses[name]), name
    assert all("{website}" in v["text"] for v in responses["utter_minor_info"])
    assert "/send_reference" in [b["payload"] for b in responses["utter_erasure_hint"][0]["buttons"]]


def test_under_16_info_names_the_website_of_the_region_as_a_link(tmp_path, monkeypatch):
    import actions.actions as acts
    from bot.content.packs import organisation_contact

    monkeypatch.setattr(acts, "SETTINGS", replace(acts.SETTINGS, database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t-16", {"age_band": "12-15", "minor_route": "info"}, {"text": "x", "intent": {"name": "inform"}},
                      [], False, None, {}, "action_listen")
    acts.ActionSubmitIntake().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_minor_info"
    assert message["website"] == organisation_contact(None).website
    assert message["website"].startswith("https://")


# ---------------------------------------------------------------- "hoi" halfway (item 5)
def _user(intent, text="x"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def _bot(name):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": name}}


def _greet(events, slots=None, loop=None):
    from actions.greeting import ActionGreet

    dispatcher = CollectingDispatcher()
    slots = slots or {}
    tracker = Tracker("t-hoi", slots, {"text": "hoi", "intent": {"name": "greet"}}, events + [_user("greet", "hoi")],
                      False, None, {"name": loop} if loop else {}, "action_listen")
    ActionGreet().run(dispatcher, tracker, {})
    return dispatcher.messages


def test_the_first_greeting_is_the_whole_welcome():
    assert [m["response"] for m in _greet([])] == ["utter_greet"]
    # one question after the welcome is no conversation yet
    assert [m["response"] for m in _greet([_user("greet", "/greet"), _bot("utter_greet"), _user("ask_jobs")])] == ["utter_greet"]


def test_a_greeting_after_a_few_turns_says_where_we_were():
    events = [_user("greet", "/greet"), _bot("utter_greet"), _user("ask_jobs"), _bot(None),
              _user("ask_salary"), _bot(None), _user("thank"), _bot("utter_thank")]
    messages = _greet(events)
    assert [m["response"] for m in messages] == ["utter_greet_again"]
    assert messages[0]["where"] == "wat je kunt verdienen"
    english = _greet(events, {"language": "en"})
    assert english[0]["where"] == "what you can earn"


def test_a_greeting_in_a_form_names_the_open_question():
    messages = _greet([_user("request_human")], {"requested_slot": "location"}, loop="intake_form")
    assert [(m["response"], m["where"]) for m in messages] == [("utter_greet_again_form", "de vraag waar je woont")]


def test_a_new_session_starts_with_the_whole_welcome_again():
    events = [_user("greet", "/greet"), _bot("utter_greet"), _user("ask_jobs"), _user("ask_salary"),
              {"event": "session_started"}]
    assert [m["response"] for m in _greet(events)] == ["utter_greet"]


def test_hoi_in_a_form_is_answered_not_taken_as_an_answer():
    from bot.intake import asking

    assert asking.is_interruption("greet", "hoi", answer_fits=False)
    assert not asking.is_interruption("greet", "Hoi ik ben Sam", answer_fits=True)


def test_every_question_and_topic_has_dutch_and_english_words():
    from bot.conversation.greeting import phrases
    from bot.intake.decisions import ALL_SLOTS

    table = phrases()
    for group in ("questions", "topics"):
        for key, words in table[group].items():
            assert set(words) == {"nl", "en"} and all(words.values()), key
    assert set(ALL_SLOTS) - set(table["questions"]) == set()


# ---------------------------------------------------------------- the reference, once (item 7)
@pytest.fixture
def store(tmp_path):
    from bot.store.db import get_engine, ensure_schema

    url = f"sqlite:///{tmp_path / 'leads.db'}"
    ensure_schema(get_engine(url))
    return url


def _lead(url, conversation, method, value, channel="web", channel_ref=None):
    from bot.store.db import new_session
    from bot.store.models import Lead

    with new_session(url) as session, session.begin():
        lead = Lead(conversation_id=conversation, first_name="Sam", contact_method=method, contact_value=value,
                    channel=channel, channel_ref=channel_ref, counsellor_name="Sanne de Vries",
                    organisation="TechniekTalent Zeeland", created_at=datetime(2026, 12, 7, 10, tzinfo=timezone.utc))
        for name, column in Lead.__table__.columns.items():
            if not column.nullable and getattr(lead, name) is None and column.default is None and not column.primary_key:
                setattr(lead, name, "x")
        session.add(lead)
        session.flush()
        return lead.id


def _outbox(url):
    from bot.store.db import new_session
    from bot.store.handoff_models import OutboxMessage

    with new_session(url) as session:
        return [(r.kind, r.channel, r.recipient, r.idempotency_key, dict(r.payload))
                for r in session.query(OutboxMessage).all()]


NOW = datetime(2026, 12, 7, 11, tzinfo=timezone.utc)


def test_the_reference_goes_once_to_the_e_mail_address_on_the_lead(store):
    from bot.handoff import reference

    lead_id = _lead(store, "c-mail", "email", "kees@gmail.com")
    first = reference.send_reference(store, "c-mail", NOW)
    assert (first.kind, first.channel, first.address) == (reference.SENT, "email", "kees@gmail.com")
    again = reference.send_reference(store, "c-mail", NOW)
    assert again.kind == reference.ALREADY
    rows = _outbox(store)
    assert len(rows) == 1
    kind, channel, recipient, key, payload = rows[0]
    assert (kind, channel, recipient, key) == ("reference", "email", "kees@gmail.com", f"gp-{lead_id}-reference-email")
    assert lead_id in payload["subject"] and lead_id in payload["text"]
    assert "Sanne van TechniekTalent Zeeland stuurt je een e-mail" in payload["text"]
    assert reference.mask("email", "kees@gmail.com") == "k…@gmail.com"


def test_on_telegram_the_reference_goes_to_the_persons_own_chat(store):
    from bot.handoff import reference

    _lead(store, "telegram-abc", "telefoon", "+31612345678", channel="telegram", channel_ref="4242")
    outcome = reference.send_reference(store, "telegram-abc", NOW)
    assert (outcome.kind, outcome.channel) == (reference.SENT, "telegram")
    [(kind, channel, recipient, _, payload)] = _outbox(store)
    assert (kind, channel, recipient, payload["chat_id"]) == ("reference", "telegram", "4242", "4242")


def test_phone_in_the_web_chat_sends_nothing_and_says_so(store, monkeypatch):
    import actions.reference as action
    from bot.handoff import reference

    lead_id = _lead(store, "c-phone", "telefoon", "+31612345678")
    assert reference.send_reference(store, "c-phone", NOW).kind == reference.CANNOT
    assert reference.send_reference(store, "nobody", NOW).kind == reference.NO_LEAD
    assert _outbox(store) == []
    monkeypatch.setattr(action, "SETTINGS", replace(action.SETTINGS, database_url=store))
    dispatcher = CollectingDispatcher()
    action.ActionSendReference().run(dispatcher, Tracker("c-phone", {}, {}, [], False, None, {}, "action_listen"), {})
    assert [(m["response"], m["reference"]) for m in dispatcher.messages] == [("utter_reference_cannot", lead_id)]


def test_the_worker_delivers_the_reference_to_the_persons_own_telegram_chat_and_forgets_it(
        sqlite_url, tmp_path, fake_telegram):
    """The real outbox worker and Telegram client (fake Bot API): the person's chat gets the reference and
    the promise; the counsellor's hand-off goes its own way; the delivered row keeps no personal data."""
    from sqlalchemy import select

    from bot.handoff import reference
    from bot.handoff.clock import FakeClock
    from bot.handoff.delivery_telegram import TelegramTransport
    from bot.handoff.worker import Worker
    from bot.store.db import session_factory
    from bot.store.handoff_models import OutboxMessage
    from tests.handoff_support import COUNSELLOR, FRIDAY_AFTERNOON, create_handed_off_lead, make_settings

    settings = make_settings(sqlite_url, tmp_path, telegram_token=fake_telegram.token,
                             telegram_api_base=fake_telegram.base_url)
    factory = session_factory(sqlite_url)
    counsellor = dict(COUNSELLOR, email="", telegram_chat_id="-100777")
    lead_id = create_handed_off_lead(factory, settings, counsellor=counsellor, channel="telegram",
                                     conversation_id="telegram-xyz", channel_ref="5151")
    assert reference.send_reference(sqlite_url, "telegram-xyz", FRIDAY_AFTERNOON).kind == reference.SENT
    worker = Worker(factory, settings, clock=FakeClock(FRIDAY_AFTERNOON),
                    transports={"telegram": TelegramTransport(settings)})
    worker.run_once()
    to_person = [m for m in fake_telegram.sent if m["chat_id"] == "5151"]
    assert len(to_person) == 1 and lead_id in to_person[0]["text"]
    assert "Sanne van TechniekTalent Zeeland" in to_person[0]["text"]
    with factory() as session:
        row = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "reference")).scalar_one()
    assert (row.status, row.payload) == ("sent", {"delivered": True})
    assert reference.send_reference(sqlite_url, "telegram-xyz", FRIDAY_AFTERNOON).kind == reference.ALREADY
