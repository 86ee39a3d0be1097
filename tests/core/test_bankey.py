"""The daily ban key: digests of client networks, rotation and expiry."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from kuulolla.core import bankey
from kuulolla.core.bankey import BanKeys, MemoryKeyStore, RedisKeyStore

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", None),
        ("", None),
        (None, None),
    ],
)
def test_network_of(address: str | None, network: str | None) -> None:
    """IPv4 addresses stand alone, IPv6 ones are cut to their /64, others give None."""
    assert bankey.network_of(address) == network


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_same_network_same_digest_within_the_day() -> None:
    """Two addresses of one /64 give the same digest on a day; another network differs."""
    keys = BanKeys(MemoryKeyStore())
    a = await keys.digest("2001:db8::1", now=NOW)
    b = await keys.digest("2001:db8::ffff", now=NOW + timedelta(hours=5))
    c = await keys.digest("2001:db8:0:1::1", now=NOW)
    assert a is not None and a == b and a != c and len(a) == 32


@pytest.mark.asyncio
async def test_candidates_cover_today_and_yesterday() -> None:
    """A ban made yesterday is still found today by its network digest, not the day after."""
    clock = Ticking()
    keys = BanKeys(MemoryKeyStore(monotonic=clock))
    made = await keys.digest("192.0.2.7", now=NOW)
    clock.now = 24 * 3600
    assert made in await keys.candidates("192.0.2.7", now=NOW + timedelta(days=1))
    clock.now = 48 * 3600 + 1
    assert made not in await keys.candidates("192.0.2.7", now=NOW + timedelta(days=2))


@pytest.mark.asyncio
async def test_keys_expire_after_48_hours() -> None:
    """A day's key is forgotten 48 hours after it was made: its digests cannot be made again."""
    clock = Ticking()
    store = MemoryKeyStore(monotonic=clock)
    keys = BanKeys(store)
    first = await keys.digest("192.0.2.7", now=NOW)
    clock.now = bankey.KEY_LIFETIME
    again = await keys.digest("192.0.2.7", now=NOW)
    assert first != again
    assert store.days() == [bankey.day_of(NOW)]


@pytest.mark.asyncio
async def test_unparseable_address_gives_nothing() -> None:
    """A client without an IP address gets no digest, so a ban rests on the token."""
    keys = BanKeys(MemoryKeyStore())
    assert await keys.digest("testclient", now=NOW) is None
    assert await keys.candidates(None, now=NOW) == []


@pytest.mark.asyncio
async def test_redis_key_is_shared_and_expires(redis_url: str, broker_prefix: str) -> None:
    """Two processes share the day's key through Redis, which expires it within 48 hours."""
    one = BanKeys(RedisKeyStore(redis_url, prefix=broker_prefix))
    two = BanKeys(RedisKeyStore(redis_url, prefix=broker_prefix))
    try:
        assert await one.digest("192.0.2.7", now=NOW) == await two.digest("192.0.2.7", now=NOW)
        store = one.store
        assert isinstance(store, RedisKeyStore)
        ttl = await store._redis.ttl(store.name(bankey.day_of(NOW)))
        assert 0 < ttl <= bankey.KEY_LIFETIME
    finally:
        await one.close()
        await two.close()


@pytest.mark.asyncio
async def test_a_storm_of_sockets_reads_the_day_key_once(redis_url: str) -> None:
    """Three hundred digests at once (a reconnect storm) read Redis once and fail none."""
    store = RedisKeyStore(redis_url, prefix=f"kt{secrets.token_hex(4)}")
    reads = 0
    real = store._read

    async def counted(day: str) -> bytes:
        nonlocal reads
        reads += 1
        return await real(day)

    store._read = counted  # type: ignore[method-assign]
    keys = BanKeys(store)
    try:
        digests = await asyncio.gather(*(keys.digest("192.0.2.7", now=NOW) for _ in range(300)))
        assert len(set(digests)) == 1 and reads == 1
    finally:
        await store._redis.delete(store.name(bankey.day_of(NOW)))
        await keys.close()


@pytest.mark.asyncio
async def test_without_redis_the_process_keeps_its_own_day_key() -> None:
    """With Redis unreachable a digest is still made (this process's key of the day),
    the same for every call that day."""
    keys = BanKeys(RedisKeyStore("redis://127.0.0.1:1/0", prefix="x"))
    try:
        first = await keys.digest("192.0.2.7", now=NOW)
        assert first is not None and first == await keys.digest("192.0.2.7", now=NOW)
    finally:
        await keys.close()
