"""Issue 23 over the real stack: salary with figures and, asked again, the next detail; "wat betekent
...?" from the glossary; never the same answer twice in a row. Written the way people type."""
import pytest

from tests.listening import Talk

pytestmark = [pytest.mark.e2e, pytest.mark.listening]

EURO = r"€ ?\d\.\d{3}"


def test_salary_asked_again_per_month_gives_figures_and_a_different_text(stack):
    talk = Talk(stack, "salary-again")
    first = talk.say("hoeveel verdien je eigenlijk in de techniek")
    talk.expect(EURO)
    talk.expect(r"bruto per maand")
    talk.expect(r"Een cao is een afspraak over loon tussen werkgevers en vakbonden")
    again = talk.say("ja maar hoeveel dan?? per maand")
    talk.expect(EURO)
    assert again != first
    bbl = talk.say("en met bbl?")
    talk.expect(r"BBL")
    talk.expect(EURO)
    assert bbl not in (first, again)
    talk.check_no_repeats()


def test_bbl_pay_by_age_from_the_minimum_wage(stack):
    talk = Talk(stack, "salary-bbl")
    talk.say("wat verdien je als bbl leerling?")
    talk.expect(r"18 jaar krijg je minstens € 1\.\d{3} bruto per maand")
    talk.expect(r"vanaf 21 jaar € 2\.\d{3}")
    talk.press("Wat is BBL?")
    talk.expect(r"1 dag per week naar school")  # the training answer, not pay again
    talk.say("en hoeveel krijg je dan?")
    talk.expect(EURO)
    talk.press("En later, met ervaring?")
    talk.expect(r"vakkracht")
    talk.expect(EURO)
    talk.check_no_repeats()


def test_salary_for_ict_names_ict_figures(stack):
    talk = Talk(stack, "salary-ict")
    talk.say("wat verdien je in de ict")
    talk.expect(r"In de ICT verdien je als starter")
    talk.expect(EURO)
    talk.say("en in de ict dan, als starter?")
    talk.refuse(r"In de ICT verdien je als starter")  # not the same text twice in a row
    talk.expect(r"€|adviseur")
    talk.check_no_repeats()


def test_salary_buttons_walk_through_every_detail_without_repeating(stack):
    talk = Talk(stack, "salary-walk")
    talk.say("salaris?")
    talk.press("En met BBL?")
    talk.expect(r"BBL-leerling")
    talk.press("En later, met ervaring?")
    talk.expect(r"ervaring")
    talk.press("En in mijn regio?")
    talk.expect(r"regio")
    talk.expect(r"adviseur")
    talk.say("en hoeveel verdien je nou")
    talk.expect(EURO)
    talk.check_no_repeats()


def test_what_is_a_cao(stack):
    talk = Talk(stack, "meaning-cao")
    talk.say("wat is een cao")
    talk.expect(r"Een cao is een afspraak over loon tussen werkgevers en vakbonden")
    talk.say("en wat bedoel je met bruto")
    talk.expect(r"voordat de belasting")
    talk.check_no_repeats()


def test_what_does_werkdagen_mean(stack):
    talk = Talk(stack, "meaning-werkdagen")
    talk.say("wat betekent werkdagen?")
    talk.expect(r"maandag tot en met vrijdag")
    talk.refuse(r"Geen dank")
    talk.say("Wat betekent referentie")
    talk.expect(r"nummer van je aanvraag")
    talk.check_no_repeats()


def test_a_word_the_bot_does_not_know_gets_an_honest_answer(stack):
    talk = Talk(stack, "meaning-unknown")
    talk.say("wat betekent ploegentoeslag?")
    talk.expect(r"kan ik nog niet goed uitleggen")
    talk.refuse(r"Geen dank")
    talk.check_no_repeats()


def test_a_repeated_jobs_question_gets_a_new_answer(stack):
    talk = Talk(stack, "jobs-again")
    first = talk.say("welk werk kan je doen in de bouw")
    talk.expect(r"bouw")
    second = talk.say("welk werk is er in de bouw dan")
    assert second != first
    talk.expect(r"Nog een voorbeeld")
    third = talk.say("bouw?")
    assert third != second
    talk.check_no_repeats()


def test_a_repeated_doubt_gets_a_way_on(stack):
    talk = Talk(stack, "doubt-again")
    talk.say("ik ben echt slecht in wiskunde")
    talk.expect(r"reken")
    talk.say("maar ik ben echt heel slecht in wiskunde hoor")
    talk.refuse(r"Veel mensen vonden wiskunde op school lastig")
    talk.expect(r"adviseur")
    talk.check_no_repeats()
