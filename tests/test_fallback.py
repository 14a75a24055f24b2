from bot.conversation.fallback import (FALLBACK_ACTION, FIRST_MISS, OTHER_LANGUAGE, SECOND_MISS, choose_response,
                          previous_turn_was_miss)


def user(text="x"):
    return {"event": "user", "text": text}


def action(name):
    return {"event": "action", "name": name}


def test_first_miss_lists_what_the_bot_can_do():
    events = [action("action_session_start"), action("action_listen"), user("banaan")]
    assert choose_response("banaan", events) == FIRST_MISS


def test_second_miss_in_a_row_offers_a_counsellor():
    events = [user("banaan"), action(FALLBACK_ACTION), action("action_listen"), user("appel")]
    assert previous_turn_was_miss(events)
    assert choose_response("appel", events) == SECOND_MISS


def test_a_good_answer_in_between_resets_the_count():
    events = [user("banaan"), action(FALLBACK_ACTION), action("action_listen"),
              user("wat is bbl"), action("action_answer_topic"), action("action_listen"), user("appel")]
    assert not previous_turn_was_miss(events)
    assert choose_response("appel", events) == FIRST_MISS


def test_a_restart_resets_the_count():
    events = [user("banaan"), action(FALLBACK_ACTION), {"event": "restart"}, user("appel")]
    assert not previous_turn_was_miss(events)


def test_other_language_gets_the_english_answer_even_on_a_second_miss():
    events = [user("banaan"), action(FALLBACK_ACTION), user("do you speak english please")]
    assert choose_response("do you speak english please", events) == OTHER_LANGUAGE


def test_english_is_no_other_language_any_more_but_other_languages_are():
    # issue 23: English gets the normal misses (their English variations); asking for English gets "yes"
    assert choose_response("what is the weather like in london", [user("x")]) == FIRST_MISS
    assert choose_response("can you answer in english", [user("x")]) == OTHER_LANGUAGE
    assert choose_response("szukam pracy, czy mówisz po angielsku", [user("x")]) == OTHER_LANGUAGE
