import pytest

from bot.conversation.language import looks_non_dutch


@pytest.mark.parametrize("text", [
    "do you speak english",
    "I don't speak dutch, can you help me",
    "hello, I am looking for a job",
    "ich suche Arbeit als Elektriker",
    "szukam pracy, czy mówisz po angielsku",
    "هل تتكلم العربية",
    "шукаю роботу",
])
def test_other_languages_are_recognised(text):
    assert looks_non_dutch(text)


@pytest.mark.parametrize("text", [
    "idk wat ik wil",
    "ik ben nog niet ready",
    "wrm vraag je dat",
    "hoeveel verdien je als monteur",
    "ik spreek weinig nederlands",
    "mijn nederlands is niet goed, sorry",
    "ok",
    "hello",
    "/request_human",
    "",
    None,
    "1234 AB",
    "💪💪",
])
def test_dutch_and_short_messages_stay_dutch(text):
    assert not looks_non_dutch(text)


# --- Dutch or English (issue 23, item 11) ----------------------------------------------------------
from bot.conversation.language import button_payloads, detect_language  # noqa: E402


@pytest.mark.parametrize("text", [
    "how much do electricians earn",
    "can i talk to a real person",
    "im 19 and i live in rotterdam",
    "what is bbl",
    "do you speak english?",
    "Hello there, I am looking for a job in construction",
    "I don't speak dutch",
    "what do you need my postcode for",
    "thank you so much",
    "can you help me pls",
])
def test_clearly_english_messages_are_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", [
    "idk wat ik wil",
    "ik ben nog niet ready",
    "hoeveel verdien je als monteur",
    "wat is bbl",
    "ik wil met een mens praten",
    "nee dank je",
    "bro ik snap het niet",
    "sorry mijn engels is niet goed, kan het in het nederlands",
    "can you help me, ik spreek geen goed nederlands",
    "ik ben 19",
])
def test_clearly_dutch_messages_are_dutch_even_with_loanwords(text):
    assert detect_language(text) == "nl"


@pytest.mark.parametrize("text", [
    "ok", "ja", "nee", "yes pls", "no thanks", "hello", "hi", "sorry", "3012 AB", "Sam", "Rotterdam",
    "06 12345678", "sam@example.org", "/request_human", "/deny{\"confirmed\": \"change\"}", "", None, "💪💪",
    # other languages: no English switch, they keep the short English answer with a counsellor
    "szukam pracy, czy mówisz po angielsku", "merhaba, iş arıyorum", "ich suche Arbeit als Elektriker",
    "هل تتكلم العربية", "шукаю роботу", "busco trabajo",
])
def test_unsure_and_other_languages_say_nothing(text):
    assert detect_language(text) is None


def test_a_text_button_says_nothing_although_it_is_dutch():
    # The English title of a button sends the same Dutch payload, so pressing it never switches back.
    assert "ik zit op school" in button_payloads()
    assert detect_language("Ik zit op school") is None
    assert detect_language("Ik zit op school", payloads=[]) == "nl"  # typed without the button: Dutch
