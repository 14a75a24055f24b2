from bot.conversation.why import GENERAL, explanation_for


def test_each_intake_question_has_an_explanation():
    assert explanation_for("first_name") == "utter_why_first_name"
    assert explanation_for("age") == "utter_why_age"
    assert explanation_for("postcode") == "utter_why_postcode"
    assert explanation_for("consent") == "utter_why_consent"
    assert explanation_for("explore_place") == "utter_why_explore"


def test_unknown_or_no_question_gets_the_general_explanation():
    assert explanation_for(None) == GENERAL
    assert explanation_for("something_new") == GENERAL
