"""Where a lead came from, for limits and follow-ups: ``client_key`` (a salted hash of the client
address or Telegram chat, never the address itself) and ``channel_ref`` (the Telegram chat id the
follow-up writes to; sender ids are derived from it one-way, so the lead must keep it).

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("client_key", sa.String(64)))
    op.add_column("leads", sa.Column("channel_ref", sa.String(64)))
    op.create_index("ix_leads_client_key_created_at", "leads", ["client_key", "created_at"])


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35), not a batch rebuild: dropping the old ``leads``
    # table in a rebuild would cascade-delete every lead event and hand-off row.
    op.drop_index("ix_leads_client_key_created_at", table_name="leads")
    op.drop_column("leads", "channel_ref")
    op.drop_column("leads", "client_key")
