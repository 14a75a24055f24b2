"""The follow-up loop over Telegram, end to end, with nothing built by hand:

a chat through the real bridge (python-telegram-bot against the local fake Bot API, tests/fake_telegram.py)
and the stack's real Rasa and action server becomes a lead (channel ``telegram``, the chat as
``channel_ref``, a server-derived ``telegram-<hmac>`` sender); its nudge falls due and the follow-up
(``process_due_followups`` with the real Telegram delivery, pointed at the fake Bot API) sends it to that
chat; the person answers "nee" in the chat; the answer is on the lead's trail and its workspace page
(the stack's web app, signed in through the magic link in the local mailbox), and the counsellor's
alert mail is delivered by the stack's worker to the local Maildir.

Shares the session's stack (one Rasa, action server, web app, worker and mailbox for every module).
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import random
import re
import time
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.channels import telegram_bridge as tb
from bot.handoff.clock import as_utc
from bot.handoff.followup import ChannelFollowupSender, process_due_followups
from bot.handoff.settings import load_handoff_settings
from bot.store.db import session_factory
from bot.workspace.users import user_by_id
from tests.fake_telegram import FakeTelegram
from tests.test_workspace_e2e import mail_link

pytestmark = pytest.mark.e2e

# The intake as a young person on Telegram answers it: the age first, then name, situation, interest,
# postcode (Zeeland), contact by phone, a time of day; the consent button comes last.
INTAKE = ("17", "Daan", "Ik zit op school", "iets met bouwen", "4331 ab", "Bellen of WhatsApp", "06 34567890",
          "Middag")


class OnlyThisChat:
    """The real Telegram delivery for our chat; other leads in the shared database fall due at the same
    moment and are only noted (they belong to other tests)."""

    def __init__(self, real, chat_id: int):
        self.real, self.chat_id, self.sent, self.others = real, str(chat_id), [], []

    def send(self, channel, address, subject, text_, key):
        if channel == "telegram" and address == self.chat_id:
            self.real.send(channel, address, subject, text_, key)
            self.sent.append((channel, address, text_))
        else:
            self.others.append((channel, address))


async def say(fake: FakeTelegram, chat: int, message: str, tap: bool = False):
    """One turn: the message (or button tap) goes in, and we wait for the bot's first answer to it."""
    before = len(fake.sent(chat))
    if tap:
        await fake.user_taps(chat, message)
    else:
        await fake.user_says(chat, message)
    await fake.wait_for(lambda calls: len(fake.sent(chat)) > before, timeout=120)
    return before


async def answer_after(fake: FakeTelegram, chat: int, before: int, needle: str, timeout: float = 120) -> str:
    found = await fake.wait_for(lambda calls: [c for c in fake.sent(chat)[before:]
                                               if needle.lower() in c.params.get("text", "").lower()], timeout)
    return found[0].params["text"]


def query(url: str, sql: str, **params):
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def alert_mail(stack, lead_id: str, after: float, timeout: float = 90):
    mail_dir = stack.settings.var_dir / "mail" / "new"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in (mail_dir.glob("*") if mail_dir.exists() else []):
            if path.stat().st_mtime < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(message["Subject"]) == f"Aanvraag {lead_id}: nog geen contact":
                return message
        time.sleep(0.3)
    raise AssertionError(f"no alert mail for {lead_id} in {mail_dir}")


def workspace_lead_page(stack, address: str, lead_id: str) -> str:
    """Signs in on the stack's web app like a browser would (magic link from the local mailbox) and
    returns the lead page's HTML."""
    base = f"http://127.0.0.1:{stack.settings.web_port}"

    def hidden(html):
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))

    with httpx.Client(base_url=base, timeout=30) as client:
        form = hidden(client.get("/adviseur").text)
        asked = time.time() - 1
        assert client.post("/adviseur/aanmelden", data={"email": address, **form}).status_code == 200
        link = mail_link(stack, address, asked, timeout=90)
        path = link.split(str(stack.settings.web_port), 1)[1]
        page = client.get(path)
        assert page.status_code == 200
        signed = client.post("/adviseur/inloggen", data=hidden(page.text), follow_redirects=False)
        assert signed.status_code == 303, signed.text
        page = client.get(f"/adviseur/lead/{lead_id}")
        assert page.status_code == 200
        return page.text


async def test_telegram_lead_gets_its_nudge_and_nee_reaches_the_lead_and_the_counsellor(stack):
    fake = await FakeTelegram().start()
    store = tb.CallbackStore()
    app = tb.build_application(fake.token, stack.settings.rasa_url, channel_secret=stack.settings.channel_secret,
                               identity_secret=stack.settings.identity_secret, base_url=fake.base_url,
                               base_file_url=fake.base_file_url, store=store)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    chat = random.randint(10**8, 10**9)
    db = stack.settings.database_url
    try:
        # ---- a Telegram conversation becomes a lead
        await say(fake, chat, "hoi")
        before = await say(fake, chat, "/request_human", tap=True)
        await answer_after(fake, chat, before, "Hoe oud ben je")
        for message in INTAKE:
            await say(fake, chat, message)
        before = await say(fake, chat, "/affirm", tap=True)
        final = await answer_after(fake, chat, before, "referentie is GP-")
        lead_id = re.search(r"GP-[A-Z0-9]{6}", final).group(0)

        sender = stack.telegram_sender(chat)
        [(channel, channel_ref, conversation, counsellor_id, counsellor_name)] = query(
            db, "SELECT channel, channel_ref, conversation_id, counsellor_id, counsellor_name FROM leads "
                "WHERE id = :id", id=lead_id)
        assert (channel, channel_ref, conversation) == ("telegram", str(chat), sender)
        assert sender.startswith("telegram-") and str(chat) not in sender
        counsellor = user_by_id(counsellor_id)
        assert counsellor is not None and counsellor.region_code == "AM24"          # Zeeland

        # ---- before any nudge, "nee" is just an answer in the chat: nothing recorded
        before = await say(fake, chat, "nee")
        assert not query(db, "SELECT id FROM lead_events WHERE lead_id = :id AND kind = 'reply'", id=lead_id)

        # ---- the nudge falls due and goes out through the real Telegram delivery to the fake Bot API
        [(due,)] = query(db, "SELECT due_at FROM handoff_follow_ups WHERE lead_id = :id AND kind = 'nudge' "
                             "AND seq = 1", id=lead_id)
        due = as_utc(datetime.fromisoformat(str(due)))
        settings = load_handoff_settings().with_(database_url=db, telegram_token=fake.token,
                                                 telegram_api_base=fake.base_url)
        sender_ = OnlyThisChat(ChannelFollowupSender(settings), chat)
        sent_before = len(fake.sent(chat))
        await asyncio.to_thread(process_due_followups, session_factory(db), settings, due + timedelta(minutes=1),
                                sender_)
        first_name = counsellor_name.split()[0]
        nudge = await fake.wait_for(lambda calls: [c for c in fake.sent(chat)[sent_before:]
                                                   if lead_id in c.params.get("text", "")])
        assert f"Heeft {first_name} al contact met je gehad? Antwoord met ja of nee." in nudge[0].params["text"]
        assert [(c, a) for c, a, _ in sender_.sent] == [("telegram", str(chat))]
        assert query(db, "SELECT status, channel FROM handoff_follow_ups WHERE lead_id = :id AND kind = 'nudge' "
                         "AND seq = 1", id=lead_id) == [("sent", "telegram")]

        # ---- the person answers "nee" in the chat, through the bridge
        asked = time.time() - 1
        before = await say(fake, chat, "nee")
        reply = await answer_after(fake, chat, before, "meteen weten")
        assert f"We laten {first_name} het meteen weten" in reply
        answers = query(db, "SELECT actor, note, details FROM lead_events WHERE lead_id = :id AND kind = 'reply'",
                        id=lead_id)
        assert len(answers) == 1, answers
        assert answers[0][0] == "handoff:person" and answers[0][1].endswith("contact was: nee")
        assert '"answer": "nee"' in str(answers[0][2]).replace("'", '"')
    finally:
        await app.updater.stop()
        await app.stop()
        await app.bot_data["bridge"].rasa.close()
        await app.shutdown()
        await fake.stop()

    # ---- the counsellor gets the alert in the local mailbox, delivered by the stack's worker
    message = await asyncio.to_thread(alert_mail, stack, lead_id, asked)
    assert counsellor.email in str(message["To"]).lower()
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"/adviseur/lead/{lead_id}" in body
    assert "Daan" not in body and "34567890" not in body and str(chat) not in body      # no personal data

    # ---- and the workspace's lead page shows the answer
    html = await asyncio.to_thread(workspace_lead_page, stack, counsellor.email, lead_id)
    assert "Antwoord op de vraag of er contact was: nee" in html
    assert "Telegram" in html or "telegram" in html
