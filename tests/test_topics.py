import pytest

from bot.conversation.topics import RESPONSES, detect_topic, find_topic, pick_response


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


# Issue 13: no answer is chosen by a piece of another word.
@pytest.mark.parametrize("intent, text, response", [
    ("doubt_fit", "is de gouden poort iets voor mij", "utter_doubt_general"),   # "oud" in "gouden"
    ("ask_jobs", "werk waar je niet de hele dag zit", "utter_jobs_overview"),     # "it " in "zit "
    ("ask_jobs", "ik wil iets in de it", "utter_jobs_ict"),
    ("ask_jobs", "ik vind het lastig kiezen", "utter_jobs_overview"),            # "las" in "lastig"
    ("ask_jobs", "werk met automatische systemen?", "utter_jobs_overview"),      # "auto" in "automatische"
    ("ask_jobs", "ik wil lassen", "utter_jobs_metaal"),
    ("ask_jobs", "wat doet een automonteur", "utter_jobs_mobiliteit"),
    ("ask_jobs", "ik wil met auto's werken", "utter_jobs_mobiliteit"),
    ("doubt_fit", "ik ben een oude rot", "utter_doubt_age"),
    ("doubt_fit", "ik ben al 37, kan dat nog", "utter_doubt_age"),
    ("doubt_fit", "ik ben 19 en twijfel", "utter_doubt_general"),
    ("doubt_fit", "ik heb een rugzak vol twijfels", "utter_doubt_general"),      # "rug" in "rugzak"
    ("doubt_fit", "ik heb last van mijn rug", "utter_doubt_physical"),
    ("doubt_fit", "is het een mannenwereld", "utter_doubt_gender"),
    ("doubt_fit", "op welke manier kan ik dat leren", "utter_doubt_general"),    # "man" in "manier"
    ("doubt_fit", "ik kan niet goed rekenen", "utter_doubt_maths"),
    ("ask_training", "hoe lang duurt het", "utter_training_levels"),
    ("ask_training", "ik ben zij-instromer", "utter_training_switch"),
    ("ask_training", "bbl of bol", "utter_training_bbl"),
    ("ask_training", "ik wil een symbolische opleiding", "utter_training_overview"),  # "bol" in "symbolische"
])
def test_topics_by_whole_words(intent, text, response):
    assert pick_response(intent, text) == response


def test_nlu_topic_entity_wins_and_unknown_spans_are_read_by_word():
    assert pick_response("doubt_fit", "is de gouden poort iets voor mij", "age") == "utter_doubt_age"
    # DIET found a span the synonym list does not know: read it with the keyword table.
    assert pick_response("ask_jobs", "ik wil met lasrobots werken", "lasrobots") == "utter_jobs_overview"
    assert pick_response("ask_jobs", "ik wil iets met metaalbewerking", "metaalbewerking") == "utter_jobs_metaal"
    assert pick_response("doubt_fit", "ik ben een meid", "meiden") == "utter_doubt_gender"


def test_find_topic_names_the_words():
    assert find_topic("doubt_fit", "Ik ben slecht in Wiskunde!") == ("maths", "wiskunde")
    assert find_topic("ask_training", "kan ik werken en leren tegelijk") == ("bbl", "werken en leren")
    assert find_topic("ask_jobs", "hallo") is None


# ---------------------------------------------------------------- never the same answer twice (issue 23)

def _domain_responses():
    from actions.regional import project_domain
    return project_domain()["responses"]


def test_a_new_answer_is_kept():
    from bot.conversation.topics import avoid_repeat
    assert avoid_repeat("utter_jobs_ict", "utter_jobs_bouw") == "utter_jobs_ict"
    assert avoid_repeat("utter_jobs_ict", None) == "utter_jobs_ict"


def test_the_same_jobs_answer_again_gives_another_job_then_the_explore_offer():
    from bot.conversation.topics import avoid_repeat
    assert avoid_repeat("utter_jobs_ict", "utter_jobs_ict") == "utter_jobs_ict_more"
    # after the second job the first one may come back: it is not the previous message
    assert avoid_repeat("utter_jobs_ict", "utter_jobs_ict_more") == "utter_jobs_ict"
    assert avoid_repeat("utter_jobs_overview", "utter_jobs_overview") == "utter_jobs_explore"


def test_the_same_text_without_a_response_name_counts_too():
    """A regional answer is sent as text: the previous message then has no response name."""
    from bot.conversation.topics import avoid_repeat
    texts = {"utter_doubt_maths": ["Rekenen doe je praktisch."]}
    chosen = avoid_repeat("utter_doubt_maths", None, "rekenen doe je  praktisch.", lambda n: texts.get(n, []))
    assert chosen == "utter_doubt_more"


@pytest.mark.parametrize("response", sorted({r for table in RESPONSES.values() for r in table.values()}))
def test_every_topic_answer_has_a_different_next_answer_in_the_domain(response):
    from bot.conversation.topics import avoid_repeat
    responses = _domain_responses()
    chosen = avoid_repeat(response, response)
    assert chosen != response and chosen in responses
    texts = {t["text"] for t in responses[response]}
    assert not texts & {t["text"] for t in responses[chosen]}
