"""Cost of statistics.

1. The chat path: ``Tally.count`` for one committed message against the cheapest
   thing the chat server could do instead (one dict increment), as a ratio, with the
   absolute cost per message.
2. The dashboard: reading and building every table of a year for one organisation
   with a year of demo statistics (reports/demo.py) on SQLite, against one
   ``count(*)`` of the same organisation's rows in the same run.

Medians of interleaved rounds; the machine's load moves absolute figures, the ratios
less so.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.core.events import Kind, Tally
from kuulolla.core.models import ReportEvent
from kuulolla.migrations import upgrade
from kuulolla.reports import demo, service, tables
from kuulolla.reports.logic import Period
from kuulolla.rooms import service as rooms

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def chat_path(n: int) -> tuple[float, float]:
    """Seconds for n counts through a Tally, and for n plain dict increments."""
    times = [NOW + timedelta(seconds=i % 7200) for i in range(n)]
    tally = Tally()
    started = time.perf_counter()
    for at in times:
        tally.count(Kind.ROOM_MESSAGES, organisation_id=1, room_id=3, at=at, label="visitor")
    counted = time.perf_counter() - started
    plain: dict[tuple[int, int], int] = {}
    started = time.perf_counter()
    for at in times:
        key = (3, at.hour)
        plain[key] = plain.get(key, 0) + 1
    baseline = time.perf_counter() - started
    return counted, baseline


async def dashboard(rounds: int) -> tuple[list[float], list[float], int]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        db = Database.from_url(url)
        try:
            org = await do_create_organisation(db, slug="tuki", name="Tuki ry", now=NOW)
            for slug in ("ilta", "vanhemmat"):
                await rooms.do_create_room(
                    db, organisation="tuki", slug=slug, names={"fi": slug}, now=NOW
                )
            await demo.seed(db, now=NOW)
            async with db.read_session() as session:
                rows = int(
                    await session.scalar(
                        select(func.count())
                        .select_from(ReportEvent)
                        .where(ReportEvent.organisation_id == org)
                    )
                    or 0
                )
            built, counted = [], []
            for _ in range(rounds):
                started = time.perf_counter()
                data = await service.get_report(
                    db,
                    period=Period(2026),
                    organisation_id=org,
                    threshold=5,
                    locale="fi",
                    now=NOW,
                )
                tables.build(data, "fi")
                built.append(time.perf_counter() - started)
                started = time.perf_counter()
                async with db.read_session() as session:
                    await session.scalar(
                        select(func.count())
                        .select_from(ReportEvent)
                        .where(ReportEvent.organisation_id == org)
                    )
                counted.append(time.perf_counter() - started)
            return built, counted, rows
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    ratios, per_message = [], []
    for _ in range(args.rounds):
        counted, baseline = chat_path(args.messages)
        ratios.append(counted / baseline)
        per_message.append(counted / args.messages * 1e9)
    print(
        f"chat path: Tally.count {statistics.median(per_message):.0f} ns per message, "
        f"{statistics.median(ratios):.1f}x a plain dict increment "
        f"(median of {args.rounds} rounds of {args.messages:,})"
    )
    built, counted, rows = asyncio.run(dashboard(args.rounds))
    print(
        f"dashboard: a year for one organisation ({rows:,} event rows) read and built in "
        f"{statistics.median(built) * 1000:.0f} ms, "
        f"{statistics.median(built) / statistics.median(counted):.0f}x one count(*) of its rows "
        f"(median of {args.rounds} rounds, SQLite)"
    )


if __name__ == "__main__":
    main()
