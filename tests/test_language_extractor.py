"""The language entity (issue 23, item 11): added by the Rasa pipeline component for clearly English
or Dutch messages, never for buttons or short neutral answers, without Rasa running."""
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.rasa_language_extractor import LanguageEntityExtractor


def _run(text, entities=None):
    message = Message(data={TEXT: text, INTENT: {"name": "ask_salary", "confidence": 0.9}, ENTITIES: entities or []})
    LanguageEntityExtractor().process([message])
    return [(e["entity"], e["value"]) for e in message.get(ENTITIES)]


def test_english_and_dutch_messages_get_their_language():
    assert _run("how much do electricians earn") == [("language", "en")]
    assert _run("hoeveel verdien je als elektricien") == [("language", "nl")]


def test_neutral_messages_and_buttons_get_none():
    assert _run("ok") == []
    assert _run("/ask_salary") == []
    assert _run("Ik zit op school") == []   # a button's payload, whatever its title said


def test_other_entities_stay_and_a_given_language_wins():
    assert _run("I live in 3012 AB", [{"entity": "postcode", "value": "3012AB"}]) == [
        ("postcode", "3012AB"), ("language", "en")]
    assert _run("how much do you earn", [{"entity": "language", "value": "nl"}]) == [("language", "nl")]
