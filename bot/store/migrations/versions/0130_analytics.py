"""The funnel (bot.analytics): pseudonymous conversation rows keyed by a weekly salted hash, counts
per week/region/channel/age band, the consumer's cursors and the redacted unanswered questions.

Revision ID: 0130
Revises: 0122
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0130"
down_revision = "0122"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_salts",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analytics_conversations",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("age_band", sa.String(8), nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("last_question", sa.String(32)),
        sa.Column("in_form", sa.Boolean, nullable=False),
        sa.Column("fallback", sa.Boolean, nullable=False),
    )
    op.create_index("ix_analytics_conversations_week", "analytics_conversations", ["week"])
    op.create_table(
        "analytics_counts",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("region_code", sa.String(8), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("age_band", sa.String(8), primary_key=True),
        sa.Column("metric", sa.String(40), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "analytics_cursors",
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analytics_unanswered",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("signature", sa.String(255), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_analytics_unanswered_signature", "analytics_unanswered", ["signature"])


def downgrade() -> None:
    op.drop_index("ix_analytics_unanswered_signature", table_name="analytics_unanswered")
    op.drop_table("analytics_unanswered")
    op.drop_table("analytics_cursors")
    op.drop_table("analytics_counts")
    op.drop_index("ix_analytics_conversations_week", table_name="analytics_conversations")
    op.drop_table("analytics_conversations")
    op.drop_table("analytics_salts")
