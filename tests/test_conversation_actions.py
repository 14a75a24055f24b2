"""The thin actions in actions/conversation.py, run without Rasa (rasa_sdk objects only)."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionAnswerTopic, ActionExplainWhy, ActionHandleFallback
from actions.exploration import ActionExplorationResult, ValidateExplorationForm


def tracker(text="", intent="out_of_scope", entities=None, events=None, slots=None, loop=None):
    return Tracker(
        sender_id="test", slots=slots or {}, latest_message={
            "text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []},
        events=events or [], paused=False, followup_action=None,
        active_loop={"name": loop} if loop else {}, latest_action_name="action_listen")


def responses(dispatcher):
    return [m.get("response") or m.get("text") for m in dispatcher.messages]


def run(action, trk):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, trk, {})
    if asyncio.iscoroutine(result):
        result = asyncio.get_event_loop().run_until_complete(result)
    return dispatcher, result


def test_fallback_first_then_counsellor():
    d, _ = run(ActionHandleFallback(), tracker("banaan", events=[{"event": "user", "text": "banaan"}]))
    assert responses(d) == ["utter_fallback_first"]
    events = [{"event": "user"}, {"event": "action", "name": "action_handle_fallback"}, {"event": "user"}]
    d, _ = run(ActionHandleFallback(), tracker("appel", events=events))
    assert responses(d) == ["utter_fallback_offer_counsellor"]


def test_fallback_in_english_for_other_languages():
    d, _ = run(ActionHandleFallback(), tracker("hello can you help me", intent="other_language"))
    assert responses(d) == ["utter_other_language"]
    d, _ = run(ActionHandleFallback(), tracker("do you speak english", intent="nlu_fallback"))
    assert responses(d) == ["utter_other_language"]


def test_answer_topic_uses_button_entity_and_words():
    d, _ = run(ActionAnswerTopic(), tracker("/doubt_fit", "doubt_fit", [{"entity": "topic", "value": "gender"}]))
    assert responses(d) == ["utter_doubt_gender"]
    d, _ = run(ActionAnswerTopic(), tracker("wat is bbl", "ask_training"))
    assert responses(d) == ["utter_training_bbl"]


def test_explain_why_follows_the_open_question():
    d, _ = run(ActionExplainWhy(), tracker(slots={"requested_slot": "postcode"}, loop="intake_form"))
    assert responses(d) == ["utter_why_postcode"]
    d, _ = run(ActionExplainWhy(), tracker(slots={"requested_slot": "postcode"}))
    assert responses(d) == ["utter_why_outside_form"]  # no form: the answer with a next step (issue 26)


def test_exploration_validation_accepts_buttons_and_words():
    form = ValidateExplorationForm()
    d = CollectingDispatcher()
    trk = tracker("/inform", "inform", [{"entity": "explore_choice", "value": "buiten"}])
    assert form.validate_explore_place("/inform", d, trk, {}) == {"explore_place": "buiten"}
    trk = tracker("met mn handen", "inform")
    assert form.validate_explore_style("met mn handen", d, trk, {}) == {"explore_style": "handen"}
    assert d.messages == []
    assert form.validate_explore_activity("banaan", d, tracker("banaan"), {}) == {"explore_activity": None}
    assert responses(d) == ["utter_explore_pick_button"]


def test_exploration_result_shows_jobs_and_next_step():
    slots = {"explore_style": "hoofd", "explore_place": "binnen", "explore_activity": "gamen"}
    d, events = run(ActionExplorationResult(), tracker(slots=slots))
    sent = responses(d)
    assert sent[0] == "utter_explore_result_intro" and sent[-1] == "utter_explore_next"
    assert 2 <= len(sent) - 2 <= 3
    assert SlotSet("explore_style", None) in events
    interests = [e for e in events if e["name"] == "explore_interests"][0]["value"]
    assert interests and "," in interests
