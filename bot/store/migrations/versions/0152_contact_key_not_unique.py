"""The same contact details in a new conversation make a new lead (issue 22 item 2).

With ``leads.contact_key`` UNIQUE the bot had to answer a second request with the same e-mail address
or phone number differently ("this contact already has a request, with Sanne of …"), which told anyone
who typed someone else's contact whether and where that person had asked for help. Now every new
conversation gets the same answer; the hand-off tells the counsellors about the earlier request. The
column stays, with a plain index.

Revision ID: 0152
Revises: 0151
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "0152"
down_revision = "0151"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint("uq_leads_contact_key", type_="unique")
        batch.create_index("ix_leads_contact_key", ["contact_key"])


def downgrade() -> None:
    # Only the first lead per contact keeps its key, so the UNIQUE constraint can come back.
    op.execute("UPDATE leads SET contact_key = NULL WHERE contact_key IS NOT NULL AND id NOT IN ("
               "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY contact_key ORDER BY created_at, id) AS n "
               "FROM leads WHERE contact_key IS NOT NULL) AS ranked WHERE n = 1)")
    with op.batch_alter_table("leads") as batch:
        batch.drop_index("ix_leads_contact_key")
        batch.create_unique_constraint("uq_leads_contact_key", ["contact_key"])
