"""Sign-in throttling without storing addresses.

Failed sign-ins are counted under several keys; an attempt waits for the longest
delay among its keys (accounts/logic.py: :func:`~kuulolla.accounts.logic.throttle_delay`):

- the **account**: a keyed hash of the username typed (known or not, so throttling
  does not reveal which accounts exist; hashed, because people sometimes type their
  password into the username field);
- the **client network**: HMAC-SHA256 of the address (IPv6: its /64) under a random
  key of the day that is kept at most 48 hours and never derived from anything
  stored (DESIGN.md, "No IP addresses stored"); the raw address is never written;
- a **device** the person signed in from before (a signed cookie): a person on a
  known device is counted under the device instead of the account, so an attacker
  hammering the account cannot keep its owner out (OWASP's "device cookies").

State lives in Redis when it is configured (shared by every process, expiring on
its own) and in memory otherwise.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from kuulolla.accounts.logic import Throttle, after_failure, forget_after, throttle_delay
from kuulolla.core.ids import keyed

DAY_KEY_LIFETIME = 48 * 3600


def network_of(address: str | None) -> str | None:
    """The unit a client is throttled by: the IPv4 address, or the /64 of an IPv6 one
    (one household or phone gets a whole /64)."""
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
    return now.astimezone(UTC).strftime("%Y-%m-%d")


class ThrottleStore(Protocol):
    async def read(self, keys: Iterable[str]) -> dict[str, Throttle]: ...

    async def fail(self, keys: Iterable[str], *, now: float) -> None: ...

    async def clear(self, keys: Iterable[str]) -> None: ...

    async def day_key(self, day: str, *, now: float) -> bytes: ...

    async def close(self) -> None: ...


class MemoryThrottleStore:
    """For one process (the embedded default)."""

    def __init__(self, *, max_delay: float) -> None:
        self.max_delay = max_delay
        self._state: dict[str, Throttle] = {}
        self._day_keys: dict[str, tuple[bytes, float]] = {}

    async def read(self, keys: Iterable[str]) -> dict[str, Throttle]:
        return {key: self._state.get(key, Throttle()) for key in keys}

    async def fail(self, keys: Iterable[str], *, now: float) -> None:
        if len(self._state) > 100_000:
            self._prune(now)
        for key in keys:
            self._state[key] = after_failure(
                self._state.get(key, Throttle()), now=now, max_delay=self.max_delay
            )

    async def clear(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._state.pop(key, None)

    async def day_key(self, day: str, *, now: float) -> bytes:
        for old, (_, created) in list(self._day_keys.items()):
            if now - created >= DAY_KEY_LIFETIME:
                del self._day_keys[old]
        found = self._day_keys.get(day)
        if found is None:
            found = (secrets.token_bytes(32), now)
            self._day_keys[day] = found
        return found[0]

    def _prune(self, now: float) -> None:
        horizon = forget_after(self.max_delay)
        for key, state in list(self._state.items()):
            if now - state.last_failure > horizon:
                del self._state[key]

    async def close(self) -> None:
        return None


class RedisThrottleStore:
    """Shared by every process through Redis; keys expire by themselves."""

    def __init__(self, url: str, *, prefix: str, max_delay: float) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._prefix = f"{prefix}:throttle:"
        self.max_delay = max_delay

    async def read(self, keys: Iterable[str]) -> dict[str, Throttle]:
        keys = list(keys)
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.hmget(self._prefix + key, "f", "t")
        rows = await pipe.execute()
        out: dict[str, Throttle] = {}
        for key, (failures, last) in zip(keys, rows, strict=True):
            out[key] = Throttle(int(failures), float(last)) if failures is not None else Throttle()
        return out

    async def fail(self, keys: Iterable[str], *, now: float) -> None:
        keys = list(keys)
        current = await self.read(keys)
        pipe = self._redis.pipeline(transaction=False)
        ttl = int(forget_after(self.max_delay))
        for key in keys:
            state = after_failure(current[key], now=now, max_delay=self.max_delay)
            pipe.hset(self._prefix + key, mapping={"f": state.failures, "t": state.last_failure})
            pipe.expire(self._prefix + key, ttl)
        await pipe.execute()

    async def clear(self, keys: Iterable[str]) -> None:
        keys = [self._prefix + key for key in keys]
        if keys:
            await self._redis.delete(*keys)

    async def day_key(self, day: str, *, now: float) -> bytes:
        name = f"{self._prefix}daykey:{day}"
        # The first process to need the day's key makes it; it expires 48 h later.
        await self._redis.set(name, secrets.token_bytes(32), nx=True, ex=DAY_KEY_LIFETIME)
        key = await self._redis.get(name)
        return bytes(key) if key is not None else secrets.token_bytes(32)

    async def close(self) -> None:
        await self._redis.aclose()


class SignInThrottle:
    """The throttling policy over a store: which keys an attempt counts under."""

    def __init__(
        self,
        store: ThrottleStore,
        *,
        secret: str,
        free: int,
        client_free: int,
        max_delay: float,
        wall: Any = time.time,
    ) -> None:
        self.store = store
        self.secret = secret
        self.free = free
        self.client_free = client_free
        self.max_delay = max_delay
        self.wall = wall

    def account_key(self, username: str) -> str:
        return "a:" + keyed(self.secret, "throttle-account", username.strip().casefold()).hex()[:32]

    def device_key(self, device: str) -> str:
        return "d:" + keyed(self.secret, "throttle-device", device).hex()[:32]

    async def client_key(self, address: str | None, *, now: datetime) -> str | None:
        network = network_of(address)
        if network is None:
            return None
        day_key = await self.store.day_key(day_of(now), now=self.wall())
        return "c:" + keyed(day_key.hex(), "client", network).hex()[:32]

    def keys(self, *, username: str, client: str | None, device: str | None) -> list[str]:
        """Keys an attempt is *checked* under: the device replaces the account."""
        first = self.device_key(device) if device else self.account_key(username)
        return [first] + ([client] if client else [])

    async def retry_after(self, keys: list[str]) -> float:
        states = await self.store.read(keys)
        now = self.wall()
        worst = 0.0
        for key, state in states.items():
            free = self.client_free if key.startswith("c:") else self.free
            worst = max(worst, throttle_delay(state, now=now, free=free, max_delay=self.max_delay))
        return worst

    async def failed(self, *, username: str, client: str | None, device: str | None) -> None:
        keys = {self.account_key(username)}
        if client:
            keys.add(client)
        if device:
            keys.add(self.device_key(device))
        await self.store.fail(sorted(keys), now=self.wall())

    async def succeeded(self, *, username: str, device: str | None) -> None:
        keys = [self.account_key(username)]
        if device:
            keys.append(self.device_key(device))
        await self.store.clear(keys)
