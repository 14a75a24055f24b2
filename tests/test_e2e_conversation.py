"""The conversation over Rasa's REST channel (real action server + Rasa): exploration with a
mid-form bot question, 'waarom vraag je dat?' and 'stop' inside the intake form, misses and
another language."""
import pytest

pytestmark = pytest.mark.e2e


def test_exploration_with_bot_question_ends_in_jobs_and_next_step(stack):
    sender = "e2e-conv-explore"
    assert "chatbot" in stack.texts(sender, "hoi").lower()
    assert "handen" in stack.texts(sender, "/explore_options")
    assert "binnen" in stack.texts(sender, '/inform{"explore_choice":"hoofd"}')
    interrupted = stack.texts(sender, "ben jij een bot?")
    assert "AI-chatbot" in interrupted and "binnen" in interrupted  # answers, then asks again
    assert "liefst" in stack.texts(sender, "lekker binnen")  # typed answer, not a button
    result = stack.say(sender, '/inform{"explore_choice":"gamen"}')
    jobs = [m["text"] for m in result if m.get("text", "").startswith("🔧")]
    assert 2 <= len(jobs) <= 3
    assert any(b["payload"] == "/request_human" for b in result[-1].get("buttons", []))


def test_intake_can_be_questioned_and_stopped(stack):
    sender = "e2e-conv-intake"
    stack.texts(sender, "/request_human")
    why = stack.say(sender, "waarom vraag je dat?")
    text = "\n".join(m.get("text", "") for m in why)
    assert "niet goed als naam" not in text  # not swallowed as an answer to the question
    assert "leeftijd" in why[0]["text"]  # explained (age is the first question) ...
    assert len(why) >= 2  # ... and then the form asks its question again
    assert "stop" in stack.texts(sender, "/stop").lower()


def test_second_miss_offers_a_counsellor_and_english_gets_english(stack):
    sender = "e2e-conv-miss"
    first = stack.say(sender, "/out_of_scope")
    assert any(w in first[0]["text"] for w in ("weet ik", "snap ik", "geen antwoord"))
    assert not any(b["payload"] == "/request_human" for m in first for b in m.get("buttons", []))
    second = stack.say(sender, "/out_of_scope")
    assert any(b["payload"] == "/request_human" for m in second for b in m.get("buttons", []))
    english = stack.texts("e2e-conv-english", "do you speak english")
    assert "I speak English" in english  # issue 23 item 11: English is answered in English
