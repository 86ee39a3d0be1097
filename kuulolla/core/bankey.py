"""The daily ban key: how a ban outlasts a new anonymous token without storing addresses.

A banned visitor can drop their token and come back with a new one. To refuse them
anyway, a ban records ``HMAC-SHA256(day key, client network)`` (IPv4 address, or the
/64 of an IPv6 address) next to the token hash. The day key is random, made by the
first process that needs it on a UTC day, and kept in Redis (shared by every process)
or in memory (one process) for at most :data:`KEY_LIFETIME` seconds, never in the
database or a log. Once a key has expired nobody can compute its digests again, so
the stored hashes cannot be linked to an address: the address part of a ban lasts at
most two days, the token part for the ban's whole duration. The raw address is never
written anywhere.

The same digest is the *network-day key* of the limits on anonymous actions and
sign-ins (core/limits.py): a client is counted by its network without its address
being kept.

API (the only things other modules use)::

    keys = BanKeys(MemoryKeyStore())            # or RedisKeyStore(url, prefix=...)
    digest = await keys.digest(address, now=now)        # today's, for a new ban
    digests = await keys.candidates(address, now=now)   # today's and yesterday's,
                                                        # to check a ban
    await keys.close()

``digest`` and ``candidates`` take a :class:`~datetime.datetime` (the wall clock, UTC)
and return ``None`` / ``[]`` for an address that cannot be parsed (a Unix socket, a
test client), so a ban then rests on the token alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from redis.exceptions import RedisError

from kuulolla.core.redis_pool import close_redis, pooled_redis

log = logging.getLogger(__name__)

KEY_LIFETIME = 48 * 3600  # seconds a day key lives after it was made
DIGEST_BYTES = 32


def network_of(address: str | None) -> str | None:
    """The unit a ban covers: an IPv4 address or the /64 of an IPv6 one (a household
    or a phone gets a whole /64); None when ``address`` is not an IP address."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def day_of(now: datetime) -> str:
    """The UTC day a key belongs to, "YYYY-MM-DD" (every new socket asks: ``isoformat``
    costs a fifth of ``strftime``)."""
    return now.astimezone(UTC).date().isoformat()


def address_digest(key: bytes, network: str) -> bytes:
    """HMAC-SHA256 of ``network`` under ``key`` (pure; the stored form)."""
    return hmac.new(key, b"ban\x00" + network.encode(), hashlib.sha256).digest()


class KeyStore(Protocol):
    async def day_key(self, day: str) -> bytes:
        """The key of ``day``, made now if it does not exist (and kept at most
        :data:`KEY_LIFETIME` seconds from now)."""

    async def close(self) -> None: ...


class MemoryKeyStore:
    """Day keys of one process (the embedded default, tests)."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._keys: dict[str, tuple[bytes, float]] = {}
        self._monotonic = monotonic

    async def day_key(self, day: str) -> bytes:
        now = self._monotonic()
        for old, (_, made) in list(self._keys.items()):
            if now - made >= KEY_LIFETIME:
                del self._keys[old]
        found = self._keys.get(day)
        if found is None:
            found = (secrets.token_bytes(32), now)
            self._keys[day] = found
        return found[0]

    def days(self) -> list[str]:
        """Days whose key this store holds (for tests of rotation)."""
        return sorted(self._keys)

    async def close(self) -> None:
        self._keys.clear()


CACHE_SECONDS = 60.0  # how long a process reuses a day key it read from Redis


class RedisKeyStore:
    """Day keys shared by every process through Redis; they expire by themselves.

    A process reuses a key it read for up to :data:`CACHE_SECONDS` (never past the
    key's own expiry), one read at a time per day: every new socket needs the day's
    key, and a storm of reconnects must not become a storm of Redis commands. While
    Redis cannot be reached, keys of this process stand in (logged): a ban's network
    part then matches only in the process that recorded it, its token part everywhere.
    """

    def __init__(
        self, url: str, *, prefix: str, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._redis: Any = pooled_redis(url)
        self._prefix = f"{prefix}:bankey:"
        self._monotonic = monotonic
        self._cache: dict[str, tuple[bytes, float]] = {}  # day -> (key, reused until)
        self._locks: dict[str, asyncio.Lock] = {}
        self.fallback = MemoryKeyStore(monotonic=monotonic)

    def name(self, day: str) -> str:
        return self._prefix + day

    async def day_key(self, day: str) -> bytes:
        found = self._cached(day)
        if found is not None:
            return found
        lock = self._locks.setdefault(day, asyncio.Lock())
        async with lock:
            found = self._cached(day)
            if found is not None:
                return found
            try:
                return await self._read(day)
            except (RedisError, OSError) as exc:
                log.warning(
                    "bankey.redis_unavailable: %s",
                    type(exc).__name__,
                    extra={"event": "bankey.redis_unavailable"},
                )
                return await self.fallback.day_key(day)

    def _cached(self, day: str) -> bytes | None:
        found = self._cache.get(day)
        if found is not None and found[1] > self._monotonic():
            return found[0]
        return None

    async def _read(self, day: str) -> bytes:
        name = self.name(day)
        # The first process to need the day's key makes it; it expires 48 h later.
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(name, secrets.token_bytes(32), nx=True, ex=KEY_LIFETIME)
        pipe.get(name)
        pipe.pttl(name)
        _, key, ttl_ms = await pipe.execute()
        if key is None:
            # Lost in between (an eviction): a fresh key for this call only; the ban
            # then rests on the token, which is the safe direction.
            return secrets.token_bytes(32)
        now = self._monotonic()
        for old in [d for d, (_, until) in self._cache.items() if until <= now]:
            del self._cache[old]
            self._locks.pop(old, None)
        keep = min(CACHE_SECONDS, max(0, int(ttl_ms)) / 1000)
        self._cache[day] = (bytes(key), now + keep)
        return bytes(key)

    async def close(self) -> None:
        self._cache.clear()
        await close_redis(self._redis)


def make_ban_keys(*, redis_url: str, prefix: str) -> BanKeys:
    """Day keys in Redis when it is configured (every process computes the same
    digests), else in this process."""
    store: KeyStore = RedisKeyStore(redis_url, prefix=prefix) if redis_url else MemoryKeyStore()
    return BanKeys(store)


class BanKeys:
    """Digests of client networks under the day's key."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store

    async def digest(self, address: str | None, *, now: datetime) -> bytes | None:
        """Today's digest of ``address``'s network, to record with a new ban."""
        network = network_of(address)
        if network is None:
            return None
        return address_digest(await self.store.day_key(day_of(now)), network)

    async def candidates(self, address: str | None, *, now: datetime) -> list[bytes]:
        """The digests a ban made today or yesterday would carry, to check one."""
        network = network_of(address)
        if network is None:
            return []
        out = []
        for day in (now, now - timedelta(days=1)):
            out.append(address_digest(await self.store.day_key(day_of(day)), network))
        return out

    async def warm(self, *, now: datetime) -> None:
        """Have today's and yesterday's keys at hand (a process just started)."""
        for day in (now, now - timedelta(days=1)):
            await self.store.day_key(day_of(day))

    async def close(self) -> None:
        await self.store.close()
