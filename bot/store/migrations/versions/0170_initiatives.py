"""Where people come from (issue 28): the initiative's code on the lead and on the funnel's
conversation row, and counts per ISO week, initiative and metric. A code from a regional pack, never
anything about the person; nullable, so leads and rows stored before have none.

Revision ID: 0170
Revises: 0160
Create Date: 2026-12-10
"""
import sqlalchemy as sa
from alembic import op

revision = "0170"
down_revision = "0160"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("initiative", sa.String(40), nullable=True))
    with op.batch_alter_table("analytics_conversations") as batch:
        batch.add_column(sa.Column("initiative", sa.String(40), nullable=True))
    op.create_table(
        "analytics_initiative_counts",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("initiative", sa.String(40), primary_key=True),
        sa.Column("metric", sa.String(40), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("analytics_initiative_counts")
    with op.batch_alter_table("analytics_conversations") as batch:
        batch.drop_column("initiative")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("initiative")
