from bot.handoff.context import MAX_ITEMS, conversation_context
from bot.intake.decisions import confirmation_text


def user(intent, text):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


EVENTS = [
    {"event": "bot", "text": "Hoi!"},
    user("greet", "hoi"),
    user("ask_salary", "wat verdien je als monteur"),
    user("ask_salary", "en als elektricien?"),
    user("doubt_fit", "ik ben echt slecht in wiskunde"),
    user("out_of_scope", "wie wint het WK"),
    user("request_human", "ik wil graag bellen met iemand over BBL"),
]


def test_context_carries_topics_never_the_persons_own_words():
    context = conversation_context(EVENTS)
    assert context["bot_explained"] == ["wat je verdient in de techniek", "twijfels of techniek bij je past"]
    assert "twijfels" in context["suggested_next_step"]
    said = " ".join(str(v) for v in context.values())
    for _, text in [(e.get("event"), e.get("text")) for e in EVENTS if e.get("event") == "user"]:
        assert text not in said


def test_the_preview_shows_the_topics_the_mail_will_carry():
    slots = {"first_name": "Sam", "age_band": "16-17", "contact_method": "email", "contact_value": "sam@example.org"}
    routing = {"counsellor_first_name": "Sanne", "organisation": "TechniekTalent Zeeland"}
    topics = conversation_context(EVENTS)["bot_explained"]
    preview = confirmation_text(slots, routing, topics)
    assert all(topic in preview for topic in topics)
    assert "Waar we het over hadden" not in confirmation_text(slots, routing, [])


def test_context_is_bounded_and_empty_when_nothing_said():
    assert conversation_context([]) == {
        "bot_explained": [], "suggested_next_step": "Kennismakingsgesprek over wat bij deze persoon past.",
        "context": {"topics": [], "doubts": [], "asks_for": [], "asker": "self", "language_needs": [],
                    "urgent": False, "explored_jobs": []}}
    many = [user(intent, "x") for intent in ("ask_jobs", "ask_salary", "ask_training", "ask_guarantee",
                                             "ask_events", "explore_options", "doubt_fit")]
    assert len(conversation_context(many)["bot_explained"]) == MAX_ITEMS


# --- Answers a form took are never topics or questions (issue 13) ----------------------------------
# Events as Rasa's tracker store keeps them: the form's requested_slot, the user message, the slot
# that action_extract_slots set from the text, and the validator's clean value.

def form_answer(slot, text, intent, clean, next_slot):
    return [user(intent, text),
            {"event": "slot", "name": slot, "value": text},
            {"event": "action", "name": "intake_form"},
            {"event": "slot", "name": slot, "value": clean},
            {"event": "slot", "name": "requested_slot", "value": next_slot},
            {"event": "bot", "text": "volgende vraag"},
            {"event": "action", "name": "action_listen"}]


INTAKE = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
    user("ask_salary", "wat verdien je als monteur"),
    {"event": "action", "name": "utter_salary"},
    {"event": "action", "name": "action_listen"},
    user("request_human", "/request_human"),
    {"event": "action", "name": "action_check_existing_lead"},
    {"event": "action", "name": "intake_form"},
    {"event": "active_loop", "name": "intake_form"},
    {"event": "slot", "name": "requested_slot", "value": "age_band"},
    {"event": "action", "name": "action_listen"},
    *form_answer("age_band", "17", "inform", "16-17", "first_name"),
    *form_answer("first_name", "Sam", "inform", "Sam", "situation"),
    # the situation button's text, scored nlu_fallback; the form accepted it
    *form_answer("situation", "Ik ben gestopt met school", "nlu_fallback", "gestopt", "interests"),
    # an interruption sets no slot: it stays the person's own turn
    user("ask_why", "waarom vraag je dat?"),
    {"event": "action", "name": "action_explain_why"},
    {"event": "action", "name": "intake_form"},
    {"event": "slot", "name": "requested_slot", "value": "interests"},
    {"event": "action", "name": "action_listen"},
    # an answer that sounds like a doubt or a question about jobs, taken as the interests
    *form_answer("interests", "ik weet niet of ik slim genoeg ben voor ict", "doubt_fit",
                 {"choices": ["ict"], "text": "ik weet niet of ik slim genoeg ben voor ict"}, "location"),
    # an answer the validator refused is still an answer to the form, not a question
    *form_answer("location", "wat is een postcode", "out_of_scope", None, "location"),
    *form_answer("location", "4331 AB", "inform", "4331 AB", "contact_method"),
    *form_answer("contact_method", "Welk werk is er met bellen?", "ask_jobs", "phone", "contact_value"),
]


def test_answers_the_form_took_are_no_topics_and_no_free_turns():
    from bot.handoff.context import free_turns

    free = [e["text"] for e in free_turns(INTAKE)]
    assert free == ["wat verdien je als monteur", "/request_human", "waarom vraag je dat?"]
    context = conversation_context(INTAKE)
    assert context["bot_explained"] == ["wat je verdient in de techniek"]  # no doubts, no jobs
    assert context["suggested_next_step"] == "Kennismakingsgesprek over wat bij deze persoon past."
    said = " ".join(str(v) for v in context.values())
    assert "gestopt" not in said and "slim" not in said and "postcode" not in said


def test_after_the_form_ends_turns_are_free_again():
    from bot.handoff.context import free_turns

    ended = [*INTAKE, {"event": "active_loop", "name": None},
             {"event": "slot", "name": "requested_slot", "value": None},
             {"event": "action", "name": "action_listen"},
             user("doubt_fit", "is techniek iets voor meisjes?"),
             {"event": "action", "name": "action_answer_topic"}]
    assert free_turns(ended)[-1]["text"] == "is techniek iets voor meisjes?"
    assert "twijfels of techniek bij je past" in conversation_context(ended)["bot_explained"]


def test_the_delete_question_mid_form_leaves_no_open_question():
    """"wis mijn gegevens" mid-form sets requested_slot to null: the "nee" after it is no form answer
    (and no topic), and the form takes the next answer again."""
    from bot.handoff.context import free_turns

    events = [*INTAKE[:12],
              user("delete_data", "wis mijn gegevens"),
              {"event": "action", "name": "action_delete_data"},
              {"event": "slot", "name": "requested_slot", "value": None},
              {"event": "action", "name": "action_listen"},
              user("deny", "/deny"),
              {"event": "action", "name": "utter_keep_data"},
              {"event": "action", "name": "intake_form"},
              {"event": "slot", "name": "requested_slot", "value": "first_name"},
              {"event": "action", "name": "action_listen"},
              *form_answer("first_name", "Sam", "inform", "Sam", "situation")]
    assert [e["text"] for e in free_turns(events)][-2:] == ["wis mijn gegevens", "/deny"]


def test_recorded_intake_mail_conversation():
    """Events recorded from a real intake over REST (tests/test_e2e_unhappy_paths.py, the mail test;
    parse data cut to the intent). The interests answer "ik weet niet of ik slim genoeg ben, maar iets
    met auto's" was scored doubt_fit (0.98): before free_turns the mail said the bot had explained
    "twijfels" and suggested a talk about doubts. Relabelled as the issue saw it (the situation button
    as nlu_fallback), it is still an answer and nothing else."""
    import copy
    import json
    from pathlib import Path

    from bot.handoff.context import free_turns

    events = json.loads((Path(__file__).parent / "recorded" / "intake_mail_events.json").read_text())
    doubt = next(e for e in events if e.get("text", "").startswith("ik weet niet of ik slim"))
    assert doubt["parse_data"]["intent"]["name"] == "doubt_fit"
    context = conversation_context(events)
    assert context["bot_explained"] == ["wat je verdient in de techniek"]
    assert context["suggested_next_step"] == "Kennismakingsgesprek over wat bij deze persoon past."
    relabelled = copy.deepcopy(events)
    for event in relabelled:
        if event.get("text") == "Ik ben gestopt met school":
            event["parse_data"]["intent"] = {"name": "nlu_fallback", "confidence": 0.3}
    assert [e["text"] for e in free_turns(relabelled)] == ["wat verdien je in de techniek", "/request_human"]
    assert conversation_context(relabelled) == context


def test_an_english_conversation_tells_the_counsellor_spreekt_engels():
    """Issue 23: the language slot's last value; a line under "Let op", never the person's words."""
    from bot.handoff.context import SPEAKS_ENGLISH

    def language(value):
        return {"event": "slot", "name": "language", "value": value}

    english = [user("ask_salary", "how much do electricians earn"), language("en"), user("affirm", "yes")]
    assert conversation_context(english)["attention"] == [SPEAKS_ENGLISH]
    assert SPEAKS_ENGLISH.startswith("Spreekt Engels")
    back_to_dutch = english + [user("ask_jobs", "welk werk is er"), language("nl")]
    assert "attention" not in conversation_context(back_to_dutch)
    assert "attention" not in conversation_context(EVENTS)


def test_spreekt_engels_reaches_the_counsellors_mail():
    from bot.handoff.context import SPEAKS_ENGLISH
    from bot.handoff.render import render_email
    from bot.handoff.summary import build_summary
    from bot.store.models import Lead
    from tests.handoff_support import COUNSELLOR, FRIDAY_AFTERNOON, lead_kwargs

    lead = Lead(**lead_kwargs(id="GP-7K3M9Q", first_name="Sam", age=17, postcode="4331 AB", channel="rest",
                              conversation_id="c1", contact={"method": "email", "value": "sam@example.org"},
                              created_at=FRIDAY_AFTERNOON, consent_at=FRIDAY_AFTERNOON, status="new"))
    context = conversation_context([user("greet", "hello there"), {"event": "slot", "name": "language", "value": "en"}])
    _, text, html = render_email(build_summary(lead, COUNSELLOR, context, now=FRIDAY_AFTERNOON), [], "key-1")
    assert "LET OP" in text and SPEAKS_ENGLISH in text and "Spreekt Engels" in html
