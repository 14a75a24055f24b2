"""The redactor on its two hand-written sets (issue 25): the development set passes entirely; the
evaluation set (never tuned on) keeps the recall and damage measured in docs/privacy.md."""
from datetime import datetime, timezone
from pathlib import Path

from bot.analytics.redact import redact_question
from bot.analytics.redact_measure import measure, read_set

ROOT = Path(__file__).resolve().parents[1]


def test_the_evaluation_set_is_large_and_varied():
    rows = read_set(ROOT / "tests" / "redact_eval" / "zinnen.tsv")
    assert len(rows) >= 150
    assert sum(1 for _s, pieces in rows if not pieces) >= 50
    dev = {s for s, _p in read_set(ROOT / "tests" / "redact_dev" / "zinnen.tsv")}
    assert not dev & {s for s, _p in rows}, "the two sets share sentences"


def test_development_set_has_no_misses_and_no_damage():
    m = measure(read_set(ROOT / "tests" / "redact_dev" / "zinnen.tsv"), redact_question)
    assert (m.misses, m.damage) == ([], [])


def test_evaluation_set_stays_at_the_measured_level():
    m = measure(read_set(ROOT / "tests" / "redact_eval" / "zinnen.tsv"), redact_question)
    assert m.recall >= 0.98, f"recall {m.recall:.1%}"
    assert m.damage_share <= 0.05, f"damage {m.damage_share:.1%}"


def test_a_question_that_may_name_someone_is_dropped_not_stored(tmp_path):
    from bot.analytics.consume import store_unanswered
    from bot.store.db import new_session
    from bot.store.analytics_models import UnansweredQuestion
    from sqlalchemy import select

    url = f"sqlite:///{tmp_path}/a.db"

    assert redact_question("ik ben Jaylen qorbani, vraagje") is None
    with new_session(url) as session, session.begin():
        stored = store_unanswered(session, ["ik ben Jaylen qorbani, vraagje", "Hoe word ik Elektricien?"],
                                  datetime(2026, 12, 8, tzinfo=timezone.utc))
    with new_session(url) as session:
        texts = session.execute(select(UnansweredQuestion.text)).scalars().all()
    assert stored == 1 and texts == ["Hoe word ik Elektricien?"]
