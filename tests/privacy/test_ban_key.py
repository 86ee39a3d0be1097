"""The daily ban key rotates: after rotation the same address gives a different digest,
and once the old key has lived its 48 hours it is held nowhere (memory, Redis or the
database), so old digests can no longer be linked to an address."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest

from kuulolla.core import bankey
from kuulolla.core.bankey import (
    CACHE_SECONDS,
    KEY_LIFETIME,
    BanKeys,
    MemoryKeyStore,
    RedisKeyStore,
)
from kuulolla.core.db import Database
from tests.helpers import NOW, make_room

ADDRESS = "203.0.113.57"


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_rotation_gives_a_new_digest_and_the_old_key_is_forgotten() -> None:
    """A day later the address digests differently; two days later the first day's key
    is gone and no check can produce the old digest any more."""
    ticks = Ticks()
    store = MemoryKeyStore(monotonic=ticks)
    keys = BanKeys(store)
    first = await keys.digest(ADDRESS, now=NOW)
    old_key = await store.day_key(bankey.day_of(NOW))
    ticks.now += 24 * 3600
    second = await keys.digest(ADDRESS, now=NOW + timedelta(days=1))
    assert first is not None and second is not None and first != second
    assert first in await keys.candidates(ADDRESS, now=NOW + timedelta(days=1))
    ticks.now += KEY_LIFETIME
    later = NOW + timedelta(days=3)
    candidates = await keys.candidates(ADDRESS, now=later)
    assert first not in candidates and second not in candidates
    assert bankey.day_of(NOW) not in store.days()
    held = [await store.day_key(day) for day in store.days()]
    assert old_key not in held


@pytest.mark.asyncio
async def test_redis_keys_rotate_and_expire_within_48_hours(redis_url: str) -> None:
    """In Redis each day has its own key that expires within 48 hours; the address
    itself is never written there."""
    import redis.asyncio as aioredis

    prefix = f"kt{secrets.token_hex(4)}"
    ticks = Ticks()
    store = RedisKeyStore(redis_url, prefix=prefix, monotonic=ticks)
    keys = BanKeys(store)
    client = aioredis.Redis.from_url(redis_url)
    try:
        first = await keys.digest(ADDRESS, now=NOW)
        second = await keys.digest(ADDRESS, now=NOW + timedelta(days=1))
        assert first != second
        names = sorted([n async for n in client.scan_iter(match=f"{prefix}:*")])
        assert names == [
            store.name(bankey.day_of(NOW)).encode(),
            store.name(bankey.day_of(NOW + timedelta(days=1))).encode(),
        ]
        for name in names:
            ttl = await client.ttl(name)
            assert 0 < ttl <= KEY_LIFETIME
            assert ADDRESS.encode() not in (await client.dump(name) or b"")
        # The key expiring (as Redis does after its TTL) takes the old digest with it,
        # once the process's copy (kept a minute at most) has lapsed.
        await client.delete(names[0])
        ticks.now += CACHE_SECONDS
        assert first not in await keys.candidates(ADDRESS, now=NOW + timedelta(days=1))
    finally:
        await client.delete(*[n async for n in client.scan_iter(match=f"{prefix}:*")] or ["-"])
        await client.aclose()
        await keys.close()


@pytest.mark.asyncio
async def test_a_ban_stores_the_digest_but_never_the_key_or_the_address(
    sqlite_url: str,
) -> None:
    """The database holds the ban's digest only: neither the day key nor the address."""
    from kuulolla.moderation.restrictions import do_restrict

    store = MemoryKeyStore()
    keys = BanKeys(store)
    db = Database.from_url(sqlite_url)
    try:
        room = await make_room(db)
        digest = await keys.digest(ADDRESS, now=NOW)
        await do_restrict(
            db,
            organisation_id=1,
            room_id=room,
            kind="ban",
            author_key=b"a" * 16,
            seconds=3600,
            ban_key=digest,
            actor_id=None,
            now=NOW,
        )
        await db.dispose()
        path = Path(sqlite_url.split("///", 1)[1])
        data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        key = await store.day_key(bankey.day_of(NOW))
        assert digest is not None and digest in data
        assert key not in data and ADDRESS.encode() not in data
    finally:
        await db.dispose()
