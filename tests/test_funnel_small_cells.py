"""Small counts do not leak from the funnel export (issue 25 item 5): sums of fewer than 5 leads are
hidden, empty cells are listed too, and a lone hidden cell cannot be worked out from the others."""
import csv
import io

from bot.analytics.consume import add_count
from bot.analytics.report import HIDDEN_SUM, SUPPRESSED, csv_export, protect
from bot.store.db import new_session

WEEK = "2026-W49"


def _rows(text):
    return {(r["regio"], r["kanaal"], r["leeftijd"], r["meting"]): r["aantal"]
            for r in csv.DictReader(io.StringIO(text))}


def test_one_young_persons_contact_hours_are_hidden_and_empty_cells_listed(tmp_path):
    url = f"sqlite:///{tmp_path}/f.db"
    with new_session(url) as session, session.begin():
        add_count(session, (WEEK, "AM24", "web", "12-15"), "contact_in_time", 1)
        add_count(session, (WEEK, "AM24", "web", "12-15"), "contact_hours", 17)
        add_count(session, (WEEK, "AM24", "web", "16-17"), "step:started", 9)
        add_count(session, (WEEK, "AM02", "web", "16-17"), "step:started", 30)
    rows = _rows(csv_export(url, WEEK))
    assert rows[("AM24", "web", "12-15", "contact_hours")] == HIDDEN_SUM
    assert "17" not in {v for k, v in rows.items() if k[3] == "contact_hours"}
    # an empty cell is there as well, looking the same as one with 1 to 4
    assert rows[("AM24", "web", "16-17", "contact_in_time")] == SUPPRESSED
    assert rows[("AM24", "web", "12-15", "contact_in_time")] == SUPPRESSED
    assert rows[("AM01", "web", "16-17", "step:started")] == SUPPRESSED


def test_a_lone_hidden_cell_takes_the_smallest_shown_one_with_it():
    cells = {"a": 3, "b": 9, "c": 40}
    out = protect(cells, lambda _k: "one group")
    assert out == {"a": SUPPRESSED, "b": SUPPRESSED, "c": "40"}
    # two hidden cells already protect each other
    assert protect({"a": 3, "b": 2, "c": 40}, lambda _k: 1) == {"a": SUPPRESSED, "b": SUPPRESSED, "c": "40"}
