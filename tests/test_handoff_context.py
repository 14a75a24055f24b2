from bot.handoff.context import MAX_CHARS, conversation_context


def user(intent, text):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def test_context_keeps_own_words_and_skips_button_payloads():
    events = [
        {"event": "bot", "text": "Hoi!"},
        user("greet", "hoi"),
        user("ask_salary", "wat verdien je als monteur"),
        user("ask_salary", "en als elektricien?"),
        user("doubt_fit", "ik ben echt slecht in wiskunde"),
        user("out_of_scope", "wie wint het WK"),
        user("request_human", "/request_human"),
        user("request_human", "ik wil graag bellen met iemand over BBL"),
    ]
    context = conversation_context(events)
    assert context["bot_explained"] == ["wat je verdient in de techniek", "twijfels of techniek bij je past"]
    assert context["hesitations"] == ["ik ben echt slecht in wiskunde"]
    assert context["unanswered_questions"] == ["wie wint het WK"]
    assert context["reason"] == "ik wil graag bellen met iemand over BBL"
    assert "twijfels" in context["suggested_next_step"]


def test_context_is_bounded_and_empty_when_nothing_said():
    assert conversation_context([]) == {
        "bot_explained": [], "hesitations": [], "unanswered_questions": [], "reason": None,
        "suggested_next_step": "Kennismakingsgesprek over wat bij deze persoon past.",
    }
    long = conversation_context([user("doubt_fit", "ik twijfel " * 200)] +
                                [user("doubt_fit", f"twijfel nummer {n}") for n in range(10)])
    assert len(long["hesitations"]) == 5
    assert len(long["hesitations"][0]) == MAX_CHARS
    assert conversation_context([user("request_human", "/request_human")])["reason"] is None
