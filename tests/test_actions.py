"""The thin actions, called directly with rasa_sdk trackers (no Rasa server)."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ValidateIntakeForm


def _tracker(slots, requested):
    return Tracker("t-1", {**slots, "requested_slot": requested}, {"text": "x", "intent": {"name": "inform"}},
                   [], False, None, {"name": "intake_form"}, "action_listen")


def test_wrong_ages_explain_once_then_bring_a_way_forward_then_end_kindly():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    misses, results, said = {}, [], []
    for attempt in range(3):
        dispatcher.messages.clear()
        result = form.validate_age_band("geen idee", dispatcher, _tracker({"intake_misses": misses}, "age_band"), {})
        misses = result["intake_misses"]
        results.append(result)
        said.append([m.get("text") or m.get("response") for m in dispatcher.messages])
        assert result["age_band"] is None
    assert said[0] and "leeftijd" in said[0][0]   # the first miss explains
    assert said[1] == []                          # the second: the question comes back with buttons (action_ask)
    assert results[2]["intake_stuck"] == "age_band" and "intake_stuck" not in results[1]


def test_valid_answer_resets_miss_count_and_a_skippable_slot_takes_an_answer_after_two_misses():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    result = form.validate_age_band("17", dispatcher, _tracker({"intake_misses": {"age_band": 2}}, "age_band"), {})
    assert result["age_band"] == "16-17" and result["intake_misses"] == {}
    for _ in range(2):
        result = form.validate_situation("banaan", dispatcher, _tracker(
            {"intake_misses": result.get("intake_misses") or {}}, "situation"), {})
    assert result["situation"] == "anders" and "situation" not in result["intake_misses"]
    assert form.validate_situation("overgeslagen", dispatcher, _tracker({}, "situation"), {}) == {"situation": "overgeslagen"}


def test_changing_age_clears_contact_data_and_consent_route():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    result = form.validate_change_field("Leeftijd", dispatcher, _tracker({}, "change_field"), {})
    assert result["age_band"] is None and result["contact_value"] is None and result["minor_route"] is None
    assert result["confirm"] is None and result["routing"] is None


def test_required_slots_follow_answers():
    form = ValidateIntakeForm()
    slots = asyncio.run(form.required_slots([], CollectingDispatcher(), _tracker({"age_band": "12-15"}, None), {}))
    assert "minor_route" in slots


def test_delete_data_without_the_confirmation_button_only_asks():
    from actions.person_rights import ActionDeleteData
    from bot.store.erasure import is_confirmed

    dispatcher = CollectingDispatcher()
    tracker = Tracker("t-del", {}, {"text": "Laren (gemeente Laren)", "intent": {"name": "delete_data"},
                                    "entities": []}, [], False, None, {}, "action_listen")
    assert ActionDeleteData().run(dispatcher, tracker, {}) == []
    assert [m.get("response") for m in dispatcher.messages] == ["utter_confirm_delete"]
    assert is_confirmed([{"entity": "confirmed", "value": "ja"}])
    assert not is_confirmed([{"entity": "confirmed", "value": "nee"}]) and not is_confirmed([])


def test_ending_without_a_lead_marks_the_conversation_for_the_purge(tmp_path, monkeypatch):
    """Stop, "nee" at consent and the under-16 info route hand the conversation to the purge, and the
    answer names the period from the settings."""
    from dataclasses import replace

    import actions.actions as acts
    from bot.store.db import new_session
    from bot.store.models import TrackerErasure

    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.setattr(acts, "SETTINGS", replace(acts.SETTINGS, database_url=url))
    monkeypatch.setenv("GP_TRACKER_INACTIVITY_HOURS", "12")
    cases = {"t-stop": (acts.ActionStopIntake(), {}),
             "t-nee": (acts.ActionSubmitIntake(), {"confirm": "stop", "age_band": "18-22"}),
             "t-15": (acts.ActionSubmitIntake(), {"age_band": "12-15", "minor_route": "info"})}
    for sender, (action, slots) in cases.items():
        dispatcher = CollectingDispatcher()
        tracker = Tracker(sender, slots, {"text": "x", "intent": {"name": "stop"}}, [], False, None, {}, "action_listen")
        action.run(dispatcher, tracker, {})
        assert dispatcher.messages[0]["inactivity"] == "12 uur", sender
    assert [m["response"] for m in dispatcher.messages] == ["utter_minor_info"]
    with new_session(url) as session:
        assert {(r.sender_id, r.kind) for r in session.query(TrackerErasure)} == {
            ("t-stop", "ended"), ("t-nee", "ended"), ("t-15", "ended")}


def _form_tracker(slots, requested, text):
    return Tracker("t-2", {**slots, "requested_slot": requested}, {"text": text, "intent": {"name": "deny"}},
                   [], False, None, {"name": "intake_form"}, "action_listen")


def test_under_16_nee_ends_kindly_and_no_answer_never_loops():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    assert form.validate_minor_route("nee", dispatcher, _form_tracker({"age_band": "12-15"}, "minor_route", "nee"),
                                     {})["minor_route"] == "geen"
    misses = {}
    for answer in ("wat", "hmm"):
        result = form.validate_minor_route(answer, dispatcher, _form_tracker(
            {"age_band": "12-15", "intake_misses": misses}, "minor_route", answer), {})
        misses = result.get("intake_misses") or {}
    assert result["minor_route"] == "geen"  # the second try ends it: no third "kies een knop"


def test_submit_after_under_16_nee_says_goodbye_without_a_lead(tmp_path, monkeypatch):
    from dataclasses import replace

    import actions.actions as acts

    monkeypatch.setattr(acts, "SETTINGS", replace(acts.SETTINGS, database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    dispatcher = CollectingDispatcher()
    acts.ActionSubmitIntake().run(dispatcher, _form_tracker({"age_band": "12-15", "minor_route": "geen"}, None, "nee"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_minor_stopped"]


def test_age_correction_at_another_question_keeps_the_form_going():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    text = "nee wacht, ik ben 19"
    result = form.validate_first_name(text, dispatcher, _form_tracker({"age_band": "16-17"}, "first_name", text), {})
    assert result == {"first_name": None, "age_band": "18-20"}
    assert "leeftijd" in dispatcher.messages[0]["text"]
    down = form.validate_situation("ik ben 15", dispatcher, _form_tracker(
        {"age_band": "16-17", "first_name": "Sam"}, "situation", "ik ben 15"), {})
    # the first name stays: the guardian route asks it too (issue 24 item 2)
    assert down["age_band"] == "12-15" and "first_name" not in down and down["situation"] is None


def test_delete_asked_mid_intake_pauses_the_question():
    from actions.person_rights import ActionDeleteData
    from rasa_sdk.events import SlotSet

    dispatcher = CollectingDispatcher()
    tracker = Tracker("t-del2", {"requested_slot": "situation"}, {"text": "wis mijn gegevens",
                      "intent": {"name": "delete_data"}, "entities": []}, [], False, None,
                      {"name": "intake_form"}, "action_listen")
    assert ActionDeleteData().run(dispatcher, tracker, {}) == [SlotSet("requested_slot", None)]


def test_a_found_place_resets_the_location_misses():
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    result = form.validate_location("4331 AB", dispatcher, _tracker({"intake_misses": {"location": 2}}, "location"), {})
    assert result["place"]["region_code"] == "AM24" and result["intake_misses"] == {}
