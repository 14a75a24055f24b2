"""Proof of control for erasure (AVG art. 17) and access (art. 15), and the art. 19 notice.

``person_checks`` holds one pending "prove this contact is yours" request: the hash of a short code
sent to that contact and the leads the code unlocks, never the contact itself; a row lives at most
a quarter of an hour and is deleted when used. ``handoff_dead_letters.lead_id`` (the outbox's since 0120)
becomes nullable: the notice that tells a counsellor "this person asked for erasure" is sent after
the lead is gone and carries only the reference.

Revision ID: 0122
Revises: 0121
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0122"
down_revision = "0121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_checks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("lead_ids", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_person_checks_conversation_id", "person_checks", ["conversation_id"])
    _set_nullable(True)


def _set_nullable(nullable: bool) -> None:
    """``handoff_outbox.lead_id`` is nullable since 0120 (the workspace's sign-in mails); the dead
    letters follow here. That table has no children, so SQLite's rebuild loses nothing."""
    with op.batch_alter_table("handoff_dead_letters") as batch:
        batch.alter_column("lead_id", existing_type=sa.String(16), nullable=nullable)


def downgrade() -> None:
    op.execute("DELETE FROM handoff_dead_letters WHERE lead_id IS NULL")
    _set_nullable(False)
    op.drop_index("ix_person_checks_conversation_id", table_name="person_checks")
    op.drop_table("person_checks")
