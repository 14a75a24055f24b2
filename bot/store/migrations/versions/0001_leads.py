"""Leads table.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("first_name", sa.String(100)),
        sa.Column("age", sa.Integer),
        sa.Column("postcode", sa.String(8)),
        sa.Column("region_code", sa.String(8)),
        sa.Column("region_name", sa.String(100)),
        sa.Column("counsellor_name", sa.String(200)),
        sa.Column("interests", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True)),
        sa.Column("channel", sa.String(32)),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("summary", sa.Text),
    )
    op.create_index("ix_leads_conversation_id", "leads", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_leads_conversation_id", table_name="leads")
    op.drop_table("leads")
