"""Helpers shared by tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.rooms import service as rooms

T = TypeVar("T")


def run_async(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function to completion from synchronous code, on an event loop of
    its own in another thread (the calling thread may run a loop already, as under
    Playwright's synchronous API)."""

    async def main() -> T:
        return await work()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


async def make_room(
    db: Database, slug: str = "huone", *, org: str = "jarjesto", history_limit: int = 30
) -> int:
    """Create an organisation (if needed) and a group room; returns the room id."""
    from sqlalchemy import select

    from kuulolla.accounts.models import Organisation

    async with db.read_session() as session:
        exists = await session.scalar(select(Organisation.id).where(Organisation.slug == org))
    if not exists:
        await do_create_organisation(db, slug=org, name=f"{org} ry", now=NOW)
    return await rooms.do_create_room(
        db,
        organisation=org,
        slug=slug,
        names={"fi": f"Huone {slug}", "sv": f"Rum {slug}", "en": f"Room {slug}"},
        descriptions={"fi": "Kuvaus"},
        history_limit=history_limit,
        now=NOW,
    )


async def eventually(predicate: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``predicate()`` holds; fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
