"""Benchmark of the archive's Finnish search: quality against relevance judgements and
latency at scale, on SQLite (FTS5) and PostgreSQL (tsvector).

Quality: every query of search_data/queries.json runs against the demo archive indexed
three ways, with the same engine and ranking: Voikko base forms and compound parts (the
service), plain lowercased words, and Snowball Finnish stems. Printed per engine:
recall@10, nDCG@10 (binary relevance) and how many relevant results the top 10 holds
over all queries.

Latency: ``--size`` synthetic questions (default 100,000) are made by recombining the
demo archive's sentences (no network), imported through the service, and every query
is timed end to end through ``reading.do_search`` (analysis, SQL, loading rows,
highlighting) and for the SQL alone. Printed: p50, p95 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kuulolla.accounts.organisations import do_create_organisation  # noqa: E402
from kuulolla.core.db import Database  # noqa: E402
from kuulolla.migrations import upgrade  # noqa: E402
from kuulolla.questions import demo, importing, reading, search, staff  # noqa: E402
from kuulolla.questions.search import Analyser, Mode  # noqa: E402

QUERIES = Path(__file__).resolve().parent / "search_data" / "queries.json"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


# ------------------------------------------------------------------ databases


class Databases:
    """Temporary databases: SQLite files in a temporary folder, PostgreSQL databases
    created on the given server and dropped at the end."""

    def __init__(self, pg_url: str | None) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="kuulolla-bench-")
        self.pg_url = pg_url
        self.pg_names: list[str] = []

    async def _pg(self, statement: str) -> None:
        import asyncpg

        assert self.pg_url
        conn = await asyncpg.connect(self.pg_url.replace("+asyncpg", ""), timeout=5)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    async def new(self, kind: str, label: str) -> str:
        if kind == "sqlite":
            url = f"sqlite+aiosqlite:///{self.tmp.name}/{label}.sqlite3"
        else:
            name = f"kuulolla_bench_{label}_{secrets.token_hex(3)}"
            await self._pg(f'CREATE DATABASE "{name}"')
            self.pg_names.append(name)
            assert self.pg_url
            url = self.pg_url.rsplit("/", 1)[0] + "/" + name
        await asyncio.to_thread(upgrade, url)
        return url

    async def close(self) -> None:
        for name in self.pg_names:
            await self._pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.tmp.cleanup()


async def postgres_available(url: str) -> bool:
    try:
        import asyncpg

        conn = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=3)
        await conn.close()
    except Exception:
        return False
    return True


async def make_orgs(db: Database) -> dict[str, tuple[int, str]]:
    out = {}
    for slug, name in (("arjen-tuki", "Arjen Tuki ry"), ("nuorten-kanava", "Nuorten Kanava ry")):
        oid = await do_create_organisation(db, slug=slug, name=name, now=NOW)
        out[slug] = (oid, name)
    return out


# ------------------------------------------------------------------ quality


def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, key in enumerate(ranked[:10]) if key in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


async def quality(kind: str, dbs: Databases, queries: list[dict[str, Any]]) -> None:
    items = demo.load_items()
    print(f"\nQuality on {kind}: {len(queries)} Finnish queries over {len(items)} demo items")
    print(f"{'engine':<34} {'recall@10':>9} {'nDCG@10':>8} {'relevant in top 10':>19}")
    counts: dict[Mode, int] = {}
    for mode, label in (
        (Mode.BASE_FORMS, "Voikko base forms, parts, roots"),
        (Mode.PLAIN, "plain words (no base forms)"),
        (Mode.SNOWBALL, "Snowball Finnish stems"),
    ):
        analyser = Analyser(mode)
        db = Database.from_url(await dbs.new(kind, f"q_{mode.value}"), pool_size=2)
        try:
            orgs = await make_orgs(db)
            rows = demo.import_items(items, organisations=orgs, now=NOW)
            ids = await importing.do_import_published(db, items=rows, analyser=analyser)
            key_of = dict(zip(ids, (i.key for i in items), strict=True))
            recalls, ndcgs, found_total, wanted_total = [], [], 0, 0
            for query in queries:
                relevant = set(query["relevant"])
                page = await reading.do_search(db, query=query["q"], limit=10, analyser=analyser)
                ranked = [key_of[r.id] for r in page.results]
                found = len(relevant & set(ranked))
                recalls.append(found / len(relevant))
                ndcgs.append(ndcg_at_10(ranked, relevant))
                found_total += found
                wanted_total += len(relevant)
            counts[mode] = found_total
            print(
                f"{label:<34} {statistics.mean(recalls):>9.3f} {statistics.mean(ndcgs):>8.3f}"
                f" {found_total:>12} of {wanted_total}"
            )
        finally:
            await db.dispose()
    base, plain, snow = counts[Mode.BASE_FORMS], counts[Mode.PLAIN], counts[Mode.SNOWBALL]
    print(
        f"relevant results in the top 10: {100 * (base / plain - 1):+.0f} % against plain words,"
        f" {100 * (base / snow - 1):+.0f} % against Snowball"
    )


# ------------------------------------------------------------------ latency

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def synthetic(
    size: int, orgs: dict[str, tuple[int, str]], seed: int = 8
) -> list[importing.ImportItem]:
    """``size`` questions recombined from the demo archive's titles and sentences, each
    kept within its category so the vocabulary stays realistic."""
    rng = random.Random(seed)
    by_category: dict[str, list[demo.DemoItem]] = {}
    for item in demo.load_items():
        by_category.setdefault(item.category, []).append(item)
    pools = {
        cat: (
            [i.title for i in items],
            [s for i in items for s in SENTENCE.split(i.question)],
            [s for i in items for s in SENTENCE.split(i.answer)],
            items,
        )
        for cat, items in by_category.items()
    }
    categories = sorted(pools)
    out = []
    for n in range(size):
        cat = categories[n % len(categories)]
        titles, questions, answers, items = pools[cat]
        base = items[rng.randrange(len(items))]
        org_id, org_name = orgs.get(base.organisation, (None, ""))
        out.append(
            importing.ImportItem(
                category=cat,
                language=base.language,
                title=rng.choice(titles),
                body=" ".join(rng.sample(questions, 3)),
                answer=" ".join(rng.sample(answers, 5)),
                answerer=staff.Answerer(base.answerer_name, base.answerer_role, org_name),
                organisation_id=org_id,
                published_at=NOW - timedelta(minutes=n),
                tags=base.tags,
            )
        )
    return out


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
    return f"p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms"


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await work()
    return (time.perf_counter() - start) * 1000


async def latency(
    kind: str, dbs: Databases, queries: list[dict[str, Any]], size: int, rounds: int
) -> None:
    analyser = search.default_analyser()
    db = Database.from_url(await dbs.new(kind, "latency"), pool_size=2)
    try:
        orgs = await make_orgs(db)
        items = synthetic(size, orgs)
        start = time.perf_counter()
        for i in range(0, len(items), 2000):
            await importing.do_import_published(db, items=items[i : i + 2000], analyser=analyser)
        loaded = time.perf_counter() - start
        async with db.transaction() as conn:
            from sqlalchemy import text

            if kind == "sqlite":
                await conn.execute(
                    text("INSERT INTO question_fts(question_fts) VALUES ('optimize')")
                )
                await conn.execute(text("ANALYZE"))
        if kind == "postgresql":
            async with db.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                    text("VACUUM ANALYZE")
                )
        print(
            f"\nLatency on {kind}: {size:,} published questions (loaded in {loaded:.0f} s),"
            f" {len(queries)} queries x {rounds} rounds"
        )
        full: list[float] = []
        sql: list[float] = []
        similar: list[float] = []
        # One warm-up round fills caches as a running service has them.
        for round_ in range(rounds + 1):
            for query in queries:
                q = query["q"]
                t_full = await timed(lambda q=q: reading.do_search(db, query=q, limit=10))
                terms = analyser.query_terms(q, ["fi", "sv", "en"])

                async def raw(terms: list[str] = terms) -> None:
                    async with db.read() as conn:
                        await search.find(conn, terms=terms, limit=11)

                t_sql = await timed(raw)
                t_similar = await timed(
                    lambda q=q: reading.similar(
                        db, text=f"Hei, minulla on kysymys: {q}. Mitä teen?"
                    )
                )
                if round_:
                    full.append(t_full)
                    sql.append(t_sql)
                    similar.append(t_similar)
        print(f"  search page (analysis + SQL + rows + highlighting)  {percentiles(full)}")
        print(f"  SQL ranking only                                    {percentiles(sql)}")
        print(f"  similar answers while typing                        {percentiles(similar)}")
    finally:
        await db.dispose()


# ------------------------------------------------------------------ main


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000, help="questions for the latency run")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the queries")
    parser.add_argument("--no-latency", action="store_true", help="quality only")
    parser.add_argument("--no-quality", action="store_true", help="latency only")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()

    if not Analyser().finnish.available:
        sys.exit("Voikko is not available (apt-get install libvoikko1 voikko-fi)")
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    pg_url = os.environ.get("KUULOLLA_BENCH_POSTGRES_URL", PG_DEFAULT)
    kinds = ["sqlite"]
    if not args.sqlite_only:
        if await postgres_available(pg_url):
            kinds.append("postgresql")
        else:
            print(f"PostgreSQL at {pg_url} is not answering; SQLite only")
    dbs = Databases(pg_url if "postgresql" in kinds else None)
    try:
        if not args.no_quality:
            for kind in kinds:
                await quality(kind, dbs, queries)
        if not args.no_latency:
            for kind in kinds:
                await latency(kind, dbs, queries, args.size, args.rounds)
    finally:
        await dbs.close()


if __name__ == "__main__":
    asyncio.run(main())
