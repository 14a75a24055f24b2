"""Erasure and access by a proven contact (issue 11), at store level on SQLite and PostgreSQL.

A person who gave sam@… in one conversation asks from another: nothing is unlocked before the code
that went to sam@… comes back; then every lead with that contact, every conversation they came
from, the hand-off rows and the mail sink's copies go, and the counsellor who had the hand-off gets
a notice with only the reference, delivered by the real worker to a real SMTP receiver.
"""
import mailbox
import re
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import func, select, text

from bot.handoff import person_rights as rights
from bot.handoff.worker import Worker
from bot.store.db import new_session, session_factory
from bot.store.retention import purge_expired_leads
from bot.store.handoff_models import HandoffCase, OutboxMessage
from bot.store.models import Lead, PersonCheck, utcnow
from bot.store.person_checks import MAX_ATTEMPTS, verify_code
from tests.handoff_support import FRIDAY_AFTERNOON, create_handed_off_lead, make_settings, smtp_receiver  # noqa: F401
from tests.store_fixtures import store_url  # noqa: F401
from tests.test_erasure import _everything_mentioning, _make_tracker

EMAIL = "Sam.Jansen@example.org"
CONTACT = {"method": "email", "value": EMAIL}


def _code(url, recipient):
    with new_session(url) as session:
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "person_code",
                                                           func.lower(OutboxMessage.recipient) == recipient.lower())).scalars().all()
    assert len(rows) == 1, rows
    return re.search(r"\b(\d{8})\b", rows[0].payload["text"]).group(1)


def _mail(folder, reference, kind="handoff"):
    message = EmailMessage()
    message["Subject"], message["X-GoudenPoort-Reference"], message["X-GoudenPoort-Kind"] = "x", reference, kind
    message.set_content(f"Aanvraag {reference} van {EMAIL}")
    folder.add(message)


def _handed_off(url, settings, conversation, first_name, delivered=True):
    lead_id = create_handed_off_lead(session_factory(url), settings, conversation_id=conversation,
                                     first_name=first_name, contact=CONTACT)
    if delivered:
        with new_session(url) as session, session.begin():
            for row in session.execute(select(OutboxMessage).where(OutboxMessage.lead_id == lead_id)).scalars():
                row.status = "sent"
    return lead_id


def test_erasure_from_another_conversation_needs_the_code_then_reaches_everything(
        store_url, tmp_path, smtp_receiver):
    settings = make_settings(store_url, tmp_path, smtp_host="127.0.0.1", smtp_port=smtp_receiver.port)
    tracker_url = store_url  # Rasa's ``events`` table in the same database: SQLite and PostgreSQL trackers
    first = _handed_off(store_url, settings, "conv-first", "Sam")
    # A second lead with the same address (a parent with two children): found too, and not yet handed over.
    second = _handed_off(store_url, settings, "conv-second", "Kim", delivered=False)
    _make_tracker(tracker_url, ["conv-first", "conv-second", "conv-new", "bystander"])
    maildir = mailbox.Maildir(tmp_path / "mail")
    _mail(maildir, first)
    _mail(maildir, "GP-OTHER1")

    asked = rights.request_code(settings, "conv-new", "erase", "  sam.jansen@EXAMPLE.org ")
    assert asked.route == "code" and "code van 8 cijfers" in asked.text
    nothing = rights.request_code(settings, "conv-stranger", "erase", "niemand@example.org")
    assert nothing.route == "code"  # same answer: the chat does not reveal who is in our files
    assert nothing.text.replace("niemand@example.org", "X") == asked.text.replace("sam.jansen@example.org", "X")
    code = _code(store_url, "sam.jansen@example.org")

    assert verify_code(store_url, "conv-new", "000000" if code != "000000" else "111111").status == "wrong"
    assert verify_code(store_url, "conv-stranger", code).status == "wrong"  # no lead matched: no code works
    with new_session(store_url) as session:
        assert session.get(Lead, first) and session.get(Lead, second)  # nothing erased without the code
    unlocked = verify_code(store_url, "conv-new", code)
    assert unlocked.status == "ok" and set(unlocked.lead_ids) == {first, second}
    assert verify_code(store_url, "conv-new", code).status == "none"  # a code works once

    report = rights.erase_everywhere(settings, tracker_url, "conv-new", unlocked.lead_ids, tmp_path / "mail",
                                     schedule_sweeps=False)
    assert set(report.references) == {first, second} and report.conversations == 3
    assert [h.reference for h in report.notified] == [first]  # only the hand-off that was delivered
    needles = [first, second, "conv-first", "conv-second", "conv-new", EMAIL.lower(), EMAIL, "Kim"]
    left = [h for h in _everything_mentioning(store_url, needles)
            if h[0] not in ("tracker_erasures", "handoff_outbox", "events")]
    assert left == []
    assert [h for h in _everything_mentioning(tracker_url, needles) if h[0] == "events"] == []
    assert ("events", "bystander") in _everything_mentioning(tracker_url, ["bystander"])
    assert [str(m["X-GoudenPoort-Reference"]) for m in maildir] == ["GP-OTHER1"]

    # The art. 19 notice: only the reference, through the outbox, after the lead is gone.
    with new_session(store_url) as session:
        rows = session.execute(select(OutboxMessage)).scalars().all()
        assert session.get(HandoffCase, first) is None
    assert [(r.kind, r.lead_id, r.recipient) for r in rows] == [("erasure_notice", None, "sanne@example.org")]
    assert first in rows[0].payload["text"] and "Sam" not in rows[0].payload["text"].replace("Sanne", "")
    assert EMAIL.lower() not in rows[0].payload["text"].lower()
    Worker(session_factory(store_url), settings).run_once()
    with new_session(store_url) as session:  # delivered: not even the reference stays in our tables
        assert session.execute(select(OutboxMessage)).first() is None
    assert [h for h in _everything_mentioning(store_url, [first]) if h[0] != "tracker_erasures"] == []
    [notice] = smtp_receiver.messages.values()
    assert str(notice["X-GoudenPoort-Reference"]) == first and str(notice["To"]) == "sanne@example.org"
    body = notice.get_body(preferencelist=("plain",)).get_content()
    assert "artikel 19" in body and EMAIL.lower() not in body.lower()

    said = rights.erasure_text(report, settings)
    assert first in said and "Sanne" in said and "niet zelf terughalen" in said


def test_access_shows_what_is_stored_only_after_the_code(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    lead_id = _handed_off(store_url, settings, "conv-first", "Sam")
    rights.request_code(settings, "conv-other", "access", EMAIL)
    before = rights.access_text(settings, "conv-other")
    assert lead_id not in before and "geen aanvraag" in before
    unlocked = verify_code(store_url, "conv-other", _code(store_url, EMAIL.lower()))
    shown = rights.access_text(settings, "conv-other", unlocked.lead_ids)
    assert f"aanvraag {lead_id}" in shown and "- Naam: Sam" in shown and EMAIL in shown
    assert "Sanne de Vries" in shown and "We wissen dit uiterlijk op" in shown


def test_a_phone_number_cannot_be_proven_and_the_bot_says_so(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path, privacy_email="privacy@example.org")
    asked = rights.request_code(settings, "conv-x", "erase", "06 12345678")
    assert asked.route == "phone"
    with new_session(store_url) as session:
        assert session.execute(select(PersonCheck)).first() is None
    said = rights.erasure_text(rights.ErasureReport(), settings, phone_not_proven=True)
    assert "geen sms" in said and "privacy@example.org" in said and "dit gesprek" in said
    assert rights.request_code(settings, "conv-x", "erase", "banaan").route == "invalid"


def test_wrong_codes_run_out_and_codes_expire(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    _handed_off(store_url, settings, "conv-first", "Sam")
    rights.request_code(settings, "conv-b", "erase", EMAIL)
    code = _code(store_url, EMAIL.lower())
    wrong = "000000" if code != "000000" else "111111"
    statuses = [verify_code(store_url, "conv-b", wrong).status for _ in range(MAX_ATTEMPTS)]
    assert statuses == ["wrong"] * (MAX_ATTEMPTS - 1) + ["expired"]
    assert verify_code(store_url, "conv-b", code).status == "none"
    rights.request_code(settings, "conv-c", "erase", EMAIL)
    with new_session(store_url) as session:
        code = re.search(r"\b(\d{8})\b", session.execute(select(OutboxMessage).where(
            OutboxMessage.kind == "person_code").order_by(OutboxMessage.id.desc())).scalars().first()
            .payload["text"]).group(1)
    later = utcnow() + timedelta(hours=1)
    assert verify_code(store_url, "conv-c", code, now=later).status == "expired"
    rights.request_code(settings, "conv-d", "erase", EMAIL)
    purge_expired_leads(store_url, None, now=later)  # the purge forgets codes nobody used
    with new_session(store_url) as session:
        assert session.execute(select(PersonCheck)).first() is None


def test_migration_kept_delivery_attempts_when_the_outbox_was_rebuilt(store_url, tmp_path):
    """0121 rebuilds handoff_outbox on SQLite; its children must survive the rebuild."""
    from tests.test_migrations import _migrate

    settings = make_settings(store_url, tmp_path)
    lead_id = _handed_off(store_url, settings, "conv-m", "Sam")
    engine = _migrate(store_url, "0120", down=True)
    with engine.begin() as conn:
        outbox_id = conn.execute(text("SELECT id FROM handoff_outbox WHERE lead_id = :l"), {"l": lead_id}).scalar()
        conn.execute(text("INSERT INTO handoff_attempts (outbox_id, attempt, started_at, finished_at, ok) "
                          "VALUES (:o, 1, '2026-11-27 15:00:00', '2026-11-27 15:00:01', true)"), {"o": outbox_id})
    _migrate(store_url, "heads")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM handoff_attempts")).scalar() == 1


def test_a_telegram_name_gets_its_code_in_the_telegram_chat_the_lead_came_from(store_url, tmp_path):
    """Built as the bridge builds a lead today (issue 22 item 13): a derived ``telegram-<hmac>`` sender
    id, channel "telegram" and the chat id in ``channel_ref``. (This test used the old ``tg-<chat>`` id
    and so hid that such a lead never got its code.)"""
    from bot.channels.identity import telegram_sender_id

    settings = make_settings(store_url, tmp_path)
    handle = {"method": "telegram", "value": "@sam_tg"}
    sender = telegram_sender_id("identity-secret", 424242)
    from_telegram = create_handed_off_lead(session_factory(store_url), settings, conversation_id=sender,
                                           channel="telegram", channel_ref="424242", contact=handle)
    create_handed_off_lead(session_factory(store_url), settings, conversation_id="web-1", contact=handle)
    # Someone else's chat that typed the same @name later: it gets no code and is not unlocked by it.
    other_chat = create_handed_off_lead(session_factory(store_url), settings, conversation_id="telegram-other",
                                        channel="telegram", channel_ref="999", contact=handle,
                                        now=FRIDAY_AFTERNOON + timedelta(hours=1))
    asked = rights.request_code(settings, "conv-y", "access", "@Sam_TG")
    assert asked.route == "code" and "Telegram" in asked.text
    with new_session(store_url) as session:
        [row] = session.execute(select(OutboxMessage).where(OutboxMessage.kind == "person_code")).scalars().all()
    # The bot cannot write to a name, only to a chat that wrote to it: the web lead's name gets nothing.
    assert (row.channel, row.recipient, row.lead_id) == ("telegram", "424242", from_telegram)
    code = re.search(r"\b(\d{6,8})\b", row.payload["text"]).group(1)
    unlocked = verify_code(store_url, "conv-y", code)
    assert unlocked.lead_ids == (from_telegram,) and other_chat not in unlocked.lead_ids
    shown = rights.access_text(settings, "conv-y", unlocked.lead_ids)
    assert f"aanvraag {from_telegram}" in shown and "geen aanvraag" not in shown


def test_erasing_a_telegram_conversation_says_telegram_keeps_its_own_copy(store_url, tmp_path):
    """The derived Telegram sender id (not the old ``tg-`` one) makes the bot say what it cannot erase."""
    from bot.channels.identity import telegram_sender_id

    settings = make_settings(store_url, tmp_path)
    report = rights.erase_everywhere(settings, None, telegram_sender_id("s", 7), schedule_sweeps=False)
    assert report.telegram and "Telegram-app" in rights.erasure_text(report, settings)


# --- Issue 22 item 3: a code cannot be guessed by asking again and again ---------------------------
def _outbox(url, kind):
    with new_session(url) as session:
        return session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                               .order_by(OutboxMessage.id)).scalars().all()


def test_guessing_from_many_conversations_locks_the_contact_after_five_and_tells_it(store_url, tmp_path):
    """The attack of the issue: 3 conversations (3 addresses) × 5 wrong codes = 15 guesses, and a new
    code mail each time. Now: one code mail (reused), 5 wrong guesses in all, then the contact is
    locked (even the right code is refused), and the contact hears about it once."""
    from bot.store.person_checks import CODE_DIGITS, MAX_FAILURES

    settings = make_settings(store_url, tmp_path)
    lead_id = _handed_off(store_url, settings, "conv-owner", "Sam")
    now = utcnow()
    guesses, answers = 0, []
    for n in range(3):
        asked = rights.request_code(settings, f"conv-attacker-{n}", "access", EMAIL, now=now)
        assert asked.route == "code"
        for _ in range(5):
            result = rights.check_code(settings, f"conv-attacker-{n}", f"{guesses:08d}", now=now)
            answers.append(result.status)
            if result.status in ("wrong", "expired") or result.locked_now:
                guesses += 1  # a guess that was really compared with the code
            if result.status != "wrong":
                break
    codes = _outbox(store_url, "person_code")
    assert len(codes) == 1, "one code message per contact per 15 minutes, however often it is asked for"
    code = re.search(r"\b(\d+)\b", codes[0].payload["text"]).group(1)
    assert len(code) == CODE_DIGITS == 8
    assert guesses == MAX_FAILURES == 5 and answers[-2:] == ["locked", "locked"], answers
    # Locked: the right code unlocks nothing, from any conversation, and no new code is sent.
    asked = rights.request_code(settings, "conv-attacker-9", "erase", EMAIL, now=now)
    assert "te vaak een verkeerde code" in asked.text
    assert rights.check_code(settings, "conv-attacker-9", code, now=now).status == "locked"
    assert len(_outbox(store_url, "person_code")) == 1
    [notice] = _outbox(store_url, "person_locked")
    assert notice.recipient.lower() == EMAIL.lower() and notice.lead_id == lead_id
    assert "verkeerde code" in notice.payload["text"] and "privacy@example.org" in notice.payload["text"]
    assert code not in notice.payload["text"]
    with new_session(store_url) as session:
        assert session.get(Lead, lead_id) is not None

    # A day later the lock is over: a new code (a second message), and the owner gets in with it.
    later = now + timedelta(hours=25)
    rights.request_code(settings, "conv-owner-2", "access", EMAIL, now=later)
    codes = _outbox(store_url, "person_code")
    assert len(codes) == 2
    fresh = re.search(r"\b(\d{8})\b", codes[1].payload["text"]).group(1)
    assert rights.check_code(settings, "conv-owner-2", fresh, now=later).lead_ids == (lead_id,)


def test_a_pending_code_is_reused_and_works_once_in_the_conversation_that_types_it(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    lead_id = _handed_off(store_url, settings, "conv-owner", "Sam")
    now = utcnow()
    rights.request_code(settings, "phone-browser", "access", EMAIL, now=now)
    rights.request_code(settings, "laptop-browser", "erase", EMAIL, now=now + timedelta(minutes=5))
    [message] = _outbox(store_url, "person_code")
    code = re.search(r"\b(\d{8})\b", message.payload["text"]).group(1)
    assert rights.check_code(settings, "laptop-browser", code, now=now + timedelta(minutes=6)).lead_ids == (lead_id,)
    assert rights.check_code(settings, "phone-browser", code, now=now + timedelta(minutes=6)).status == "expired"
    # After CODE_VALID a new request sends a new code.
    rights.request_code(settings, "phone-browser", "access", EMAIL, now=now + timedelta(minutes=16))
    assert len(_outbox(store_url, "person_code")) == 2


def test_an_unknown_contact_is_answered_and_locked_exactly_like_a_known_one(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    _handed_off(store_url, settings, "conv-owner", "Sam")
    now = utcnow()
    said = {}
    for address in (EMAIL, "niemand@example.org"):
        asks = [rights.request_code(settings, f"{address}-{n}", "erase", address, now=now).text for n in range(2)]
        statuses = [rights.check_code(settings, f"{address}-{n % 2}", "12345678", now=now).status for n in range(6)]
        after = rights.request_code(settings, f"{address}-x", "erase", address, now=now).text
        said[address] = [t.replace(address, "X") for t in asks + [after]] + statuses
    assert said[EMAIL] == said["niemand@example.org"]
    assert [m.recipient.lower() for m in _outbox(store_url, "person_code") + _outbox(store_url, "person_locked")] \
        == [EMAIL.lower(), EMAIL.lower()]  # nothing ever goes to an address that is not in our files


def test_the_purge_forgets_a_contact_once_nothing_is_pending_or_locked(store_url, tmp_path):
    from bot.store.models import PersonCheckContact

    settings = make_settings(store_url, tmp_path)
    _handed_off(store_url, settings, "conv-owner", "Sam")
    now = utcnow()
    rights.request_code(settings, "conv-a", "erase", EMAIL, now=now)
    rights.check_code(settings, "conv-a", "00000000", now=now)
    purge_expired_leads(store_url, None, now=now + timedelta(hours=1))
    with new_session(store_url) as session:  # the failure still counts for a day
        assert session.execute(select(PersonCheckContact)).scalars().all()
    purge_expired_leads(store_url, None, now=now + timedelta(hours=25))
    with new_session(store_url) as session:
        assert session.execute(select(PersonCheckContact)).first() is None
        assert session.execute(select(PersonCheck)).first() is None


# --- Issue 22 item 12: an old lead needs the code, even in its own conversation ---------------------
def test_an_own_lead_older_than_a_day_is_shown_or_erased_only_with_the_code(store_url, tmp_path):
    settings = make_settings(store_url, tmp_path)
    now = utcnow()
    old = create_handed_off_lead(session_factory(store_url), settings, conversation_id="conv-shared-laptop",
                                 contact=CONTACT, now=now - timedelta(days=2))
    fresh = create_handed_off_lead(session_factory(store_url), settings, conversation_id="conv-today",
                                   contact={"method": "email", "value": "kim@example.org"}, now=now - timedelta(hours=2))

    shown = rights.access_text(settings, "conv-shared-laptop", now=now)
    assert old not in shown and "Sam" not in shown and EMAIL not in shown and "meer dan een dag" in shown
    assert f"aanvraag {fresh}" in rights.access_text(settings, "conv-today", now=now)  # within a day: no code

    report = rights.erase_everywhere(settings, None, "conv-shared-laptop", now=now, schedule_sweeps=False)
    assert report.references == [] and report.older_kept
    said = rights.erasure_text(report, settings)
    assert "meer dan een dag" in said and "Een aanvraag had je in dit gesprek niet" not in said
    with new_session(store_url) as session:
        assert session.get(Lead, old) is not None
    report = rights.erase_everywhere(settings, None, "conv-today", now=now, schedule_sweeps=False)
    assert report.references == [fresh]

    # With the code the old lead is shown and erased, also from its own conversation.
    rights.request_code(settings, "conv-shared-laptop", "erase", EMAIL, now=now)
    unlocked = rights.check_code(settings, "conv-shared-laptop", _code(store_url, EMAIL.lower()), now=now)
    assert f"aanvraag {old}" in rights.access_text(settings, "conv-shared-laptop", unlocked.lead_ids, now=now)
    report = rights.erase_everywhere(settings, None, "conv-shared-laptop", unlocked.lead_ids, now=now,
                                     schedule_sweeps=False)
    assert report.references == [old] and not report.older_kept
