"""The sites each organisation allows to embed its chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class EmbedOrigin(Base):
    """An origin (``https://www.example.fi``) that may frame the organisation's embedded
    queue topics and rooms (logic.py says what is accepted)."""

    __tablename__ = "embed_origins"
    __table_args__ = (UniqueConstraint("organisation_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    origin: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
