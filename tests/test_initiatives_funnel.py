"""Issue 28, parts 2, 3 and 6 without a Rasa server: the initiative's code from the entry to the funnel,
the numbers per initiative with k >= 5 and complementary suppression, and the quarterly report."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from actions.regional import welcome_slots
from bot.analytics import initiatives as ini
from bot.analytics.consume import apply_events, rotate
from bot.analytics.report import SUPPRESSED, protect
from bot.channels.identity import clean_metadata
from bot.content.initiatives import name_of, split_entry
from bot.store.analytics_models import AnalyticsConversation, AnalyticsInitiativeCount
from bot.store.db import get_engine, new_session
from tests.analytics_support import NOW, TS, conversation

QUARTER = "2026-Q4"


def test_entries_name_region_and_initiative():
    assert split_entry("zeeland", "beroepentuin-goes") == ("zeeland", "beroepentuin-goes")
    assert split_entry("zeeland-beroepentuin-goes") == ("zeeland", "beroepentuin-goes")  # Telegram /start
    assert split_entry("zeeland", "bestaat-niet") == ("zeeland", None)                   # a typo never counts
    assert split_entry("noord-holland-noord") == ("noord-holland-noord", None)
    slots = welcome_slots({"region": "zeeland-beroepentuin-goes"})
    assert slots["initiative"] == "beroepentuin-goes" and slots["content_region"] == "AM24"
    # the widget without data-region: the initiative's own region greets
    assert welcome_slots({"initiative": "gastles-haven-rotterdam"})["content_region"] == "AM22"
    assert welcome_slots({"region": "zeeland"}).get("initiative") is None
    assert clean_metadata({"initiative": "Beroepentuin-Goes"})["initiative"] == "beroepentuin-goes"
    assert "initiative" not in clean_metadata({"initiative": "<script>"})
    assert name_of("beroepentuin-goes") == "Beroepentuin Goes"   # "(voorbeeld)" is never shown


def _via(code, sender, upto=10):
    events = conversation(sender, TS + hash(sender) % 1000, upto)
    events.insert(1, {"sender_id": sender, "timestamp": events[0]["timestamp"], "event": "slot",
                      "name": "initiative", "value": code})
    return events


def _store(tmp_path, groups):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    get_engine(url)
    events = [e for code, n, upto in groups for i in range(n) for e in _via(code, f"web-{code}-{i}", upto)]
    events += conversation("web-plain", TS, 10)  # no initiative: counts for the region, not for any initiative
    with new_session(url) as session, session.begin():
        apply_events(session, events, NOW)
    return url


def test_the_funnel_per_initiative_with_small_cells_hidden(tmp_path):
    url = _store(tmp_path, [("bus-zeeuws-vlaanderen", 8, 10), ("beroepentuin-goes", 3, 3)])
    view = ini.overview(url, QUARTER)
    rows = {r.found.code: r for r in view.rows}
    bus, goes = rows["bus-zeeuws-vlaanderen"], rows["beroepentuin-goes"]
    assert bus.quarter["step:started"] == "8" and bus.quarter["step:handoff"] == "8"
    assert goes.quarter["step:started"] == SUPPRESSED and goes.quarter["step:handoff"] == SUPPRESSED
    assert rows["gastles-haven-rotterdam"].quarter["step:started"] == SUPPRESSED  # zero is "< 5" too
    assert bus.since_start["step:intake"] == "8"
    assert dict((label, own) for label, own, _r, _n in bus.rates)["Van gesprek naar aanvraag"] == "100%"
    assert dict((label, own) for label, own, _r, _n in goes.rates)["Van gesprek naar aanvraag"] == ini.NOT_SHOWN
    # region Zeeland: 9 conversations, 9 hand-offs; nationally 9 of 12 (the 3 stopped before the region was known)
    assert bus.rates[1][2] == "100%" and bus.rates[1][3] == "75%"
    # the row is for counts only: nothing but codes, weeks and metrics in the table
    with new_session(url) as session:
        codes = {r.initiative for r in session.execute(select(AnalyticsConversation)).scalars()}
    assert codes == {"bus-zeeuws-vlaanderen", "beroepentuin-goes", None}


def test_a_lone_small_cell_of_a_region_hides_a_second_one(tmp_path):
    url = _store(tmp_path, [("bus-zeeuws-vlaanderen", 8, 10), ("beroepentuin-goes", 3, 3),
                            ("meeloopdag-haven-vlissingen", 6, 3)])
    rows = {r.found.code: r for r in ini.overview(url, QUARTER).rows}
    # 3 is hidden; 8 and 6 shown would tell it from what the region shows, so 6 goes too
    assert rows["beroepentuin-goes"].quarter["step:started"] == SUPPRESSED
    assert rows["meeloopdag-haven-vlissingen"].quarter["step:started"] == SUPPRESSED
    assert rows["bus-zeeuws-vlaanderen"].quarter["step:started"] == "8"


def test_suppress_is_protects_rule_and_also_covers_the_quarters_of_an_initiative():
    cells = {("a", "x"): 3, ("b", "x"): 7, ("c", "x"): 9, ("a", "y"): 0, ("b", "y"): 12}
    assert ini.suppress(cells, [lambda k: k[1]]) == protect(cells, lambda k: k[1])
    # two groupings: (initiative) over quarters and (quarter) over initiatives
    grid = {("a", "Q3"): 6, ("a", "Q4"): 2, ("b", "Q3"): 20, ("b", "Q4"): 30}
    out = ini.suppress(grid, [lambda k: k[1], lambda k: k[0]])
    assert out[("a", "Q4")] == SUPPRESSED and out[("b", "Q4")] == SUPPRESSED  # Q4 of the region
    assert out[("a", "Q3")] == SUPPRESSED                                     # a's quarters add up to its total
    assert out[("b", "Q3")] == "20"


def test_after_the_week_the_counts_stay_per_initiative_and_leads_add_their_steps(tmp_path):
    url = _store(tmp_path, [("bus-zeeuws-vlaanderen", 8, 10)])
    with new_session(url) as session, session.begin():
        rotate(session, NOW + timedelta(days=8))
        lead = SimpleNamespace(initiative="bus-zeeuws-vlaanderen")
        seen = []
        add = ini.also_per_initiative(lambda s, cell, metric, n: seen.append((cell, metric, n)), lead)
        for _ in range(5):
            add(session, ("2026-W49", "AM24", "web", "16-17"), "step:appointment", 1)
    assert len(seen) == 5
    with new_session(url) as session:
        assert session.execute(select(AnalyticsConversation)).scalars().all() == []
        counts = {(r.initiative, r.metric): r.count for r in session.execute(select(AnalyticsInitiativeCount)).scalars()}
    assert counts[("bus-zeeuws-vlaanderen", "step:started")] == 8
    assert counts[("bus-zeeuws-vlaanderen", "step:appointment")] == 5
    rows = {r.found.code: r for r in ini.overview(url, QUARTER).rows}
    assert rows["bus-zeeuws-vlaanderen"].quarter["step:appointment"] == "5"
    # a later quarter: nothing this quarter, the same since the start
    later = {r.found.code: r for r in ini.overview(url, "2027-Q1").rows}["bus-zeeuws-vlaanderen"]
    assert later.quarter["step:started"] == SUPPRESSED and later.since_start["step:started"] == "8"


def test_filters_and_the_quarterly_report(tmp_path):
    url = _store(tmp_path, [("bus-zeeuws-vlaanderen", 8, 10), ("beroepentuin-goes", 3, 3)])
    assert {r.found.code for r in ini.overview(url, QUARTER, kind="gastles").rows} == {"gastles-haven-rotterdam"}
    assert "zij-instromers" in ini.overview(url, QUARTER).target_groups
    assert all("zij-instromers" in ini.target_groups_of(r.initiative)
               for r in ini.overview(url, QUARTER, target="zij-instromers").rows)
    view = ini.overview(url, QUARTER)
    text = ini.markdown(view)
    assert "Omscholen naar procestechniek (Rijnmond): omscholing, gestart" in text.replace(" (voorbeeld)", "") or \
        "Omscholen naar procestechniek" in text and "gestart" in text
    assert "gestopt" in text and "gepauzeerd" in text and "< 5" in text and "Wat lukt minder" in text
    csv_text = ini.csv_text(view)
    assert csv_text.splitlines()[0].startswith("kwartaal,regio,initiatief")
    assert "bus-zeeuws-vlaanderen" in csv_text and ",< 5," in csv_text
    assert ini.valid_quarter("2026-Q4") and not ini.valid_quarter("2026-Q5")


def test_the_command_writes_markdown_and_csv(tmp_path, monkeypatch, capsys):
    from bot.ops.cli import main

    url = _store(tmp_path, [("bus-zeeuws-vlaanderen", 8, 10)])
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["initiatieven", "rapport", "--kwartaal", "2026-Q4", "--uit", str(tmp_path / "uit")]) == 0
    text = (tmp_path / "uit" / "initiatieven-2026-Q4.md").read_text(encoding="utf-8")
    assert "| Zeeland | Bus naar de open dag in Zeeuws-Vlaanderen | bus/vervoer | actief | 8 (8) |" in text
    table = (tmp_path / "uit" / "initiatieven-2026-Q4.csv").read_text(encoding="utf-8")
    assert "2026-Q4,Zeeland,bus-zeeuws-vlaanderen,Bus naar de open dag in Zeeuws-Vlaanderen,bus/vervoer,actief,Gesprekken,8,8" in table
    assert main(["initiatieven", "rapport", "--kwartaal", "2026-Q5"]) == 2
