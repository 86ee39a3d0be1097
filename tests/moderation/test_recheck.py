"""The send path's re-check of restrictions: the organisation's active restrictions,
kept per process, give the same answer as asking the database per member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.moderation import actions, restrictions
from kuulolla.rooms.models import Room
from tests.helpers import NOW, make_room

ALICE = b"a" * 16
BOB = b"b" * 16
CAROL = b"c" * 16
NET = b"n" * 32
ROOM, OTHER = 1, 2


def row(
    kind: actions.RestrictionKind,
    key: bytes,
    room: int | None,
    minutes: int = 10,
    ban_key: bytes | None = None,
) -> actions.StoredRestriction:
    return actions.StoredRestriction(kind, NOW + timedelta(minutes=minutes), room, key, ban_key)


@pytest.mark.parametrize(
    ("rows", "key", "room", "ban_keys", "expected"),
    [
        ([], ALICE, ROOM, (), None),
        ([row("mute", ALICE, ROOM)], ALICE, ROOM, (), "mute"),
        ([row("mute", ALICE, ROOM)], ALICE, OTHER, (), None),
        ([row("mute", ALICE, ROOM)], BOB, ROOM, (), None),
        ([row("ban", ALICE, None)], ALICE, OTHER, (), "ban"),
        ([row("ban", ALICE, None, ban_key=NET)], CAROL, OTHER, (NET,), "ban"),
        ([row("ban", ALICE, None, ban_key=NET)], CAROL, OTHER, (b"x" * 32,), None),
        ([row("mute", ALICE, ROOM, minutes=-1)], ALICE, ROOM, (), None),
        ([row("mute", ALICE, ROOM, 5), row("remove", ALICE, ROOM, 1)], ALICE, ROOM, (), "remove"),
    ],
)
def test_applicable_restriction(
    rows: list[actions.StoredRestriction],
    key: bytes,
    room: int,
    ban_keys: tuple[bytes, ...],
    expected: str | None,
) -> None:
    """Token in its room, organisation-wide bans, network digests, expiry and severity."""
    found = actions.applicable(rows, room_id=room, author_key=key, ban_keys=ban_keys, now=NOW)
    assert (found.kind if found else None) == expected


@pytest.mark.asyncio
async def test_kept_restrictions_agree_with_the_per_member_query(db: Database) -> None:
    """For every visitor and room, matching the organisation's list equals get_restriction."""
    room = await make_room(db, "yksi")
    other = await make_room(db, "kaksi")
    async with db.read_session() as session:
        org = int(await session.scalar(select(Room.organisation_id).where(Room.id == room)))
    for kind, key, where, ban_key in (
        ("mute", ALICE, room, None),
        ("ban", BOB, other, NET),
        ("remove", CAROL, other, None),
    ):
        await restrictions.do_restrict(
            db,
            organisation_id=org,
            room_id=where,
            kind=kind,
            author_key=key,
            seconds=600,
            ban_key=ban_key,
            actor_id=None,
            now=NOW,
        )
    rows = await restrictions.list_active_restrictions(db, organisation_id=org, now=NOW)
    assert len(rows) == 3
    for key in (ALICE, BOB, CAROL, b"d" * 16):
        for where in (room, other):
            for ban_keys in ((), (NET,)):
                expected = await restrictions.get_restriction(
                    db,
                    organisation_id=org,
                    room_id=where,
                    author_key=key,
                    ban_keys=ban_keys,
                    now=NOW,
                )
                found = actions.applicable(
                    rows, room_id=where, author_key=key, ban_keys=ban_keys, now=NOW
                )
                got = (found.kind, found.expires_at) if found else None
                want = (expected.kind, expected.expires_at) if expected else None
                assert got == want
