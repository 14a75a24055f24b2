"""tracker_erasures.kind: one sweep for erasure requests and for conversations that ended without a lead.

Revision ID: 0110
Revises: 0102
Create Date: 2026-11-29

Existing rows are erasure requests (the only kind there was), hence the server default.
"""
import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracker_erasures") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="erasure"))


def downgrade() -> None:
    with op.batch_alter_table("tracker_erasures") as batch:
        batch.drop_column("kind")
