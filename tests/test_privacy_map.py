"""docs/privacy.md is the data map for the data-protection officer: every table and column of the
lead store must be in it (as `tabel.kolom`), so a new column cannot ship without saying what it holds,
why, who sees it and how long it is kept."""
import re
from pathlib import Path

import bot.store.analytics_models  # noqa: F401 - registers the funnel's tables on Base
import bot.store.handoff_models  # noqa: F401 - registers the hand-off tables on Base
import bot.store.workspace_models  # noqa: F401 - and the workspace tables
from bot.store.models import Base

DOC = Path(__file__).resolve().parents[1] / "docs" / "privacy.md"
ENTRY = re.compile(r"`([a-z_]+)\.([a-z_]+)`")


def documented():
    return set(ENTRY.findall(DOC.read_text(encoding="utf-8")))


def test_every_lead_store_column_is_in_the_data_map():
    columns = {(table.name, column.name) for table in Base.metadata.sorted_tables for column in table.columns}
    missing = sorted(f"{t}.{c}" for t, c in columns - documented())
    assert not missing, f"docs/privacy.md lacks: {', '.join(missing)}"


def test_the_data_map_names_no_table_or_column_that_does_not_exist():
    tables = {table.name: {c.name for c in table.columns} for table in Base.metadata.sorted_tables}
    unknown = sorted(f"{t}.{c}" for t, c in documented() if c not in tables.get(t, ()))
    assert not unknown, f"docs/privacy.md describes columns the models do not have: {', '.join(unknown)}"


def test_the_data_map_covers_every_place_outside_the_lead_store():
    text = DOC.read_text(encoding="utf-8")
    for place in ("`events`", "var/logs", "var/mail", "sessionStorage", "localStorage",
                  "var/telegram-callbacks.sqlite", "GP_TRACKER_INACTIVITY_HOURS", "GP_LEAD_RETENTION_MONTHS"):
        assert place in text, place
