"""Moderation tables: room settings, word lists, restrictions, held messages, reports
and the moderation audit log.

Nothing here holds an address: a ban that must outlast a new token keeps a keyed hash
of the client network under the day's ban key (core/bankey.py), and that key
lives at most 48 hours, so the hash cannot be linked to an address afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class RoomModeration(Base):
    """One room's moderation settings; a room without a row has the defaults."""

    __tablename__ = "room_moderation"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    # Seconds a person must wait between their messages (0: off).
    slow_mode: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    premoderated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pinned: Mapped[str] = mapped_column(Text, default="", server_default="")
    # "allow", "hold" or "block" for links not on ``allowed_links`` (one domain a line).
    link_mode: Mapped[str] = mapped_column(String(8), default="hold", server_default="hold")
    allowed_links: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WordEntry(Base):
    """A phrase of an organisation's word list and what happens to messages with it."""

    __tablename__ = "moderation_words"
    __table_args__ = (
        Index("uq_moderation_words_org_phrase", "organisation_id", "phrase", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    phrase: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(8))  # "mask", "hold" or "refuse"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Restriction(Base):
    """A mute, removal or ban of one anonymous participant until ``expires_at``.

    ``author_key`` is the hash of the visitor's token (as in messages). A ban also
    keeps ``ban_key``: HMAC-SHA256 of the client network under the ban key of the day
    it was made, so a new token from the same network is refused while that key lives.
    Mutes and removals are per room; a ban with no room covers every room of the
    organisation.
    """

    __tablename__ = "moderation_restrictions"
    __table_args__ = (
        Index("ix_moderation_restrictions_author", "author_key"),
        Index("ix_moderation_restrictions_ban_key", "ban_key"),
        Index("ix_moderation_restrictions_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # "mute", "remove" or "ban"
    author_key: Mapped[bytes] = mapped_column(LargeBinary(16))
    ban_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HeldMessage(Base):
    """A message waiting for a moderator (pre-moderation, a held word or link).

    ``text`` is already masked. Approving it commits it to the room's stream like any
    message; rejecting deletes the row.
    """

    __tablename__ = "moderation_held"
    __table_args__ = (Index("ix_moderation_held_room", "room_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_key: Mapped[bytes] = mapped_column(LargeBinary(16))
    nick: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    ref_key: Mapped[bytes] = mapped_column(LargeBinary(16))
    reasons: Mapped[str] = mapped_column(String(200), default="")
    crisis: Mapped[str] = mapped_column(String(32), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CrisisAlert(Base):
    """A crisis signal found in a message, until someone on duty acknowledges it.

    The duty desk (moderation/desk.py) lists these with the message's text read from
    the room's stream (or the held message), so no text is copied here; an alert goes
    with its room. ``seq`` is the message, or ``held_id`` the held message it was in.
    Unacknowledged after the organisation's escalation time, it is shown to the
    professionals and coordinators on duty (``escalated_at`` records when).
    """

    __tablename__ = "moderation_alerts"
    __table_args__ = (Index("ix_moderation_alerts_room", "room_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    held_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(8), default="lexicon", server_default="lexicon")
    nick: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acked_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Report(Base):
    """A visitor's report of one message, until a moderator resolves it."""

    __tablename__ = "moderation_reports"
    __table_args__ = (Index("ix_moderation_reports_room", "room_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    reporter_key: Mapped[bytes] = mapped_column(LargeBinary(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    resolution: Mapped[str] = mapped_column(String(16), default="", server_default="")


class AuditEntry(Base):
    """One moderation action: who, what, when, why. Read by coordinators; kept for the
    organisation's retention period. ``target`` is a per-room pseudonym or a message
    sequence, never a token, an address or what anyone wrote."""

    __tablename__ = "moderation_audit"
    __table_args__ = (Index("ix_moderation_audit_org", "organisation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The moderator's words; ``preset`` a key of moderation.actions.REASON_PRESETS (shown
    # in the reader's language), ``seconds`` the length of a mute, removal or ban.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    preset: Mapped[str] = mapped_column(String(24), default="", server_default="")
    seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
