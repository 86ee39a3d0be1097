"""Benchmark of the message retention purge on PostgreSQL at millions of rows.

For each ``--rows`` size a database of its own is created on the server, migrated,
and filled with that many messages spread evenly over ``--days`` days (newest now)
across ``--rooms`` rooms of ``--orgs`` organisations (a share of them one-to-one
conversation rooms), with ids, nicknames, hashes and texts of realistic sizes. Then,
in the same table, each purge strategy removes one day's messages (the share that
expires when a 30-day period meets a 31-day table) while a writer commits messages
the way the chat's grouped commits do (``chat.writers.PostgresWriter``), and the
bench prints:

- the purge's wall time and rows per second;
- the writer's commit latency (p50 / p99 / max) before and during the purge, and
  the longest time any backend waited for a lock (polled every 50 ms);
- the plan of the purge's statements (EXPLAIN) and the table and index sizes.

Each purge removes ``--hours`` hours of messages (24 by default: a day). Strategies: ``single`` is the purge as it was until 2026-12-07 (one DELETE of every
expired row of an organisation's rooms and the stream updates in one transaction);
``batched`` is ``chat.retention``'s purge (key-range batches, each its own short
transaction). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select, text, update  # noqa: E402

from kuulolla.chat import retention  # noqa: E402
from kuulolla.chat.models import Message  # noqa: E402
from kuulolla.chat.writers import Draft, PostgresWriter  # noqa: E402
from kuulolla.core.db import Database  # noqa: E402
from kuulolla.core.retention import PurgeContext  # noqa: E402
from kuulolla.core.settings import Settings  # noqa: E402
from kuulolla.migrations import upgrade  # noqa: E402
from kuulolla.rooms.models import Room, RoomMember, RoomStream  # noqa: E402

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
CHUNK = 500_000


def raw(url: str) -> str:
    return url.replace("+asyncpg", "")


async def admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(raw(url), timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


# ------------------------------------------------------------------ filling


async def fill(
    url: str, rows: int, rooms: int, orgs: int, days: int, now: datetime, old_index: bool
) -> None:
    """Organisations, rooms (one in five a conversation), their streams, some members,
    and ``rows`` messages in creation order (as the table grows in service)."""
    import asyncpg

    conn = await asyncpg.connect(raw(url))
    try:
        for o in range(orgs):
            await conn.execute(
                "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3)",
                f"org-{o}",
                f"Org {o} ry",
                now,
            )
        org_ids = [r[0] for r in await conn.fetch("SELECT id FROM organisations ORDER BY id")]
        for r in range(rooms):
            await conn.execute(
                "INSERT INTO rooms (organisation_id, slug, kind, name_fi, description_fi, "
                "history_limit, created_at) VALUES ($1, $2, $3, $4, '', 30, $5)",
                org_ids[r % orgs],
                f"room-{r}",
                "private" if r % 5 == 4 else "group",
                f"Huone {r}",
                now - timedelta(days=days + 1),
            )
        first = await conn.fetchval("SELECT min(id) FROM rooms")
        # Built after the rows are in, as a restore would: much quicker than row by row.
        await conn.execute("DROP INDEX ix_messages_room_created")
        await conn.execute("DROP INDEX uq_messages_room_ref")
        await conn.execute("ALTER TABLE messages DROP CONSTRAINT pk_messages")
        await conn.execute("SET synchronous_commit TO off")
        start = now - timedelta(days=days)
        span = days * 86400.0
        t0 = time.perf_counter()
        for lo in range(0, rows, CHUNK):
            hi = min(rows, lo + CHUNK) - 1
            await conn.execute(
                f"""
                INSERT INTO messages (room_id, seq, kind, created_at, author_key, nick, role,
                                      text, ref_key)
                SELECT {first} + g % {rooms}, g / {rooms} + 1, 0,
                       $1::timestamptz + make_interval(secs => g * {span / rows}),
                       substr(decode(md5((g % 5000)::text), 'hex'), 1, 16),
                       'nimimerkki' || (g % 5000), 'visitor',
                       repeat(md5(g::text), 2),
                       substr(decode(md5('r' || g::text), 'hex'), 1, 16)
                FROM generate_series({lo}::bigint, {hi}::bigint) AS g
                """,
                start,
            )
            print(f"  filled {hi + 1:,} rows ({time.perf_counter() - t0:.0f} s)", flush=True)
        t1 = time.perf_counter()
        await conn.execute("SET maintenance_work_mem TO '256MB'")
        await conn.execute(
            "ALTER TABLE messages ADD CONSTRAINT pk_messages PRIMARY KEY (room_id, seq)"
        )
        await conn.execute(
            "CREATE UNIQUE INDEX uq_messages_room_ref ON messages (room_id, ref_key)"
        )
        if old_index:
            await conn.execute("CREATE INDEX ix_messages_created_at ON messages (created_at)")
        else:
            await conn.execute(
                "CREATE INDEX ix_messages_room_created ON messages (room_id, created_at)"
            )
        print(f"  indexes {time.perf_counter() - t1:.0f} s", flush=True)
        await conn.execute(
            "INSERT INTO room_streams (room_id, last_seq, purged_seq) "
            "SELECT room_id, max(seq), 0 FROM messages GROUP BY room_id "
            "ON CONFLICT (room_id) DO UPDATE SET last_seq = excluded.last_seq"
        )
        # 40 members a room, last seen over the whole period.
        await conn.execute(
            f"""
            INSERT INTO room_members (room_id, author_key, first_seq, last_seen_at, joined_at)
            SELECT {first} + g % {rooms}, substr(decode(md5('m' || g::text), 'hex'), 1, 16), 1,
                   $1::timestamptz + make_interval(secs => g * {span / (rooms * 40)}), NULL
            FROM generate_series(0, {rooms * 40 - 1}) AS g
            """,
            start,
        )
        t1 = time.perf_counter()
        await conn.execute("VACUUM ANALYZE messages")
        await conn.execute("VACUUM ANALYZE room_members")
        await conn.execute("ANALYZE")
        print(f"  vacuum analyze {time.perf_counter() - t1:.0f} s", flush=True)
        sizes = await conn.fetch(
            "SELECT c.relname, pg_relation_size(c.oid) AS size FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND (c.relname = 'messages' OR c.relname LIKE '%messages%') ORDER BY 2 DESC"
        )
        print("  sizes: " + ", ".join(f"{s['relname']} {s['size'] / 2**20:.0f} MiB" for s in sizes))
    finally:
        await conn.close()


# ------------------------------------------------------------------ the old purge


async def single_purge(ctx: PurgeContext, *, group: bool) -> int:
    """The purge as it was: one DELETE and the stream updates in one transaction."""
    assert ctx.organisation_id is not None
    rooms = select(Room.id).where(
        Room.kind == "group" if group else Room.kind != "group",
        Room.organisation_id == ctx.organisation_id,
    )
    old = (Message.room_id.in_(rooms), Message.created_at < ctx.before)
    async with ctx.db.transaction() as conn:
        highest = (
            await conn.execute(
                select(Message.room_id, func.max(Message.seq)).where(*old).group_by(Message.room_id)
            )
        ).all()
        result = await conn.execute(delete(Message).where(*old))
        for room_id, seq in highest:
            await conn.execute(
                update(RoomStream)
                .where(RoomStream.room_id == room_id, RoomStream.purged_seq < seq)
                .values(purged_seq=seq)
            )
        await conn.execute(
            delete(RoomMember).where(
                RoomMember.room_id.in_(rooms), RoomMember.last_seen_at < ctx.before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def run_single(ctx: PurgeContext) -> int:
    return await single_purge(ctx, group=True) + await single_purge(ctx, group=False)


async def run_batched(ctx: PurgeContext) -> int:
    return await retention.purge_room_messages(ctx) + await retention.purge_conversation_messages(
        ctx
    )


STRATEGIES = {"single": run_single, "batched": run_batched}


# ------------------------------------------------------------------ load and watch


class Writer:
    """Commits ``batch`` messages to random rooms every ``interval`` seconds through the
    chat's writer and records each commit's latency with the time it ended."""

    def __init__(self, db: Database, room_ids: list[int], batch: int, interval: float) -> None:
        self.writer = PostgresWriter(db.engine)
        self.room_ids = room_ids
        self.batch = batch
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self.failures: list[str] = []
        self.stop = False

    async def run(self) -> None:
        rnd = random.Random(7)
        while not self.stop:
            rows = [
                Draft(
                    room_id=rnd.choice(self.room_ids),
                    author_key=secrets.token_bytes(16),
                    nick="kirjoittaja",
                    role="visitor",
                    text="viesti " * 8,
                    ref_key=secrets.token_bytes(16),
                )
                for _ in range(self.batch)
            ]
            t0 = time.perf_counter()
            try:
                await self.writer.write(rows, datetime.now(UTC))
            except Exception as exc:  # a sender would be told "unavailable"
                self.failures.append(type(exc).__name__)
            t1 = time.perf_counter()
            self.samples.append((t1, t1 - t0))
            await asyncio.sleep(max(0.0, self.interval - (t1 - t0)))


class LockWatch:
    """Polls for backends waiting on a lock; keeps the longest wait seen."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.longest = 0.0
        self.stop = False

    async def run(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(raw(self.url))
        try:
            while not self.stop:
                wait = await conn.fetchval(
                    "SELECT coalesce(max(extract(epoch FROM now() - state_change)), 0) "
                    "FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                self.longest = max(self.longest, float(wait))
                await asyncio.sleep(0.05)
        finally:
            await conn.close()


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no commits"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"n {len(ordered)}, p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


async def explain(url: str, org_id: int, before: datetime) -> None:
    import asyncpg

    conn = await asyncpg.connect(raw(url))
    try:
        rooms = "SELECT id FROM rooms WHERE kind = 'group' AND organisation_id = $1"
        for label, sql in (
            (
                "the single DELETE",
                f"DELETE FROM messages WHERE room_id IN ({rooms}) AND created_at < $2",
            ),
            (
                "its rows, read (ANALYZE)",
                "ANALYZE, BUFFERS) SELECT count(*) FROM messages "
                f"WHERE room_id IN ({rooms}) AND created_at < $2",
            ),
            (
                "one batch's DELETE",
                "DELETE FROM messages WHERE (room_id, seq) IN (SELECT room_id, seq FROM messages "
                f"WHERE room_id IN ({rooms}) AND created_at < $2 LIMIT {retention.BATCH}) "
                "RETURNING room_id, seq",
            ),
        ):
            sql = ("EXPLAIN (" + sql) if sql.startswith("ANALYZE") else ("EXPLAIN " + sql)
            plan = await conn.fetch(sql, org_id, before)
            print(f"  plan of {label}:")
            for line in plan:
                print("    " + line[0])
    finally:
        await conn.close()


async def scenario(
    url: str, strategy: str, day: int, days: int, now: datetime, args: argparse.Namespace
) -> dict[str, Any]:
    """Purge the messages of day ``day`` of the table (0 is the oldest) with the
    strategy while the writer commits; return the figures."""
    db = Database.from_url(url, pool_size=4)
    try:
        async with db.read() as conn:
            orgs = [r[0] for r in await conn.execute(text("SELECT id FROM organisations"))]
            room_ids = [r[0] for r in await conn.execute(text("SELECT id FROM rooms"))]
        before = now - timedelta(days=days) + timedelta(hours=(day + 1) * args.hours)
        writer = Writer(db, room_ids, args.batch, args.interval)
        watch = LockWatch(url)
        tasks = [asyncio.create_task(writer.run()), asyncio.create_task(watch.run())]
        await asyncio.sleep(args.warmup)
        t0 = time.perf_counter()
        deleted = 0
        for org_id in orgs:
            ctx = PurgeContext(
                db=db,
                organisation_id=org_id,
                before=before,
                now=now,
                dry_run=False,
                settings=Settings(),
            )
            deleted += await STRATEGIES[strategy](ctx)
        t1 = time.perf_counter()
        await asyncio.sleep(1.0)
        writer.stop = watch.stop = True
        await asyncio.gather(*tasks)
        await writer.writer.close()
        base = [lat for end, lat in writer.samples if end < t0]
        during = [lat for end, lat in writer.samples if t0 <= end <= t1 + 0.5]
        return {
            "strategy": strategy,
            "deleted": deleted,
            "seconds": t1 - t0,
            "base": summary(base),
            "during": summary(during),
            "max_during": max(during, default=0.0),
            "lock_wait": watch.longest,
            "failures": writer.failures,
        }
    finally:
        await db.dispose()


async def one_size(pg_url: str, rows: int, args: argparse.Namespace) -> None:
    name = f"kuulolla_bench_retention_{secrets.token_hex(3)}"
    await admin(pg_url, f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        await asyncio.to_thread(upgrade, url)
        print(f"\n{rows:,} messages over {args.days} days, {args.rooms} rooms, {args.orgs} orgs")
        await fill(url, rows, args.rooms, args.orgs, args.days, now, args.old_index)
        import asyncpg

        conn = await asyncpg.connect(raw(url))
        org = await conn.fetchval("SELECT min(id) FROM organisations")
        await conn.close()
        await explain(url, org, now - timedelta(days=args.days - 1))
        order = args.strategies * args.repeat
        for i, strategy in enumerate(order):
            r = await scenario(url, strategy, i, args.days, now, args)
            print(
                f"  {r['strategy']:<8} run {i}: {r['deleted']:,} rows in {r['seconds']:.1f} s "
                f"({r['deleted'] / max(r['seconds'], 1e-9):,.0f} rows/s); "
                f"longest lock wait {r['lock_wait'] * 1000:.0f} ms; "
                f"failed commits {len(r['failures'])} {sorted(set(r['failures']))}",
                flush=True,
            )
            print(f"           commits before: {r['base']}")
            print(f"           commits during: {r['during']}", flush=True)
    finally:
        await admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000000", help="comma-separated sizes")
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--rooms", type=int, default=400)
    parser.add_argument("--orgs", type=int, default=8)
    parser.add_argument(
        "--hours", type=float, default=24, help="hours of messages each purge removes"
    )
    parser.add_argument("--strategies", default="single,batched")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each strategy")
    parser.add_argument("--batch", type=int, default=10, help="messages per commit")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between commits")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--old-index",
        action="store_true",
        help="index created_at alone (the schema before 0023) instead of (room_id, created_at)",
    )
    args = parser.parse_args()
    args.strategies = args.strategies.split(",")
    pg_url = os.environ.get("KUULOLLA_BENCH_POSTGRES_URL", PG_DEFAULT)
    for rows in (int(x) for x in args.rows.split(",")):
        await one_size(pg_url, rows, args)


if __name__ == "__main__":
    asyncio.run(main())
