"""Connections of PostgreSQL's pool kept checked out, for statements sent on the driver.

A connection taken from the pool for one statement costs a checkout and, with
``pool_pre_ping``, a ping, which SQLAlchemy's asyncpg dialect sends as ``BEGIN``,
``;`` and ``ROLLBACK``: three round trips before the statement's own. Work that runs
all the time in a reconnect storm (a join's grouped nickname claims, a room's shared
history read) keeps a few connections instead and sends each statement on asyncpg
directly, in its own implicit transaction, as the message writer does
(chat/writers.py). A connection that fails is closed; a statement that failed because
a kept connection had been lost meanwhile (the database restarted) is sent once more
on a fresh one, so only statements that may be repeated belong here.

Use::

    held = HeldConnections(db.engine, size=2)
    rows = await held.fetch("SELECT ... $1 ...", value)
    await held.close()
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from asyncpg.exceptions import InterfaceError, OperatorInterventionError, PostgresConnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# What a connection lost while it was kept raises on its next statement.
_LOST = (OSError, PostgresConnectionError, OperatorInterventionError, InterfaceError)


class HeldConnections:
    """At most ``size`` connections of ``engine``'s pool, each used by one statement at
    a time; callers beyond that wait for one."""

    def __init__(self, engine: AsyncEngine, *, size: int = 1) -> None:
        self._engine = engine
        self._size = size
        self._slots = asyncio.Semaphore(size)
        self._idle: list[tuple[AsyncConnection, Any]] = []
        self._closed = False

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        """The rows of one statement (asyncpg's ``fetch``)."""
        async with self._slots:
            for attempt in (1, 2):
                if self._closed:
                    raise RuntimeError("the held connections are closed")
                reused = bool(self._idle)
                held = self._idle.pop() if reused else await self._open()
                try:
                    rows: list[Any] = await held[1].fetch(sql, *args)
                except BaseException as exc:
                    await _discard(held)
                    if attempt == 1 and reused and isinstance(exc, _LOST):
                        continue
                    raise
                if self._closed:
                    await _discard(held)
                else:
                    self._idle.append(held)
                return rows
        raise AssertionError("unreachable")  # pragma: no cover

    async def warm(self, sql: str, *args: Any) -> None:
        """Open the connections not yet open and run ``sql`` once on each: the driver
        prepares a statement at its first use on a connection, so a process just
        started spares its first callers both waits. A statement that changes nothing
        (arguments that match no row) belongs here."""

        async def one() -> None:
            async with self._slots:
                held = await self._open()
                try:
                    await held[1].fetch(sql, *args)
                except BaseException:
                    await _discard(held)
                    raise
                if self._closed:
                    await _discard(held)
                else:
                    self._idle.append(held)

        await asyncio.gather(*(one() for _ in range(self._size - len(self._idle))))

    async def _open(self) -> tuple[AsyncConnection, Any]:
        sa = await self._engine.connect()
        try:
            raw = await sa.get_raw_connection()
        except BaseException:
            await sa.close()
            raise
        return sa, raw.driver_connection

    async def close(self) -> None:
        """Give the kept connections back to the pool (a clean shutdown)."""
        self._closed = True
        idle, self._idle = self._idle, []
        for sa, _ in idle:
            with contextlib.suppress(Exception):
                await sa.close()


async def _discard(held: tuple[AsyncConnection, Any]) -> None:
    """Close a connection that failed: the pool does not get it back."""
    sa = held[0]
    with contextlib.suppress(Exception):
        await sa.invalidate()
    with contextlib.suppress(Exception):
        await sa.close()
