"""The bot points to the region's initiatives that fit the person (issue 28 item 5): before the
events, with a link; by age and interests; never a paused or stopped one."""
from __future__ import annotations

import pytest

from bot.content.initiatives import all_initiatives, fitting
from tests.listening import Talk


def test_only_active_initiatives_of_the_region_that_fit_the_age():
    for item in fitting("AM24", "12-15"):
        assert item.region_code == "AM24" and item.initiative.status == "actief"
        target = item.initiative.target
        assert (target.age_min or 0) <= 15 and (target.age_max or 99) >= 12
    too_old = fitting("AM24", "46-55")
    assert all((i.initiative.target.age_max or 99) >= 46 for i in too_old)
    assert fitting(None, "16-17") == []


def test_a_shared_interest_comes_first_and_a_mismatch_is_left_out():
    zeeland = [i for i in all_initiatives() if i.region_code == "AM24" and i.initiative.status == "actief"]
    named = next(i for i in zeeland if i.initiative.target.interests)  # the shipped packs have one (Goes)
    interest = named.initiative.target.interests[0]
    assert fitting("AM24", None, [interest])[0] == named
    other = next(i for i in ("ict", "bouw", "mobiliteit", "metaal", "installatie")
                 if i not in named.initiative.target.interests)
    assert named not in fitting("AM24", None, [other])


@pytest.mark.e2e
@pytest.mark.listening
def test_asking_for_open_days_in_goes_shows_the_regions_initiatives_first(stack):
    talk = Talk(stack, "initiatives-point")
    talk.say("wanneer zijn er open dagen?")
    answer = talk.say("Goes")
    talk.expect(r"in jouw regio doen ze dit", answer)
    talk.expect(r"https://\S+", answer)
    talk.refuse(r"\(voorbeeld\)", answer)
    talk.check_no_repeats()
