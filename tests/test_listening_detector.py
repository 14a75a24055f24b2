"""The repeat detector itself (tests/listening.py): it must catch what a person notices, and pass
a conversation that only looks alike."""
from tests.listening import repeat_problems, questions_in


def test_same_message_twice_in_a_row_is_caught():
    turns = [["Hoe oud ben je?"], ["Ik zie geen leeftijd.", "Hoe oud ben je?"], ["Hoe oud ben je?"]]
    assert any("twice in a row" in p for p in repeat_problems(turns))


def test_same_reply_to_two_messages_is_caught():
    turns = [["Dat verschilt per cao.", "Met BBL verdien je al."], ["Dat verschilt per cao.", "Met BBL verdien je al."]]
    problems = repeat_problems(turns)
    assert any("same reply" in p for p in problems)


def test_a_question_asked_four_times_is_caught_three_times_is_not():
    three = [["Hoe oud ben je?"], ["Oké."], ["Hoe oud ben je?"], ["Top."], ["Hoe oud ben je?"]]
    assert repeat_problems(three) == []
    four = three + [["Prima."], ["Sorry. Hoe oud ben je?"]]
    assert any("asked 4 times" in p for p in repeat_problems(four))


def test_different_answers_pass():
    turns = [["Hoi! Ik ben de assistent."], ["Wat is je postcode?"], ["Gevonden: Goes.", "Hoe wil je contact?"]]
    assert repeat_problems(turns) == []


def test_questions_are_split_per_sentence():
    assert questions_in("Oké. Wat is je postcode? Je woonplaats mag ook.") == ["wat is je postcode?"]
