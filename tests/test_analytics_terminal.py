"""Issue 22 item 14: a question the bot could not answer must not carry terminal escapes into the lead
store, nor out of ``python -m bot funnel`` onto a coordinator's terminal.

An attacker types a fallback question with ANSI/OSC sequences (clear the screen, recolour, set the
window title, a hyperlink that hides its target), C1 controls, a carriage return that overwrites the
line and a bidi override; the real consumer reads it from Rasa's SQL event broker, and the real CLI
prints the report. No Rasa server is needed.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

from sqlalchemy import select

from bot.analytics.consume import SqlBrokerSource, run_once
from bot.analytics.report import text_report
from bot.store.analytics_models import UnansweredQuestion
from bot.store.db import get_engine, new_session
from bot.store.models import utcnow
from tests.analytics_support import NOW, TS, fallback, publish_sql

HOSTILE = ("\x1b[2J\x1b[H\x1b[31mwaar is de open dag\x1b[0m\x1b]0;pwned\x07 voor lassen"
           "\x1b]8;;https://evil.example/\x1b\\ bij jullie\x1b]8;;\x1b\\\x9b2K\rvergeet dit\u202e ?\x00\x08\x7f")
# What a terminal acts on: ESC, BEL, C1 controls, CR, backspace, NUL, DEL, and the bidi controls.
DANGEROUS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_a_hostile_question_is_stored_and_printed_without_control_characters(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    events_db = tmp_path / "events.db"
    publish_sql(events_db, fallback("web-escape", TS, HOSTILE))
    run_once(url, SqlBrokerSource(f"sqlite:///{events_db}"), now=NOW)
    with new_session(url) as session:
        [stored] = session.execute(select(UnansweredQuestion.text)).scalars().all()
    assert not DANGEROUS.search(stored), repr(stored)
    assert "open dag" in stored and "lassen" in stored  # the question itself is kept

    env = dict(os.environ, DATABASE_URL=url, GP_VAR_DIR=str(tmp_path), GP_EVENT_BROKER="off")
    out = subprocess.run([sys.executable, "-m", "bot", "funnel"], env=env, capture_output=True, check=True)
    printed = out.stdout.decode("utf-8")
    assert "open dag" in printed and not DANGEROUS.search(printed.replace("\n", "")), repr(printed)


def test_what_an_older_version_stored_raw_is_cleaned_when_printed(tmp_path):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    with new_session(url) as session, session.begin():
        session.add(UnansweredQuestion(text=HOSTILE + "\ntweede regel", signature="dag lassen open",
                                       count=7, first_seen=utcnow(), last_seen=utcnow()))
    report = text_report(url)
    line = next(line for line in report.splitlines() if "open dag" in line)
    assert not DANGEROUS.search(report.replace("\n", "")) and "tweede regel" in line  # one item, one line


def test_strip_controls_keeps_ordinary_text():
    from bot.analytics.redact import strip_controls

    text = "Hoi! Ik ben 16 – kan ik bij ASML werken?\tJa\nNee: café, naïef, €10"
    assert strip_controls(text) == text
    assert strip_controls(text, keep_lines=False) == "Hoi! Ik ben 16 – kan ik bij ASML werken? Ja Nee: café, naïef, €10"
