import pytest

from bot.conversation.topics import RESPONSES, detect_topic, pick_response


@pytest.mark.parametrize("text, topic", [
    ("techniek is niks voor meisjes", "gender"),
    ("ik ben een vrouw van 28", "gender"),
    ("ik ben slecht in wiskunde", "maths"),
    ("ik kan niet goed rekenen", "maths"),
    ("ik heb geen diploma", "diploma"),
    ("ik heb mijn havo niet afgemaakt", "diploma"),
    ("ik ben 34, is dat te laat", "age"),
    ("ben ik niet te oud", "age"),
    ("mijn nederlands is niet goed", "language"),
    ("is het zwaar werk", "physical"),
    ("techniek is toch vies", "physical"),
    ("ik weet het gewoon niet", None),
])
def test_doubts_get_a_specific_topic(text, topic):
    assert detect_topic("doubt_fit", text) == topic


def test_every_doubt_topic_has_its_own_answer():
    answers = RESPONSES["doubt_fit"]
    assert len(set(answers.values())) == len(answers)
    assert pick_response("doubt_fit", "ik ben slecht in wiskunde") == "utter_doubt_maths"
    assert pick_response("doubt_fit", "hmm") == "utter_doubt_general"


def test_button_entity_wins_over_words():
    assert pick_response("doubt_fit", "/doubt_fit", "age") == "utter_doubt_age"
    assert pick_response("ask_jobs", "/ask_jobs", "bouw") == "utter_jobs_bouw"
    assert pick_response("ask_jobs", "/ask_jobs", "onbekend") == "utter_jobs_overview"


@pytest.mark.parametrize("text, response", [
    ("wat doet een elektricien", "utter_jobs_installatie"),
    ("ik hou van gamen, is er werk voor mij", "utter_jobs_ict"),
    ("is er werk als timmerman", "utter_jobs_bouw"),
    ("wat doet een lasser precies", "utter_jobs_metaal"),
    ("wat voor banen zijn er in de techniek", "utter_jobs_overview"),
])
def test_job_questions(text, response):
    assert pick_response("ask_jobs", text) == response


@pytest.mark.parametrize("text, response", [
    ("wat is bbl", "utter_training_bbl"),
    ("wat is het verschil tussen bbl en bol", "utter_training_bbl"),
    ("kan ik omscholen", "utter_training_switch"),
    ("wat is zij-instroom", "utter_training_switch"),
    ("wat zijn de mbo niveaus", "utter_training_levels"),
    ("welke opleiding moet ik doen", "utter_training_overview"),
])
def test_training_questions(text, response):
    assert pick_response("ask_training", text) == response


def test_other_intents_are_not_answered_here():
    assert pick_response("ask_salary", "wat verdien ik") is None
    assert detect_topic("doubt_fit", None) is None
