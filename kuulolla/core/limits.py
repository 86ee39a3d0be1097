"""The shared limiter: atomic counters for every limit that reads, then writes.

A limit that reads a count, does the work and writes the count back lets N
concurrent attempts through as if they were one: a security review sent 40 wrong
passwords for one account at once and all 40 were checked against a limit of five.
Here an attempt *reserves* its place first, in one atomic step that counts it and
says whether it is within the limit, and only then does the expensive work (an
argon2 hash, a row written). N concurrent attempts count as N.

A :class:`Rule` is a fixed window: at most ``limit`` attempts per ``window`` seconds
per key, the window starting at a key's first attempt. An attempt over the limit is
not counted (it is taken back in the same step), so refused attempts never push the
window's end further. Keys are hashed again before they are stored, and callers
pass keys that hold no address or token in the first place (a keyed hash of an
account, a network-day key of core/bankey.py, a token's key).

Three backends behind one Protocol (:class:`Limiter`):

- :class:`RedisLimiter` when Redis is configured: one Lua script per attempt
  (``INCRBY``, ``PEXPIRE`` on the window's first attempt, ``DECRBY`` when over the
  limit), shared by every process; the keys expire by themselves. The attempts of
  the same moment share one pipeline. While Redis cannot
  be reached an in-process limiter stands in, so limits still hold per process.
- :class:`DatabaseLimiter` without Redis on PostgreSQL: ``INSERT … ON CONFLICT DO
  UPDATE … WHERE count + cost <= limit RETURNING count`` on ``rate_counters``; a
  refused attempt returns no row. Expired rows are deleted hourly (:meth:`prune`).
- :class:`MemoryLimiter` for the embedded default (one process, SQLite): there is no
  ``await`` between reading and writing a counter, so it is atomic; the counts are
  lost on a restart, which an attacker cannot cause.

Use::

    verdict = await limiter.take(SIGN_IN, account_key)
    if not verdict.allowed:
        raise SignInThrottled(minutes=minutes(verdict.retry_after))
    ...                                             # the expensive work
    await limiter.refund(SIGN_IN, account_key)      # when the attempt should not count
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import NoScriptError, RedisError
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kuulolla.core import metrics
from kuulolla.core.db import Database
from kuulolla.core.models import RateCounter
from kuulolla.core.redis_pool import close_redis, is_cluster, pooled_redis

log = logging.getLogger(__name__)

Wall = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Rule:
    """At most ``limit`` attempts per ``window`` seconds under one key. ``name`` is
    stable and short (it prefixes the stored keys and labels the metric)."""

    name: str
    limit: int
    window: float

    def uncapped(self) -> Rule:
        """The same counter, counted without a limit (an attempt that must count
        but is decided by another key)."""
        return Rule(self.name, 2**31 - 1, self.window)


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    count: int  # attempts in the window, this one included when allowed
    retry_after: float = 0.0  # seconds until the window ends (when refused)


def minutes(seconds: float) -> int:
    """Whole minutes to tell a person to wait (at least one)."""
    return max(1, math.ceil(seconds / 60))


def storage_key(rule: Rule, key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    return f"{rule.name}:{hashlib.sha256(raw).hexdigest()[:40]}"


class Limiter(Protocol):
    async def take(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> Verdict:
        """Count ``cost`` attempts under ``key`` if they fit in the rule's limit."""

    async def refund(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> None:
        """Take back attempts counted by :meth:`take` (they turned out not to count)."""

    async def reset(self, rule: Rule, key: str | bytes) -> None:
        """Forget the key's count (a successful sign-in clears its failures)."""

    async def prune(self) -> None:
        """Delete counters whose window has ended (where they do not expire alone)."""

    async def close(self) -> None: ...


def _refused(rule: Rule) -> None:
    metrics.LIMITED.labels(rule.name).inc()


# ------------------------------------------------------------------ in process


class MemoryLimiter:
    """Counters of one process. At most ``max_keys`` are kept: beyond that, ended
    windows are dropped, then the oldest half, so a flood of fresh keys costs bounded
    memory (the cost is that some old counts are forgotten early)."""

    def __init__(self, *, wall: Wall = time.time, max_keys: int = 200_000) -> None:
        self.wall = wall
        self.max_keys = max_keys
        self._counts: dict[str, list[float]] = {}  # key -> [count, window end]

    async def take(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> Verdict:
        return self.take_now(rule, key, cost=cost)

    def take_now(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> Verdict:
        """:meth:`take` without a coroutine (the stand-in of :class:`RedisLimiter`)."""
        name = storage_key(rule, key)
        now = self.wall()
        entry = self._counts.get(name)
        if entry is None or entry[1] <= now:
            if len(self._counts) >= self.max_keys:
                self._shrink(now)
            entry = [0, now + rule.window]
            self._counts[name] = entry
        if entry[0] + cost > rule.limit:
            _refused(rule)
            return Verdict(False, int(entry[0]), entry[1] - now)
        entry[0] += cost
        return Verdict(True, int(entry[0]))

    async def refund(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> None:
        entry = self._counts.get(storage_key(rule, key))
        if entry is not None:
            entry[0] = max(0, entry[0] - cost)

    async def reset(self, rule: Rule, key: str | bytes) -> None:
        self._counts.pop(storage_key(rule, key), None)

    async def prune(self) -> None:
        now = self.wall()
        for name, (_, ends) in list(self._counts.items()):
            if ends <= now:
                del self._counts[name]

    def _shrink(self, now: float) -> None:
        for name, (_, ends) in list(self._counts.items()):
            if ends <= now:
                del self._counts[name]
        if len(self._counts) >= self.max_keys:
            for name in list(self._counts)[: len(self._counts) // 2]:
                del self._counts[name]

    async def close(self) -> None:
        self._counts.clear()


# ------------------------------------------------------------------ Redis

# KEYS[1]: the counter; ARGV: cost, window in ms, limit. Returns {allowed, count, ms left}.
TAKE_SCRIPT = """
local cost = tonumber(ARGV[1])
local n = redis.call('INCRBY', KEYS[1], cost)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
if n > tonumber(ARGV[3]) then
  redis.call('DECRBY', KEYS[1], cost)
  return {0, n - cost, ttl}
end
return {1, n, ttl}
"""

REFUND_SCRIPT = """
local n = redis.call('DECRBY', KEYS[1], tonumber(ARGV[1]))
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
"""

REDIS_DOWN_SECONDS = 5.0  # after a failure, count in process this long before retrying Redis


class RedisLimiter:
    """Counters shared by every process through Redis.

    On one Redis, the attempts of the same moment go in one pipeline (a reconnect
    storm's hellos and joins: one round trip and one pooled connection for all that
    arrived while the previous pipeline was under way, not one each); each is still
    its own script call, counted and answered as alone. On a cluster each attempt is
    sent by itself (its key decides the node)."""

    def __init__(self, url: str, *, prefix: str, wall: Wall = time.time) -> None:
        self._redis: Any = pooled_redis(url)
        self._prefix = f"{prefix}:limit:"
        self._take = self._redis.register_script(TAKE_SCRIPT)
        self._refund = self._redis.register_script(REFUND_SCRIPT)
        self.fallback = MemoryLimiter(wall=wall)
        self._down_until = 0.0
        self._grouped = not is_cluster(url)
        self._waiting: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._sending = False
        self._background: set[asyncio.Task[None]] = set()
        self.round_trips = 0  # pipelines and single calls sent (for tests and benchmarks)

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + REDIS_DOWN_SECONDS
        metrics.LIMITER_FALLBACKS.inc()
        log.warning(
            "limits.redis_unavailable: %s",
            type(exc).__name__,
            extra={"event": "limits.redis_unavailable"},
        )

    async def take(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> Verdict:
        if self._usable():
            name = self._prefix + storage_key(rule, key)
            window_ms = max(1, int(rule.window * 1000))
            try:
                allowed, count, left = await self._take_one([name, cost, window_ms, rule.limit])
            except (RedisError, OSError) as exc:
                self._failed(exc)
            else:
                if not allowed:
                    _refused(rule)
                    return Verdict(False, int(count), max(0, int(left)) / 1000)
                return Verdict(True, int(count))
        return self.fallback.take_now(rule, key, cost=cost)

    async def _take_one(self, call: list[Any]) -> Any:
        """The take script's answer for ``call`` (key, cost, window, limit)."""
        if not self._grouped:
            self.round_trips += 1
            return await self._take(keys=call[:1], args=call[1:])
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((call, future))
        if not self._sending:
            self._sending = True
            task = loop.create_task(self._send())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return await future

    async def _send(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    answers = await self._take_all([call for call, _ in batch])
                except Exception as exc:
                    answers = [exc] * len(batch)
                for (_, future), answer in zip(batch, answers, strict=True):
                    if future.done():
                        continue
                    if isinstance(answer, Exception):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)
        finally:
            self._sending = False

    async def _take_all(self, calls: list[list[Any]]) -> list[Any]:
        self.round_trips += 1
        if len(calls) == 1:  # the script object loads the script when Redis lost it
            return [await self._take(keys=calls[0][:1], args=calls[0][1:])]
        answers = await self._pipeline(calls)
        if any(isinstance(a, NoScriptError) for a in answers):  # Redis restarted empty
            await self._redis.script_load(TAKE_SCRIPT)
            self.round_trips += 1
            answers = await self._pipeline(calls)
        return answers

    async def _pipeline(self, calls: list[list[Any]]) -> list[Any]:
        pipe = self._redis.pipeline(transaction=False)
        for name, *args in calls:
            pipe.evalsha(self._take.sha, 1, name, *args)
        return list(await pipe.execute(raise_on_error=False))

    async def refund(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> None:
        if not self._usable():
            await self.fallback.refund(rule, key, cost=cost)
            return
        try:
            await self._refund(keys=[self._prefix + storage_key(rule, key)], args=[cost])
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def reset(self, rule: Rule, key: str | bytes) -> None:
        await self.fallback.reset(rule, key)
        if not self._usable():
            return
        try:
            await self._redis.delete(self._prefix + storage_key(rule, key))
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def prune(self) -> None:
        await self.fallback.prune()

    async def close(self) -> None:
        await close_redis(self._redis)


# ------------------------------------------------------------------ database


class DatabaseLimiter:
    """Counters in the ``rate_counters`` table, shared by every process that uses the
    database. Each attempt is one statement: an insert that, on conflict, updates the
    row only when the attempt fits (or the window has ended) and returns the new
    count; no row back means refused."""

    def __init__(self, db: Database, *, wall: Wall = time.time) -> None:
        self.db = db
        self.wall = wall
        self._insert: Any = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert

    async def take(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> Verdict:
        name = storage_key(rule, key)
        now = int(self.wall() * 1000)
        ends = now + max(1, int(rule.window * 1000))
        if cost > rule.limit:
            _refused(rule)
            return Verdict(False, 0, rule.window)
        table: Any = RateCounter.__table__
        ended = table.c.ends_ms <= now
        statement = (
            self._insert(table)
            .values(key=name, count=cost, ends_ms=ends)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((ended, cost), else_=table.c.count + cost),
                    "ends_ms": case((ended, ends), else_=table.c.ends_ms),
                },
                where=ended | (table.c.count + cost <= rule.limit),
            )
            .returning(table.c.count)
        )
        async with self.db.session() as session:
            count = (await session.execute(statement)).scalar()
            if count is not None:
                return Verdict(True, int(count))
            row = (
                await session.execute(
                    select(RateCounter.count, RateCounter.ends_ms).where(RateCounter.key == name)
                )
            ).first()
        _refused(rule)
        if row is None:
            return Verdict(False, 0, rule.window)
        return Verdict(False, int(row[0]), max(0, row[1] - now) / 1000)

    async def refund(self, rule: Rule, key: str | bytes, *, cost: int = 1) -> None:
        name = storage_key(rule, key)
        async with self.db.session() as session:
            await session.execute(
                update(RateCounter)
                .where(RateCounter.key == name)
                .values(
                    count=case(
                        (RateCounter.count > cost, RateCounter.count - cost),
                        else_=0,
                    )
                )
            )

    async def reset(self, rule: Rule, key: str | bytes) -> None:
        async with self.db.session() as session:
            await session.execute(
                delete(RateCounter).where(RateCounter.key == storage_key(rule, key))
            )

    async def prune(self) -> None:
        now = int(self.wall() * 1000)
        async with self.db.session() as session:
            await session.execute(delete(RateCounter).where(RateCounter.ends_ms <= now))

    async def close(self) -> None:
        return None


def make_limiter(*, redis_url: str, prefix: str, db: Database, wall: Wall) -> Limiter:
    """Redis when configured; else the database when it is PostgreSQL (processes on
    several machines may share it); else in process (SQLite serves one process)."""
    if redis_url:
        return RedisLimiter(redis_url, prefix=prefix, wall=wall)
    if db.engine.dialect.name == "postgresql":
        return DatabaseLimiter(db, wall=wall)
    return MemoryLimiter(wall=wall)
