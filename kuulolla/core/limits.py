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
  the same moment go out in one write, on a link of their own. While Redis cannot
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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import hiredis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kuulolla.core import metrics, resp
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
    # Allowed in Redis: a refund sent before this time.monotonic() reaches the window
    # that counted the attempt, not a later one (RedisLimiter.take); None: not known.
    refund_before: float | None = None


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

    async def open(self) -> None:
        """Make the connection the first attempt would wait for (a process starting)."""

    async def close(self) -> None: ...


def _refused(rule: Rule) -> None:
    metrics.LIMITED.labels(rule.name).inc()


def _verdict(reply: Any, sent: float) -> Verdict:
    """The take script's reply {allowed, count, ms left} as a verdict; ``sent``: the
    time.monotonic() before the attempt was sent."""
    allowed, count, left = reply
    if not allowed:
        return Verdict(False, int(count), max(0, int(left)) / 1000)
    # The window ends ``left`` ms after the script ran, which was after ``sent``; a
    # refund sent a margin before that reaches this window.
    return Verdict(True, int(count), refund_before=sent + int(left) / 1000 - REFUND_MARGIN)


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

    async def open(self) -> None:
        return None

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
TAKE_TIMEOUT = 1.0  # seconds an attempt waits for Redis's answer before Redis counts as down
REFUND_MARGIN = 5.0  # seconds before its window's end after which an attempt is not refunded


Convert = Callable[[Any], Any]


class TakeLink:
    """The take script's calls on one :class:`~kuulolla.core.resp.Link` (one Redis).

    The calls of one turn of the event loop go out in one write; Redis answers in
    order and each answer settles its call's future in the link's own callback: no
    task, pooled connection or pipeline object per group, where redis-py's pipeline
    cost a task (its timeout's) and a stream read per group. Each call is still its
    own script call, counted and answered as alone. A call Redis answers with
    ``NOSCRIPT`` (it restarted empty) is sent again with the script in full (``EVAL``,
    which loads it). A lost link, or one that leaves a call unanswered for
    :data:`TAKE_TIMEOUT`, fails every call outstanding on it (the caller counts in
    process for a while); the next call makes a new link."""

    def __init__(self, url: str, *, sha: str, script: str, on_write: Callable[[], None]) -> None:
        self.url = url
        self._evalsha = b"*7\r\n$7\r\nEVALSHA\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (
            len(sha),
            sha.encode(),
        )
        script_bytes = script.encode()
        self._eval = b"*7\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (
            len(script_bytes),
            script_bytes,
        )
        self._on_write = on_write
        self._link: resp.Link | None = None
        self._connecting: asyncio.Task[None] | None = None
        # (a command, its answer, what makes the answer of Redis's reply)
        self._queued: list[tuple[bytes, asyncio.Future[Any], Convert | None]] = []
        self._sent: deque[tuple[bytes, asyncio.Future[Any], Convert | None, float]] = deque()
        self._flush_handle: asyncio.Handle | None = None
        self._watch: asyncio.TimerHandle | None = None
        self._closed = False

    @staticmethod
    def arguments(name: str, cost: int, window_ms: int, limit: int) -> bytes:
        """The key and ARGV of one call, as RESP bulk strings."""
        key = name.encode()
        a, b, c = b"%d" % cost, b"%d" % window_ms, b"%d" % limit
        return b"$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(key),
            key,
            len(a),
            a,
            len(b),
            b,
            len(c),
            c,
        )

    def call(self, arguments: bytes, convert: Convert | None = None) -> asyncio.Future[Any]:
        """The script's answer for ``arguments`` (:meth:`arguments`), to be awaited;
        ``convert(reply)`` when given (called as the reply is read)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self._closed:
            future.set_exception(ConnectionError("the limiter is closed"))
            return future
        self._queued.append((self._evalsha + arguments, future, convert))
        if self._link is not None:
            if self._flush_handle is None:
                self._flush_handle = loop.call_soon(self._flush)
        elif self._connecting is None:
            self._connecting = loop.create_task(self._connect())
        return future

    async def open(self) -> None:
        """Make the link now if there is none (the first call would wait for it)."""
        if self._link is None and not self._closed:
            if self._connecting is None:
                self._connecting = asyncio.get_running_loop().create_task(self._connect())
            await asyncio.shield(self._connecting)

    async def _connect(self) -> None:
        try:
            link = await resp.connect(self.url, self._on_reply, timeout=TAKE_TIMEOUT, select=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            queued, self._queued = self._queued, []
            for _, future, _ in queued:
                if not future.done():
                    future.set_exception(
                        exc if isinstance(exc, OSError) else ConnectionError(type(exc).__name__)
                    )
            return
        finally:
            self._connecting = None
        if self._closed:
            link.abort()
            return
        self._link = link
        link.lost.add_done_callback(lambda _: self._lost(link))
        self._flush()

    def _flush(self) -> None:
        self._flush_handle = None
        link = self._link
        if link is None or not link.open or not self._queued:
            return
        queued, self._queued = self._queued, []
        now = time.monotonic()
        out = []
        sent = self._sent
        for command, future, convert in queued:
            if future.done():  # its caller gave up
                continue
            out.append(command)
            sent.append((command, future, convert, now))
        if not out:
            return
        link.write(out[0] if len(out) == 1 else b"".join(out))
        self._on_write()
        if self._watch is None:
            self._watch = asyncio.get_running_loop().call_later(TAKE_TIMEOUT, self._check)

    def _on_reply(self, reply: Any) -> None:
        if not self._sent:
            return  # nothing asked (cannot happen on a link of its own)
        command, future, convert, _ = self._sent.popleft()
        if future.done():
            return
        if isinstance(reply, hiredis.ReplyError):
            if str(reply).startswith("NOSCRIPT") and command.startswith(self._evalsha):
                # The same call with the script in full (which loads it again).
                self._queued.append((self._eval + command[len(self._evalsha) :], future, convert))
                if self._flush_handle is None:
                    self._flush_handle = asyncio.get_running_loop().call_soon(self._flush)
                return
            future.set_exception(ResponseError(str(reply)))
            return
        if convert is None:
            future.set_result(reply)
            return
        try:
            future.set_result(convert(reply))
        except Exception as exc:  # a reply of another shape: the call failed
            future.set_exception(ResponseError(type(exc).__name__))

    def _check(self) -> None:
        """Fail everything outstanding when the oldest call has waited too long."""
        self._watch = None
        if not self._sent:
            return
        waited = time.monotonic() - self._sent[0][3]
        if waited >= TAKE_TIMEOUT:
            link, self._link = self._link, None
            self._fail_sent(TimeoutError("Redis did not answer"))
            if link is not None:
                link.abort()
            return
        self._watch = asyncio.get_running_loop().call_later(TAKE_TIMEOUT - waited, self._check)

    def _lost(self, link: resp.Link) -> None:
        if self._link is link:
            self._link = None
            self._fail_sent(ConnectionError("the link to Redis was lost"))
        if self._queued and self._connecting is None and not self._closed:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())

    def _fail_sent(self, exc: Exception) -> None:
        sent, self._sent = self._sent, deque()
        for _, future, _, _ in sent:
            if not future.done():
                future.set_exception(exc)

    def close(self) -> None:
        self._closed = True
        if self._connecting is not None:
            self._connecting.cancel()
        for handle in (self._flush_handle, self._watch):
            if handle is not None:
                handle.cancel()
        link, self._link = self._link, None
        self._fail_sent(ConnectionError("the limiter is closed"))
        queued, self._queued = self._queued, []
        for _, future, _ in queued:
            if not future.done():
                future.set_exception(ConnectionError("the limiter is closed"))
        if link is not None:
            link.abort()


class RedisLimiter:
    """Counters shared by every process through Redis.

    On one Redis, attempts go over a link of their own (:class:`TakeLink`): those of
    the same turn of the event loop in one write (a reconnect storm's hellos and
    joins: one round trip for all that arrived meanwhile, not one each); each is still
    its own script call, counted and answered as alone. On a cluster each attempt is
    sent by itself through redis-py (its key decides the node). Refunds and resets
    (rare) go through redis-py on both."""

    def __init__(self, url: str, *, prefix: str, wall: Wall = time.time) -> None:
        self._redis: Any = pooled_redis(url)
        self._prefix = f"{prefix}:limit:"
        self._take = self._redis.register_script(TAKE_SCRIPT)
        self._refund = self._redis.register_script(REFUND_SCRIPT)
        self.fallback = MemoryLimiter(wall=wall)
        self._down_until = 0.0
        self.round_trips = 0  # writes and single calls sent (for tests and benchmarks)
        self._link: TakeLink | None = None
        if not is_cluster(url):
            self._link = TakeLink(
                url, sha=self._take.sha, script=TAKE_SCRIPT, on_write=self._count_write
            )

    def _count_write(self) -> None:
        self.round_trips += 1

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
            sent = time.monotonic()
            try:
                if self._link is not None:
                    reply = await self._link.call(
                        TakeLink.arguments(name, cost, window_ms, rule.limit)
                    )
                else:
                    self.round_trips += 1
                    reply = await self._take(keys=[name], args=[cost, window_ms, rule.limit])
            except (RedisError, OSError) as exc:
                self._failed(exc)
            else:
                verdict = _verdict(reply, sent)
                if not verdict.allowed:
                    _refused(rule)
                return verdict
        return self.fallback.take_now(rule, key, cost=cost)

    def begin(
        self, rule: Rule, key: str | bytes, *, cost: int = 1
    ) -> asyncio.Future[Verdict] | None:
        """An attempt sent now, without a task: its verdict to be awaited later, or an
        exception when Redis failed to answer (the caller then takes it again), or None
        where attempts cannot be begun so (a cluster, Redis counted as down). A refusal
        is not counted in ``kuulolla_limited_total``: the caller decides by it later."""
        if self._link is None or not self._usable():
            return None
        window_ms = max(1, int(rule.window * 1000))
        sent = time.monotonic()
        return self._link.call(
            TakeLink.arguments(self._prefix + storage_key(rule, key), cost, window_ms, rule.limit),
            lambda reply: _verdict(reply, sent),
        )

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

    async def open(self) -> None:
        if self._link is not None:
            await self._link.open()

    async def close(self) -> None:
        if self._link is not None:
            self._link.close()
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

    async def open(self) -> None:
        return None

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
