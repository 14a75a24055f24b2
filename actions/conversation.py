"""Thin Rasa actions for the conversation (issue 3). The decisions live in bot/ and are tested there:
bot.conversation.fallback (misses, other languages), bot.conversation.topics (specific answers), bot.conversation.why (why we ask),
bot.conversation.exploration ('ontdek wat bij je past')."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.regional import project_domain, region_of, utter_regional
from actions.salary import answer_salary, is_salary_follow_up
from bot.content.packs import regional_answer
from bot.conversation import exploration
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
        dispatcher.utter_message(response=why.explanation_for(requested), **periods())
        return []


class ValidateExplorationForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_exploration_form"

    def _check(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        answer = exploration.normalise_answer(slot, _entity(tracker, "explore_choice") or value)
        if answer is None:
            dispatcher.utter_message(response="utter_explore_pick_button")
        return {slot: answer}

    def validate_explore_style(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_style", value, dispatcher, tracker)

    def validate_explore_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_place", value, dispatcher, tracker)

    def validate_explore_activity(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self._check("explore_activity", value, dispatcher, tracker)


class ActionExplorationResult(Action):
    """Two or three concrete jobs with what a day looks like, then the next steps."""

    def name(self) -> Text:
        return "action_exploration_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        jobs = exploration.suggest(*(tracker.get_slot(s) for s in exploration.SLOTS))
        dispatcher.utter_message(response="utter_explore_result_intro")
        for job in jobs:
            dispatcher.utter_message(text=exploration.job_message(job))
        dispatcher.utter_message(response="utter_explore_next")
        return [SlotSet("explore_interests", ", ".join(job.name for job in jobs))] + [
            SlotSet(slot, None) for slot in exploration.SLOTS]
