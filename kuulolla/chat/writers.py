"""The committer's write path, on the database drivers directly.

Writing messages is the one hot path of the database: at chat rates a batch is often
a single message, and through SQLAlchemy's statement layer a one-message commit
cost about 2 ms of CPU (measured: scripts/bench/fanout, docs/performance.md). These
writers issue the same four statements with the driver's own prepared statements:

1. lock the rooms' counters in id order and read them,
2. insert every message in one statement, skipping a (room, ref key) that exists,
3. store each room's new last sequence,
4. for skipped messages only: read the sequence they were first stored with.

- :class:`PostgresWriter` uses asyncpg on a connection it keeps checked out of the
  engine's pool (re-acquired after an error) and does steps 1–3 in one statement of
  data-modifying CTEs: one round trip per batch. Arrays and ``unnest`` make the
  statement independent of the batch size, so asyncpg prepares it once.
- :class:`SqliteWriter` keeps its own sqlite3 connection on one thread and runs a
  whole batch there in one hop, inside ``BEGIN IMMEDIATE``. The processes sharing the
  file take turns through an exclusive ``flock`` on ``<file>-writer.lock`` before
  they begin: the kernel wakes the next writer the moment the lock is let go, where
  SQLite's own busy handler sleeps 1, 2, 5, 10... ms between tries. Checkpoints (the
  one step that waits for the disk) run on a second thread and connection, so a
  commit never waits for one.

Everything else (history, gap fills, rooms) stays on SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from kuulolla.chat.models import KIND_MESSAGE

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Draft:
    """One message to write."""

    room_id: int
    author_key: bytes | None
    nick: str
    role: str
    text: str
    ref_key: bytes | None


@dataclass(slots=True)
class Written:
    seq: int
    created_at: datetime
    duplicate: bool


class Writer(Protocol):
    async def write(self, rows: Sequence[Draft], now: datetime) -> list[Written]:
        """Store ``rows`` in one transaction; one result per row, in order. Raises on
        failure, in which case nothing was stored."""

    async def close(self) -> None: ...


def _allocate(rows: Sequence[Draft], last: dict[int, int]) -> list[int]:
    seqs = []
    for row in rows:
        seq = last[row.room_id] + 1
        last[row.room_id] = seq
        seqs.append(seq)
    return seqs


def _results(
    rows: Sequence[Draft],
    seqs: list[int],
    inserted: set[tuple[int, int]],
    originals: dict[tuple[int, bytes | None], tuple[int, datetime]],
    now: datetime,
) -> list[Written]:
    out = []
    for row, seq in zip(rows, seqs, strict=True):
        if (row.room_id, seq) in inserted:
            out.append(Written(seq, now, False))
        else:
            first_seq, created = originals[(row.room_id, row.ref_key)]
            out.append(Written(first_seq, created, True))
    return out


def _tops(inserted: set[tuple[int, int]]) -> dict[int, int]:
    top: dict[int, int] = {}
    for room_id, seq in inserted:
        if seq > top.get(room_id, 0):
            top[room_id] = seq
    return top


class UnknownRoom(LookupError):
    """A row names a room without a stream (it was deleted)."""


# ======================================================================= PostgreSQL

# The whole batch in one statement, so one round trip (a single statement is its own
# transaction). `locked` takes the counters' row locks in room order (LockRows sits
# above the sort), which keeps two processes' batches from deadlocking; under READ
# COMMITTED it waits for a concurrent batch and then sees its new counter. The
# insert's ON CONFLICT check sees rows committed meanwhile, so a retried ref that
# raced in from another process is skipped, not doubled.
PG_WRITE = """
WITH input AS (
    SELECT * FROM unnest($1::integer[], $2::bytea[], $3::text[], $4::text[], $5::text[], $6::bytea[])
        WITH ORDINALITY AS u(room_id, author_key, nick, role, text, ref_key, ord)
), locked AS (
    SELECT room_id, last_seq FROM room_streams
    WHERE room_id IN (SELECT room_id FROM input) ORDER BY room_id FOR UPDATE
), numbered AS (
    SELECT i.*, l.last_seq + row_number() OVER (PARTITION BY i.room_id ORDER BY i.ord) AS seq
    FROM input i JOIN locked l USING (room_id)
), inserted AS (
    INSERT INTO messages (room_id, seq, kind, created_at, author_key, nick, role, text, ref_key)
    SELECT room_id, seq, $7::smallint, $8::timestamptz, author_key, nick, role, text, ref_key
    FROM numbered ORDER BY room_id, seq
    ON CONFLICT (room_id, ref_key) DO NOTHING
    RETURNING room_id, seq
), advanced AS (
    UPDATE room_streams s SET last_seq = t.top
    FROM (SELECT room_id, max(seq) AS top FROM inserted GROUP BY room_id) t
    WHERE s.room_id = t.room_id
    RETURNING s.room_id
)
SELECT n.ord, n.room_id, n.seq, (i.seq IS NOT NULL) AS fresh, (SELECT count(*) FROM advanced) AS rooms
FROM numbered n LEFT JOIN inserted i ON i.room_id = n.room_id AND i.seq = n.seq
ORDER BY n.ord
"""
PG_ORIGINALS = (
    "SELECT m.room_id, m.ref_key, m.seq, m.created_at FROM messages m "
    "JOIN unnest($1::integer[], $2::bytea[]) AS u(room_id, ref_key) "
    "ON m.room_id = u.room_id AND m.ref_key = u.ref_key"
)


class PostgresWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sa: AsyncConnection | None = None
        self._conn: Any = None

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            await self._drop()
            self._sa = await self._engine.connect()
            raw = await self._sa.get_raw_connection()
            self._conn = raw.driver_connection
        return self._conn

    async def _drop(self) -> None:
        sa, self._sa, self._conn = self._sa, None, None
        if sa is not None:
            with contextlib.suppress(Exception):
                await sa.invalidate()
            with contextlib.suppress(Exception):
                await sa.close()

    async def write(self, rows: Sequence[Draft], now: datetime) -> list[Written]:
        conn = await self._connection()
        try:
            result = await conn.fetch(
                PG_WRITE,
                [r.room_id for r in rows],
                [r.author_key for r in rows],
                [r.nick for r in rows],
                [r.role for r in rows],
                [r.text for r in rows],
                [r.ref_key for r in rows],
                KIND_MESSAGE,
                now,
            )
            if len(result) != len(rows):
                raise UnknownRoom()  # a row whose room has no counter was dropped by the join
            seqs = [r["seq"] for r in result]
            inserted = {(r["room_id"], r["seq"]) for r in result if r["fresh"]}
            originals: dict[tuple[int, bytes | None], tuple[int, datetime]] = {}
            missing = [row for row, r in zip(rows, result, strict=True) if not r["fresh"]]
            if missing:
                found = await conn.fetch(
                    PG_ORIGINALS, [r.room_id for r in missing], [r.ref_key for r in missing]
                )
                originals = {
                    (f["room_id"], f["ref_key"]): (f["seq"], f["created_at"]) for f in found
                }
        except UnknownRoom:
            raise
        except BaseException:
            # A broken connection must not be used again; a healthy one would be fine,
            # but telling them apart is not worth it on this rare path.
            await self._drop()
            raise
        return _results(rows, seqs, inserted, originals, now)

    async def close(self) -> None:
        sa, self._sa, self._conn = self._sa, None, None
        if sa is not None:
            with contextlib.suppress(Exception):
                await sa.close()


# ======================================================================= SQLite


def _sqlite_time(ts: datetime) -> str:
    # The format SQLAlchemy's DateTime uses on SQLite, so its reads parse it.
    return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


# Seconds between checkpoints while messages are written: the WAL stays a few MB.
CHECKPOINT_INTERVAL = 1.0

_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=10000",
    "foreign_keys=ON",
    "secure_delete=ON",
)


def _sqlite_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in _PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    return conn


_Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():  # the waiter was cancelled
        return
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)


class SqliteWriter:
    def __init__(self, path: str) -> None:
        if not path or path == ":memory:":
            raise ValueError("the SQLite writer needs a database file")
        self._path = path
        # One thread of its own, fed through a SimpleQueue and answering with
        # call_soon_threadsafe: a commit's hop costs about 40 µs of CPU less than
        # through a ThreadPoolExecutor and its concurrent.futures machinery
        # (measured: docs/performance.md).
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._written = threading.Event()  # set by a commit, cleared by a checkpoint
        self._closing = threading.Event()
        self._checkpointer: threading.Thread | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = _sqlite_connect(self._path)
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's job
            self._lock_fd = os.open(self._path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            self._conn = conn
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="kuulolla-sqlite-checkpoint", daemon=True
            )
            self._checkpointer.start()
        return self._conn

    def _checkpoint_loop(self) -> None:
        """Copy the WAL back into the database file about once a second while messages
        are written (PASSIVE: never blocks a writer; the next writer then starts the WAL
        over)."""
        conn: sqlite3.Connection | None = None
        try:
            while not self._closing.is_set():
                self._written.wait()
                if self._closing.wait(CHECKPOINT_INTERVAL):
                    break
                self._written.clear()
                try:
                    if conn is None:
                        conn = _sqlite_connect(self._path)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    log.warning(
                        "sqlite.checkpoint_failed",
                        exc_info=True,
                        extra={"event": "sqlite.checkpoint_failed"},
                    )
        finally:
            if conn is not None:
                conn.close()

    async def write(self, rows: Sequence[Draft], now: datetime) -> list[Written]:
        result: list[Written] = await self._on_thread(self._write, list(rows), now)
        return result

    async def _on_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the writer's thread; jobs run one at a time, in order."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._serve, name="kuulolla-sqlite-writer", daemon=True
            )
            self._thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((fn, args, future, loop))
        return await future

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn, args, future, loop = job
            try:
                outcome: tuple[Any, BaseException | None] = (fn(*args), None)
            except BaseException as exc:
                outcome = (None, exc)
            # The loop may be gone (shut down while a job ran): nobody is waiting then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, *outcome)

    def _write(self, rows: list[Draft], now: datetime) -> list[Written]:
        # Each statement step gives up the GIL and takes it back, which costs up to a
        # switch interval (5 ms) while the event loop is busy: so the batch is a fixed
        # handful of single-step statements, however many rows and rooms it has.
        conn = self._connect()
        stamp = _sqlite_time(now)
        assert self._lock_fd is not None
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            return self._write_locked(conn, rows, now, stamp)
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _write_locked(
        self, conn: sqlite3.Connection, rows: list[Draft], now: datetime, stamp: str
    ) -> list[Written]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            rooms = sorted({r.room_id for r in rows})
            marks = ",".join("?" * len(rooms))
            (found,) = conn.execute(
                "SELECT json_group_object(room_id, last_seq) FROM room_streams "
                f"WHERE room_id IN ({marks})",
                rooms,
            ).fetchone()
            last = {int(k): v for k, v in json.loads(found).items()}
            if len(last) != len(rooms):
                raise UnknownRoom()
            seqs = _allocate(rows, last)
            values = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
            params: list[object] = []
            for r, seq in zip(rows, seqs, strict=True):
                params += [
                    r.room_id,
                    seq,
                    KIND_MESSAGE,
                    stamp,
                    r.author_key,
                    r.nick,
                    r.role,
                    r.text,
                    r.ref_key,
                ]
            before = conn.total_changes
            conn.execute(
                "INSERT INTO messages (room_id, seq, kind, created_at, author_key, nick, role, text, ref_key) "
                f"VALUES {values} ON CONFLICT (room_id, ref_key) DO NOTHING",
                params,
            )
            if conn.total_changes - before == len(rows):
                inserted = {(r.room_id, seq) for r, seq in zip(rows, seqs, strict=True)}
            else:  # a retried message was already stored: find which rows went in
                inserted = {
                    (r.room_id, seq)
                    for r, seq in zip(rows, seqs, strict=True)
                    if conn.execute(
                        "SELECT 1 FROM messages WHERE room_id = ? AND seq = ?", (r.room_id, seq)
                    ).fetchone()
                }
            top = _tops(inserted)
            if top:
                cases = " ".join(["WHEN ? THEN ?"] * len(top))
                conn.execute(
                    f"UPDATE room_streams SET last_seq = CASE room_id {cases} END "
                    f"WHERE room_id IN ({','.join('?' * len(top))})",
                    [v for pair in top.items() for v in pair] + list(top),
                )
            originals: dict[tuple[int, bytes | None], tuple[int, datetime]] = {}
            for r, seq in zip(rows, seqs, strict=True):
                if (r.room_id, seq) not in inserted:
                    found = conn.execute(
                        "SELECT seq, created_at FROM messages WHERE room_id = ? AND ref_key = ?",
                        (r.room_id, r.ref_key),
                    ).fetchone()
                    originals[(r.room_id, r.ref_key)] = (found[0], _sqlite_parse(found[1]))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._written.set()
        return _results(rows, seqs, inserted, originals, now)

    async def close(self) -> None:
        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

        self._closing.set()
        self._written.set()
        if self._checkpointer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._checkpointer.join)

        await self._on_thread(shut)
        thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            await asyncio.to_thread(thread.join)


def make_writer(engine: AsyncEngine) -> Writer:
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return PostgresWriter(engine)
    if dialect == "sqlite":
        database = engine.url.database or ""
        return SqliteWriter(database)
    raise ValueError(f"no message writer for {dialect}")
