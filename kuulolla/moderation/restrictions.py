"""Restrictions (mute, removal from a room, ban): made, lifted and read, each with
its audit entry in the same transaction; a ban's network digest recorded by the
process that holds the target's socket (moderation/restricting.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from kuulolla.chat.models import (
    KIND_REDACTION,
)
from kuulolla.core.db import Database
from kuulolla.moderation import actions
from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.models import (
    Restriction,
)
from kuulolla.moderation.service import MessageNotFound, audit, messages_table


async def author_of(db: Database, *, room_id: int, seq: int) -> bytes:
    """The author key of message ``seq`` (removed ones included) or :class:`MessageNotFound`."""
    async with db.read() as conn:
        key = (
            await conn.execute(
                select(messages_table.c.author_key).where(
                    messages_table.c.room_id == room_id,
                    messages_table.c.seq == seq,
                    messages_table.c.kind != KIND_REDACTION,
                )
            )
        ).scalar()
    if key is None:
        raise MessageNotFound()
    return bytes(key)


async def do_restrict(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    kind: str,
    author_key: bytes,
    seconds: int,
    ban_key: bytes | None = None,
    actor_id: int | None,
    target: str = "",
    reason: str = "",
    preset: str = "",
    now: datetime,
) -> ActiveRestriction:
    """Mute, remove or ban ``author_key`` for ``seconds``. A ban covers every room of
    the organisation. With ``ban_key`` (core/bankey.py) the restriction also
    holds for a new token from the same client network while that day's key lives."""
    restriction = actions.check_kind(kind)
    seconds = actions.check_duration(seconds)
    reason = actions.check_reason(reason)
    preset = actions.check_preset(preset)
    expires = now + timedelta(seconds=seconds)
    scope = None if restriction == "ban" else room_id
    async with db.session() as session:
        row = Restriction(
            organisation_id=organisation_id,
            room_id=scope,
            kind=restriction,
            author_key=author_key,
            ban_key=ban_key,
            created_at=now,
            expires_at=expires,
            created_by=actor_id,
        )
        session.add(row)
        await session.flush()
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action=restriction,
            target=target,
            reason=reason,
            preset=preset,
            seconds=seconds,
            now=now,
        )
    return ActiveRestriction(restriction, expires, scope, row.id)


async def do_set_ban_key(db: Database, *, restriction_id: int, ban_key: bytes) -> int | None:
    """Record the network digest of a restriction's target (made by the process that
    holds the target's socket: only it has the address). The first one recorded stays.
    Returns the restriction's organisation when the digest was recorded now."""
    async with db.session() as session:
        return await session.scalar(
            update(Restriction)
            .where(Restriction.id == restriction_id, Restriction.ban_key.is_(None))
            .values(ban_key=ban_key)
            .returning(Restriction.organisation_id)
        )


async def do_lift(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    author_key: bytes,
    actor_id: int | None,
    target: str = "",
    now: datetime,
) -> int:
    """End every restriction of ``author_key`` in the room (and the organisation's bans)."""
    async with db.session() as session:
        result = await session.execute(
            update(Restriction)
            .where(
                Restriction.organisation_id == organisation_id,
                or_(Restriction.room_id == room_id, Restriction.room_id.is_(None)),
                Restriction.author_key == author_key,
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
            )
            .values(lifted_at=now)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action="lift",
            target=target,
            now=now,
        )
        return count


async def get_restriction(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    author_key: bytes,
    ban_keys: Sequence[bytes] = (),
    now: datetime,
) -> ActiveRestriction | None:
    """The restriction that applies to a visitor in a room now, if any: theirs by
    token in this room, a ban of theirs in the organisation, or a ban of their client
    network (``ban_keys``: today's and yesterday's digests)."""
    who = Restriction.author_key == author_key
    if ban_keys:
        who = or_(who, Restriction.ban_key.in_(list(ban_keys)))
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                Restriction.kind,
                Restriction.expires_at,
                Restriction.room_id,
                Restriction.author_key,
            ).where(
                Restriction.organisation_id == organisation_id,
                or_(Restriction.room_id == room_id, Restriction.room_id.is_(None)),
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
                who,
            )
        )
        found = []
        for kind, expires, scope, _key in rows:
            # A network match counts for every kind: otherwise a new token would undo
            # a mute or a removal at once. The network digest lives at most two days.
            found.append(ActiveRestriction(actions.check_kind(kind), expires, scope))
        return actions.worst(found)


async def list_active_restrictions(
    db: Database, *, organisation_id: int, now: datetime
) -> list[actions.StoredRestriction]:
    """Every restriction of the organisation in force at ``now`` (a handful: they are
    kept per process and matched with :func:`actions.applicable`)."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                Restriction.kind,
                Restriction.expires_at,
                Restriction.room_id,
                Restriction.author_key,
                Restriction.ban_key,
            ).where(
                Restriction.organisation_id == organisation_id,
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
            )
        )
        return [
            actions.StoredRestriction(actions.check_kind(kind), expires, room, key, ban)
            for kind, expires, room, key, ban in rows
        ]
