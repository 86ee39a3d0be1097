"""Nicknames held in group rooms, on both databases: one holder at a time, lapsing
when no process renews them."""

from __future__ import annotations

import asyncio

import pytest

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.moderation.nicknames import room_key
from kuulolla.rooms.nicks import NickClaims, do_claim, nick_key
from tests.helpers import make_room

pytestmark = pytest.mark.asyncio

AINO = nick_key(room_key("Aino"))
A, B = b"a" * 16, b"b" * 16


async def released(claims: NickClaims) -> None:
    """Wait for the background releases under way."""
    await asyncio.gather(*claims._background)


async def test_a_nickname_has_one_holder_at_a_time(db: Database, clock: FrozenClock) -> None:
    """A second visitor cannot claim a held nickname; the holder may claim it again."""
    room = await make_room(db)
    here, there = NickClaims(db, clock), NickClaims(db, clock)  # two processes
    assert await here.claim("socket a", (room, AINO, A))
    assert not await there.claim("socket b", (room, nick_key(room_key("aïno")), B))
    assert await there.claim("socket a2", (room, AINO, A))  # the same visitor's second tab
    assert await there.claim("socket b", (room, nick_key(room_key("Aino 2")), B))


async def test_the_last_holder_leaving_frees_the_nickname(db: Database, clock: FrozenClock) -> None:
    """A nickname is free once every socket holding it has left the room or closed."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab 1", (room, AINO, A))
    await here.claim("tab 2", (room, AINO, A))
    here.drop("tab 1", room)
    await released(here)
    assert not await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90)
    here.drop_all("tab 2")
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90)


async def test_joining_again_under_the_same_nickname_keeps_it(
    db: Database, clock: FrozenClock
) -> None:
    """A socket that joins the room again with the same nickname does not let it go."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab", (room, AINO, A))
    await here.claim("tab", (room, AINO, A))
    await released(here)
    assert not await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90)


async def test_a_new_nickname_frees_the_old_one(db: Database, clock: FrozenClock) -> None:
    """A socket that joins again under another nickname lets the first one go."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab", (room, AINO, A))
    await here.claim("tab", (room, nick_key(room_key("Eino")), A))
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90)


async def test_claims_lapse_unless_renewed(db: Database, clock: FrozenClock) -> None:
    """A renewed claim holds past its first expiry; one nobody renews (a crashed
    process's) lapses and another visitor may take the nickname."""
    room = await make_room(db)
    eino = nick_key(room_key("Eino"))
    alive, crashed = NickClaims(db, clock, ttl=90), NickClaims(db, clock, ttl=90)
    await alive.claim("a", (room, AINO, A))
    await crashed.claim("b", (room, eino, B))
    clock.advance(60)
    await alive.renew_all()
    clock.advance(60)
    assert not await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90)
    assert await do_claim(db, [(room, eino, A)], now=clock.now(), ttl=90)
