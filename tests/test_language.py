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
