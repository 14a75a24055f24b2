import itertools

import pytest

from bot.conversation.exploration import ANSWERS, SLOTS, job_message, load_jobs, normalise_answer, suggest


def test_catalogue_is_complete():
    jobs = load_jobs()
    assert len(jobs) >= 8
    for job in jobs:
        assert job.style and job.place and job.activities and job.dag
        assert len(job.dag) < 300


@pytest.mark.parametrize("slot, text, value", [
    ("explore_style", "handen", "handen"),
    ("explore_style", "Met mijn handen 🛠️", "handen"),
    ("explore_style", "liever met mn hoofd", "hoofd"),
    ("explore_style", "allebei eigenlijk", "allebei"),
    ("explore_place", "buiten!!", "buiten"),
    ("explore_place", "lekker binnen", "binnen"),
    ("explore_place", "maakt_niet_uit", "maakt_niet_uit"),
    ("explore_activity", "gamen natuurlijk", "gamen"),
    ("explore_activity", "ik hou van coden", "programmeren"),
    ("explore_activity", "dingen repareren", "repareren"),
    ("explore_activity", "tekenen", "ontwerpen"),
    ("explore_activity", "lego bouwen", "bouwen"),
    ("explore_activity", "banaan", None),
    ("explore_style", None, None),
    ("unknown_slot", "handen", None),
])
def test_answers_are_normalised(slot, text, value):
    assert normalise_answer(slot, text) == value


def test_every_combination_gives_two_or_three_distinct_jobs():
    options = [[value for value, _ in ANSWERS[slot]] for slot in SLOTS]
    for style, place, activity in itertools.product(*options):
        jobs = suggest(style, place, activity)
        assert 2 <= len(jobs) <= 3
        assert len({job.id for job in jobs}) == len(jobs)


def test_the_gamer_gets_jobs_where_gaming_skills_count():
    jobs = suggest("hoofd", "binnen", "gamen")
    assert all("gamen" in job.activities for job in jobs)


def test_hands_outside_building_gets_building_work_outside():
    first = suggest("handen", "buiten", "bouwen")[0]
    assert "buiten" in first.place and "bouwen" in first.activities


def test_suggestion_is_deterministic():
    assert suggest("allebei", "maakt_niet_uit", "repareren") == suggest("allebei", "maakt_niet_uit", "repareren")


def test_message_names_the_job_and_the_day():
    job = load_jobs()[0]
    assert job.name in job_message(job) and job.dag in job_message(job)
