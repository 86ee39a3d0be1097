"""Connections kept checked out for statements on the driver (core/held.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kuulolla.core.db import Database
from kuulolla.core.held import HeldConnections

pytestmark = pytest.mark.asyncio

PID = "SELECT pg_backend_pid() AS pid"


@pytest_asyncio.fixture
async def pg(postgres_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(postgres_url, pool_size=5)
    yield database
    await database.dispose()


async def test_statements_share_one_kept_connection(pg: Database) -> None:
    """Statements one after another go on the same connection."""
    held = HeldConnections(pg.engine)
    first = (await held.fetch(PID))[0]["pid"]
    second = (await held.fetch(PID))[0]["pid"]
    await held.close()
    assert first == second


async def test_a_lost_connection_is_replaced_and_the_statement_sent_again(pg: Database) -> None:
    """A statement on a kept connection the database has since closed runs on a fresh one."""
    held = HeldConnections(pg.engine)
    lost = (await held.fetch(PID))[0]["pid"]
    async with pg.read() as conn:
        await conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(lost)})")
    await asyncio.sleep(0.1)
    fresh = (await held.fetch(PID))[0]["pid"]
    await held.close()
    assert fresh != lost


async def test_callers_beyond_the_size_wait_for_a_connection(pg: Database) -> None:
    """More statements at once than connections kept all run, on at most that many."""
    held = HeldConnections(pg.engine, size=2)
    rows = await asyncio.gather(
        *(held.fetch("SELECT pg_backend_pid() AS pid, pg_sleep(0.02)") for _ in range(6))
    )
    await held.close()
    assert len({r[0]["pid"] for r in rows}) <= 2


async def test_a_failed_statement_leaves_the_next_one_working(pg: Database) -> None:
    """A statement's error reaches its caller; the next statement runs."""
    held = HeldConnections(pg.engine)
    with pytest.raises(Exception, match="division by zero"):
        await held.fetch("SELECT 1 / $1::integer", 0)
    assert (await held.fetch("SELECT 1 / $1::integer AS q", 1))[0]["q"] == 1
    await held.close()


async def test_warming_opens_every_connection(pg: Database) -> None:
    """Warmed, every kept connection is open and idle, and the statements that follow
    use those connections."""
    held = HeldConnections(pg.engine, size=2)
    await held.warm(PID)
    warmed = {await conn.fetchval(PID) for _, conn in held._idle}
    used = {rows[0]["pid"] for rows in await asyncio.gather(*(held.fetch(PID) for _ in range(2)))}
    await held.close()
    assert len(warmed) == 2
    assert used <= warmed
