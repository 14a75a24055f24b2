"""guardian_requests: an under-16's request waits here until a parent or guardian confirms it.

The guardian's mail goes through the hand-off outbox before any lead exists, so an outbox row may
belong to a guardian request instead of a lead (``lead_id`` is nullable since 0120):
``guardian_request_id`` is added (ON DELETE CASCADE: an expired request takes its mail with it).

On SQLite batch mode rebuilds the table; should foreign keys be on, dropping the old table would
cascade into ``handoff_attempts`` and ``handoff_dead_letters``, so their rows are copied aside first
and put back afterwards.

Revision ID: 0121
Revises: 0120
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0121"
down_revision = "0120"
branch_labels = None
depends_on = None

_CHILDREN = ("handoff_attempts", "handoff_dead_letters")


def _keep_children(bind):
    """Rows that a table rebuild of handoff_outbox would cascade away on SQLite."""
    if bind.dialect.name != "sqlite":
        return {}
    meta = sa.MetaData()
    kept = {}
    for name in _CHILDREN:
        table = sa.Table(name, meta, autoload_with=bind)
        kept[table] = [dict(row._mapping) for row in bind.execute(sa.select(table))]
    return kept


def _restore_children(bind, kept) -> None:
    for table in kept:  # attempts first: dead letters have no FK to them, the order is only tidy
        bind.execute(table.delete())
        if kept[table]:
            bind.execute(table.insert(), kept[table])


def upgrade() -> None:
    op.create_table(
        "guardian_requests",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, unique=True),
        sa.Column("guardian_email", sa.String(254), nullable=False),
        sa.Column("nonce_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_guardian_requests_expires_at", "guardian_requests", ["expires_at"])
    bind = op.get_bind()
    kept = _keep_children(bind)
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.add_column(sa.Column("guardian_request_id", sa.String(16), nullable=True))
        batch.create_foreign_key("fk_handoff_outbox_guardian_request", "guardian_requests",
                                 ["guardian_request_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_handoff_outbox_guardian_request_id", ["guardian_request_id"])
    _restore_children(bind, kept)


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DELETE FROM handoff_outbox WHERE guardian_request_id IS NOT NULL")
    kept = _keep_children(bind)
    with op.batch_alter_table("handoff_outbox") as batch:
        batch.drop_index("ix_handoff_outbox_guardian_request_id")
        batch.drop_constraint("fk_handoff_outbox_guardian_request", type_="foreignkey")
        batch.drop_column("guardian_request_id")
    _restore_children(bind, kept)
    op.drop_index("ix_guardian_requests_expires_at", table_name="guardian_requests")
    op.drop_table("guardian_requests")
