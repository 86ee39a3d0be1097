"""Joins' member rows: grouped commits, remembered per process."""

from __future__ import annotations

import asyncio

import pytest

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.rooms.service import MemberTouches, touch_member
from tests.helpers import make_room


@pytest.mark.asyncio
async def test_a_burst_of_joins_writes_members_in_few_commits(
    db: Database, clock: FrozenClock
) -> None:
    """Fifty people joining at once are written in at most two transactions."""
    room = await make_room(db)
    members = MemberTouches(db, clock)
    keys = [bytes([i]) * 16 for i in range(50)]
    got = await asyncio.gather(*(members.touch(room_id=room, author_key=k) for k in keys))
    assert members.commits <= 2
    assert all(m.first_seq == 0 and m.joined_at is not None for m in got)
    stored = await touch_member(db, room_id=room, author_key=keys[7], now=clock.now())
    assert stored == got[7]


@pytest.mark.asyncio
async def test_a_rejoin_is_answered_from_memory(db: Database, clock: FrozenClock) -> None:
    """The same person joining the same room again costs no write until the refresh is due."""
    room = await make_room(db)
    members = MemberTouches(db, clock, refresh=60)
    first = await members.touch(room_id=room, author_key=b"a" * 16)
    again = await members.touch(room_id=room, author_key=b"a" * 16)
    assert again == first and members.commits == 1
    clock.advance(seconds=61)
    assert await members.touch(room_id=room, author_key=b"a" * 16) == first
    await asyncio.gather(*members._background)
    assert members.commits == 2


@pytest.mark.asyncio
async def test_a_nickname_claim_writes_the_member_row_with_it(
    db: Database, clock: FrozenClock
) -> None:
    """A visitor's nickname claim records their membership in its own transaction; the
    join's member step then costs no commit, and a refused claim writes no member row."""
    from kuulolla.moderation.nicknames import room_key
    from kuulolla.rooms.nicks import NickClaims, nick_key

    room = await make_room(db)
    members = MemberTouches(db, clock)
    claims = NickClaims(db, clock, members=members)
    aino = nick_key(room_key("Aino"))
    assert await claims.claim("socket a", (room, aino, b"a" * 16))
    assert not await claims.claim("socket b", (room, aino, b"b" * 16))
    assert members.known(room, b"a" * 16) and not members.known(room, b"b" * 16)
    member = await members.touch(room_id=room, author_key=b"a" * 16)
    assert members.commits == 0
    assert member == await touch_member(db, room_id=room, author_key=b"a" * 16, now=clock.now())
