"""Per-process caches of rooms and their moderation settings: one database read per
room however many senders ask at once, and expired copies served while they reload."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.moderation import policies as policies_module
from kuulolla.rooms import service as rooms
from tests.helpers import NOW, make_room

pytestmark = pytest.mark.asyncio


class Gate:
    """Counts calls of an async function and holds them until opened."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0
        self.open = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        await self.open.wait()
        return await self.real(*args, **kwargs)


async def test_concurrent_lookups_of_a_room_share_one_read(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty senders asking for an uncached room cause one read, and all get the room."""
    await make_room(db, "jaettu")
    gate = Gate(rooms.get_room)
    monkeypatch.setattr(rooms, "get_room", gate)
    cache = rooms.RoomCache(db, ttl=10)
    waiting = [asyncio.ensure_future(cache.get("jaettu", now=0.0)) for _ in range(20)]
    await asyncio.sleep(0)
    gate.open.set()
    found = await asyncio.gather(*waiting)
    assert gate.calls == 1
    assert {room.slug for room in found if room is not None} == {"jaettu"}


async def test_an_expired_room_is_served_while_one_read_replaces_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the TTL the old copy answers at once and a single background read renews it."""
    await make_room(db, "vanha")
    cache = rooms.RoomCache(db, ttl=10)
    first = await cache.get("vanha", now=0.0)
    gate = Gate(rooms.get_room)
    monkeypatch.setattr(rooms, "get_room", gate)
    served = [await cache.get("vanha", now=11.0) for _ in range(5)]
    assert served == [first] * 5
    gate.open.set()
    await asyncio.sleep(0.05)
    assert gate.calls == 1
    assert await cache.get("vanha", now=12.0) == first
    assert gate.calls == 1  # renewed: no read until the new copy expires


async def test_a_forgotten_room_is_not_stored_by_a_read_that_began_before(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """forget() during a read: that read's result is not kept, the next lookup reads again."""
    await make_room(db, "unohdettu")
    gate = Gate(rooms.get_room)
    monkeypatch.setattr(rooms, "get_room", gate)
    cache = rooms.RoomCache(db, ttl=10)
    pending = asyncio.ensure_future(cache.get("unohdettu", now=0.0))
    await asyncio.sleep(0)
    cache.forget("unohdettu")
    gate.open.set()
    await pending
    await cache.get("unohdettu", now=1.0)
    assert gate.calls == 2


def policies_of(db: Database, clock: FrozenClock | None = None) -> policies_module.RoomPolicies:
    settings: Any = SimpleNamespace(moderation_cache_seconds=10.0)
    return policies_module.RoomPolicies(
        db=db, clock=clock or FrozenClock(NOW), settings=settings, flood=None
    )


async def test_moderation_settings_of_a_busy_room_are_read_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrent senders in a room without a cached policy share one settings read."""
    room_id = await make_room(db, "kiireinen")
    room = await rooms.get_room(db, slug="kiireinen")
    assert room is not None
    gate = Gate(policies_module.service.get_room_settings)
    monkeypatch.setattr(policies_module.service, "get_room_settings", gate)
    live = policies_of(db)
    waiting = [
        asyncio.ensure_future(live.room_entry(room_id, room.organisation_id)) for _ in range(20)
    ]
    await asyncio.sleep(0)
    gate.open.set()
    entries = await asyncio.gather(*waiting)
    assert gate.calls == 1
    assert len({id(entry) for entry in entries}) == 1


async def test_expired_moderation_settings_are_served_while_reloaded(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cache time the old policy answers at once; one read replaces it."""
    room_id = await make_room(db, "vakio")
    room = await rooms.get_room(db, slug="vakio")
    assert room is not None
    clock = FrozenClock(NOW)
    live = policies_of(db, clock)
    first = await live.room_entry(room_id, room.organisation_id)
    clock.advance(seconds=11)
    gate = Gate(policies_module.service.get_room_settings)
    monkeypatch.setattr(policies_module.service, "get_room_settings", gate)
    served = [await live.room_entry(room_id, room.organisation_id) for _ in range(5)]
    gate.open.set()
    renewed = first
    for _ in range(500):  # until the background read has replaced the copy
        await asyncio.sleep(0.01)
        renewed = await live.room_entry(room_id, room.organisation_id)
        if renewed is not first:
            break
    assert served == [first] * 5
    assert gate.calls == 1
    assert renewed is not first
