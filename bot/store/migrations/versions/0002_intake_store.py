"""Intake lead store: regions, counsellors, consent records, audit trail, one-referral constraints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Drops ``leads.age`` (exact age; we keep an age band) and ``leads.contact`` (JSON; replaced by typed
columns that the one-referral constraint can use).
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_table(
        "counsellors",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("region_code", sa.String(8), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("office_place", sa.String(100)),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("telegram_chat_id", sa.String(64)),
        sa.Column("webhook_url", sa.String(500)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("example", sa.Boolean, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_counsellors_region_code", "counsellors", ["region_code"])
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("consent_text_version", sa.String(32), nullable=False),
        sa.Column("consent_text", sa.Text, nullable=False),
        sa.Column("shared_fields", sa.JSON, nullable=False),
        sa.Column("counsellor_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_consent_records_conversation_id", "consent_records", ["conversation_id"])

    op.drop_index("ix_leads_conversation_id", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("age")
        batch.drop_column("contact")
        batch.add_column(sa.Column("age_band", sa.String(8)))
        batch.add_column(sa.Column("situation", sa.String(32)))
        batch.add_column(sa.Column("gemeente_code", sa.String(8)))
        batch.add_column(sa.Column("gemeente_name", sa.String(100)))
        batch.add_column(sa.Column("counsellor_id", sa.String(64)))
        batch.add_column(sa.Column("organisation", sa.String(200)))
        batch.add_column(sa.Column("routing_rule", sa.String(32)))
        batch.add_column(sa.Column("routing_reason", sa.Text))
        batch.add_column(sa.Column("routing_distance_km", sa.Float))
        batch.add_column(sa.Column("interests_text", sa.Text))
        batch.add_column(sa.Column("contact_method", sa.String(16)))
        batch.add_column(sa.Column("contact_value", sa.String(255)))
        batch.add_column(sa.Column("contact_time", sa.String(32)))
        batch.add_column(sa.Column("contact_key", sa.String(64)))
        batch.add_column(sa.Column("consent_basis", sa.String(32)))
        batch.add_column(sa.Column("consent_record_id", sa.Integer))
        batch.create_unique_constraint("uq_leads_conversation_id", ["conversation_id"])
        batch.create_unique_constraint("uq_leads_contact_key", ["contact_key"])
        batch.create_foreign_key("fk_leads_counsellor_id", "counsellors", ["counsellor_id"], ["id"])
        batch.create_foreign_key("fk_leads_consent_record_id", "consent_records", ["consent_record_id"], ["id"])
    op.create_index("ix_leads_counsellor_id", "leads", ["counsellor_id"])

    op.create_table(
        "lead_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(16), sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(32)),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_lead_events_lead_id", "lead_events", ["lead_id"])
    op.create_table(
        "erasure_stats",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "tracker_erasures",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sweep_until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tracker_erasures")
    op.drop_table("erasure_stats")
    op.drop_index("ix_lead_events_lead_id", table_name="lead_events")
    op.drop_table("lead_events")
    op.drop_index("ix_leads_counsellor_id", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_constraint("fk_leads_consent_record_id", type_="foreignkey")
        batch.drop_constraint("fk_leads_counsellor_id", type_="foreignkey")
        batch.drop_constraint("uq_leads_contact_key", type_="unique")
        batch.drop_constraint("uq_leads_conversation_id", type_="unique")
        for name in ("consent_record_id", "consent_basis", "contact_key", "contact_time", "contact_value",
                     "contact_method", "interests_text", "routing_distance_km", "routing_reason",
                     "routing_rule", "organisation", "counsellor_id", "gemeente_name", "gemeente_code",
                     "situation", "age_band"):
            batch.drop_column(name)
        batch.add_column(sa.Column("contact", sa.JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("age", sa.Integer))
    op.create_index("ix_leads_conversation_id", "leads", ["conversation_id"])
    op.drop_index("ix_consent_records_conversation_id", table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index("ix_counsellors_region_code", table_name="counsellors")
    op.drop_table("counsellors")
    op.drop_table("regions")
