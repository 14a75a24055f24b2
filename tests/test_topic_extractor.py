"""The topic entity in typed text (issue 21): found with the keyword table of the predicted intent,
inside the Rasa pipeline component, without Rasa running."""
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.rasa_topic_extractor import TopicEntityExtractor, topic_entity


def _run(intent, text, entities=None):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9}, ENTITIES: entities or []})
    TopicEntityExtractor().process([message])
    return message.get(ENTITIES)


def test_the_table_of_the_predicted_intent_decides():
    assert [(e["entity"], e["value"]) for e in _run("ask_jobs", "wat kan ik in de bouw doen")] == [("topic", "bouw")]
    assert [(e["entity"], e["value"]) for e in _run("doubt_fit", "kan een meid dit ook")] == [("topic", "gender")]
    assert _run("greet", "hoi, ik werk in de bouw") == []        # not a question with topics
    assert _run("ask_jobs", "welke banen zijn er") == []          # no topic: the overview answer


def test_the_span_points_at_the_words_that_gave_it_away():
    text = "Welke opleiding is BBL precies"
    entity = topic_entity("ask_training", text)
    assert entity["value"] == "bbl" and text[entity["start"]:entity["end"]].lower() == "bbl"


def test_a_topic_from_a_button_is_left_alone():
    button = [{"entity": "topic", "value": "ict"}]
    assert _run("ask_jobs", "iets met de bouw", button) == button
