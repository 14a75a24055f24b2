"""Issue 22 items 2 and 10 over the real stack (Rasa, the action server behind its token, the worker,
the local Maildir), through Rasa's REST channel as the other end-to-end tests do.

Item 2: someone types a victim's e-mail address in a new intake. The bot must answer exactly as it
answers a contact nobody gave (up to the new reference and date) and must not name the victim's
counsellor or organisation; the counsellor's hand-off mail says "LET OP" with the earlier request.
Item 10: the stack's own action server refuses a call without the token Rasa sends, while every
conversation through Rasa works.
"""
import re

import httpx
import pytest

from tests.test_e2e_person_rights import export, mails, wait_for, body

pytestmark = pytest.mark.e2e


def answers(email, postcode, name):
    return (("Dit sturen we naar", None), ("e-mailadres", email), ("Wanneer", "Middag"), ("Hoe wil je", "E-mail"),
            ("postcode", postcode), ("leuk", "iets met bouwen en lassen"), ("Wat doe je nu", "Ik zit op school"),
            ("oud", "17"), ("noemen", name))


def intake(stack, sender, email, postcode, name="Kim"):
    """Runs the intake to the preview and sends it; returns (preview, final answer)."""
    reply = stack.texts(sender, "/request_human")
    for _ in range(15):
        answer = next(((a, w) for w, a in answers(email, postcode, name) if w in reply), None)
        assert answer, f"unexpected question: {reply}"
        if answer[0] is None:
            return reply, stack.texts(sender, "/affirm")
        reply = stack.texts(sender, answer[0])
    raise AssertionError("the intake did not reach the preview")


def neutral(text):
    text = re.sub(r"GP-[0-9A-Z]{6}", "GP-…", text)
    return re.sub(r"uiterlijk \w+ \d+ \w+", "uiterlijk …", text)


def test_a_victims_address_in_a_new_intake_is_answered_like_any_address(stack):
    victim_address = "slachtoffer.enum@example.org"
    intake(stack, "e2e-enum-victim", victim_address, "9712 AB", name="Sam")          # Groningen
    victim = next(x for x in export(stack) if x["conversation_id"] == "e2e-enum-victim")
    known_preview, known = intake(stack, "e2e-enum-known", victim_address.upper(), "4331 AB")   # Zeeland
    fresh_preview, fresh = intake(stack, "e2e-enum-fresh", "niemand.enum@example.org", "4331 AB")
    assert neutral(known) == neutral(fresh), f"\n{known}\n!=\n{fresh}"
    assert victim["counsellor_name"].split()[0] not in known + known_preview
    assert victim["organisation"] not in known + known_preview and victim["id"] not in known

    second = next(x for x in export(stack) if x["conversation_id"] == "e2e-enum-known")
    mail = wait_for(lambda: [m for m in mails(stack) if str(m["X-GoudenPoort-Reference"]) == second["id"]
                             and str(m["X-GoudenPoort-Kind"]) == "handoff"])
    text = body(mail[0])
    assert "LET OP" in text and victim["id"] in text and "stem af" in text


def test_the_stacks_action_server_refuses_a_call_without_the_token(stack):
    url = stack.settings.action_url
    forged = {"next_action": "action_person_check_done", "sender_id": "e2e-enum-victim", "version": "3.6.21",
              "tracker": {"sender_id": "e2e-enum-victim", "slots": {"person_purpose": "access",
                                                                    "person_route": "this_conversation"},
                          "latest_message": {}, "events": [], "paused": False, "followup_action": None,
                          "active_loop": {}, "latest_action_name": "action_listen"}, "domain": {}}
    refused = httpx.post(url, json=forged, timeout=30)
    assert refused.status_code == 403 and "Dit bewaren we" not in refused.text
    assert stack.texts("e2e-token-check", "/greet")  # Rasa itself has the token: conversations work
