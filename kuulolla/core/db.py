"""Database engine, metadata and transactions.

SQLite (aiosqlite, WAL) is the embedded default and PostgreSQL (asyncpg) the
production database; the same models and queries run on both.

SQLite transactions: pysqlite's own transaction handling is switched off and every
transaction is opened explicitly. Writes use ``BEGIN IMMEDIATE`` so the write lock
is taken at the start and ``busy_timeout`` applies; a deferred transaction that reads
first and writes later would instead fail at once with SQLITE_BUSY_SNAPSHOT when
another connection wrote in between (https://sqlite.org/rescode.html#busy_snapshot).
Read-only work uses :meth:`Database.read`, which begins deferred and never blocks
writers under WAL.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver; transactions are begun by the "begin" hook below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable against application crashes in WAL mode; only an OS crash or
    # power loss can roll back the last transactions (https://sqlite.org/pragma.html#pragma_synchronous).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted content is overwritten with zeros, so purged messages do not linger in
    # free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    if mode == "DEFERRED":
        conn.exec_driver_sql("BEGIN DEFERRED")
        return
    task = _current_task()
    started = time.monotonic()
    # Told while the write still waits, so that the holders are named as they are.
    timer = (
        task.get_loop().call_later(WRITE_WAIT_WARNING, _write_waited, task, started, False)
        if task is not None
        else None
    )
    try:
        conn.exec_driver_sql(f"BEGIN {mode}")
    except Exception:
        _write_waited(task, started, True)
        raise
    finally:
        if timer is not None:
            timer.cancel()
    _WRITING[id(_sqlite3_of(conn.connection.dbapi_connection))] = _Writing(
        task.get_name() if task is not None else "-",
        time.monotonic(),
        weakref.ref(task) if task is not None else None,
    )


# ------------------------------------------------- who holds SQLite's write lock

# A write that waits this long for SQLite's write lock is logged with the transactions
# of this process that hold one (db.sqlite_write_waited): the task, how long, and where
# it waits now. A holder in another process is not known here.
WRITE_WAIT_WARNING = 2.0


@dataclass(slots=True)
class _Writing:
    task: str
    since: float
    ref: weakref.ref[asyncio.Task[Any]] | None


# The write transactions open on this process's SQLite connections, by sqlite3
# connection: an entry goes at the commit or rollback, or when the sqlite3 connection
# closes (not when SQLAlchemy lets go of it: one stopped mid-statement used to live on).
_WRITING: dict[int, _Writing] = {}


def _sqlite3_of(dbapi: Any) -> Any:
    """The sqlite3 connection under SQLAlchemy's aiosqlite adapter."""
    return getattr(getattr(dbapi, "driver_connection", None), "_connection", None)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _sqlite_ended(conn: Any, *_args: Any) -> None:
    # Engine events (commit, rollback) give the Connection; the pool's reset event the
    # DBAPI connection.
    dbapi = getattr(getattr(conn, "connection", None), "dbapi_connection", conn)
    _WRITING.pop(id(_sqlite3_of(dbapi)), None)


def _awaiting(task: asyncio.Task[Any]) -> str:
    """Where ``task`` waits: its chain of awaits, the project's frames only."""
    where: list[str] = []
    coro: Any = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
        frame = frame or getattr(coro, "gi_frame", None)
        if frame is not None and "/kuulolla/" in frame.f_code.co_filename:
            path = frame.f_code.co_filename.rsplit("/kuulolla/", 1)[1]
            where.append(f"{path}:{frame.f_lineno} {frame.f_code.co_name}")
        coro = (
            getattr(coro, "cr_await", None)
            or getattr(coro, "ag_await", None)
            or getattr(coro, "gi_yieldfrom", None)
        )
    return " > ".join(where[-8:]) or "-"


def write_holders() -> list[str]:
    """The write transactions open on this process's SQLite connections: task, seconds
    held, and where the task waits (``done``: the task ended and left it open)."""
    now = time.monotonic()
    holders = []
    for writing in list(_WRITING.values()):
        task = writing.ref() if writing.ref is not None else None
        if task is None:
            state = "gone"
        elif task.done():
            state = "done"
        else:
            state = _awaiting(task)
        holders.append(f"{writing.task} ({now - writing.since:.1f} s): {state}")
    return holders


def _write_waited(task: asyncio.Task[Any] | None, started: float, failed: bool) -> None:
    waited = time.monotonic() - started
    holders = write_holders()
    log.warning(
        "db.sqlite_write_waited: %.1f s%s, by %s; held in this process by: %s",
        waited,
        " and failed" if failed else "",
        task.get_name() if task is not None else "-",
        "; ".join(holders) or "none",
        extra={"event": "db.sqlite_write_waited", "seconds": round(waited, 1)},
    )


# ----------------------------------------------------------- SQLite connections' threads

# The futures of SQLite connections that are being stopped (see _SqliteConnection).
_STOPPING: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()


class _SqliteConnection(aiosqlite.Connection):
    """aiosqlite's connection, whose stops :func:`settle` can wait for.

    aiosqlite runs each connection on a thread of its own, which hands every result
    back with the event loop's ``call_soon_threadsafe``. A connection whose opening is
    cancelled (a task cancelled at shutdown while it connects) is stopped without
    waiting, by aiosqlite itself (and by SQLAlchemy when a cancelled close cannot
    finish): its thread finishes what it was doing, closes the connection and hands
    both outcomes back later. If the loop has been closed by then, the thread dies
    with ``RuntimeError: Event loop is closed`` (seen after a test server's lifespan
    whose housekeeping task was cancelled in its first connect). The future of each
    stop is kept so that :func:`settle` can wait for it while the loop still runs:
    once it is done, the thread never touches the loop again. Needs aiosqlite 0.22
    (a connection holding its thread, ``stop()`` returning a future)."""

    def __init__(self, connector: Any, iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # As SQLAlchemy does for the connections it makes: a connection never closed
        # must not keep the process from exiting.
        self._thread.daemon = True

    def stop(self) -> asyncio.Future[Any] | None:
        # Only the first stop is answered: its job ends the thread, so the job of a
        # later one (aiosqlite's close after SQLAlchemy's forced stop) is never run.
        first = self._running
        future = super().stop()
        if first and future is not None and not future.done():
            _STOPPING.add(future)
        return future


class _SqliteDriverConnection(sqlite3.Connection):
    """sqlite3's connection, whose close rolls back the transaction left open first.

    A connection closed with a statement still under way (a cursor that was reading
    when its task was cancelled) is not closed by SQLite at once: ``sqlite3_close_v2``
    leaves it a "zombie" until the statement is finalized, and until then its
    transaction, and with it the database's write lock, stays. A task cancelled by a
    cancel scope (Starlette cancels a streamed response's task when the browser goes
    away, and the scope cancels every await after, the rollback's and the close's
    too) ends with SQLAlchemy stopping the connection this way; the statement's cursor
    then lives as long as a reference cycle the collector never visits (``gc.freeze``),
    and every write of every process waited for the lock until it failed. A rollback
    ends the transaction whatever statements are under way (they end with
    SQLITE_ABORT_ROLLBACK)."""

    def close(self) -> None:
        try:
            if self.in_transaction:
                self.rollback()
        except sqlite3.Error:
            pass
        finally:
            super().close()
            _WRITING.pop(id(self), None)


def _sqlite_connect(
    database: str, *, iter_chunk_size: int = 64, **kwargs: Any
) -> _SqliteConnection:
    """What ``aiosqlite.connect`` does, with the connection classes above."""
    kwargs.setdefault("factory", _SqliteDriverConnection)
    return _SqliteConnection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size)


def _sqlite_creator(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
    # SQLAlchemy's aiosqlite dialect calls this with the URL's connect arguments.
    cparams["async_creator_fn"] = _sqlite_connect


async def settle(timeout: float = 10.0) -> None:
    """Wait (at most ``timeout`` seconds) until the SQLite connections stopped on the
    running event loop have finished with it. Call before the loop is closed."""
    loop = asyncio.get_running_loop()
    waiting = [f for f in _STOPPING if f.get_loop() is loop and not f.done()]
    if not waiting:
        return
    _, pending = await asyncio.wait(waiting, timeout=timeout)
    if pending:
        log.warning(
            "db.sqlite_stop_slow", extra={"event": "db.sqlite_stop_slow", "count": len(pending)}
        )


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An engine for ``url`` with the project's connection settings applied."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
        if url.startswith("sqlite+aiosqlite"):
            event.listen(engine.sync_engine, "do_connect", _sqlite_creator)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        for name in ("commit", "rollback"):
            event.listen(engine.sync_engine, name, _sqlite_ended)
        event.listen(engine.sync_engine.pool, "reset", _sqlite_ended)
        return engine
    if url.startswith("postgresql"):
        return create_async_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
    return create_async_engine(url, echo=echo, poolclass=NullPool)


class Database:
    """The engine plus the ways the code opens transactions.

    ``transaction()`` and ``session()`` are for work that may write; ``read()`` and
    ``read_session()`` for reads only.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._reader = engine.execution_options(sqlite_begin="DEFERRED")
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self._reader, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 10) -> Database:
        return cls(make_engine(url, pool_size=pool_size))

    @asynccontextmanager
    async def transaction(self, *, durable: bool = True) -> AsyncIterator[AsyncConnection]:
        """A transaction that may write. ``durable=False`` is for rows that may be lost
        in a crash of the database server (nothing else loses them) and are written
        often: PostgreSQL then acknowledges the commit without waiting for its flush
        to disk (``synchronous_commit = off`` for this transaction only)."""
        async with self.engine.begin() as conn:
            if not durable and not self.is_sqlite:
                await conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self._reader.connect() as conn:
            yield conn

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self._read_sessions() as session:
            yield session

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close the pool's connections; returns once none of them can still hand a
        result to the running event loop (see :func:`settle`)."""
        await self.engine.dispose()
        await settle()

    async def settle(self) -> None:
        """Wait until the connections stopped on the running event loop are done with
        it (:func:`settle`): for an event loop about to close while the database lives
        on (an app given a database of the caller's)."""
        await settle()


# --------------------------------------------------------------------------- types


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite stores ISO text without an offset, so
    values are converted to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


async def compact_sqlite(db: Database, *, vacuum: bool) -> None:
    """Fold the write-ahead log into the file and truncate it; VACUUM when asked.

    Both must run outside a transaction, so they go to the driver connection directly
    (the engine's begin hook would otherwise open one)."""
    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        if vacuum:
            await driver.execute("VACUUM")
        await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
