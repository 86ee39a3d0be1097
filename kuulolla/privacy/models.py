"""Retention periods chosen by organisations (and platform defaults)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class RetentionPeriod(Base):
    """How many days one kind of data is kept. ``organisation_id`` NULL is the platform
    default, set by an admin; an organisation's own row overrides it. Without rows the
    kind's ``default_days`` applies (core/retention.py)."""

    __tablename__ = "retention_periods"
    __table_args__ = (
        Index("uq_retention_periods_org_kind", "organisation_id", "kind", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
