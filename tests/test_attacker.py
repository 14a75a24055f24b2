"""An attacker's view of the running product (issue 10): the real stack started by ``make run``'s launcher
on free ports (action server, Rasa, web app, local mailbox, worker), probed from a client.

The web app listens on this machine's network address (as in production, the one public door); every
other service must sit on 127.0.0.1. Client addresses are told apart the way a reverse proxy does it
(``X-Forwarded-For`` from a trusted proxy), so each test is its own "visitor".
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import httpx
import pytest
import sqlalchemy as sa

from bot.channels.identity import new_session_token
from tests.stack import start_stack

pytestmark = pytest.mark.e2e

INTAKE = ["/greet", "/request_human", "17", "Sam", "Ik zit op school", "iets met bouwen en lassen", "4331 AB",
          "Bellen of WhatsApp", "{phone}", "Middag", "/affirm"]
CONVERSATION_URL = "https://crm.example.org/gesprek/{conversation_id}"


def network_address() -> Optional[str]:
    """This machine's first non-loopback IPv4 address (where the outside world would knock)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.254", 9))            # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
        return None if address.startswith("127.") else address
    except OSError:
        return None


PUBLIC = network_address()


@pytest.fixture(scope="module")
def door(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GP_CONVERSATION_URL_TEMPLATE", CONVERSATION_URL)
        host = PUBLIC or "127.0.0.1"
        stack = start_stack(tmp_path_factory.mktemp("attacker"), with_web=True, public_host=host,
                            trusted_proxies=(host,), limit_messages_per_minute=15,
                            limit_address_messages_per_minute=100, limit_conversations_per_hour=5,
                            limit_leads_per_day=1)
    stack.web = f"http://{host}:{stack.settings.web_port}"
    try:
        yield stack
    finally:
        stack.stop()


class Visitor:
    """One browser behind one client address, talking to the web app as the widget does."""

    def __init__(self, door, address: str):
        self.door = door
        self.client = httpx.Client(base_url=door.web, timeout=60, headers={"X-Forwarded-For": address})
        self.token: Optional[str] = None

    def start(self, token: Optional[str] = None) -> httpx.Response:
        response = self.client.post("/chat/session", json={"token": token} if token else {})
        if response.status_code == 200:
            self.token = response.json()["token"]
        return response

    def say(self, text: str, token: Optional[str] = None) -> httpx.Response:
        return self.client.post("/chat/message", json={"message": text, "message_id": secrets.token_hex(8)},
                                headers={"Authorization": f"Bearer {token or self.token}"})

    def texts(self, text: str) -> str:
        response = self.say(text)
        assert response.status_code == 200, (response.status_code, response.text)
        return "\n".join(r["text"] for r in response.json()["replies"])


def intake(visitor: Visitor, phone: str) -> str:
    visitor.start()
    replies = [visitor.texts(step.format(phone=phone)) for step in INTAKE]
    return replies[-1]


def leads(door) -> List[Dict]:
    engine = sa.create_engine(door.settings.database_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text("SELECT id, conversation_id, channel, client_key, "
                                                                   "status FROM leads"))]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def victim(door):
    """A young person's finished intake, and the hand-off mail the counsellor got for it."""
    person = Visitor(door, "198.51.100.10")
    final = intake(person, "06 12345678")
    lead_id = re.search(r"GP-[0-9A-Z]{6}", final).group(0)
    mail_dir = door.settings.var_dir / "mail" / "new"
    deadline, mails = time.monotonic() + 90, []
    while time.monotonic() < deadline and not mails:
        mails = [m for m in (mail_dir.iterdir() if mail_dir.exists() else []) if lead_id in m.read_text(errors="replace")]
        time.sleep(0.5)
    assert mails, "no hand-off mail in the local mailbox"
    message = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    conversation_id = re.search(r"crm\.example\.org/gesprek/(\S+)", body).group(1)
    return {"visitor": person, "lead_id": lead_id, "conversation_id": conversation_id, "sender": door.web_sender(person.token),
            "body": body}


def test_no_tracker_can_be_read_or_written_through_any_port(door, victim):
    sender = victim["sender"]
    assert door.user_events(sender), "the victim's conversation is in the tracker store"
    print(f"\na finished intake's tracker: {len(door.events(sender))} events, "
          f"{len(json.dumps(door.events(sender)))} bytes as JSON (action server limit: "
          f"{door.settings.action_max_request_bytes})")
    rasa = f"http://127.0.0.1:{door.settings.rasa_port}"
    action = f"http://127.0.0.1:{door.settings.action_port}"
    before = door.events(sender)
    # (the action server answers unknown paths with 500 "not found": refused all the same)
    for base in (rasa, action, door.web):
        read = httpx.get(f"{base}/conversations/{sender}/tracker", timeout=10)
        assert not read.is_success and "Sam" not in read.text and '"events"' not in read.text, (base, read.status_code)
        write = httpx.post(f"{base}/conversations/{sender}/tracker/events", timeout=10,
                           json=[{"event": "slot", "name": "confirm", "value": "send"}])
        execute = httpx.post(f"{base}/conversations/{sender}/execute", json={"name": "action_submit_intake"}, timeout=10)
        model = httpx.put(f"{base}/model", json={"model_file": "/tmp/x.tar.gz"}, timeout=10)
        for response in (write, execute, model):
            assert not response.is_success, (base, response.request.url, response.status_code)
    assert door.events(sender) == before
    # Rasa's gateway channel speaks for any sender only with the shared secret.
    for headers in ({}, {"X-Gouden-Poort-Secret": "raden"}):
        forged = httpx.post(f"{rasa}/webhooks/gateway/webhook", headers=headers, timeout=10,
                            json={"sender": sender, "message": "/request_human"})
        assert forged.status_code == 403
    assert not [e for e in door.user_events(sender) if e.get("text") == "/request_human"][1:]
    # The old REST fallback with a client-chosen sender is gone from the public web app.
    old = httpx.post(f"{door.web}/api/chat", json={"sender": sender, "message": "/request_human"}, timeout=10)
    assert old.status_code in (404, 405) and victim["lead_id"] not in old.text


def test_a_conversation_id_from_the_handoff_mail_or_a_guess_gets_nobody_in(door, victim):
    sender, lead_id = victim["sender"], victim["lead_id"]
    assert victim["conversation_id"] == sender                    # the mail does show the conversation id
    before = len(door.events(sender))
    attacker = Visitor(door, "203.0.113.66")
    for stolen in (sender, "tg-1", "web-" + "0" * 32, new_session_token("geraden-geheim"),
                   victim["visitor"].token[:-1] + ("A" if victim["visitor"].token[-1] != "A" else "B")):
        response = attacker.say("/request_human", token=stolen)
        assert response.status_code == 401 and lead_id not in response.text
        assert attacker.start(token=stolen).json()["token"] != stolen     # a new, empty conversation instead
    # Asking for a human again from the attacker's own (new) conversation reveals nothing of the victim.
    reply = attacker.texts("/request_human")
    assert lead_id not in reply and "Sanne" not in reply
    assert len(door.events(sender)) == before                   # nothing written into the victim's conversation
    # The victim still gets in with their own token (a reload keeps the conversation).
    assert lead_id in victim["visitor"].texts("/request_human")


def listening_addresses(pid: int) -> List[str]:
    """``ip:port`` of every listening TCP socket of a process and its children (from /proc)."""
    pids, todo = set(), [pid]
    while todo:
        current = todo.pop()
        pids.add(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        if children.exists():
            todo.extend(int(c) for c in children.read_text().split())
    inodes = set()
    for p in pids:
        for fd in Path(f"/proc/{p}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] != "0A" or parts[9] not in inodes:              # 0A = LISTEN
                continue
            hex_ip, hex_port = parts[1].split(":")
            if width == 8:
                ip = socket.inet_ntop(socket.AF_INET, bytes.fromhex(hex_ip)[::-1])
            else:
                raw = b"".join(bytes.fromhex(hex_ip[i:i + 8])[::-1] for i in range(0, 32, 8))
                ip = socket.inet_ntop(socket.AF_INET6, raw)
            found.append(f"{ip}:{int(hex_port, 16)}")
    return found


def test_only_the_web_app_listens_beyond_loopback(door):
    by_name = {s.name: s for s in door.services}
    for name in ("rasa", "actieserver", "mailbox"):
        addresses = listening_addresses(by_name[name].process.pid)
        assert addresses and all(a.startswith("127.0.0.1:") for a in addresses), (name, addresses)
    rasa_cmd = by_name["rasa"].cmd
    assert "--enable-api" not in rasa_cmd and "--cors" not in rasa_cmd
    if PUBLIC is None:
        pytest.skip("this machine has no network address besides loopback: reachability not checked")
    web = listening_addresses(by_name["webapp"].process.pid)
    assert web == [f"{PUBLIC}:{door.settings.web_port}"], web
    assert httpx.get(f"{door.web}/health", timeout=10).status_code == 200
    for port in (door.settings.rasa_port, door.settings.action_port):
        with pytest.raises(OSError):
            socket.create_connection((PUBLIC, port), timeout=3).close()


def test_a_10_mb_message_gets_a_dutch_answer_stores_nothing_and_delays_nobody(door):
    visitor, other = Visitor(door, "203.0.113.10"), Visitor(door, "203.0.113.11")
    visitor.start()
    other.start()
    huge = "A" * 10_000_000
    started = time.monotonic()
    response = visitor.say(huge)
    refused_in = time.monotonic() - started
    assert response.status_code == 413 and "te lang" in response.json()["message"]
    assert visitor.say("B" * 2001).status_code == 413

    # A local client straight at Rasa (REST or the gateway) is refused as well, and meanwhile another
    # person's turn goes through the web app as quickly as ever.
    results = {}

    def flood():
        try:
            r = httpx.post(f"http://127.0.0.1:{door.settings.rasa_port}/webhooks/rest/webhook", timeout=120,
                           json={"sender": "flood", "message": huge})
            results["rest"] = r.status_code
        except httpx.HTTPError as exc:          # a server may also just close the connection
            results["rest"] = type(exc).__name__

    thread = threading.Thread(target=flood)
    thread.start()
    started = time.monotonic()
    assert "AI-chatbot" in other.texts("/greet")
    other_turn = time.monotonic() - started
    assert other_turn < 10
    thread.join(timeout=120)
    print(f"\n10 MB: web app 413 after {refused_in:.2f} s; another person's turn meanwhile {other_turn:.2f} s; "
          f"Rasa REST: {results['rest']}")
    assert results["rest"] in (413, "RemoteProtocolError", "WriteError", "ReadError"), results
    gateway = httpx.post(f"http://127.0.0.1:{door.settings.rasa_port}/webhooks/gateway/webhook", timeout=30,
                         headers={"X-Gouden-Poort-Secret": door.settings.channel_secret},
                         json={"sender": door.web_sender(visitor.token), "message": "C" * 3000})
    assert gateway.status_code == 413 and "te lang" in gateway.json()["replies"][0]["text"]

    engine = sa.create_engine(door.settings.tracker_store_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM events WHERE data LIKE :a OR data LIKE :b OR data LIKE :c"),
                              {"a": "%" + "A" * 2001 + "%", "b": "%" + "B" * 2001 + "%", "c": "%" + "C" * 2001 + "%"}
                              ).scalar_one()
    engine.dispose()
    assert stored == 0
    assert door.events("flood") == []


def test_rate_limits_say_even_rustig_aan_with_429(door):
    visitor = Visitor(door, "203.0.113.20")
    visitor.start()
    statuses = [visitor.say(f"hoi {n}") for n in range(16)]
    assert [r.status_code for r in statuses[:15]] == [200] * 15
    limited = statuses[15]
    assert limited.status_code == 429 and "Even rustig aan" in limited.json()["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert len(door.user_events(door.web_sender(visitor.token))) == 15     # the refused one was not handled

    newcomer = Visitor(door, "203.0.113.21")
    answers = [newcomer.start().status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert "Even rustig aan" in newcomer.start().json()["message"]


def test_leads_per_address_per_day(door, victim):
    """The victim's address already sent one referral today (the limit here is 1)."""
    again = Visitor(door, "198.51.100.10")
    final = intake(again, "06 87654321")
    assert "Even rustig aan" in final and "GP-" not in final
    mine = [lead for lead in leads(door) if lead["conversation_id"] == door.web_sender(again.token)]
    assert mine == []
    [first] = [lead for lead in leads(door) if lead["id"] == victim["lead_id"]]
    assert first["channel"] == "web" and re.fullmatch(r"[0-9a-f]{32}", first["client_key"])
    assert "198.51.100.10" not in json.dumps(door.user_events(victim["sender"]))      # no raw address stored


def test_a_mail_scanner_changes_no_status_and_used_expired_or_forged_links_do_nothing(door, victim):
    """Mail scanners open every link in a mail. A GET on a status link shows a page; only a POST with
    the page's CSRF token (and its cookie) changes the status, once. An expired or forged link never
    does. Last in this module: it moves the victim's lead on to in_contact."""
    from bot.handoff import links

    def status():
        return [lead for lead in leads(door) if lead["id"] == victim["lead_id"]][0]["status"]

    urls = [re.sub(r"^https?://[^/]+", "", u) for u in
            re.findall(r"https?://\S+/lead/GP-[0-9A-Z]{6}/status\?[^\s\"<>]+", victim["body"])]
    assert len({u.split("s=")[1].split("&")[0] for u in urls}) >= 3, urls
    scanner = httpx.Client(base_url=door.web, timeout=60, headers={"X-Forwarded-For": "203.0.113.9"})
    for url in urls:                                              # the scanner clicks every link, twice
        for _ in range(2):
            assert scanner.get(url).status_code == 200
        assert scanner.head(url).status_code in (404, 405)
    assert status() == "delivered"

    [url] = [u for u in urls if "s=in_contact" in u]
    query = dict(pair.split("=", 1) for pair in url.split("?", 1)[1].split("&"))
    page = scanner.get(url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    path = url.split("?", 1)[0]
    assert scanner.post(path, data=query).status_code == 403                   # no CSRF token
    assert status() == "delivered"
    assert scanner.post(path, data={**query, "csrf": csrf}).status_code == 200
    assert status() == "in_contact"
    assert scanner.post(path, data={**query, "csrf": csrf}).status_code == 410   # used
    assert scanner.get(url).status_code == 410

    secret = (door.settings.var_dir / "handoff-link-secret").read_text().strip()
    past = int(time.time()) - 60                                  # genuinely signed, but expired
    expired = f"{path}?s=no_contact&e={past}&sig={links.sign(secret, victim['lead_id'], 'no_contact', past)}"
    assert scanner.get(expired).status_code == 410
    later = int(time.time()) + 86400
    forged = f"{path}?s=no_contact&e={later}&sig={query['sig']}"  # a real signature on other fields
    assert scanner.get(forged).status_code == 400
    assert scanner.get(f"{path}?s=no_contact&e={later}&sig=%00%ff'--").status_code == 400
    assert status() == "in_contact"
