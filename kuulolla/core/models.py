"""Tables of the core: the counters of the shared limiter (core/limits.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base


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
