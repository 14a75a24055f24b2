"""Validators: table-driven cases plus hypothesis properties for the postcode and phone normalisers."""
import re
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from bot.intake import validation as v
from bot.intake.phone import format_phone, is_mobile, normalise_email, normalise_phone, normalise_telegram


@pytest.mark.parametrize("text, expected", [
    ("1234AB", "1234AB"), ("1234 ab", "1234AB"), ("  4331 Ab ", "4331AB"), ("1234", "1234"),
    ("0123AB", None), ("123AB", None), ("12345", None), ("1234 A", None), ("abcd", None), ("", None),
    (None, None), ("1234ABC", None),
])
def test_normalise_postcode(text, expected):
    assert v.normalise_postcode(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("06-12345678", "+31612345678"), ("06 12 34 56 78", "+31612345678"), ("0612345678", "+31612345678"),
    ("+31 6 12345678", "+31612345678"), ("+31612345678", "+31612345678"), ("0031612345678", "+31612345678"),
    ("+31 (0)6 1234 5678", "+31612345678"), ("(06) 123 456 78", "+31612345678"), ("612345678", "+31612345678"),
    ("06.12.34.56.78", "+31612345678"), ("+31 06 12345678", "+31612345678"),
    ("010-1234567", "+31101234567"), ("020 123 4567", "+31201234567"), ("0118-123456", "+31118123456"),
    ("085 123 4567", "+31851234567"),
    ("0800-1234", None), ("0900 1234567", None), ("+32 470 12 34 56", None), ("0612345", None),
    ("061234567890", None), ("bel me", None), ("", None), (None, None), ("06-1234abcd", None),
])
def test_normalise_phone(text, expected):
    assert normalise_phone(text) == expected


def test_digits_from_other_scripts_are_read_as_digits():
    assert normalise_phone("٠٦١٢٣٤٥٦٧٨") == "+31612345678"
    assert normalise_phone("０６－１２３４５６７８") in ("+31612345678", None)
    assert normalise_phone("06 1234567٨") == "+31612345678"


def test_mobile_and_display():
    assert is_mobile("+31612345678") and not is_mobile("+31101234567") and not is_mobile("+31661234567")
    assert format_phone("+31612345678") == "06 12345678"
    assert format_phone("+31101234567") == "010 1234567"


@pytest.mark.parametrize("text, expected", [
    ("sam@example.org", "sam@example.org"), ("Sam.de.Vries@Example.NL", "Sam.de.Vries@example.nl"),
    (" <sam+tech@school.nl> ", "sam+tech@school.nl"), ("mailto:sam@x.nl", "sam@x.nl"),
    ("sam@", None), ("sam@example", None), ("sam example.org", None), ("sam@@example.org", None),
    ("sam@ex ample.org", None), (".sam@example.org", None), ("sam@-example.org", None), ("", None),
])
def test_normalise_email(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("@sam_2008", "@sam_2008"), ("sam_2008", "@sam_2008"), ("@sam", None), ("@1sam2008", None),
])
def test_normalise_telegram(text, expected):
    assert normalise_telegram(text) == expected


@pytest.mark.parametrize("text, band, error_word", [
    ("17", "16-17", None), ("ik ben 15", "12-15", None), (12, "12-15", None), ("16 jaar", "16-17", None),
    ("zestien", "16-17", None), ("67", "56-67", None), ("24", "24-27", None),
    ("11", None, "12 jaar"), ("8", None, "12 jaar"), ("68", None, "67"), ("120", None, "67"),
    ("oud", None, "cijfers"), ("", None, "cijfers"),
])
def test_age_band(text, band, error_word):
    checked = v.check_age_band(text)
    assert checked.value == band
    if error_word:
        assert error_word in checked.error


def test_age_bands_cover_12_to_67_without_gaps():
    for age in range(12, 68):
        low, high = map(int, v.age_band(age).split("-"))
        assert low <= age <= high
    assert v.is_minor_band("12-15") and not v.is_minor_band("16-17")


@pytest.mark.parametrize("text, code", [
    ("Ik zit op school", "school"), ("ik doe mbo", "school"), ("Ik ben gestopt met school", "gestopt"),
    ("ik zoek werk", "werkzoekend"), ("Ik werk", "werk"), ("iets anders", "anders"), ("banaan", None),
])
def test_situation(text, code):
    assert v.check_situation(text).value == code


@pytest.mark.parametrize("text, choices, free", [
    ("Bouw en infra", ["bouw"], None), ("iets met computers en lassen", ["metaal", "ict"], "iets met computers en lassen"),
    ("ik wil dingen maken met mijn handen", [], "ik wil dingen maken met mijn handen"),
])
def test_interests(text, choices, free):
    value = v.check_interests(text).value
    assert sorted(value["choices"]) == sorted(choices) and value["text"] == free


@pytest.mark.parametrize("method, text, value", [
    ("phone", "06 12345678", "+31612345678"), ("email", "sam@example.org", "sam@example.org"),
    ("telegram", "@sam_2008", "@sam_2008"), ("telegram", "0612345678", "+31612345678"),
    ("phone", "sam@example.org", None), ("email", "0612345678", None),
])
def test_contact_value(method, text, value):
    assert v.check_contact_value(method, text).value == value


def test_every_error_is_kind_dutch_text():
    for checked in (v.check_age_band("x"), v.check_situation("x"), v.check_contact_value("phone", "x"),
                    v.check_contact_value("email", "x"), v.check_contact_time("x"), v.check_first_name("<b>")):
        assert checked.error and checked.value is None and len(checked.error) < 300


# --- properties ---------------------------------------------------------------------------------
@given(digits=st.integers(1000, 9999), letters=st.text("ABCDEFGHJKLMNPRSTVWXZabcdefghjklmnprstvwxz", min_size=2, max_size=2),
       space=st.sampled_from(["", " ", "  "]), pad=st.sampled_from(["", " "]))
def test_postcode_property_any_spacing_and_case_normalises_to_canonical(digits, letters, space, pad):
    text = f"{pad}{digits}{space}{letters}{pad}"
    assert v.normalise_postcode(text) == f"{digits}{letters.upper()}"


@given(st.text(max_size=30))
def test_postcode_property_result_is_canonical_or_none(text):
    result = v.normalise_postcode(text)
    assert result is None or re.fullmatch(r"[1-9]\d{3}([A-Z]{2})?", result)
    if result is not None:
        assert v.normalise_postcode(result) == result  # idempotent


_national = st.from_regex(r"\A[1-57]\d{8}\Z|\A6[1-58]\d{7}\Z", fullmatch=True)
_notations = st.sampled_from(["0{n}", "+31{n}", "0031{n}", "+31 (0){n}", "0{a}-{b}", "+31 {a} {b}", "0{a} {b}"])


@settings(max_examples=300)
@given(national=_national, notation=_notations, split=st.integers(1, 8))
def test_phone_property_every_notation_gives_the_same_e164(national, notation, split):
    text = notation.format(n=national, a=national[:split], b=national[split:])
    # hypothesis draws \d from every script; the stored number is always plain ASCII digits
    assert normalise_phone(text) == "+31" + "".join(str(unicodedata.decimal(c)) for c in national)


@given(st.text(max_size=40))
def test_phone_property_output_is_e164_and_idempotent(text):
    result = normalise_phone(text)
    assert result is None or re.fullmatch(r"(?a)\+31[1-8]\d{8}", result)
    if result is not None:
        assert normalise_phone(result) == result


# --- Typed instead of pressed, and in English (issue 13) -------------------------------------------
@pytest.mark.parametrize("text", ["ik weet het niet", "sorry I don't speak Dutch", "waarom wil je dat weten",
                                  "nee wacht", "ik wil eerst weten wat jullie doen met mijn naam"])
def test_sentences_are_no_first_names(text):
    assert not v.check_first_name(text).ok


@pytest.mark.parametrize("text, name", [("my name is Sam", "Sam"), ("Jan de Vries", "Jan de Vries"),
                                        ("anne-marie", "Anne-marie"), ("ik heet Noor", "Noor")])
def test_first_names_typed_in_a_sentence(text, name):
    assert v.check_first_name(text).value == name


@pytest.mark.parametrize("text, code", [("ik weet het niet", "overgeslagen"), ("geen idee", "overgeslagen"),
                                        ("I work", "werk"), ("I am looking for work", "werkzoekend"),
                                        ("ik ben gestopt met school", "gestopt")])
def test_situation_typed(text, code):
    assert v.check_situation(text).value == code


def test_interests_match_whole_short_words_only():
    assert v.check_interests("iets met auto's").value["choices"] == ["mobiliteit"]  # "it" is not inside "iets"
    assert v.check_interests("IT").value["choices"] == ["ict"]
    assert v.check_interests("ik weet het niet").value["choices"] == ["weet_niet"]
    assert v.check_interests("cars and welding").value["choices"] == ["metaal", "mobiliteit"]


def test_contact_typed_in_english():
    assert v.check_contact_method("please call me").value == "phone"
    assert v.check_contact_time("in the evening").value == "avond"
