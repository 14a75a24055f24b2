"""Issue 25 on the real stack (Rasa over REST, action server, worker, web app, local mailbox), with
raw-byte scans of every file under the stack's ``var/`` (``*-wal`` and ``*-shm`` included):

- item 3: access from one conversation, erasure from a third: the access printout goes with the lead;
  the erasing turn is not stored again nor published to the event broker (no funnel row appears);
  nothing of the person is left in any file, not in the broker's database or its WAL either;
- item 3: ``leads purge`` removes the broker's raw events of a conversation that ended (after counting
  it in the funnel);
- item 4: access shows what the counsellor wrote down and the consent text;
- item 6: every file the stack writes in ``var/`` is named in docs/privacy.md and on /privacy.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from bot.analytics.consume import SqlBrokerSource, run_once
from bot.store.analytics_models import AnalyticsConversation, AnalyticsSalt, conversation_key
from bot.store.db import new_session
from bot.store.leads import record_event
from bot.store.models import Lead
from tests.test_e2e_person_rights import body, code_for, intake, lead_of, mails, wait_for
from tests.test_e2e_privacy import WIPE_SENTENCE, fill_intake, person
from tests.test_e2e_thin_conversation import tracker_events

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[1] / "docs" / "privacy.md"


def files_containing(var_dir: Path, needle: str, only: tuple = ()):
    """Every file under var/ (or those whose name starts with one of ``only``) whose raw bytes contain
    ``needle`` (UTF-8, any case)."""
    hits, raw = [], needle.encode()
    for path in sorted(var_dir.rglob("*")):
        if path.is_file() and (not only or str(path.relative_to(var_dir)).startswith(only)):
            data = path.read_bytes()
            if raw in data or raw.lower() in data.lower():
                hits.append(str(path.relative_to(var_dir)))
    return hits


def broker_rows(stack, sender):
    engine = create_engine(stack.settings.events_url, future=True)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar_one()
    engine.dispose()
    return n


def pending_erasures(stack):
    engine = create_engine(stack.settings.database_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sender_id FROM tracker_erasures WHERE sender_id LIKE 'e2e-r2-%'")).all()
    engine.dispose()
    return rows


def funnel_rows(stack, sender):
    with new_session(stack.settings.database_url) as session:
        keys = [conversation_key(salt, sender) for salt in session.execute(select(AnalyticsSalt.salt)).scalars()]
        return session.execute(select(AnalyticsConversation).where(AnalyticsConversation.key.in_(keys))).all()


def count_funnel(stack):
    run_once(stack.settings.database_url, SqlBrokerSource(stack.settings.events_url))


def purge(stack):
    env = dict(os.environ, DATABASE_URL=stack.settings.database_url, TRACKER_STORE_URL=stack.settings.tracker_store_url,
               GP_VAR_DIR=str(stack.settings.var_dir), GP_EVENTS_URL=stack.settings.events_url)
    return subprocess.run([sys.executable, "-m", "bot", "leads", "purge"], env=env, capture_output=True,
                          text=True, check=True, timeout=120).stdout


def test_access_then_erasure_elsewhere_leaves_no_copy_anywhere(stack):
    made, looked, erases = "e2e-r2-made", "e2e-r2-looked", "e2e-r2-erases"
    address, name, note = "zephyrine.r2@example.org", "Zephyrine", "Vader Quirijn belt terug, Kastanjelaan 7"
    intake(stack, made, name, address)
    lead = lead_of(stack, made)
    with new_session(stack.settings.database_url) as session, session.begin():
        record_event(session, session.get(Lead, lead["id"]), "note", "workspace:sanne", note=note)

    assert "code" in stack.texts(looked, "wat weten jullie van mij?")
    stack.texts(looked, address)
    shown = stack.texts(looked, code_for(stack, address))
    assert f"aanvraag {lead['id']}" in shown and note in shown                       # item 4: the notes
    assert "waar je ja op zei" in shown and "Dit sturen we naar" in shown             # item 4: consent text
    assert tracker_events(stack, looked) > 0 and "Quirijn" in str(stack.events(looked))  # the printout

    assert "zeker" in stack.texts(erases, "wis mijn gegevens")
    stack.texts(erases, '/delete_data{"confirmed": "ja"}')
    stack.texts(erases, address)
    def code_mails():
        return [m for m in mails(stack) if str(m["To"]).lower() == address and "code" in str(m["Subject"]).lower()]
    assert wait_for(lambda: len(code_mails()) >= 2)          # a new code: the first one was used
    code = re.search(r"\b(\d{8})\b", body(code_mails()[-1])).group(1)
    said = stack.texts(erases, code)
    assert "gewist" in said and lead["id"] in said and "3 gesprekken" in said

    # the erasing turn came back neither into the tracker store nor into the broker: no funnel row
    assert tracker_events(stack, erases) == 0 and broker_rows(stack, erases) == 0
    count_funnel(stack)
    assert funnel_rows(stack, erases) == [] and funnel_rows(stack, looked) == []
    assert wait_for(lambda: all(tracker_events(stack, s) == 0 for s in (made, looked, erases)), 30)
    assert wait_for(lambda: not pending_erasures(stack), 60)   # the sweeps are done (about 10 s)
    for needle in (address, name, "Quirijn", "Kastanjelaan"):                 # raw bytes, every file
        assert files_containing(stack.settings.var_dir, needle) == [], needle
    for needle in (made, looked, erases):  # conversation ids: the logs may name them (docs/privacy.md)
        assert files_containing(stack.settings.var_dir, needle, only=("leads.db", "tracker.db", "events.db")) == []


def test_purge_removes_the_broker_events_of_an_ended_conversation_after_counting_it(stack):
    said = "ik twijfel tussen lassen en timmeren bij Oosterweel"
    for attempt in range(3):  # the worker's own funnel run (every minute) may read the broker first
        sender = f"e2e-r2-ended-{attempt}"
        stack.texts(sender, said)
        # a 15-year-old takes the info route: the conversation ends without a lead (rule 1)
        assert WIPE_SENTENCE in fill_intake(stack, sender, person("Yfke", "15", "00000000", "Heerlen"),
                                            until="Op de website")
        if broker_rows(stack, sender) > 0:
            break
    assert broker_rows(stack, sender) > 0
    purge(stack)
    assert broker_rows(stack, sender) == 0 and tracker_events(stack, sender) == 0
    assert funnel_rows(stack, sender)               # counted before the raw events went
    assert files_containing(stack.settings.var_dir, "Oosterweel", only=("tracker.db", "events.db")) == []


# Every kind of file the stack writes in var/, and the name docs/privacy.md and /privacy use for it.
KNOWN = ((r"^leads\.db$", "leads.db"), (r"^tracker\.db$", "tracker.db"), (r"^events\.db$", "events.db"),
         (r"-wal$", "-wal"), (r"-shm$", "-shm"), (r"^identity-secret$", "identity-secret"),
         (r"^channel-secret$", "channel-secret"), (r"^handoff-link-secret$", "handoff-link-secret"),
         (r"^logs/", "logs"), (r"^mail/", "mail"), (r"^telegram-callbacks\.sqlite", "telegram-callbacks.sqlite"),
         (r"^endpoints-\d+\.yml$", "endpoints-"), (r"^credentials-\d+\.yml$", "credentials-"),
         (r"^action-token$", "action-token"), (r"^content-cache/", "content-cache"))
ON_PRIVACY_PAGE = ("leads.db", "tracker.db", "events.db", "-wal", "-shm", "identity-secret", "channel-secret",
                   "action-token", "handoff-link-secret", "logs")


def test_every_file_in_var_is_in_the_data_map_and_on_the_privacy_page(stack):
    files = [str(p.relative_to(stack.settings.var_dir)) for p in stack.settings.var_dir.rglob("*") if p.is_file()]
    assert any(f.endswith("-wal") for f in files) and "leads.db" in files
    unknown = [f for f in files if not any(re.search(pattern, f) for pattern, _ in KNOWN)]
    assert unknown == [], f"new files in var/ that docs/privacy.md and /privacy do not describe: {unknown}"
    doc = DOC.read_text(encoding="utf-8")
    assert [name for _, name in KNOWN if name not in doc] == []
    page = " ".join(httpx.get(f"http://127.0.0.1:{stack.settings.web_port}/privacy", timeout=30).text.split())
    assert [name for name in ON_PRIVACY_PAGE if name not in page] == []
    for words in ("trechter", "90 dagen", "niet gecontroleerd", "Wis dit gesprek ook hier",
                  "wat de adviseur over je opschreef"):
        assert words in page, words
