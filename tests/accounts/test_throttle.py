"""Sign-in throttling stores, in memory and in Redis, and keys that hold no address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from kuulolla.accounts.logic import Throttle
from kuulolla.accounts.throttle import (
    DAY_KEY_LIFETIME,
    MemoryThrottleStore,
    RedisThrottleStore,
    SignInThrottle,
    ThrottleStore,
    network_of,
)

DAY = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", None),
        (None, None),
    ],
)
def test_client_networks(address: str | None, network: str | None) -> None:
    """Clients are counted by IPv4 address or IPv6 /64; anything else is not counted."""
    assert network_of(address) == network


@pytest_asyncio.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, broker_prefix: str) -> AsyncIterator[ThrottleStore]:
    if request.param == "memory":
        yield MemoryThrottleStore(max_delay=900)
        return
    redis_url = request.getfixturevalue("redis_url")
    redis_store = RedisThrottleStore(redis_url, prefix=broker_prefix, max_delay=900)
    yield redis_store
    keys = await redis_store._redis.keys(f"{broker_prefix}:*")
    if keys:
        await redis_store._redis.delete(*keys)
    await redis_store.close()


@pytest.mark.asyncio
async def test_failures_count_and_clear(store: ThrottleStore) -> None:
    """Failures add up per key and are forgotten on success."""
    for i in range(3):
        await store.fail(["a:1", "c:1"], now=100.0 + i)
    await store.fail(["a:2"], now=105.0)
    states = await store.read(["a:1", "a:2", "c:1", "a:3"])
    assert states == {
        "a:1": Throttle(3, 102.0),
        "a:2": Throttle(1, 105.0),
        "c:1": Throttle(3, 102.0),
        "a:3": Throttle(),
    }
    await store.clear(["a:1"])
    assert (await store.read(["a:1"]))["a:1"] == Throttle()


@pytest.mark.asyncio
async def test_day_keys_are_random_shared_and_short_lived(
    store: ThrottleStore, broker_prefix: str
) -> None:
    """The day's key is random, the same for every caller that day, different the next day,
    and kept at most 48 hours."""
    first = await store.day_key("2026-03-02", now=0.0)
    assert first == await store.day_key("2026-03-02", now=10.0)
    assert first != await store.day_key("2026-03-03", now=20.0)
    assert len(first) == 32
    if isinstance(store, RedisThrottleStore):
        ttl = await store._redis.ttl(f"{broker_prefix}:throttle:daykey:2026-03-02")
        assert 0 < ttl <= DAY_KEY_LIFETIME
    else:
        await store.day_key("2026-03-05", now=DAY_KEY_LIFETIME + 1)
        assert "2026-03-02" not in store._day_keys  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_keys_hold_no_address_or_username(store: ThrottleStore, broker_prefix: str) -> None:
    """What the throttle keeps names neither the address nor the username typed."""
    clock = [DAY.timestamp()]
    throttle = SignInThrottle(
        store, secret="s" * 40, free=2, client_free=3, max_delay=900, wall=lambda: clock[0]
    )
    client = await throttle.client_key("198.51.100.23", now=DAY)
    assert client is not None and "198.51.100" not in client
    tomorrow = await throttle.client_key("198.51.100.23", now=DAY + timedelta(minutes=2))
    assert tomorrow != client  # a new day, a new key: yesterday's counts cannot be linked
    for _ in range(3):
        await throttle.failed(username="Maija.Meikalainen", client=client, device=None)
    keys = throttle.keys(username="maija.meikalainen ", client=client, device=None)
    assert await throttle.retry_after(keys) == pytest.approx(4.0)
    assert all("maija" not in key for key in keys)
    if isinstance(store, RedisThrottleStore):
        stored = [k.decode() for k in await store._redis.keys(f"{broker_prefix}:*")]
        assert stored and not any("198.51" in k or "maija" in k.lower() for k in stored)
    device_keys = throttle.keys(username="maija.meikalainen", client=None, device="nonce-1")
    assert await throttle.retry_after(device_keys) == 0.0  # a known device counts on its own
