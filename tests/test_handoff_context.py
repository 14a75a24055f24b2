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
        "bot_explained": [], "suggested_next_step": "Kennismakingsgesprek over wat bij deze persoon past."}
    many = [user(intent, "x") for intent in ("ask_jobs", "ask_salary", "ask_training", "ask_guarantee",
                                             "ask_events", "explore_options", "doubt_fit")]
    assert len(conversation_context(many)["bot_explained"]) == MAX_ITEMS
