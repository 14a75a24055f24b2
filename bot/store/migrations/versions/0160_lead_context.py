"""The context of the conversation on the lead, as codes (issue 24).

What the person asked about, their doubts (as categories), what they ask for, who asks, language
needs, urgency and the jobs "ontdek wat bij je past" ended on: codes the preview showed, never their
own words (bot/handoff/context.py). One nullable JSON column: leads stored before have none.

Revision ID: 0160
Revises: 0152
Create Date: 2026-12-09
"""
import sqlalchemy as sa
from alembic import op

revision = "0160"
down_revision = "0152"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("context", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("context")
