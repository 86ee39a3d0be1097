"""The one table of the reports domain: minimal statistical event records.

A row says "this many things of this kind happened in this organisation in this
hour", optionally with one number (a wait, a duration, a score). It never holds text
or anything that identifies a visitor, so the figures survive when retention purges
the content they were counted from. See events.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class ReportEvent(Base):
    __tablename__ = "report_events"
    __table_args__ = (Index("ix_report_events_org_kind_hour", "organisation_id", "kind", "hour"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    # None: not (yet) an organisation's, e.g. a question before it is routed.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    # The start of the UTC hour it happened in; never a finer time.
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # A group room (never a private conversation), a queue topic, a staff member
    # (shift hours only): none of them is a visitor.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    topic_id: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    # A code from the kind's allow-list (events.LABELS), never free text.
    label: Mapped[str] = mapped_column(String(32), default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    value: Mapped[float | None] = mapped_column(Float)
