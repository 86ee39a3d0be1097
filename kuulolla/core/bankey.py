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

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

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
    """The UTC day a key belongs to, "YYYY-MM-DD"."""
    return now.astimezone(UTC).strftime("%Y-%m-%d")


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


class RedisKeyStore:
    """Day keys shared by every process through Redis; they expire by themselves."""

    def __init__(self, url: str, *, prefix: str) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._prefix = f"{prefix}:bankey:"

    def name(self, day: str) -> str:
        return self._prefix + day

    async def day_key(self, day: str) -> bytes:
        name = self.name(day)
        # The first process to need the day's key makes it; it expires 48 h later.
        await self._redis.set(name, secrets.token_bytes(32), nx=True, ex=KEY_LIFETIME)
        key = await self._redis.get(name)
        # Lost in between (an eviction): a fresh key for this call only; the ban then
        # rests on the token, which is the safe direction.
        return bytes(key) if key is not None else secrets.token_bytes(32)

    async def close(self) -> None:
        await self._redis.aclose()


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

    async def close(self) -> None:
        await self.store.close()
