"""One audit trail per lead: the hand-off's status events move into ``lead_events``.

Until now the hand-off wrote every status change twice: into ``handoff_status_events`` (columns
old_status/new_status/source) and into ``lead_events`` (actor "handoff:<source>"). Rows that exist in
both are not copied again; rows only the hand-off table has (written before the intake's trail
existed) are copied with the same actor name, then the table is dropped. The downgrade rebuilds the
table from the "handoff:" rows of ``lead_events``.

Revision ID: 0101
Revises: 0100
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0100"
branch_labels = None
depends_on = None

# 'handoff:' || source works on SQLite and PostgreSQL alike.
_COPY_UP = """
INSERT INTO lead_events (lead_id, at, from_status, to_status, actor, note)
SELECT s.lead_id, s.at, s.old_status, s.new_status, 'handoff:' || s.source, NULL
FROM handoff_status_events s
WHERE NOT EXISTS (
    SELECT 1 FROM lead_events e
    WHERE e.lead_id = s.lead_id AND e.at = s.at AND e.to_status = s.new_status
      AND e.actor = 'handoff:' || s.source)
ORDER BY s.id
"""

_COPY_DOWN = """
INSERT INTO handoff_status_events (lead_id, at, old_status, new_status, source)
SELECT lead_id, at, from_status, to_status, substr(actor, 9)
FROM lead_events WHERE actor LIKE 'handoff:%' ORDER BY id
"""


def upgrade() -> None:
    op.execute(_COPY_UP)
    op.drop_index("ix_handoff_status_events_lead_id", table_name="handoff_status_events")
    op.drop_table("handoff_status_events")


def downgrade() -> None:
    op.create_table(
        "handoff_status_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_status", sa.String(32)),
        sa.Column("new_status", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )
    op.create_index("ix_handoff_status_events_lead_id", "handoff_status_events", ["lead_id"])
    op.execute(_COPY_DOWN)
