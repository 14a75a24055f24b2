""""Wat betekent ...?" (issue 23): the glossary, its recognition and the NLU override."""
import pytest
import yaml

from bot.content.woordenlijst import check
from bot.conversation.glossary import GLOSSARY, asked_phrase, find_term, load
from bot.conversation.rasa_pattern_intents import MEANING_INTENT, overridden


@pytest.mark.parametrize("text, key", [
    ("wat betekent werkdagen?", "werkdagen"),
    ("Wat betekent 'binnen 2 werkdagen'?", "werkdagen"),
    ("wat is een cao", "cao"),
    ("wat is een CAO precies??", "cao"),
    ("wat bedoel je met bruto", "bruto"),
    ("wat is dat, netto?", "netto"),
    ("referentie? wat is dat", "referentie"),
    ("cao, wat betekent dat", "cao"),
    ("wat is een open dag", "open dag"),
    ("wat zijn vakkrachten", "vakkracht"),
    ("hoi, wat betekent zij-instroom", "zij-instroom"),
    ("wat is mbo niveau 2", "niveau"),
    ("wat wil startkwalificatie zeggen", "startkwalificatie"),
])
def test_clear_questions_about_a_glossary_word_find_it(text, key):
    term = find_term(text)
    assert term is not None and term.key == key


@pytest.mark.parametrize("text", [
    "wat betekent stukloon",                 # a clear question, but not a word of the list
    "wat is het salaris",
    "wat is de beste opleiding voor mbo",    # a sentence that mentions a word, not a meaning question
    "hoeveel verdien je met bbl",
    "ik wil een cao",
    "wat betekent dat",
    "bedankt!",
    "",
])
def test_other_messages_find_no_term(text):
    assert find_term(text) is None


def test_the_asked_word_is_known_even_when_the_list_lacks_it():
    assert asked_phrase("wat betekent stukloon?") == "stukloon"
    assert asked_phrase("hoeveel verdien je") is None


def test_every_word_has_a_short_b1_explanation_and_no_form_twice():
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert check(data) == []
    terms = load()
    assert len(terms) >= 20
    for term in terms.values():
        assert 0 < len(term.explanation.split()) <= 45, term.key
        assert term.owner in (None, "ask_training", "ask_events", "ask_salary"), term.key


def test_the_check_finds_a_form_under_two_words_and_an_empty_explanation():
    data = {"terms": {"bbl": {"woorden": ["bbl"], "uitleg": "x"}, "leren": {"woorden": ["BBL"], "uitleg": ""}}}
    assert ("error", "'BBL' staat bij bbl en bij leren") in check(data)
    assert ("error", "woord leren heeft geen uitleg") in check(data)


RANKING = [{"name": "out_of_scope", "confidence": 0.7}, {"name": "thank", "confidence": 0.2}]


def test_the_override_sets_ask_meaning_for_a_glossary_word_only():
    intent, ranking = overridden(RANKING[0], RANKING, "wat betekent werkdagen?")
    assert intent == {"name": MEANING_INTENT, "confidence": 1.0}
    assert ranking[0] == intent and all(r["confidence"] <= 0.5 for r in ranking[1:])
    same = overridden(RANKING[0], RANKING, "wat betekent stukloon")
    assert same == (RANKING[0], RANKING)


def test_the_override_keeps_the_intent_that_explains_the_word_itself():
    training = {"name": "ask_training", "confidence": 0.9}
    assert overridden(training, [training], "wat is bbl")[0] is training
    salary = {"name": "ask_salary", "confidence": 0.54}
    assert overridden(salary, [salary], "wat is een cao")[0]["name"] == MEANING_INTENT
