"""What one attempt costs on each backend of the shared limiter (core/limits.py).

Every join, hello, message to the moderators, queue entry, vote and sign-in takes a
place first. This measures ``take`` on each backend against the cheapest round trip
to the same server in the same run, in interleaved rounds: the in-process limiter
against a dict update, Redis's script against a PING, the database's upsert against
a write transaction that does ``SELECT 1``. Each round runs ``--ops`` attempts one
after another (latency) and then as many in batches of 100 at once (throughput).

    scripts/bench/limits                       5 rounds of 2,000
    scripts/bench/limits --rounds 9 --ops 5000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kuulolla.core.db import Database
from kuulolla.core.limits import DatabaseLimiter, Limiter, MemoryLimiter, RedisLimiter, Rule
from kuulolla.migrations import upgrade

RULE = Rule("bench.take", 10**9, 3600.0)
REDIS = os.environ.get("KUULOLLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES = os.environ.get(
    "KUULOLLA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

Op = Callable[[int], Awaitable[object]]


async def timed(op: Op, n: int) -> tuple[float, float]:
    """(µs per attempt one at a time, attempts per second 100 at a time)."""
    started = time.perf_counter()
    for i in range(n):
        await op(i)
    sequential = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for start in range(0, n, 100):
        await asyncio.gather(*(op(i) for i in range(start, min(n, start + 100))))
    return sequential, n / (time.perf_counter() - started)


def take(limiter: Limiter) -> Op:
    # A hundred keys, as a hundred networks would be.
    return lambda i: limiter.take(RULE, f"network-{i % 100}".encode())


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(POSTGRES.replace("+asyncpg", ""), timeout=3)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def fresh_postgres() -> str:
    """A migrated database of its own on the test PostgreSQL (dropped at the end)."""
    name = f"kuulolla_bench_{secrets.token_hex(4)}"
    await admin(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rsplit("/", 1)[0] + "/" + name
    await asyncio.to_thread(upgrade, url)
    return url


async def backends(folder: Path) -> list[tuple[str, Op, Op, Callable[[], Awaitable[None]]]]:
    """(name, baseline, take, close) for each backend."""
    out: list[tuple[str, Op, Op, Callable[[], Awaitable[None]]]] = []
    counts: dict[int, int] = {}

    async def dict_update(i: int) -> None:
        counts[i % 100] = counts.get(i % 100, 0) + 1

    memory = MemoryLimiter()
    out.append(("in process", dict_update, take(memory), memory.close))

    prefix = f"bench{secrets.token_hex(3)}"
    redis_limiter = RedisLimiter(REDIS, prefix=prefix)
    redis = redis_limiter._redis

    async def close_redis() -> None:
        keys = await redis.keys(f"{prefix}:*")
        if keys:
            await redis.delete(*keys)
        await redis_limiter.close()

    out.append(("Redis", lambda i: redis.ping(), take(redis_limiter), close_redis))

    sqlite_url = f"sqlite+aiosqlite:///{folder / 'limits.sqlite3'}"
    upgrade(sqlite_url)
    databases = [("SQLite", Database.from_url(sqlite_url, pool_size=2))]
    try:
        pg_url = await fresh_postgres()
        databases.append(("PostgreSQL", Database.from_url(pg_url, pool_size=10)))
    except OSError as exc:
        print(f"PostgreSQL left out: {type(exc).__name__} at {POSTGRES}")
    for name, db in databases:

        async def write(i: int, db: Database = db) -> None:
            async with db.session() as session:
                await session.execute(text("SELECT 1"))

        async def close(db: Database = db) -> None:
            await db.dispose()
            if db.engine.dialect.name == "postgresql":
                await admin(f'DROP DATABASE IF EXISTS "{db.engine.url.database}" WITH (FORCE)')

        out.append((f"database ({name})", write, take(DatabaseLimiter(db)), close))
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        found = await backends(Path(tmp))
        results: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n, *_ in found}
        for _ in range(args.rounds):
            for name, baseline, attempt, _close in found:
                base = await timed(baseline, args.ops)
                cost = await timed(attempt, args.ops)
                results[name].append((*base, *cost))
        for *_, close in found:
            await close()
    print(f"{args.rounds} interleaved rounds of {args.ops} attempts; medians")
    print(
        f"{'backend':<22}{'baseline µs':>12}{'take µs':>10}{'ratio':>8}"
        f"{'baseline /s':>13}{'take /s':>10}"
    )
    for name, rows in results.items():
        b_us, b_rate, t_us, t_rate = (statistics.median(r[i] for r in rows) for i in range(4))
        ratios = statistics.median(r[2] / r[0] for r in rows)
        print(f"{name:<22}{b_us:>12.1f}{t_us:>10.1f}{ratios:>8.2f}{b_rate:>13.0f}{t_rate:>10.0f}")


if __name__ == "__main__":
    asyncio.run(main())
