"""Thin action for questions after the hand-off (issue 23 item 4); decisions in bot/handoff/after_handoff.py."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Action

from actions.reach_person import in_language

from bot.handoff import after_handoff, guardian
from bot.handoff.followup import answer_nudge
from bot.routing.counsellors import load_registry
from bot.handoff.settings import load_handoff_settings
from bot.ops.config import load_settings
from bot.store.guardian import pending_for
from bot.store.leads import existing_lead_for
from bot.store.models import utcnow

SETTINGS = load_settings()
HANDOFF = load_handoff_settings()


def said_guardian_pending(dispatcher, tracker) -> bool:
    """Under 16 and waiting for the guardian's "ja": says so (True); False when nothing is pending."""
    pending = pending_for(SETTINGS.database_url, tracker.sender_id)
    if pending is not None:
        dispatcher.utter_message(text=guardian.pending_text(pending.expires_at))
    return pending is not None


class ActionAnswerFollowup(Action):
    def name(self) -> Text:
        return "action_answer_followup"

    def run(self, dispatcher, tracker, domain):
        lead = existing_lead_for(SETTINGS.database_url, tracker.sender_id)
        if lead is None:
            if not said_guardian_pending(dispatcher, tracker):
                dispatcher.utter_message(response="utter_followup_no_lead")
            return []
        text = tracker.latest_message.get("text")
        kind = after_handoff.followup_kind(text) or after_handoff.WHEN
        if kind == after_handoff.LATE and answer_nudge(
                SETTINGS.database_url, tracker.sender_id, False, text, utcnow(), HANDOFF,
                lambda region: [c.email for c in load_registry().coordinators_of(region)]) == "nee":
            # the answer to an open "Heeft ... al contact met je gehad?": recorded, the counsellor alerted
            dispatcher.utter_message(response="utter_nudge_no", counsellor=(lead.counsellor_name.split()[0] if lead.counsellor_name else "je adviseur"))
            return []
        values = in_language(after_handoff.followup_values(lead, utcnow(), HANDOFF.promise_workdays), tracker)
        dispatcher.utter_message(response=after_handoff.response_for(kind, values), **values)
        return []
