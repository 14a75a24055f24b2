import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.regional import ActionSessionStart
from bot.conversation.regional import regional_welcome, slugify


def test_snippet_slugs_and_codes_find_the_region_and_its_organisation():
    assert slugify("Gooi en Vechtstreek") == "gooi-en-vechtstreek"
    zeeland = regional_welcome("zeeland")
    assert (zeeland.code, zeeland.name) == ("AM24", "Zeeland") and zeeland.organisation
    assert regional_welcome("AM30").name == "Zuid-Limburg"
    assert regional_welcome("Gooi en Vechtstreek").code == regional_welcome("gooi-en-vechtstreek").code
    for unknown in ("atlantis", "", None, 42, "<script>"):
        assert regional_welcome(unknown) is None


def _session_start(events, metadata=None):
    """What action_session_start returns for a conversation with ``events`` whose next message carries
    ``metadata`` (Rasa puts it in the slot session_started_metadata before it calls the action)."""
    if metadata is not None:
        events = events + [{"event": "slot", "name": "session_started_metadata", "value": metadata}]
    tracker = Tracker("t-regio", {"session_started_metadata": metadata}, {}, events, False, None, {}, "action_listen")
    domain = {"session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    return asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, domain))


def _slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_region_of_the_first_message_fills_the_welcome_slots_once_per_session():
    events = _session_start([], {"region": "zeeland"})
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    values = _slots(events)
    assert values["regional"] is True and values["welcome_region"] == "Zeeland"
    assert values["welcome_organisation"] == regional_welcome("zeeland").organisation
    assert values["content_region"] == "AM24" and values["welcome_extra"].startswith(" ")
    for metadata in ({}, {"region": "atlantis"}, None, {"region": 42}):
        assert not {"regional", "welcome_region", "content_region"} & set(_slots(_session_start([], metadata)))


def test_a_new_session_carries_the_slots_of_the_last_one_and_a_new_region_wins():
    old = [{"event": "slot", "name": "first_name", "value": "Oud"},
           {"event": "session_started"},
           {"event": "slot", "name": "welcome_region", "value": "Zeeland"},
           {"event": "slot", "name": "first_name", "value": "Sam"}]
    assert _slots(_session_start(old, {})) == {"welcome_region": "Zeeland", "first_name": "Sam",
                                               "session_started_metadata": {}}
    assert _slots(_session_start(old, {"region": "groningen"}))["welcome_region"] == "Groningen"
    assert _slots(_session_start(old + [{"event": "restart"}])) == {}


def test_rest_greeting_with_a_region_names_it_and_without_stays_national(stack):
    import httpx

    def greet(sender, metadata):
        body = {"sender": sender, "message": "/greet", "metadata": metadata}
        response = httpx.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        return " ".join(m.get("text", "") for m in response.raise_for_status().json())

    regional = greet("regio-1", {"region": "zeeland"})
    assert "Gouden Poort in Zeeland" in regional and regional_welcome("zeeland").organisation in regional
    national = greet("regio-2", {})
    assert "AI-chatbot" in national and "Zeeland" not in national


def test_without_a_domain_from_rasa_a_regional_answer_keeps_the_national_buttons():
    """Rasa sends its domain only to validate_* actions (enable_selective_domain): the buttons of the
    national response then come from domain/ itself, read once."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.regional import project_domain, utter_regional
    from bot.ops.endpoints import render_endpoints
    from bot.ops.config import load_settings

    assert render_endpoints(load_settings())["action_endpoint"]["enable_selective_domain"] is True
    zeeland = CollectingDispatcher()
    utter_regional(zeeland, {}, "utter_training_bbl", "AM24")
    national = project_domain()["responses"]["utter_training_bbl"][0]
    assert "In Zeeland" in zeeland.messages[0]["text"]
    assert zeeland.messages[0]["buttons"] == (national.get("buttons") or [])
    assert project_domain()["session_config"]["carry_over_slots_to_new_session"] is True


def test_in_english_the_national_response_is_sent_so_rasa_picks_its_english_variation():
    """The regional packs are Dutch (issue 23): someone writing English gets the response by name."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.regional import utter_regional

    english = CollectingDispatcher()
    utter_regional(english, {}, "utter_training_bbl", "AM24", language="en")
    assert english.messages[0]["response"] == "utter_training_bbl" and not english.messages[0].get("text")
    dutch = CollectingDispatcher()
    utter_regional(dutch, {}, "utter_training_bbl", "AM24", language="nl")
    assert "In Zeeland" in dutch.messages[0]["text"]
