import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.regional import ValidateSlotMappings
from bot.conversation.regional import regional_welcome, slugify


def test_snippet_slugs_and_codes_find_the_region_and_its_organisation():
    assert slugify("Gooi en Vechtstreek") == "gooi-en-vechtstreek"
    zeeland = regional_welcome("zeeland")
    assert (zeeland.code, zeeland.name) == ("AM24", "Zeeland") and zeeland.organisation
    assert regional_welcome("AM30").name == "Zuid-Limburg"
    assert regional_welcome("Gooi en Vechtstreek").code == regional_welcome("gooi-en-vechtstreek").code
    for unknown in ("atlantis", "", None, 42, "<script>"):
        assert regional_welcome(unknown) is None


def _tracker(metadata):
    return Tracker("t-regio", {}, {"text": "/greet", "intent": {"name": "greet"}, "metadata": metadata},
                   [], False, None, {}, "action_listen")


DOMAIN = {"slots": {name: {"type": "text", "mappings": [{"type": "custom"}]}
                    for name in ("regional", "welcome_region", "welcome_organisation")}, "forms": {}}


def test_metadata_region_fills_the_welcome_slots_and_no_region_leaves_them():
    events = asyncio.run(ValidateSlotMappings().run(CollectingDispatcher(), _tracker({"region": "zeeland"}), DOMAIN))
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["regional"] is True and values["welcome_region"] == "Zeeland"
    assert values["welcome_organisation"] == regional_welcome("zeeland").organisation
    assert asyncio.run(ValidateSlotMappings().run(CollectingDispatcher(), _tracker({}), DOMAIN)) == []
    assert asyncio.run(ValidateSlotMappings().run(CollectingDispatcher(), _tracker({"region": "atlantis"}), DOMAIN)) == []


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
