"""Tables of the counsellors' workspace (``bot.workspace``): sign-in links, sessions, the view log.

Tokens are never stored: only their SHA-256, so a copy of the database does not let anyone sign in.
``lead_views`` deliberately has no foreign key to ``leads``: it is the accountability log (who looked
at which lead, when) and must outlive an erasure. It holds only the lead's reference and the viewer's
id, no personal data of the young person.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String

from bot.store.models import Base, utcnow


class LoginToken(Base):
    """A magic sign-in link: single use, short-lived."""
    __tablename__ = "workspace_login_tokens"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(String(64), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))


class WorkspaceSession(Base):
    __tablename__ = "workspace_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(String(64), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True))


class LeadView(Base):
    __tablename__ = "lead_views"

    id = Column(Integer, primary_key=True, autoincrement=True)
    lead_id = Column(String(16), nullable=False)
    viewer_id = Column(String(64), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    what = Column(String(32), nullable=False, default="lead_page")

    __table_args__ = (Index("ix_lead_views_lead_at", "lead_id", "at"),)


class UsedStatusLink(Base):
    """A one-click status link from a hand-off mail that already changed a status (it works once)."""
    __tablename__ = "used_status_links"

    signature_hash = Column(String(64), primary_key=True)
    lead_id = Column(String(16), nullable=False, index=True)
    used_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # the link's own signed expiry: the record must outlive it, whatever the settings say later
    expires_at = Column(DateTime(timezone=True), nullable=True)
