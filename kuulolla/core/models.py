"""Tables of the core: the counters of the shared limiter (core/limits.py) and the
statistical event records every domain writes (core/events.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class RateCounter(Base):
    """One fixed-window counter of :class:`~kuulolla.core.limits.DatabaseLimiter`.

    ``key`` is the limit's name and a hash of what it counts (an account's keyed hash,
    a network-day key, a token's key): never an address or a token. A row whose window
    has ended counts as zero and is deleted by the hourly housekeeping."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Milliseconds since the epoch at which the window ends (integers compare the same
    # way on SQLite and PostgreSQL).
    ends_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class ReportEvent(Base):
    """Minimal statistical event records: "this many things of this kind happened in
    this organisation in this hour", optionally with one number (a wait, a duration, a
    score). Never text or anything that identifies a visitor, so the figures survive
    when retention purges the content they were counted from (core/events.py writes
    them, reports/ reads them)."""

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
