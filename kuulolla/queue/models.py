"""Tables of the one-to-one queue.

A visitor's request is one ``queue_entries`` row from entering the queue to the end
of the conversation; the conversation itself is a room of kind "private" whose
messages go through the same stream as group rooms (rooms, room_streams,
messages). ``queue_participants`` says who may join that room. No IP address,
user agent or token is stored: a visitor is the hash of their chat token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class QueueTopic(Base):
    """A queue an organisation answers ("Nuorten chat"), with opening hours in
    Helsinki wall time, texts in fi/sv/en and the optional pre-chat questions."""

    __tablename__ = "queue_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_fi: Mapped[str] = mapped_column(String(120))
    name_sv: Mapped[str | None] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_sv: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    consent_fi: Mapped[str] = mapped_column(Text, default="")
    consent_sv: Mapped[str | None] = mapped_column(Text)
    consent_en: Mapped[str | None] = mapped_column(Text)
    # {"mon": [["16:00", "21:00"]], …}; see logic.check_hours.
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Which of logic.QUESTIONS the visitor is asked (each skippable).
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The handling time assumed until the topic has conversations of its own.
    default_handling_seconds: Mapped[int] = mapped_column(Integer, default=900)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Whom the topic is for (queue/helpnow.py AUDIENCES): help while waiting offers no
    # adults-only topic on a youth topic's page, and the other way round.
    audience: Mapped[str] = mapped_column(String(8), default="all", server_default="all")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def text(self, field: str, locale: str) -> str:
        return getattr(self, f"{field}_{locale}", None) or getattr(self, f"{field}_fi") or ""


class QueueEntry(Base):
    """One visitor's way through the queue and the conversation that follows."""

    __tablename__ = "queue_entries"
    __table_args__ = (Index("ix_queue_entries_topic_state", "topic_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("queue_topics.id", ondelete="CASCADE"))
    visitor_key: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The estimate shown on entering, kept to measure the estimate against reality.
    estimate_seconds: Mapped[int | None] = mapped_column(Integer)
    visitor_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    helper_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    out_of_order_reason: Mapped[str | None] = mapped_column(String(300))
    # SHA-256 of the return code the visitor took, to continue with the organisation.
    return_key: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("queue_entries.id", ondelete="SET NULL")
    )


class QueueHelper(Base):
    """A helper's own queue state in an organisation: on duty or not, their
    parallel-chat limit and when their console was last heard from."""

    __tablename__ = "queue_helpers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    max_chats: Mapped[int] = mapped_column(SmallInteger, default=2)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class QueueParticipant(Base):
    """Who may join a private conversation room (visitor token hash or staff key)."""

    __tablename__ = "queue_participants"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    author_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))


class QueueNote(Base):
    """An internal note, transfer or request for a professional on an entry; the
    visitor never sees these."""

    __tablename__ = "queue_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("queue_entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # note, transfer, professional
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CannedResponse(Base):
    """A prepared reply of an organisation, inserted by a helper and edited if needed."""

    __tablename__ = "queue_canned"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(2), default="fi")
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class QueueFeedback(Base):
    """Feedback after a conversation, for statistics; not linked to the conversation."""

    __tablename__ = "queue_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("queue_topics.id", ondelete="CASCADE"))
    helped: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
