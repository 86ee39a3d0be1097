"""The message store: every room's stream, ordered by a per-room sequence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime

KIND_MESSAGE = 0
# A moderator removed message ``target``: a tombstone in the stream, so clients that
# resume after it learn of the removal (``redact`` frames).
KIND_REDACTION = 1
# A message a moderator removed: its text and author are gone, its sequence stays.
KIND_REMOVED = 2
# A referral card (directory/referrals.py): the text is the card as JSON.
KIND_REFERRAL = 3


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # A resent `ref` from the same sender maps to the same key and is refused by
        # this index, so a retry never stores a message twice.
        Index("uq_messages_room_ref", "room_id", "ref_key", unique=True),
        # The retention purge's range: each room's rows older than the period.
        Index("ix_messages_room_created", "room_id", "created_at"),
    )

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[int] = mapped_column(SmallInteger, default=KIND_MESSAGE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    author_key: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    nick: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="visitor")
    text: Mapped[str | None] = mapped_column(Text)
    ref_key: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    # For a redaction: the sequence of the removed message.
    target: Mapped[int | None] = mapped_column(BigInteger)
