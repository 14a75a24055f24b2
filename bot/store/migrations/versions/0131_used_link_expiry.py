"""A used status link remembers its own expiry, so its record is kept exactly as long as the link works.

Purging by ``used_at`` plus the current ``GP_LINK_MAX_AGE_DAYS`` let a link work a second time when
the setting was lowered after the mail went out: the record went, the link's own (signed) expiry had
not passed yet. Rows from before this revision keep ``expires_at`` empty and fall back to the old rule.

Revision ID: 0131
Revises: 0130
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0131"
down_revision = "0130"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("used_status_links") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("used_status_links") as batch:
        batch.drop_column("expires_at")
