"""Everything that is written to the lead database: engine and sessions, table models (leads,
consent, audit trail, hand-off tables), the lead repository, erasure and retention, and Alembic
migrations.

The bottom layer: it may import only ``bot.ops.config`` and libraries. Domain packages (intake,
routing, handoff, conversation) call into it; it never calls back.
"""
