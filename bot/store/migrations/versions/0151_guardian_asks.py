"""guardian_asks: each mail to a parent or guardian, counted without its content (issue 22 item 4).

Claiming to be 14, one address made the bot mail 11 strangers: the requests counted toward no limit.
A row per mail (keyed hashes of the client address and of the recipient, never the addresses)
lets the intake count requests per client address per day and cap mails per recipient. The purge
deletes rows after a week.

Revision ID: 0151
Revises: 0150
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "0151"
down_revision = "0150"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardian_asks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_key", sa.String(64)),
        sa.Column("recipient_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_guardian_asks_created_at", "guardian_asks", ["created_at"])
    op.create_index("ix_guardian_asks_client_key", "guardian_asks", ["client_key"])
    op.create_index("ix_guardian_asks_recipient_hash", "guardian_asks", ["recipient_hash"])


def downgrade() -> None:
    op.drop_table("guardian_asks")
