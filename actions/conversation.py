"""Thin Rasa actions for the conversation (issue 3). The decisions live in bot/ and are tested there:
bot.conversation.fallback (misses, other languages), bot.conversation.topics (specific answers), bot.conversation.why (why we ask),
'ontdek wat bij je past' is in actions/exploration.py."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.events import ActionEvents, asked_for_place as events_asked_last
from actions.regional import project_domain, region_of, utter_regional
from actions.salary import answer_salary, is_salary_follow_up
from bot.content.events import lookup_place
from bot.content.packs import regional_answer
from bot.conversation import fallback
from bot.conversation import history
from bot.conversation import topics
from bot.conversation import why
from bot.store.retention import periods


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def _texts(domain: DomainDict, name: str, region: Optional[str]) -> List[str]:
    """The texts a response can have: its variations in domain/ and the region's own text."""
    variations = (domain.get("responses") or project_domain()["responses"]).get(name) or []
    texts = [v.get("text") or "" for v in variations]
    regional = regional_answer(name, region)
    return texts + ([regional.text] if regional is not None else [])


class ActionHandleFallback(Action):
    """nlu_fallback, out_of_scope and other languages: say what the bot can do; on the second miss
    in a row offer a counsellor; in another language answer briefly in English."""

    def name(self) -> Text:
        return fallback.FALLBACK_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text")
        if events_asked_last(tracker) and lookup_place(text or "").place is not None:
            # "Goes" after "Wat is je postcode of woonplaats?": a place, however unsure the classifier was
            return ActionEvents().run(dispatcher, tracker, domain)
        if is_salary_follow_up(tracker):  # "per maand?" right after a salary answer (issue 23)
            answer_salary(dispatcher, tracker)
            return []
        response = fallback.choose_response(text, tracker.events)
        if tracker.latest_message.get("intent", {}).get("name") == "other_language":
            response = fallback.OTHER_LANGUAGE
        dispatcher.utter_message(response=response)
        return []


class ActionAnswerTopic(Action):
    """A specific answer for ask_jobs, ask_training and doubt_fit (sector, route or doubt)."""

    def name(self) -> Text:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if is_salary_follow_up(tracker):  # "en met bbl?" right after a salary answer (issue 23)
            answer_salary(dispatcher, tracker)
            return []
        intent = tracker.latest_message.get("intent", {}).get("name") or ""
        region = region_of(tracker)
        response = topics.pick_response(intent, tracker.latest_message.get("text"), _entity(tracker, "topic"))
        previous = history.last(tracker.events)
        if response and previous is not None:  # never the same answer twice in a row (issue 23)
            response = topics.avoid_repeat(response, previous.response, previous.text,
                                           lambda name: _texts(domain, name, region))
        # A region's own answer (content/regios/) replaces the national one in that region only.
        utter_regional(dispatcher, domain, response or "utter_fallback_first", region,
                       language=tracker.get_slot("language"))
        return []


class ActionExplainWhy(Action):
    """'Waarom vraag je dat?': explains the question that is open right now."""

    def name(self) -> Text:
        return "action_explain_why"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        requested = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
        # Some explanations name how long we keep what was typed; the period comes from the settings.
        # outside a form the answer ends the path, so it offers a next step (issue 26 item 6)
        response = why.explanation_for(requested) if tracker.active_loop_name else "utter_why_outside_form"
        dispatcher.utter_message(response=response, **periods())
        return []
