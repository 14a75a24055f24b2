"""The redactor (bot.analytics.redact) on 30 realistic questions: the personal data goes, the
question stays readable for the content team."""
import pytest

from bot.analytics.redact import redact, signature, similar

# (sentence, personal data that must be gone, words that must stay)
CASES = [
    ("Hoi ik ben Sanne de Vries en woon in Goes, bel me op 06-12345678", ["Sanne", "Vries", "12345678"], ["Goes"]),
    ("mijn mail is sanne.devries@gmail.com, postcode 4331 AB", ["sanne.devries", "gmail", "4331"], ["postcode"]),
    ("Ik heet mohammed en ik ben 17 jaar", ["mohammed", "17"], ["jaar"]),
    ("Is er een open dag in Den Haag op 12 maart?", ["12 maart"], ["open dag", "Den Haag"]),
    ("Kan ik bij ASML werken als ik 16 ben?", ["16"], ["ASML", "werken"]),
    ("Mijn broer Kevin werkt bij Tata Steel in IJmuiden", ["Kevin"], ["broer", "werkt"]),
    ("Check www.techniek.nl/opleiding of https://voorbeeld.org/a?b=1", ["techniek.nl", "voorbeeld.org"], ["Check"]),
    ("Ben ik te oud voor een BBL opleiding?", [], ["Ben ik te oud", "BBL"]),
    ("Groetjes, Lotte", ["Lotte"], ["Groetjes"]),
    ("Mijn telefoonnummer is +31 6 2345 6789, bel na 16:30", ["2345", "6789", "16:30"], ["bel"]),
    ("ik woon op de Dorpsstraat 12 in Kamperland", ["Dorpsstraat", "12"], ["woon"]),
    ("Ik ben geboren op 03-04-2009, mag ik al een BBL doen?", ["03-04-2009", "2009"], ["BBL"]),
    ("mijn naam is jan-willem bakker, wat verdient een lasser?", ["jan-willem", "bakker"], ["lasser"]),
    ("Ik ben Fatima en ik wil elektricien worden", ["Fatima"], ["elektricien"]),
    ("Kunnen jullie mailen naar kees1998@hotmail.nl over de opleiding?", ["kees1998", "hotmail"], ["opleiding"]),
    ("Ik zit op het Da Vinci College in Dordrecht en wil stoppen", [], ["Da Vinci College", "Dordrecht", "stoppen"]),
    ("Is de garantie ook voor mensen van 45 jaar zoals ik?", ["45"], ["garantie"]),
    ("vraag van Pieter Jansen: wat is een BOL-opleiding", ["Pieter", "Jansen"], ["BOL"]),
    ("mijn rekeningnummer is NL91ABNA0417164300 voor de reiskosten", ["NL91ABNA0417164300", "0417164300"], ["reiskosten"]),
    ("bel mijn moeder Ingrid op 0612345678", ["Ingrid", "0612345678"], ["moeder"]),
    ("Hallo, ik ben zeventien en wil iets met auto's", ["zeventien"], ["auto's"]),
    ("Werken bij Rijkswaterstaat in Zeeland, kan dat met een vmbo diploma?", [], ["Rijkswaterstaat", "Zeeland"]),
    ("Mijn mentor meneer Bakker zegt dat ik moet bellen met 010 - 123 45 67", ["Bakker", "123 45 67"], ["mentor"]),
    ("Kan ik langskomen op 2 december om 14.00 uur?", ["2 december", "14.00"], ["langskomen"]),
    ("Ik ben Emma van der Berg uit 5611 AZ Eindhoven", ["Emma", "Berg", "5611"], ["Eindhoven"]),
    ("Mijn vriendin Aisha wil ook techniek doen", ["Aisha"], ["techniek"]),
    ("stuur een bericht naar @lucas_techniek op telegram", ["lucas"], ["telegram"]),
    ("Wat zijn de werktijden bij Philips in Best?", [], ["Philips", "werktijden"]),
    ("groeten van Daan, 06 98765432", ["Daan", "98765432"], []),
    ("Ik ben 23, heb een strafblad, kan ik dan nog monteur worden?", ["23"], ["strafblad", "monteur"]),
]


def test_there_are_thirty_varied_sentences():
    assert len(CASES) == 30
    assert len({sentence for sentence, _gone, _kept in CASES}) == 30


@pytest.mark.parametrize("sentence,gone,kept", CASES, ids=[f"zin-{i + 1}" for i in range(len(CASES))])
def test_personal_data_is_removed_and_the_question_stays(sentence, gone, kept):
    clean = redact(sentence)
    for piece in gone:
        assert piece.lower() not in clean.lower(), f"{piece!r} left in {clean!r}"
    for word in kept:
        assert word.lower() in clean.lower(), f"{word!r} lost from {clean!r}"
    assert clean.strip()


def test_no_digits_survive():
    for sentence, _gone, _kept in CASES:
        assert not any(ch.isdigit() for ch in redact(sentence)), redact(sentence)


def test_similar_questions_share_a_group_and_different_ones_do_not():
    a = signature(redact("Wat verdient een elektricien per maand?"))
    b = signature(redact("wat verdient een elektricien in de maand"))
    c = signature(redact("Is er een open dag in Goes?"))
    assert similar(a, b)
    assert not similar(a, c)
