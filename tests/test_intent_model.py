"""The intent model of issue 13 (bot/conversation/intent_model.py, chat_text.py), tested without Rasa
running; the last test saves and loads it through the Rasa component as `rasa train` and the bot do."""
import random

import pytest

from bot.conversation.chat_text import fold, normalise_chat, place_names
from bot.conversation.intent_model import IntentModel, IntentModelConfig, misspell

PLACES = place_names(["Zwolle", "Den Haag", "Bergen op Zoom", "Hee", "Bergen", "Leeuwarden", "Utrecht",
                      "Amersfoort", "'s-Hertogenbosch"])


def test_fold_lowers_strips_accents_and_stretched_letters():
    assert fold("JAAAAA") == "jaa"
    assert fold("Zwólle") == "zwolle"
    assert fold("heeeeey") == "heey"
    assert fold("1000") == "1000"  # digits are not stretched letters


def test_a_place_given_as_an_answer_gets_a_marker_and_a_place_inside_a_question_does_not():
    assert normalise_chat("ik woon in Zwólle", PLACES) == "ik woon in zwolle _plaats_"
    assert normalise_chat("bergen op zoom!", PLACES) == "bergen op zoom _plaats_"
    assert normalise_chat("s-hertogenbosch", PLACES).endswith("_plaats_")
    # "hee" and "bergen" are places in the CBS list, but in a chat they are a greeting and a verb.
    assert "_plaats_" not in normalise_chat("hee hoi", PLACES)
    assert "_plaats_" not in normalise_chat("dozen bergen in het magazijn", PLACES)
    assert "_plaats_" not in normalise_chat("ik woon in zwolle", frozenset())
    assert "_plaats_" not in normalise_chat("is er een open dag in Zwolle?", PLACES)
    assert "_plaats_" not in normalise_chat("goeiemorgen uit Utrecht", PLACES)
    assert normalise_chat("uit de buurt van Den Haag", PLACES).endswith("_plaats_")


def test_intake_answers_get_markers():
    assert normalise_chat("3512AB").endswith("_postcode_")
    assert "_getal_" in normalise_chat("ik ben 19")
    assert normalise_chat("mail me op Sam.de.Vries@Example.nl") == "mail me op _email_"
    assert normalise_chat("bel 06-12345678 maar") == "bel maar _telefoon_"
    assert normalise_chat("wat verdien je") == "wat verdien je"


def test_a_misspelling_changes_one_long_word_only():
    rng = random.Random(1)
    for _ in range(200):
        text = "ik wil graag elektricien worden"
        slip = misspell(text, rng)
        changed = [(a, b) for a, b in zip(text.split(), slip.split()) if a != b]
        assert len(slip.split()) == 5
        assert len(changed) <= 1
        assert all(a not in {"ik", "wil"} for a, _ in changed)
    assert misspell("ja", rng) == "ja"


TRAIN = [
    ("hoi", "greet"), ("hallo daar", "greet"), ("goeiemorgen", "greet"), ("hey hey", "greet"),
    ("doei", "goodbye"), ("later", "goodbye"), ("tot ziens", "goodbye"), ("fijne dag nog", "goodbye"),
    ("utrecht", "inform"), ("ik woon in zwolle", "inform"), ("amersfoort", "inform"), ("ik ben 19", "inform"),
    ("3512 ab", "inform"), ("17 jaar", "inform"),
    ("wat verdien je als monteur", "ask_salary"), ("hoeveel geld krijg ik", "ask_salary"),
    ("is het salaris goed", "ask_salary"), ("wat is het loon", "ask_salary"),
]


@pytest.fixture(scope="module")
def model():
    return IntentModel(config=IntentModelConfig(typo_copies=1), places=PLACES).fit(
        [t for t, _ in TRAIN], [i for _, i in TRAIN])


def test_an_unseen_place_age_or_postcode_is_an_answer(model):
    assert model.predict(["Leeuwarden", "ik ben 23", "1234xy"]) == ["inform"] * 3


def test_rankings_are_probabilities_most_likely_first(model):
    ranking = model.rank(["hoeveel verdien ik"])[0]
    assert ranking[0][0] == "ask_salary"
    assert {name for name, _ in ranking} == {"greet", "goodbye", "inform", "ask_salary"}
    assert abs(sum(p for _, p in ranking) - 1) < 1e-6
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)


def test_one_intent_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="twee intents"):
        IntentModel().fit(["hoi", "hallo"], ["greet", "greet"])


def test_the_rasa_component_trains_saves_and_loads_the_same_model(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.conversation.rasa_intent_classifier import ChatIntentClassifier

    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_model")
    context = ExecutionContext(GraphSchema({}), node_name="intent_model")
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in TRAIN],
                        lookup_tables=[{"name": "location", "elements": ["Zwolle", "Leeuwarden", "Utrecht"]}])
    trained = ChatIntentClassifier.create({"typo_copies": 0}, storage, resource, context)
    trained.train(data)
    loaded = ChatIntentClassifier.load({"typo_copies": 0}, storage, resource, context)
    assert loaded.model is not None and loaded.model.places == frozenset({"zwolle", "leeuwarden", "utrecht"})

    messages = [Message(data={"text": t}) for t in ("Leeuwarden", "wat verdien ik", "doei!")]
    loaded.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["inform", "ask_salary", "goodbye"]
    assert [m.get("intent")["name"] for m in messages] == trained.model.predict([m.get("text") for m in messages])
    assert len(messages[0].get("intent_ranking")) == 4


def test_a_first_name_gets_a_marker_unless_it_is_also_a_word():
    assert normalise_chat("ik ben Kevin").endswith("_naam_")
    assert normalise_chat("Fatima") == "fatima _naam_"
    assert "_naam_" not in normalise_chat("can you help me")
    assert "_naam_" not in normalise_chat("ik ben 17 en wil werken")
