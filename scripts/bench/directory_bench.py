"""Benchmark of the service directory: search quality on the labelled queries and the
cost of finding services as the directory grows, on SQLite and PostgreSQL.

Quality: every query of tests/directory/search_queries.jsonl (inflected Finnish, some
Swedish and English, some with a region) runs against the demo directory; printed:
recall@5 (the share of a query's relevant services in the first five, out of at most
five), the mean over the queries, and the queries that miss.

Cost: the demo's city services are copied to ``--size`` services spread over every
municipality (fictional copies, made through the same checks and index), then each
query is timed through ``listing.find_services`` (candidates by SQL, ranking by the
search index, "open now" from the hours, loading rows) with its region, and again with
"open now" and no words (the heaviest filter: every candidate's hours are evaluated).
Printed: p50 and p95 in milliseconds, and how long the open-data JSON takes to build.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import PG_DEFAULT, Databases, postgres_available  # noqa: E402
from sqlalchemy import select  # noqa: E402

from kuulolla.accounts.models import Organisation  # noqa: E402
from kuulolla.accounts.organisations import do_create_organisation  # noqa: E402
from kuulolla.core.db import Database  # noqa: E402
from kuulolla.directory import (  # noqa: E402
    curation,
    demo,
    demo_local,
    finding,
    importing,
    listing,
    logic,
    opendata,
    regions,
    service,
)
from tests.directory.search_eval import QUERIES, recall_at_5  # noqa: E402

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


async def seed_demo(db: Database) -> None:
    for slug, name in (("arjen-tuki", "Arjen Tuki ry"), ("nuorten-kanava", "Nuorten Kanava ry")):
        await do_create_organisation(db, slug=slug, name=name, now=NOW)
    await demo.seed(db, now=NOW)


async def quality(db: Database) -> float:
    recall, misses = await recall_at_5(db, now=NOW)
    for query, top in misses:
        print(f"    miss {query!r}: {top}")
    return recall


async def grow(db: Database, size: int) -> int:
    """Copies of the demo's city services in every municipality, up to ``size`` in all."""
    today = NOW.date()
    makers = sorted({m for ms in demo_local.PLAN.values() for m in ms}, key=lambda m: m.__name__)
    topics = [t.key for t in await curation.list_topics(db)]
    orgs = {slug: oid for slug, oid in await _orgs(db)}
    total = len(await listing.published(db, now=NOW))
    number = 1000
    async with db.session() as session:
        for m in regions.municipalities().values():
            city = demo_local.City(
                m.number, m.name_fi, m.name_sv, m.name_fi, f"k{m.number}", "00100", "Asemakatu 1"
            )
            for make in makers:
                if total >= size:
                    return total
                number += 1
                raw = make(city, number % 1000, today)
                fields = logic.check_service(opendata.incoming(raw, number).given, topics=topics)
                await service.do_save_service(
                    session, organisation_id=orgs[raw["organisation"]], fields=fields,
                    actor_id=None, now=NOW,
                )  # fmt: skip
                total += 1
    return total


async def _orgs(db: Database) -> list[tuple[str, int]]:
    async with db.read_session() as session:
        return [(o.slug, o.id) for o in await session.scalars(select(Organisation))]


async def timed(work: Any, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        await work()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(label: str, values: list[float]) -> None:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    print(f"  {label:<44} p50 {statistics.median(values):7.1f} ms   p95 {p95:7.1f} ms")


async def run(kind: str, dbs: Databases, size: int, rounds: int) -> None:
    url = await dbs.new(kind, "directory")
    db = Database.from_url(url)
    try:
        await seed_demo(db)
        print(f"{kind}: recall@5 over {len(QUERIES)} queries")
        print(f"  mean recall@5 {await quality(db):.3f}")
        started = time.perf_counter()
        total = await grow(db, size)
        print(f"  {total} services ({time.perf_counter() - started:.0f} s to add)")
        words, open_now = [], []
        for row in QUERIES:
            words += await timed(
                lambda row=row: listing.find_services(
                    db,
                    filters=finding.Filters(query=row["query"], region=row.get("region", "")),
                    now=NOW,
                ),
                rounds,
            )
        for county in list(regions.counties())[:12]:
            open_now += await timed(
                lambda county=county: listing.find_services(
                    db, filters=finding.Filters(region=f"c:{county}", open_now=True), now=NOW
                ),
                rounds,
            )
        summary("words (and region), first page", words)
        summary("a county, open now, no words", open_now)
        summary(
            "the open-data JSON (every service)",
            await timed(lambda: importing.export(db, now=NOW), max(1, rounds // 2)),
        )
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=3000, help="services in the grown directory")
    parser.add_argument("--rounds", type=int, default=3, help="timings per query")
    args = parser.parse_args()
    pg_url = os.environ.get("KUULOLLA_BENCH_POSTGRES_URL", PG_DEFAULT)
    dbs = Databases(pg_url if await postgres_available(pg_url) else None)
    try:
        await run("sqlite", dbs, args.size, args.rounds)
        if dbs.pg_url:
            await run("postgresql", dbs, args.size, args.rounds)
        else:
            print("postgresql: not available, skipped")
    finally:
        await dbs.close()


if __name__ == "__main__":
    asyncio.run(main())
