"""Thin action for "Wanneer is er een open dag?" (issue 15). The decisions live in bot/content/events.py:
where the person is (postcode or woonplaats), which events are near and upcoming, how a line reads."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content import initiatives
from bot.conversation.english import to_english
from bot.intake.validation import check_interests
from actions.regional import region_of, utter_regional
from bot.content.events import MAX_KM, event_line, events_answer, lookup_place

PLACE_ENTITIES = ("postcode", "location")


def _entity(tracker: Tracker) -> Optional[str]:
    for name in PLACE_ENTITIES:
        for entity in tracker.latest_message.get("entities") or []:
            if entity.get("entity") == name and entity.get("value"):
                return str(entity["value"])
    return None


ASKING = ("utter_events_ask_place", "utter_events_unknown_place", "utter_events_suggest_place",
          "utter_events_ambiguous_place")


def asked_for_place(tracker: Tracker) -> bool:
    """Did our previous turn ask for the place (then any typed answer is the place)?"""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action") in ASKING
    return False


def point_to_initiatives(dispatcher: CollectingDispatcher, tracker: Tracker, region_code: str) -> None:
    """The region's own initiatives that fit this person, with a link, before the general next step
    (issue 28 item 5): by age band and interests (the intake's, or those of "ontdek wat bij je past")."""
    interests = tracker.get_slot("interests")
    chosen = (interests or {}).get("choices") if isinstance(interests, dict) else None
    if not chosen and tracker.get_slot("explore_interests"):
        chosen = (check_interests(tracker.get_slot("explore_interests")).value or {}).get("choices")
    found = initiatives.fitting(region_code, tracker.get_slot("age_band"), chosen)
    if found:
        dispatcher.utter_message(response="utter_initiatives_near")
        for item in found:
            dispatcher.utter_message(text=f"{item.name}: {item.initiative.website}")


def _in_language(text: str, tracker: Tracker) -> str:
    return to_english(text) if tracker.get_slot("language") == "en" else text


class ActionEvents(Action):
    def name(self) -> Text:
        return "action_events"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = _entity(tracker)
        if text is None and intent == "inform":
            if not asked_for_place(tracker):
                dispatcher.utter_message(response="utter_inform_outside_form")
                return []
            text = tracker.latest_message.get("text")
        if text is None:
            text = tracker.get_slot("events_place")
        intake_place = tracker.get_slot("place")
        if text is None and isinstance(intake_place, dict):  # the place the intake already found
            text = intake_place.get("pc4") or intake_place.get("woonplaats") or intake_place.get("gemeente_name")
        region = region_of(tracker)
        if not text:
            utter_regional(dispatcher, domain, "utter_events", region)
            dispatcher.utter_message(response="utter_events_ask_place")
            return []
        found = lookup_place(text)
        if found.place is None:
            if found.ambiguous:
                dispatcher.utter_message(response="utter_events_ambiguous_place")
            elif found.suggestions:
                # "eindhovn": the button sends the place's name, which the rule below takes as the answer
                suggestion = found.suggestions[0]
                dispatcher.utter_message(response="utter_events_suggest_place", suggestion=suggestion,
                                         buttons=[{"title": _in_language(f"Ja, {suggestion}", tracker), "payload": suggestion}])
            else:
                dispatcher.utter_message(response="utter_events_unknown_place")
            return [SlotSet("events_place", None)]
        place = found.place
        label = place.label()
        answer = events_answer(place.lat, place.lon, place.region_code)
        if answer.nearby:
            utter_regional(dispatcher, domain, "utter_events_found", place.region_code, events_place_label=label)
            for item in answer.nearby:
                dispatcher.utter_message(text=event_line(item))
            point_to_initiatives(dispatcher, tracker, place.region_code)
            utter_regional(dispatcher, domain, "utter_events_after_list", place.region_code)
        elif answer.further or answer.agenda:
            # Nothing within 50 km is never a dead end: the nearest further away, the region's own
            # agenda, and always a next step.
            if answer.further:
                utter_regional(dispatcher, domain, "utter_events_further", place.region_code,
                               events_place_label=label, max_km=int(MAX_KM))
                for item in answer.further:
                    dispatcher.utter_message(text=event_line(item))
            if answer.agenda:
                response = "utter_events_agenda" if answer.further else "utter_events_agenda_only"
                utter_regional(dispatcher, domain, response, place.region_code, events_place_label=label,
                               max_km=int(MAX_KM), organisation=answer.agenda.organisation, agenda_url=answer.agenda.url)
            point_to_initiatives(dispatcher, tracker, place.region_code)
            utter_regional(dispatcher, domain, "utter_events_next_step", place.region_code)
        else:
            point_to_initiatives(dispatcher, tracker, place.region_code)
            utter_regional(dispatcher, domain, "utter_events_none", place.region_code,
                           events_place_label=label, max_km=int(MAX_KM))
        # The place, as typed and as found: the intake can reuse it instead of asking again.
        return [SlotSet("events_place", str(text)[:80]), SlotSet("content_region", place.region_code),
                SlotSet("events_place_resolved", asdict(place))]
