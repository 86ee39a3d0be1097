"""Nicknames held in group rooms, on both databases: one holder at a time, lapsing
when no process renews them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.moderation.nicknames import room_key
from kuulolla.rooms import nicks
from kuulolla.rooms.nicks import Claim, NickClaims, do_claim, nick_key
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


async def test_claims_on_a_kept_connection_hold_as_on_the_pool(
    db: Database, clock: FrozenClock
) -> None:
    """A server's claims (on a connection kept for them on PostgreSQL) refuse a second
    visitor and let the holder claim again."""
    room = await make_room(db)
    here = NickClaims(db, clock, hold_connection=True)
    there = NickClaims(db, clock, hold_connection=True)
    assert await here.claim("socket a", (room, AINO, A))
    assert not await there.claim("socket b", (room, AINO, B))
    assert await there.claim("socket a2", (room, AINO, A))
    await here.close()
    await there.close()


async def test_warming_the_kept_connection_claims_nothing(db: Database, clock: FrozenClock) -> None:
    """Warming a server's claims at start writes no claim; claims after it hold as before."""
    room = await make_room(db)
    here = NickClaims(db, clock, hold_connection=True)
    await here.warm()
    assert await nicks.do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90.0) == [True]
    assert not await here.claim("socket a", (room, AINO, A))
    await here.close()


async def test_the_last_holder_leaving_frees_the_nickname(db: Database, clock: FrozenClock) -> None:
    """A nickname is free once every socket holding it has left the room or closed."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab 1", (room, AINO, A))
    await here.claim("tab 2", (room, AINO, A))
    here.drop("tab 1", room)
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [False]
    here.drop_all("tab 2")
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [True]


async def test_joining_again_under_the_same_nickname_keeps_it(
    db: Database, clock: FrozenClock
) -> None:
    """A socket that joins the room again with the same nickname does not let it go."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab", (room, AINO, A))
    await here.claim("tab", (room, AINO, A))
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [False]


async def test_a_new_nickname_frees_the_old_one(db: Database, clock: FrozenClock) -> None:
    """A socket that joins again under another nickname lets the first one go."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    await here.claim("tab", (room, AINO, A))
    await here.claim("tab", (room, nick_key(room_key("Eino")), A))
    await released(here)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [True]


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
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [False]
    assert await do_claim(db, [(room, eino, A)], now=clock.now(), ttl=90) == [True]


async def test_a_late_close_keeps_the_claim_made_again_elsewhere(
    db: Database, clock: FrozenClock
) -> None:
    """A visitor whose reconnect reached another process before their old socket's
    close was noticed keeps the nickname when the old process lets go of it."""
    room = await make_room(db)
    old, new = NickClaims(db, clock), NickClaims(db, clock)
    await old.claim("old socket", (room, AINO, A))
    clock.advance(5)
    await new.claim("new socket", (room, AINO, A))
    old.drop_all("old socket")
    await released(old)
    assert await do_claim(db, [(room, AINO, B)], now=clock.now(), ttl=90) == [False]


async def test_claims_at_once_share_a_write_and_the_first_wins(
    db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Visitors joining at the same moment are written together, in one transaction; of
    two taking the same nickname, the first has it."""
    room = await make_room(db)
    here = NickClaims(db, clock)
    writes: list[int] = []

    async def counted(db: Database, claims: list[Claim], **kwargs: Any) -> list[bool]:
        writes.append(len(claims))
        return await do_claim(db, claims, **kwargs)

    monkeypatch.setattr(nicks, "do_claim", counted)
    keys = [nick_key(room_key(f"Vieras {i}")) for i in range(20)]
    results = await asyncio.gather(
        *(here.claim(f"socket {i}", (room, key, bytes([i]) * 16)) for i, key in enumerate(keys)),
        here.claim("late", (room, keys[0], B)),
    )
    assert results == [True] * 20 + [False]
    assert writes == [21]
