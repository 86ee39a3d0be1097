"""The shared limiter (core/limits.py) on every backend: counts hold under concurrency,
windows end, refused attempts do not count, and nothing stored names what was counted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.core.limits import (
    DatabaseLimiter,
    Limiter,
    MemoryLimiter,
    RedisLimiter,
    Rule,
    make_limiter,
    minutes,
)
from kuulolla.core.models import RateCounter
from tests.conftest import drop_database, make_database_url
from tests.security.concurrency import at_once

RULE = Rule("test.rule", limit=5, window=60.0)


class Wall:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


@contextlib.asynccontextmanager
async def build(kind: str, wall: Wall, request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    if kind == "memory":
        yield MemoryLimiter(wall=wall)
    elif kind == "redis":
        prefix = request.getfixturevalue("broker_prefix")
        redis_limiter = RedisLimiter(request.getfixturevalue("redis_url"), prefix=prefix, wall=wall)
        yield redis_limiter
        keys = await redis_limiter._redis.keys(f"{prefix}:*")
        if keys:
            await redis_limiter._redis.delete(*keys)
        await redis_limiter.close()
    else:
        url, token = make_database_url(
            kind,
            request.getfixturevalue("tmp_path"),
            request.getfixturevalue("sqlite_template"),
            request.getfixturevalue("postgres_template"),
        )
        db = Database.from_url(url, pool_size=5)
        yield DatabaseLimiter(db, wall=wall)
        await db.dispose()
        drop_database(token)


@pytest_asyncio.fixture(params=["memory", "redis", "sqlite", "postgresql"])
async def limiter(request: pytest.FixtureRequest, wall: Wall) -> AsyncIterator[Limiter]:
    async with build(request.param, wall, request) as made:
        yield made


@pytest_asyncio.fixture(params=["memory", "sqlite", "postgresql"])
async def timed_limiter(request: pytest.FixtureRequest, wall: Wall) -> AsyncIterator[Limiter]:
    """The backends that read the application's clock (Redis keeps its own time)."""
    async with build(request.param, wall, request) as made:
        yield made


@pytest.mark.asyncio
async def test_concurrent_attempts_count_as_many(limiter: Limiter) -> None:
    """Forty attempts at once under one key: exactly the limit's five are allowed."""
    verdicts = await at_once(40, lambda _: limiter.take(RULE, b"account"))
    assert sum(v.allowed for v in verdicts) == 5
    assert sorted(v.count for v in verdicts if v.allowed) == [1, 2, 3, 4, 5]


@pytest.mark.asyncio
async def test_refused_attempts_are_not_counted(limiter: Limiter) -> None:
    """An attempt over the limit is refused with the time left and leaves the count at
    the limit, so a refund frees exactly one place."""
    for _ in range(5):
        assert (await limiter.take(RULE, "k")).allowed
    for _ in range(3):
        refused = await limiter.take(RULE, "k")
        assert not refused.allowed
        assert refused.count == 5
        assert 0 < refused.retry_after <= 60
    await limiter.refund(RULE, "k")
    assert (await limiter.take(RULE, "k")).allowed
    assert not (await limiter.take(RULE, "k")).allowed


@pytest.mark.asyncio
async def test_keys_and_rules_are_separate(limiter: Limiter) -> None:
    """Each key, and each rule's name, has a counter of its own."""
    other = Rule("test.other", limit=1, window=60.0)
    for _ in range(5):
        assert (await limiter.take(RULE, "a")).allowed
    assert (await limiter.take(RULE, "b")).allowed
    assert (await limiter.take(other, "a")).allowed
    assert not (await limiter.take(other, "a")).allowed


@pytest.mark.asyncio
async def test_reset_forgets(limiter: Limiter) -> None:
    """After a reset the key starts from zero."""
    for _ in range(5):
        await limiter.take(RULE, "k")
    await limiter.reset(RULE, "k")
    assert (await limiter.take(RULE, "k")).count == 1


@pytest.mark.asyncio
async def test_cost_counts_several(limiter: Limiter) -> None:
    """An attempt may cost several places; one that does not fit is refused whole."""
    assert (await limiter.take(RULE, "k", cost=4)).count == 4
    assert not (await limiter.take(RULE, "k", cost=2)).allowed
    assert (await limiter.take(RULE, "k", cost=1)).count == 5


@pytest.mark.asyncio
async def test_window_ends(timed_limiter: Limiter, wall: Wall) -> None:
    """When the window ends the key may be used again, with a fresh window."""
    limiter = timed_limiter
    for _ in range(5):
        await limiter.take(RULE, "k")
    wall.now += 59
    assert not (await limiter.take(RULE, "k")).allowed
    wall.now += 1
    assert (await limiter.take(RULE, "k")).count == 1
    wall.now += 59
    assert (await limiter.take(RULE, "k")).count == 2


@pytest.mark.asyncio
async def test_redis_window_ends(redis_url: str, broker_prefix: str) -> None:
    """In Redis the counter expires by itself at the window's end."""
    limiter = RedisLimiter(redis_url, prefix=broker_prefix)
    short = Rule("test.short", limit=1, window=0.2)
    try:
        assert (await limiter.take(short, "k")).allowed
        refused = await limiter.take(short, "k")
        assert not refused.allowed and refused.retry_after <= 0.2
        await asyncio.sleep(0.3)
        assert (await limiter.take(short, "k")).allowed
    finally:
        await limiter.close()


@pytest.mark.asyncio
async def test_redis_unreachable_counts_in_process(wall: Wall) -> None:
    """With Redis unreachable the limits still hold, counted in this process."""
    limiter = RedisLimiter("redis://127.0.0.1:1/0", prefix="x", wall=wall)
    try:
        verdicts = [await limiter.take(RULE, "k") for _ in range(7)]
        assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 2
    finally:
        await limiter.close()


@pytest.mark.asyncio
async def test_database_stores_no_key_in_clear(db: Database, wall: Wall) -> None:
    """The stored key is the rule's name and a hash; ended windows are pruned."""
    limiter = DatabaseLimiter(db, wall=wall)
    await limiter.take(RULE, "192.0.2.7")
    async with db.read_session() as session:
        keys = list(await session.scalars(select(RateCounter.key)))
    assert len(keys) == 1
    assert keys[0].startswith("test.rule:") and "192.0.2.7" not in keys[0]
    wall.now += 61
    await limiter.prune()
    async with db.read_session() as session:
        assert list(await session.scalars(select(RateCounter.key))) == []


@pytest.mark.asyncio
async def test_memory_limiter_bounds_its_keys(wall: Wall) -> None:
    """A flood of fresh keys cannot grow the in-process counters past their bound."""
    limiter = MemoryLimiter(wall=wall, max_keys=100)
    for i in range(1000):
        await limiter.take(RULE, str(i))
    assert len(limiter._counts) <= 100


@pytest.mark.asyncio
async def test_backend_choice(db: Database, redis_url: str) -> None:
    """Redis when configured; else the database on PostgreSQL; else in process."""
    with_redis = make_limiter(redis_url=redis_url, prefix="x", db=db, wall=Wall())
    assert isinstance(with_redis, RedisLimiter)
    await with_redis.close()
    without = make_limiter(redis_url="", prefix="x", db=db, wall=Wall())
    assert isinstance(without, DatabaseLimiter if not db.is_sqlite else MemoryLimiter)


def test_minutes_round_up() -> None:
    """A wait is told in whole minutes, rounded up, at least one."""
    assert [minutes(s) for s in (0, 1, 60, 61, 899)] == [1, 1, 1, 2, 15]


@pytest.mark.asyncio
async def test_redis_takes_a_storm_of_attempts_without_falling_back(
    redis_url: str, broker_prefix: str
) -> None:
    """Three hundred attempts at once wait for a pooled connection instead of failing
    over to the process's count: all are counted in Redis."""
    limiter = RedisLimiter(redis_url, prefix=broker_prefix)
    rule = Rule("test.storm", limit=1000, window=60.0)
    try:
        verdicts = await asyncio.gather(*(limiter.take(rule, "k") for _ in range(300)))
        assert sorted(v.count for v in verdicts) == list(range(1, 301))
        assert limiter.fallback._counts == {}
    finally:
        keys = await limiter._redis.keys(f"{broker_prefix}:*")
        if keys:
            await limiter._redis.delete(*keys)
        await limiter.close()


@pytest.mark.asyncio
async def test_redis_attempts_of_a_moment_share_a_pipeline(tmp_path: Path) -> None:
    """Attempts made at once go to Redis in a few writes, each counted on its own,
    and still after Redis has lost its scripts (a restart)."""
    import redis.asyncio

    from tests.chaos.services import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    limiter = RedisLimiter(server.url, prefix="t")
    rule = Rule("test.pipeline", limit=1000, window=60.0)
    try:
        first = await asyncio.gather(*(limiter.take(rule, "k") for _ in range(100)))
        assert sorted(v.count for v in first) == list(range(1, 101))
        assert limiter.round_trips <= 5
        admin = redis.asyncio.Redis.from_url(server.url)
        await admin.script_flush()
        await admin.aclose()
        again = await asyncio.gather(*(limiter.take(rule, "k") for _ in range(100)))
        assert sorted(v.count for v in again) == list(range(101, 201))
        assert limiter.fallback._counts == {}
    finally:
        await limiter.close()
        server.stop()


@pytest.mark.asyncio
async def test_redis_counters_live_in_the_urls_database(redis_url: str, broker_prefix: str) -> None:
    """The attempts' link chooses the URL's database, as redis-py's commands do."""
    import redis.asyncio

    base = redis_url.rsplit("/", 1)[0]
    limiter = RedisLimiter(f"{base}/3", prefix=broker_prefix)
    admin = redis.asyncio.Redis.from_url(f"{base}/3")
    try:
        assert (await limiter.take(RULE, "k")).count == 1
        assert len(await admin.keys(f"{broker_prefix}:limit:*")) == 1
        assert limiter.fallback._counts == {}
    finally:
        await admin.delete(*await admin.keys(f"{broker_prefix}:*"))
        await admin.aclose()
        await limiter.close()


@pytest.mark.asyncio
async def test_redis_that_does_not_answer_counts_in_process(wall: Wall) -> None:
    """A Redis that takes the connection and never answers holds an attempt about a
    second at most; then the process counts, and the limits still hold."""
    quiet: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        quiet.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    limiter = RedisLimiter(f"redis://127.0.0.1:{port}/0", prefix="x", wall=wall)
    try:
        verdicts = await asyncio.wait_for(
            asyncio.gather(*(limiter.take(RULE, "k") for _ in range(7))), 5
        )
        assert sorted(v.allowed for v in verdicts) == [False] * 2 + [True] * 5
        assert limiter.fallback._counts != {}
    finally:
        await limiter.close()
        for writer in quiet:
            writer.close()
        server.close()
