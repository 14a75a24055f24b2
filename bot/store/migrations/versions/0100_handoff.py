"""Hand-off tables: outbox, delivery attempts, dead letters, cases, follow-ups, status events.

Follows the intake store (0002), which rebuilds ``leads`` in SQLite batch mode: these tables
reference ``leads`` with ON DELETE CASCADE, so they must be created after that rebuild.

Revision ID: 0100
Revises: 0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None


def _lead_fk():
    return sa.ForeignKey("leads.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "handoff_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), _lead_fk(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(500), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoff_outbox_lead_id", "handoff_outbox", ["lead_id"])
    op.create_index("ix_handoff_outbox_due", "handoff_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "handoff_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("handoff_outbox.id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_handoff_attempts_outbox_id", "handoff_attempts", ["outbox_id"])
    op.create_table(
        "handoff_dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("handoff_outbox.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("lead_id", sa.String(16), _lead_fk(), nullable=False),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("alert_outbox_id", sa.Integer),
        sa.Column("requeued_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_handoff_dead_letters_lead_id", "handoff_dead_letters", ["lead_id"])
    op.create_table(
        "handoff_cases",
        sa.Column("lead_id", sa.String(16), _lead_fk(), primary_key=True),
        sa.Column("counsellor", sa.JSON, nullable=False),
        sa.Column("promised_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True)),
        sa.Column("escalated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "handoff_follow_ups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), _lead_fk(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("channel", sa.String(16)),
        sa.Column("outcome", sa.Text),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("lead_id", "kind", "seq", name="uq_handoff_follow_up"),
    )
    op.create_index("ix_handoff_follow_ups_lead_id", "handoff_follow_ups", ["lead_id"])
    op.create_index("ix_handoff_follow_ups_due", "handoff_follow_ups", ["status", "due_at"])
    op.create_table(
        "handoff_status_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), _lead_fk(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_status", sa.String(32)),
        sa.Column("new_status", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )
    op.create_index("ix_handoff_status_events_lead_id", "handoff_status_events", ["lead_id"])


def downgrade() -> None:
    for table in ("handoff_status_events", "handoff_follow_ups", "handoff_cases", "handoff_dead_letters",
                  "handoff_attempts", "handoff_outbox"):
        op.drop_table(table)
