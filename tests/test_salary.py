"""Issue 23, item 3: salary with figures, and asked again, the next detail instead of the same text."""
from datetime import date

import pytest
import yaml

from actions.regional import project_domain
from bot.content.salaries import FAMILIES, check as check_salaries
from bot.conversation import salary
from bot.conversation.history import Said, bot_messages
from bot.ops.config import PROJECT_ROOT


def said(*names):
    return [Said(name, f"tekst van {name}") for name in names]


def _responses():
    return project_domain()["responses"]


def test_first_question_gets_the_overview_with_figures_and_what_a_cao_is():
    assert salary.choose("hoeveel verdien je", None, []) == salary.OVERVIEW
    text = _responses()[salary.OVERVIEW][0]["text"].format(**salary.values())
    assert "€ 2." in text and "bruto per maand" in text
    assert "Een cao is een afspraak over loon tussen werkgevers en vakbonden" in text


def test_asked_again_gives_the_next_detail_never_the_previous_answer():
    history = said("utter_greet", salary.OVERVIEW)
    first = salary.choose("ja maar hoeveel dan?? per maand", None, history)
    assert first not in (salary.OVERVIEW,) and first in salary.ORDER
    second = salary.choose("ja maar hoeveel dan", None, history + said(first))
    assert second not in (first, salary.OVERVIEW)
    third = salary.choose("hoeveel dan", None, history + said(first, second))
    assert third not in (first, second, salary.OVERVIEW)


def test_when_everything_was_said_the_oldest_comes_back_but_never_the_previous():
    history = said(*salary.ORDER)
    assert salary.choose("hoeveel verdien je", None, history) == salary.OVERVIEW
    for previous in salary.ORDER:
        assert salary.choose("wat verdien je", None, said(*salary.ORDER, previous)) != previous


@pytest.mark.parametrize("text, topic, expected", [
    ("wat verdien je in de ict", None, "utter_salary_ict"),
    ("salaris elektricien?", None, "utter_salary_installatie"),
    ("wat verdient een lasser", None, "utter_salary_metaal"),
    ("hoeveel krijg je in de bouw", None, "utter_salary_bouw"),
    ("loon automonteur", None, "utter_salary_mobiliteit"),
    ("wat verdient een operator", None, "utter_salary_proces"),
    ("/ask_salary", "proces", "utter_salary_proces"),
    ("en met bbl?", None, salary.BBL),
    ("wat verdien je als leerling", None, salary.BBL),
    ("/ask_salary", "bbl", salary.BBL),
    ("en later als je ervaring hebt", None, salary.GROWTH),
    ("/ask_salary", "groei", salary.GROWTH),
    ("verschilt dat per regio", None, salary.REGION),
])
def test_a_question_about_a_family_or_detail_gets_that_answer(text, topic, expected):
    assert salary.choose(text, topic, said(salary.OVERVIEW)) == expected


def test_a_place_in_the_question_is_about_the_region():
    assert salary.choose("en in rotterdam?", None, said(salary.OVERVIEW), place=True) == salary.REGION


def test_the_same_family_twice_in_a_row_gives_the_next_detail():
    chosen = salary.choose("wat verdien je in de ict", None, said("utter_salary_ict"))
    assert chosen != "utter_salary_ict" and chosen in salary.ORDER


def test_every_response_exists_and_every_placeholder_is_filled():
    responses = _responses()
    values = salary.values()
    for name in list(salary.ORDER) + list(salary.FAMILY.values()):
        for variation in responses[name]:
            text = variation["text"].format(**values)  # KeyError when a placeholder has no value
            assert "€" in text or name == salary.REGION, name
            assert "{" not in text


def test_amounts_are_written_the_dutch_way_from_the_hourly_minimum():
    assert salary.euro(2600) == "€ 2.600"
    assert salary.monthly(14.71, 38) == 2420  # 14,71 x 38 x 52 / 12 = 2.422,2
    values = salary.values()
    assert values["wml_21"] == "€ 2.420"
    assert values["bbl_18"] == "€ 1.100"  # bbl-staffel 18 jaar 6,69 per uur
    low, high = (int(x.replace("€ ", "").replace(".", "")) for x in values["installatie_starter"].split(" tot "))
    assert 2000 < low < high < 4000


def test_every_salary_figure_has_source_period_and_status():
    data = yaml.safe_load((PROJECT_ROOT / "content" / "facts.yml").read_text(encoding="utf-8"))["salaries"]
    assert set(data["families"]) == set(salary.FAMILY) == set(FAMILIES)
    assert [p for p in check_salaries(data, date(2026, 1, 2)) if p[0] == "error"] == []
    for entry in [data["minimum_wage"], *data["families"].values()]:
        assert entry["source"] and entry["status"] and entry["valid_from"] <= entry["valid_until"]


def test_the_check_finds_missing_sources_and_stale_figures():
    data = {"minimum_wage": {"source": "Wet minimumloon", "status": "bron bekend",
                             "valid_from": date(2026, 1, 1), "valid_until": date(2026, 6, 30)},
            "families": {"ict": {"starter": [2900, 2400], "vakkracht": [3000, 3800], "status": "te verifiëren",
                                 "valid_from": date(2026, 1, 1), "valid_until": date(2026, 12, 31)}}}
    problems = check_salaries(data, date(2026, 12, 8))
    messages = " | ".join(m for _, m in problems)
    assert ("warning", "salaris minimumloon gold tot 2026-06-30: bedragen bijwerken") in problems
    assert "salaris ict heeft geen source" in messages
    assert "salaris ict: starter moet [laag, hoog] zijn" in messages
    assert "geen bedragen voor bouw" in messages


def test_history_reads_the_bot_messages_of_this_session():
    events = [
        {"event": "bot", "text": "oud", "metadata": {"utter_action": "utter_salary"}},
        {"event": "session_started"},
        {"event": "user", "text": "hoeveel verdien je"},
        {"event": "bot", "text": "Als starter ...", "metadata": {"utter_action": "utter_salary_bbl"}},
        {"event": "bot", "text": "regionaal", "metadata": {}},
    ]
    assert bot_messages(events) == [Said("utter_salary_bbl", "Als starter ..."), Said(None, "regionaal")]


@pytest.mark.parametrize("text, previous, expected", [
    ("en met bbl?", "utter_salary", True),
    ("ja maar hoeveel dan?? per maand", "utter_salary", True),
    ("per maand?", "utter_salary_ict", True),
    ("en met bbl?", "utter_jobs_ict", False),
    ("ik wil graag een adviseur spreken want ik heb veel vragen over bbl", "utter_salary", False),
    ("ik woon in gouda", "utter_salary", False),
    ("what is bbl", "utter_salary_bbl", False),                 # the word, not the pay
    ("wat is bbl?", "utter_salary", False),
    ("wat is het loon met bbl?", "utter_salary", True),
    ('/ask_training{"topic":"bbl"}', "utter_salary_bbl", False),  # the button "Wat is BBL?"
])
def test_a_short_follow_up_right_after_a_salary_answer_stays_about_pay(text, previous, expected):
    assert salary.is_follow_up(text, Said(previous, "x")) is expected
