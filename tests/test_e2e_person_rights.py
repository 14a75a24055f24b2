"""Issue 11 end to end over REST: real Rasa, real action server, real worker, the local Maildir.

- Erasure from a second conversation with the same contact removes the first conversation's lead
  and tracker and the hand-off mail, and sends the art. 19 notice to the counsellor, only after the
  code that went to that contact is typed.
- Access ("wat weten jullie van mij?") shows the stored data only after the same proof.
- The hand-off mail carries no sentence of the person's that the consent preview did not show.
"""
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.test_e2e_thin_conversation import rows_mentioning, tracker_events

pytestmark = pytest.mark.e2e

ANSWERS = (  # (words in the bot's question, answer); the first match answers, whatever the order
    ("Dit sturen we naar", None),
    ("e-mailadres", "{email}"),
    ("Wanneer", "Middag"),
    ("Hoe wil je", "E-mail"),
    ("postcode", "4331 ab"),
    ("leuk", "iets met bouwen en lassen"),
    ("Wat doe je nu", "Ik zit op school"),
    ("oud", "17"),
    ("noemen", "{name}"),
)


def export(stack):
    env = dict(os.environ, DATABASE_URL=stack.settings.database_url)
    out = subprocess.run([sys.executable, "-m", "bot", "leads", "export"], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def wait_for(check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    return check()


def mails(stack):
    folder = stack.settings.var_dir / "mail" / "new"
    found = []
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append(message)
    return found


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def intake(stack, sender, name, address, before=()):
    """Runs the intake to the preview and sends it; returns (preview, final answer)."""
    for message in before:
        stack.texts(sender, message)
    reply = stack.texts(sender, "/request_human")
    for _ in range(15):
        answer = next(((a, w) for w, a in ANSWERS if w in reply), None)
        assert answer, f"unexpected question: {reply}"
        if answer[0] is None:
            preview = reply
            return preview, stack.texts(sender, "/affirm")
        reply = stack.texts(sender, answer[0].format(email=address, name=name))
    raise AssertionError("the intake did not reach the preview")


def code_for(stack, address):
    def find():
        for message in mails(stack):
            if str(message["To"]).lower() == address.lower() and "code" in str(message["Subject"]).lower():
                return re.search(r"\b(\d{8})\b", body(message)).group(1)
        return None
    code = wait_for(find)
    assert code, f"no code mail for {address} in the local mailbox"
    return code


def lead_of(stack, sender):
    return next((x for x in export(stack) if x["conversation_id"] == sender), None)


def test_erasure_from_a_second_conversation_reaches_the_first_after_the_code(stack):
    first, second, address = "e2e-erase-first", "e2e-erase-second", "sam.wis@example.org"
    _, final = intake(stack, first, "Sam", address)
    lead = lead_of(stack, first)
    assert lead and lead["id"] in final
    handoff = wait_for(lambda: [m for m in mails(stack) if lead["id"] in str(m["X-GoudenPoort-Reference"])])
    assert len(handoff) == 1 and str(handoff[0]["To"]).endswith("example.org")
    counsellor = str(handoff[0]["To"])
    assert wait_for(lambda: lead_of(stack, first)["status"] == "delivered", 30)

    assert "zeker" in stack.texts(second, "wis mijn gegevens")
    asked = stack.texts(second, '/delete_data{"confirmed": "ja"}')
    assert "e-mailadres" in asked and "code" in asked
    sent = stack.texts(second, address)
    assert "code van 8 cijfers" in sent
    code = code_for(stack, address)
    # Nothing is erased before the code: the first conversation's lead and tracker are still there.
    assert lead_of(stack, first) and tracker_events(stack, first) > 0
    wrong = "000000" if code != "000000" else "111111"
    assert "klopt niet" in stack.texts(second, wrong)
    assert lead_of(stack, first)

    done = stack.say(second, code)
    said = "\n".join(m.get("text", "") for m in done)
    assert "gewist" in said and lead["id"] in said and "niet zelf terughalen" in said
    assert {"data": {"gouden_poort": {"clear_storage": True}}} in [m.get("custom") for m in done]
    assert lead_of(stack, first) is None
    assert wait_for(lambda: tracker_events(stack, first) == 0 and tracker_events(stack, second) == 0, 30)
    for needle in (first, address, lead["id"]):
        assert rows_mentioning(stack.settings.tracker_store_url, needle) == []
    assert [t for t, _ in rows_mentioning(stack.settings.database_url, address)] == []

    # The hand-off copy in the local mailbox is gone; the art. 19 notice arrives with only the reference.
    notice = wait_for(lambda: [m for m in mails(stack) if str(m["X-GoudenPoort-Kind"]) == "erasure_notice"
                               and str(m["X-GoudenPoort-Reference"]) == lead["id"]])
    assert len(notice) == 1 and str(notice[0]["To"]) == counsellor
    text = body(notice[0])
    assert lead["id"] in text and "artikel 19" in text
    assert address not in text and "Sam " not in text and "4331" not in text
    left = [m for m in mails(stack) if lead["id"] in str(m["X-GoudenPoort-Reference"])
            and str(m["X-GoudenPoort-Kind"]) != "erasure_notice"]
    assert left == []


def test_access_shows_the_stored_data_only_after_the_code(stack):
    first, second, address = "e2e-access-first", "e2e-access-second", "noa.inzage@example.org"
    intake(stack, first, "Noa", address)
    lead = lead_of(stack, first)
    asked = stack.texts(second, "wat weten jullie van mij?")
    assert "e-mailadres" in asked and "code" in asked
    sent = stack.texts(second, address)
    assert "code van 8 cijfers" in sent and lead["id"] not in sent and "Noa" not in sent
    code = code_for(stack, address)
    shown = stack.texts(second, code)
    assert f"aanvraag {lead['id']}" in shown and "Naam: Noa" in shown and address in shown
    assert "17" in shown and "wis mijn gegevens" in shown
    assert lead_of(stack, first)  # looking is not erasing


PERSON_SECTIONS = ("B - ACHTERGROND", "A - BEOORDELING", "CONTACT")
NOT_PERSONAL = ("onbekend", "-", "niet meegestuurd (alleen wat de persoon in de preview zag)")


def personal_values(mail_text):
    """The person's data in the hand-off mail: values of the background/assessment/contact lines,
    list items there, and their own words anywhere (“…”)."""
    values, section = [], None
    for line in mail_text.splitlines():
        if line.strip() in PERSON_SECTIONS or re.match(r"^[A-Z] - |^[A-Z]+$", line.strip()):
            section = line.strip()
            continue
        if section not in PERSON_SECTIONS:
            continue
        if line.startswith("- "):
            values.append(line[2:].strip("“” "))
        elif ":" in line and not line.startswith(("Waarom bij jou", "Via")):
            value = line.split(":", 1)[1].strip()
            if value and value not in NOT_PERSONAL:
                values += [v.strip("“” ") for v in value.split(", ")]
    values += re.findall(r"“([^”]+)”", mail_text)
    return [v for v in values if v and v not in NOT_PERSONAL]


def test_the_handoff_mail_carries_nothing_the_preview_did_not_show(stack):
    sender, address = "e2e-preview", "lot.preview@example.org"
    typed = ["wat verdien je in de techniek", "ik ben slecht in wiskunde, kan ik dit wel",
             "hoe laat gaat de bibliotheek dicht vandaag"]
    preview, _ = intake(stack, sender, "Lot", address, before=typed)
    lead = lead_of(stack, sender)
    mail = wait_for(lambda: [m for m in mails(stack) if str(m["X-GoudenPoort-Reference"]) == lead["id"]
                             and str(m["X-GoudenPoort-Kind"]) == "handoff"])
    assert len(mail) == 1
    text = body(mail[0])
    shown = preview.lower()
    values = personal_values(text)
    assert "Lot" in values and address in values  # the check sees the person's data
    not_shown = [v for v in values if v.lower() not in shown]
    assert not_shown == [], f"in the mail but never in the preview: {not_shown}\n--- preview:\n{preview}"
    for sentence in typed:
        assert sentence not in text or sentence in preview
