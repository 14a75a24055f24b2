"""The Telegram bridge with the real python-telegram-bot client against a local fake Bot API
(tests/fake_telegram.py) and the session's real Rasa server. All traffic stays on 127.0.0.1.
Conversations are checked in the tracker store itself (Rasa's HTTP API is off)."""
from __future__ import annotations

import asyncio
import random
import time

import pytest

from bot.channels import telegram_bridge as tb
from tests.fake_telegram import FakeTelegram
from tests.stack import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
async def telegram(stack, tmp_path):
    fake = await FakeTelegram().start()
    store = tb.CallbackStore(tmp_path / "callbacks.sqlite")
    app = tb.build_application(fake.token, stack.settings.rasa_url, **secrets_of(stack), base_url=fake.base_url,
                               base_file_url=fake.base_file_url, store=store,
                               privacy_url="http://127.0.0.1:8000/privacy")
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield fake, app, store
    finally:
        await stop_bridge(app, fake)


def secrets_of(stack) -> dict:
    return {"channel_secret": stack.settings.channel_secret, "identity_secret": stack.settings.identity_secret}


async def stop_bridge(app, fake) -> None:
    await app.updater.stop()
    await app.stop()
    await app.bot_data["bridge"].rasa.close()
    await app.shutdown()
    await fake.stop()


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def tracker_user_events(stack, chat_id):
    return stack.user_events(stack.telegram_sender(chat_id))


async def wait_for_user_event(stack, chat_id, text, timeout=30.0):
    """Polls Rasa's tracker until the bridge's message arrived (a wait, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = await asyncio.to_thread(tracker_user_events, stack, chat_id)
        found = [e for e in events if e["text"] == text]
        if found:
            return found[-1]
        await asyncio.sleep(0.2)
    raise AssertionError(f"Rasa never got {text!r} from chat {chat_id}: {events}")


def texts(fake, chat_id):
    return [c.params.get("text", "") for c in fake.sent(chat_id)]


def with_text(fake, chat_id, needle):
    return lambda calls: [c for c in fake.sent(chat_id) if needle.lower() in c.params.get("text", "").lower()]


def greeted(fake, chat_id):
    """The bot's greeting (any of its variations): the AI disclosure plus an inline keyboard."""
    return lambda calls: [c for c in fake.sent(chat_id) if "AI-chatbot" in c.params.get("text", "")
                          and "reply_markup" in c.params]


async def test_start_with_region_says_16_plus_and_greets_with_buttons(telegram, stack):
    fake, app, _ = telegram
    chat = new_chat()
    await fake.user_says(chat, "/start zeeland")
    welcome = (await fake.wait_for(with_text(fake, chat, "16 jaar")))[0]
    assert "AI-chatbot" in welcome.params["text"]
    assert "http://127.0.0.1:8000/privacy" in welcome.params["text"]
    assert "parse_mode" not in welcome.params                  # plain text, never markup

    greeting = (await fake.wait_for(greeted(fake, chat)))[0]
    assert "Gouden Poort in Zeeland" in greeting.params["text"]          # the deep link's region
    keyboard = greeting.params["reply_markup"]["inline_keyboard"]
    assert [{"text": "Praat met een adviseur", "callback_data": "/request_human"}] in keyboard

    event = await wait_for_user_event(stack, chat, "/greet")
    assert {k: event["metadata"].get(k) for k in ("source", "region")} == {"source": "telegram", "region": "zeeland"}
    assert event["input_channel"] == "telegram"

    await fake.user_says(chat, "hoi")                           # region stays with the chat
    event = await wait_for_user_event(stack, chat, "hoi")
    assert event["metadata"]["region"] == "zeeland"


async def test_text_buttons_and_callback_query_become_payloads(telegram, stack):
    fake, app, _ = telegram
    chat = new_chat()
    await fake.user_says(chat, "hoi")
    await fake.wait_for(greeted(fake, chat))
    assert fake.sent(chat, "sendChatAction")                   # typing indicator

    await fake.user_taps(chat, "/request_human", message_id=77)
    await fake.wait_for(with_text(fake, chat, "Hoe mag ik je noemen"))
    answered = fake.sent(None, "answerCallbackQuery")
    assert answered and "text" not in answered[-1].params
    edits = fake.sent(chat, "editMessageReplyMarkup")
    assert edits and int(edits[-1].params["message_id"]) == 77  # keyboard removed after one tap
    await wait_for_user_event(stack, chat, "/request_human")

    await fake.user_says(chat, "Sam")
    await fake.wait_for(with_text(fake, chat, "Hoe oud ben je"))


async def test_long_payload_fits_64_bytes_and_comes_back(telegram, stack):
    fake, app, store = telegram
    chat = new_chat()
    payload = '/inform{"location": "' + "Oost-Souburg, gemeente Vlissingen, Zeeland – ü" * 3 + '"}'
    assert len(payload.encode()) > 64
    result = await tb.send_proactive(app.bot, chat, "Waar woon je?",
                                     [{"title": "Oost-Souburg", "payload": payload},
                                      {"title": "Ander antwoord", "payload": "/deny"}], store=store)
    assert result.ok and result.attempts == 1
    sent = fake.sent(chat)[-1]
    buttons = [row[0] for row in sent.params["reply_markup"]["inline_keyboard"]]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert buttons[1]["callback_data"] == "/deny"
    assert store.decode(buttons[0]["callback_data"]) == payload

    await fake.user_taps(chat, buttons[0]["callback_data"])
    await wait_for_user_event(stack, chat, payload)

    # a token nobody knows (store wiped): the user is told kindly, nothing goes to Rasa
    before = len(fake.calls)
    await fake.user_taps(chat, "k:" + "0" * 40)
    stale = await fake.wait_for(lambda calls: [c for c in calls[before:] if c.method == "answerCallbackQuery"])
    assert stale[0].params["text"] == tb.STALE_BUTTON


def domain_intents():
    import yaml

    from bot.ops.config import PROJECT_ROOT

    files = sorted((PROJECT_ROOT / "domain").glob("*.yml"))
    return {intent for f in files for intent in yaml.safe_load(f.read_text()).get("intents", [])}


async def test_stop_and_verwijder_map_to_intents(telegram, stack):
    fake, app, _ = telegram
    chat = new_chat()
    intents = domain_intents()
    await fake.user_says(chat, "/stop")
    event = await wait_for_user_event(stack, chat, "/stop")
    if "stop" in intents:          # the intents themselves arrive with the conversation issue (3)
        assert event["parse_data"]["intent"]["name"] == "stop"
    await fake.user_says(chat, "/verwijder")
    event = await wait_for_user_event(stack, chat, "/delete_data")
    if "delete_data" in intents:
        assert event["parse_data"]["intent"]["name"] == "delete_data"
    await fake.user_says(chat, "/mens")
    await wait_for_user_event(stack, chat, "/request_human")


async def test_blocked_user_is_recorded_and_the_bridge_keeps_running(telegram, stack):
    fake, app, _ = telegram
    blocked, other = new_chat(), new_chat()
    fake.blocked.add(blocked)
    await fake.user_says(blocked, "hoi")
    await fake.wait_for(lambda calls: fake.sent(blocked, ok=False))
    await fake.wait_for(lambda calls: any(d.chat_id == blocked and d.error == "blocked" for d in tb.DELIVERIES))
    assert blocked in tb.BLOCKED_CHATS

    result = await tb.send_proactive(app.bot, blocked, "Heeft de adviseur al contact met je gehad?")
    assert not result.ok and result.error == "blocked" and result.attempts == 1

    await fake.user_says(other, "hoi")                          # still serving everyone else
    await fake.wait_for(greeted(fake, other))
    assert app.updater.running


async def test_proactive_message_waits_out_a_rate_limit(telegram):
    fake, app, store = telegram
    chat = new_chat()
    fake.rate_limits[chat] = [1]
    started = time.monotonic()
    result = await tb.send_proactive(app.bot, chat, "Nog vragen? Ik help je graag.",
                                     [{"title": "Ja", "payload": "/affirm"}], store=store)
    assert result.ok and result.attempts == 2
    assert time.monotonic() - started >= 1.0                   # retry_after was respected
    statuses = [c.status for c in fake.calls if c.method == "sendMessage"]
    assert statuses == [429, 200]


async def test_rasa_down_is_told_in_dutch(stack, tmp_path):
    fake = await FakeTelegram().start()
    dead = f"http://127.0.0.1:{free_port()}"
    app = tb.build_application(fake.token, dead, **secrets_of(stack), base_url=fake.base_url,
                               base_file_url=fake.base_file_url, store=tb.CallbackStore())
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        chat = new_chat()
        await fake.user_says(chat, "hoi")
        await fake.wait_for(with_text(fake, chat, "niet bereikbaar"))
    finally:
        await stop_bridge(app, fake)


def test_callback_store_unit(tmp_path):
    store = tb.CallbackStore(tmp_path / "cb.sqlite")
    assert store.encode("/affirm") == "/affirm"
    long = "/inform" + "é" * 40
    token = store.encode(long)
    assert len(token.encode()) <= 64 and token == store.encode(long)
    assert tb.CallbackStore(tmp_path / "cb.sqlite").decode(token) == long   # another process sees it
    assert store.decode(store.encode("k:looks-like-a-token")) == "k:looks-like-a-token"
    assert tb.clean_region("Noord-Holland") == "noord-holland"
    assert tb.clean_region("../etc") is None


async def test_a_rate_limited_chat_does_not_stall_other_chats(telegram):
    fake, app, _ = telegram
    slow, fast = new_chat(), new_chat()
    fake.rate_limits[slow] = [3]
    await fake.user_says(slow, "hoi")
    await fake.wait_for(lambda calls: fake.sent(slow, ok=False))        # slow chat got a 429 …
    await fake.user_says(fast, "hoi")
    await fake.wait_for(greeted(fake, fast))      # … the other chat is answered
    assert not fake.sent(slow)                                          # while slow still waits it out
    await fake.wait_for(greeted(fake, slow))      # and then gets its answer


async def test_too_long_and_too_many_messages_are_answered_in_dutch_and_never_reach_rasa(stack, tmp_path):
    fake = await FakeTelegram().start()
    app = tb.build_application(fake.token, stack.settings.rasa_url, **secrets_of(stack), base_url=fake.base_url,
                               base_file_url=fake.base_file_url, store=tb.CallbackStore(),
                               limits=tb.BridgeLimits(max_message_chars=2000, messages_per_minute=2))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        chat = new_chat()
        await fake.user_says(chat, "x" * 2001)
        await fake.wait_for(with_text(fake, chat, "te lang"))
        await fake.user_says(chat, "hoi")
        await wait_for_user_event(stack, chat, "hoi")
        await fake.user_says(chat, "hallo")
        await wait_for_user_event(stack, chat, "hallo")
        await fake.user_says(chat, "nog een")
        await fake.wait_for(with_text(fake, chat, "Even rustig aan"))
        texts = [e["text"] for e in tracker_user_events(stack, chat)]
        assert texts == ["hoi", "hallo"]                     # neither the long one nor the third reached Rasa
        event = tracker_user_events(stack, chat)[0]
        assert event["metadata"]["telegram_chat_id"] == str(chat)
        assert str(chat) not in stack.telegram_sender(chat) and str(chat) not in event["metadata"]["client_key"]
    finally:
        await stop_bridge(app, fake)
