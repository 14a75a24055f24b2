"""Codes for erasure and access belong to the contact, not to the conversation (issue 22 item 3).

The 5-attempt limit was per conversation: asking again in a new conversation gave 5 more guesses and
mailed the person another code. ``person_check_contacts`` keeps, per contact (an HMAC of it, never
the contact), the pending code's hash, when it was sent, the wrong guesses over every conversation and
client address, and a lock. ``person_checks.contact_hash`` points a conversation's request at it.

Revision ID: 0150
Revises: 0131
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "0150"
down_revision = "0131"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_check_contacts",
        sa.Column("contact_hash", sa.String(64), primary_key=True),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("code_sent_at", sa.DateTime(timezone=True)),
        sa.Column("code_expires_at", sa.DateTime(timezone=True)),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failures_since", sa.DateTime(timezone=True)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Pending requests from before this revision carry no contact: they are minutes old and simply end.
    op.execute("DELETE FROM person_checks")
    with op.batch_alter_table("person_checks") as batch:
        batch.add_column(sa.Column("contact_hash", sa.String(64)))
        batch.create_index("ix_person_checks_contact_hash", ["contact_hash"])


def downgrade() -> None:
    with op.batch_alter_table("person_checks") as batch:
        batch.drop_index("ix_person_checks_contact_hash")
        batch.drop_column("contact_hash")
    op.drop_table("person_check_contacts")
