"""Rooms, their message streams and who has been in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class Room(Base):
    """Anything with a message stream: a group room (``kind`` "group") or a one-to-one
    conversation of the queue (``kind`` "private", queue/accepting.py)."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="group")
    name_fi: Mapped[str] = mapped_column(String(120))
    name_sv: Mapped[str | None] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_sv: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    # How many recent messages a newcomer sees on joining; 0 shows none.
    history_limit: Mapped[int] = mapped_column(Integer, default=30)
    # The training every host of the room must hold (besides their shift's): the room
    # opens only with such a host on duty, and its shift templates require it.
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualifications.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # An archived room is closed for good: its page says so and nobody can join.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_fi

    def description(self, locale: str) -> str:
        return getattr(self, f"description_{locale}", None) or self.description_fi


class RoomStream(Base):
    """The per-room sequence counter. Kept apart from ``rooms`` so that locking it for
    a commit never blocks edits of the room's settings."""

    __tablename__ = "room_streams"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The highest sequence removed by retention: a client resuming from before it
    # cannot be given exactly what it missed and must resync.
    purged_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class RoomMember(Base):
    """An anonymous participant's first position in a room's stream, and when they
    first joined.

    The position bounds how far back a resuming client may ask (a newcomer must not read past
    the room's history policy by sending an old ``since``). ``author_key`` is the hash
    of the visitor's token, never the token.
    """

    __tablename__ = "room_members"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    author_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # When this participant first joined: a newcomer's wait before writing runs once
    # from here, never again on a reconnect or a reload. Null on rows from before it
    # was recorded (no wait).
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RoomNick(Base):
    """A visitor's nickname held in a group room while they are there (rooms/nicks.py).

    ``nick_key`` is a hash of the nickname's look-alike key
    (moderation.nicknames.room_key), so two visitors present cannot be "Aino" and
    "aïno" at once; the table holds no nickname text. A claim lasts until
    ``expires_at`` unless the process that holds it renews it, so a crashed process's
    claims lapse by themselves.
    """

    __tablename__ = "room_nicks"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    nick_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    author_key: Mapped[bytes] = mapped_column(LargeBinary(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
