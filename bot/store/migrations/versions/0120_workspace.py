"""The counsellors' workspace: sign-in links, sessions, the view log, used status links, and the
structured audit trail (``lead_events.kind``/``details``, ``leads.outcome``) the funnel counts.

Revision ID: 0120
Revises: 0110
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0120"
down_revision = "0110"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lead_events") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="status"))
        batch.add_column(sa.Column("details", sa.JSON))
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("outcome", sa.String(32)))
    with op.batch_alter_table("handoff_cases") as batch:
        batch.add_column(sa.Column("summary", sa.JSON))
    # sign-in mails go through the same outbox (retries, dead letters) and belong to no lead
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.alter_column("lead_id", existing_type=sa.String(16), nullable=True)
    with op.batch_alter_table("handoff_dead_letters") as batch:
        batch.alter_column("lead_id", existing_type=sa.String(16), nullable=True)
    op.create_table(
        "workspace_login_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_workspace_login_tokens_user_id", "workspace_login_tokens", ["user_id"])
    op.create_table(
        "workspace_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_workspace_sessions_user_id", "workspace_sessions", ["user_id"])
    op.create_table(
        "lead_views",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), nullable=False),
        sa.Column("viewer_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.String(32), nullable=False),
    )
    op.create_index("ix_lead_views_lead_at", "lead_views", ["lead_id", "at"])
    op.create_table(
        "used_status_links",
        sa.Column("signature_hash", sa.String(64), primary_key=True),
        sa.Column("lead_id", sa.String(16), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_used_status_links_lead_id", "used_status_links", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_used_status_links_lead_id", table_name="used_status_links")
    op.drop_table("used_status_links")
    op.drop_index("ix_lead_views_lead_at", table_name="lead_views")
    op.drop_table("lead_views")
    op.drop_index("ix_workspace_sessions_user_id", table_name="workspace_sessions")
    op.drop_table("workspace_sessions")
    op.drop_index("ix_workspace_login_tokens_user_id", table_name="workspace_login_tokens")
    op.drop_table("workspace_login_tokens")
    op.execute("DELETE FROM handoff_dead_letters WHERE lead_id IS NULL")
    op.execute("DELETE FROM handoff_outbox WHERE lead_id IS NULL")
    with op.batch_alter_table("handoff_dead_letters") as batch:
        batch.alter_column("lead_id", existing_type=sa.String(16), nullable=False)
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.alter_column("lead_id", existing_type=sa.String(16), nullable=False)
    with op.batch_alter_table("handoff_cases") as batch:
        batch.drop_column("summary")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("outcome")
    with op.batch_alter_table("lead_events") as batch:
        batch.drop_column("details")
        batch.drop_column("kind")
