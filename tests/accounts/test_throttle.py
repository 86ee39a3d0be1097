"""Sign-in limits (accounts/throttle.py) over the shared limiter: which keys an attempt
counts under, what a success gives back, and that nothing kept names an address or a
username."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kuulolla.accounts.throttle import SignInThrottle, SignInThrottled
from kuulolla.core.bankey import BanKeys, MemoryKeyStore
from kuulolla.core.limits import MemoryLimiter, RedisLimiter
from tests.accounts.helpers import make_throttle

DAY = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)


async def fill(throttle: SignInThrottle, n: int, **kw: object) -> None:
    for _ in range(n):
        await throttle.reserve(**kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_an_account_takes_five_attempts_per_window() -> None:
    """Five attempts at one account are counted; the sixth is refused with the wait."""
    throttle = make_throttle()
    await fill(throttle, 5, username="maija")
    with pytest.raises(SignInThrottled) as info:
        await throttle.reserve(username="Maija ")  # the same account, typed differently
    assert info.value.params == {"minutes": 15}
    await throttle.reserve(username="matti")  # another account is not affected


@pytest.mark.asyncio
async def test_a_known_device_is_not_kept_out_but_still_counts() -> None:
    """With the account's window full, its owner's known device may still try; the
    device's tries count for the account too."""
    throttle = make_throttle()
    await fill(throttle, 5, username="maija")
    await fill(throttle, 5, username="maija", device="nonce-1")
    with pytest.raises(SignInThrottled):
        await throttle.reserve(username="maija", device="nonce-1")
    with pytest.raises(SignInThrottled):
        await throttle.reserve(username="maija")


@pytest.mark.asyncio
async def test_the_network_limit_covers_every_account() -> None:
    """Twenty attempts from one network at any accounts; the next is refused, and the
    account's place it took is given back."""
    throttle = make_throttle()
    network = await throttle.network_key("198.51.100.23", now=DAY)
    assert network is not None
    for i in range(20):
        await throttle.reserve(username=f"tunnus{i}", network=network)
    with pytest.raises(SignInThrottled):
        await throttle.reserve(username="maija", network=network)
    await fill(throttle, 5, username="maija")  # maija's five places are all still free


@pytest.mark.asyncio
async def test_success_forgets_the_failures_and_release_gives_back() -> None:
    """A success clears the account's count; a released attempt (no hash ran) was never
    counted."""
    throttle = make_throttle()
    await fill(throttle, 4, username="maija")
    await throttle.succeeded(await throttle.reserve(username="maija"))
    await fill(throttle, 4, username="maija")
    await throttle.release(await throttle.reserve(username="maija"))
    await throttle.reserve(username="maija")
    with pytest.raises(SignInThrottled):
        await throttle.reserve(username="maija")


@pytest.mark.asyncio
async def test_a_link_takes_five_uses_per_window() -> None:
    """Each use of a one-time link that reaches the hash is counted."""
    throttle = make_throttle()
    for _ in range(5):
        await throttle.reserve_link(b"link-hash")
    with pytest.raises(SignInThrottled):
        await throttle.reserve_link(b"link-hash")
    await throttle.reserve_link(b"another-link")


@pytest.mark.asyncio
async def test_keys_hold_no_address_or_username(redis_url: str, broker_prefix: str) -> None:
    """What the limits keep in Redis names neither the address nor the username typed."""
    limiter = RedisLimiter(redis_url, prefix=broker_prefix)
    throttle = SignInThrottle(
        limiter,
        BanKeys(MemoryKeyStore()),
        secret="s" * 40,
        free=5,
        client_free=20,
        window=900,
    )
    try:
        network = await throttle.network_key("198.51.100.23", now=DAY)
        await throttle.reserve(username="Maija.Meikalainen", network=network, device="nonce-1")
        keys = await limiter._redis.keys(f"{broker_prefix}:*")
        assert len(keys) == 3
        for key in keys:
            blob = key + (await limiter._redis.dump(key) or b"")
            for secret in (b"198.51.100", b"maija", b"Maija", b"nonce-1"):
                assert secret not in blob
    finally:
        await limiter._redis.delete(*(await limiter._redis.keys(f"{broker_prefix}:*")) or ["-"])
        await limiter.close()


@pytest.mark.asyncio
async def test_the_network_key_changes_with_the_day() -> None:
    """One network has one key a day and another the next day."""
    throttle = SignInThrottle(
        MemoryLimiter(),
        BanKeys(MemoryKeyStore()),
        secret="s" * 40,
        free=5,
        client_free=20,
        window=900,
    )
    today = await throttle.network_key("2001:db8:1:2::1", now=DAY)
    assert today == await throttle.network_key("2001:db8:1:2:ffff::9", now=DAY)  # one /64
    assert today != await throttle.network_key("2001:db8:1:2::1", now=DAY.replace(day=3))
    assert await throttle.network_key("testclient", now=DAY) is None
