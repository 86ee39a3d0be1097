"""Notification tables: a staff member's e-mail choice, and messages waiting to be sent.

An outbox row holds only what the service itself says ("a crisis alert in room X has
not been taken"): never what a visitor wrote, a nickname or an address of a visitor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class NotifySettings(Base):
    """A staff member's e-mail notifications: ``mode`` "off", "immediate" or "digest";
    ``events`` the kinds they want, comma-separated (notify/service.py ``EVENTS``)."""

    __tablename__ = "notify_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    mode: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    events: Mapped[str] = mapped_column(
        String(200), default="escalation", server_default="escalation"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One notification for one person, until it is sent (at once, or in their digest).
    ``event_key`` names what it is about ("queue-12", "question-4"), so each thing is
    told to a person once; kept after sending for that (notify/service.py ``KEPT``)."""

    __tablename__ = "notify_outbox"
    __table_args__ = (
        Index("ix_notify_outbox_user", "user_id", "sent_at"),
        Index("ux_notify_outbox_event", "user_id", "event_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_key: Mapped[str | None] = mapped_column(String(64))
