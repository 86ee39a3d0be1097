"""Transactions of core/db.py on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import event, text

from kuulolla.core import db as db_module
from kuulolla.core.db import Database
from tests.helpers import run_async


@pytest.mark.asyncio
async def test_a_transaction_not_durable_skips_only_its_own_flush(db: Database) -> None:
    """durable=False turns PostgreSQL's synchronous commit off for that transaction only."""
    if db.is_sqlite:
        pytest.skip("SQLite's WAL with synchronous=NORMAL does not flush per commit")
    async with db.transaction(durable=False) as conn:
        relaxed = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
    async with db.transaction() as conn:
        durable = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
    assert (relaxed, durable) == ("off", "on")


def test_a_connection_cancelled_on_sqlite_is_stopped_before_dispose_returns(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dispose() returns only once a SQLite connection whose opening was cancelled has
    stopped, so closing the event loop after it leaves no thread to fail on the closed
    loop (a server's housekeeping task, cancelled at shutdown while connecting)."""
    started, release = threading.Event(), threading.Event()
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    before = set(threading.enumerate())

    async def work() -> None:
        db = Database.from_url(sqlite_url)

        @event.listens_for(db.engine.sync_engine, "do_connect")
        def held_open(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            base = cparams.get("factory", sqlite3.Connection)

            class Held(base):  # type: ignore[misc, valid-type]
                def __init__(self, *args: Any, **kwargs: Any) -> None:
                    started.set()
                    release.wait(10)
                    super().__init__(*args, **kwargs)

            cparams["factory"] = Held

        async def statement() -> None:
            async with db.read() as conn:
                await conn.execute(text("SELECT 1"))

        task = asyncio.create_task(statement())
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # The connection opens only while dispose() waits; had dispose() returned at
        # once, never on this loop (the callback is dropped when the loop closes).
        asyncio.get_running_loop().call_later(0.1, release.set)
        await db.dispose()

    run_async(work)
    release.set()
    for thread in set(threading.enumerate()) - before:
        thread.join(10)
    assert started.is_set()
    assert failures == []


def test_a_write_cancelled_by_a_cancel_scope_mid_statement_lets_go_of_the_lock(
    sqlite_url: str,
) -> None:
    """A write transaction whose task a cancel scope ends while a statement is under
    way (Starlette ends a streamed response so when the browser goes away) lets go of
    SQLite's write lock, though the statement's cursor is still alive: another
    connection can write at once."""
    import anyio

    path = sqlite_url.split("///", 1)[1]
    stepping, release = threading.Event(), threading.Event()

    def pause(x: int) -> int:
        if x == 1:
            stepping.set()
            release.wait(10)
        return x

    async def work() -> None:
        db = Database.from_url(sqlite_url)

        @event.listens_for(db.engine.sync_engine, "connect")
        def with_pause(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.run_async(lambda conn: conn.create_function("pause", 1, pause))

        async def write() -> None:
            async with db.transaction() as conn:
                await conn.exec_driver_sql("CREATE TABLE lock_probe (x INTEGER)")
                await conn.exec_driver_sql("INSERT INTO lock_probe VALUES (1), (2), (3)")
                await conn.exec_driver_sql("SELECT pause(x) FROM lock_probe ORDER BY x")

        async with anyio.create_task_group() as group:
            group.start_soon(write)
            await asyncio.to_thread(stepping.wait, 10)
            group.cancel_scope.cancel()
            asyncio.get_running_loop().call_later(0.1, release.set)
        await asyncio.sleep(0.5)
        await db.dispose()

    gc.disable()  # a server's collector may not free the cursor for minutes
    try:
        run_async(work)
        other = sqlite3.connect(path, timeout=1, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
    finally:
        gc.enable()
        release.set()
    assert stepping.is_set()


def test_a_write_waiting_for_the_lock_is_logged_with_the_task_that_holds_it(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A write that waits for SQLite's write lock is logged with the holder in this
    process: its task's name and the function it waits in."""

    async def work() -> None:
        db = Database.from_url(sqlite_url)
        holding = asyncio.Event()

        async def hold_the_lock() -> None:
            async with db.transaction() as conn:
                await conn.exec_driver_sql("CREATE TABLE wait_probe (x INTEGER)")
                holding.set()
                await asyncio.sleep(db_module.WRITE_WAIT_WARNING + 0.5)

        holder = asyncio.create_task(hold_the_lock(), name="lock-holder")
        await holding.wait()
        async with db.transaction() as conn:
            await conn.exec_driver_sql("INSERT INTO wait_probe VALUES (1)")
        await holder
        await db.dispose()

    with caplog.at_level("WARNING", logger="kuulolla.core.db"):
        run_async(work)
    waited = [r.getMessage() for r in caplog.records if r.msg.startswith("db.sqlite_write_waited")]
    assert len(waited) == 1
    assert "held in this process by: lock-holder" in waited[0]
