"""Held messages: a visitor's message kept for the moderators (screening or
premoderation) until one approves or rejects it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.moderation.models import (
    HeldMessage,
)
from kuulolla.moderation.service import audit


@dataclass(frozen=True, slots=True)
class Held:
    id: int
    room_id: int
    author_key: bytes
    nick: str
    role: str
    text: str
    ref_key: bytes
    reasons: tuple[str, ...]
    crisis: str
    created_at: datetime


def _held(row: HeldMessage) -> Held:
    return Held(
        row.id,
        row.room_id,
        bytes(row.author_key),
        row.nick,
        row.role,
        row.text,
        bytes(row.ref_key),
        tuple(r for r in row.reasons.split(",") if r),
        row.crisis,
        row.created_at,
    )


async def do_hold(
    db: Database,
    *,
    room_id: int,
    author_key: bytes,
    nick: str,
    role: str,
    text: str,
    ref_key: bytes,
    reasons: Sequence[str],
    crisis: str = "",
    now: datetime,
) -> Held:
    """Keep a message for a moderator; a resent ref returns the held row it made."""
    async with db.session() as session:
        existing = await session.scalar(
            select(HeldMessage).where(
                HeldMessage.room_id == room_id, HeldMessage.ref_key == ref_key
            )
        )
        if existing is not None:
            return _held(existing)
        row = HeldMessage(
            room_id=room_id,
            author_key=author_key,
            nick=nick,
            role=role,
            text=text,
            ref_key=ref_key,
            reasons=",".join(reasons)[:200],
            crisis=crisis,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return _held(row)


async def list_held(db: Database, *, room_id: int, limit: int = 100) -> list[Held]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(HeldMessage)
            .where(HeldMessage.room_id == room_id)
            .order_by(HeldMessage.id)
            .limit(limit)
        )
        return [_held(r) for r in rows]


async def do_take_held(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    held_id: int,
    approve: bool,
    actor_id: int | None,
    now: datetime,
    name_of: Callable[[bytes], str | None] | None = None,
) -> Held:
    """Remove a held message from the queue (the caller commits an approved one to
    the stream); :class:`NotFound` when another moderator took it first. ``name_of``:
    the writer's room pseudonym from their key, which the log names."""
    async with db.session() as session:
        row = await session.scalar(
            select(HeldMessage).where(HeldMessage.id == held_id, HeldMessage.room_id == room_id)
        )
        if row is None:
            raise NotFound(N_("That message is no longer waiting."), code="held_not_found")
        held = _held(row)
        await session.delete(row)
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action="approve" if approve else "reject",
            target=(name_of(held.author_key) if name_of else None) or f"held {held_id}",
            now=now,
        )
        return held
