"""Joins' history, read once per room per burst (:class:`HistoryReads`).

After a deploy or a balancer restart every visitor of a room reconnects at once, each
with the last sequence it saw. The joins of a room share one read of its position and
its recent messages, on connections the process keeps checked out; each join is
answered from it exactly as :func:`kuulolla.chat.store.read_history` would answer it
alone (docs/architecture.md, "What a join costs").
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from kuulolla.chat.models import KIND_MESSAGE, KIND_REFERRAL, KIND_REMOVED
from kuulolla.chat.store import (
    COLUMNS,
    SHOWN,
    Stored,
    messages,
    read_history,
    stored_from,
    streams,
)
from kuulolla.core import metrics
from kuulolla.core.db import Database
from kuulolla.core.held import HeldConnections

History = tuple[int, int, list[Stored]]


@dataclass(slots=True)
class _HistoryWish:
    since: int | None
    limit: int
    future: asyncio.Future[History]


@dataclass(slots=True)
class _RoomRead:
    """One room's shared read waiting for a statement (``HistoryReads``, PostgreSQL)."""

    room_id: int
    since: int | None
    tail: int
    future: asyncio.Future[tuple[int, int, list[Stored], int]]


@dataclass(frozen=True, slots=True)
class _Kept:
    """A shared read of a room kept for later joins (``HistoryReads``): when it was
    started (the event loop's clock), and what it read."""

    at: float
    last: int
    purged: int
    rows: list[Stored]
    covered_from: int


def _serve(
    since: int | None, limit: int, last: int, purged: int, rows: list[Stored], covered_from: int
) -> list[Stored] | None:
    """What :func:`read_history` would answer ``(since, limit)`` from the messages ``rows`` (every
    shown message with ``covered_from < seq <= last``, oldest first), or None when they
    do not cover it."""
    complete = covered_from <= purged  # nothing older is left in the table
    if since is None:
        if limit <= 0:
            return []
        tail = [r for r in rows if r.kind in (KIND_MESSAGE, KIND_REFERRAL)][-limit:]
        return tail if len(tail) == limit or complete else None
    after = [r for r in rows if r.seq > since][: limit + 1]
    if since >= covered_from or complete or len(after) > limit:
        # Covered, or too many even within what was read: the caller resynchronises.
        return after
    return None


class HistoryReads:
    """History for joining and resuming clients, read once per room per burst.

    After a deploy every visitor of a room reconnects at once, each with the last
    sequence it saw. Here the first join of a room reads at once; joins of the same
    room that arrive within ``interval`` seconds of a read wait for the next one and
    share it: one transaction reads the room's position and every shown message after
    the lowest sequence wanted (bounded), and each join is answered from it exactly as
    :func:`read_history` would. A join it does not cover (a resume from far back) is
    read on its own. Callers attach to the room's hub before asking, so nothing
    committed after the shared read escapes them.

    On PostgreSQL the shared reads of rooms that wait for a kept connection go in one
    statement together (a storm's first joins reach many rooms at once).

    A shared read is also kept for ``reuse`` seconds and answers, without a query, the
    joins that say what the room's hub had delivered when they attached (``known``,
    chat/fanout.py ``Fanout.delivered``) if it is no more: everything up to ``known``
    is then in the read, and everything after the read's position reaches the joiner
    through the hub. A message removed since took a sequence of its own (the
    redaction), so a removal also makes the kept read too old. In a quiet room a storm
    then costs one query per ``reuse`` seconds per process. Such a join arriving while
    its room's read is under way waits for that read to be kept, not for the next.
    """

    def __init__(
        self,
        db: Database,
        *,
        interval: float = 0.1,
        span: int = 2048,
        hold_connections: int = 0,
        reuse: float = 1.0,
    ) -> None:
        self._db = db
        self.reuse = reuse
        self._kept: dict[int, _Kept] = {}
        self.reused = 0  # joins answered from a kept read (for tests and benchmarks)
        # On PostgreSQL a server's shared reads go on connections kept for them
        # (core/held.py): one round trip each, no checkout and ping.
        self._held = (
            HeldConnections(db.engine, size=hold_connections)
            if hold_connections and not db.is_sqlite
            else None
        )
        # Rooms' reads waiting for a statement, and the statements under way (at most
        # one per kept connection).
        self._pending: list[_RoomRead] = []
        self._sending = 0
        self._statements = max(1, hold_connections)
        self.interval = interval
        self.span = span  # most sequences one shared read goes back
        self._waiting: dict[int, list[_HistoryWish]] = {}
        self._last_read: dict[int, float] = {}
        self._scheduled: set[int] = set()
        self._under_way: dict[int, asyncio.Future[None]] = {}  # room -> its read's end
        self._background: set[asyncio.Task[None]] = set()
        self.queries = 0  # shared reads made (for tests and benchmarks)
        self.statements = 0  # statements they took on PostgreSQL (idem)

    async def read(
        self, room_id: int, *, since: int | None, limit: int, known: int | None = None
    ) -> History:
        """``(last, purged, messages)`` as :func:`read_history` answers. ``known``: the
        last sequence the room's hub had delivered when the caller attached to it."""
        loop = asyncio.get_running_loop()
        if known is not None:
            found = self.kept(room_id, since=since, limit=limit, known=known)
            if found is not None:
                return found
            under_way = self._under_way.get(room_id)
            if under_way is not None:
                # The read under way is kept when it ends; it answers this join then as
                # a kept read does (a storm's first joins of a room arrive during it).
                await asyncio.shield(under_way)
                found = self.kept(room_id, since=since, limit=limit, known=known)
                if found is not None:
                    return found
        wish = _HistoryWish(since, limit, loop.create_future())
        self._waiting.setdefault(room_id, []).append(wish)
        if room_id not in self._scheduled:
            self._scheduled.add(room_id)
            delay = self._last_read.get(room_id, -1e9) + self.interval - loop.time()
            if delay > 0:
                loop.call_later(delay, self._start, room_id)
            else:
                self._start(room_id)
        return await wish.future

    def kept(self, room_id: int, *, since: int | None, limit: int, known: int) -> History | None:
        """What :meth:`read` answers from a kept read, without waiting, or None."""
        kept = self._kept.get(room_id)
        if (
            kept is None
            or kept.last < known
            or asyncio.get_running_loop().time() - kept.at > self.reuse
            or (since is not None and since > kept.last)
        ):
            return None
        served = _serve(since, limit, kept.last, kept.purged, kept.rows, kept.covered_from)
        if served is None:
            return None
        self.reused += 1
        return kept.last, kept.purged, served

    def _keep(self, room_id: int, kept: _Kept) -> None:
        if len(self._kept) >= 64:
            old = kept.at - self.reuse
            self._kept = {r: k for r, k in self._kept.items() if k.at >= old}
        self._kept[room_id] = kept

    async def warm(self) -> None:
        """Open the kept connections and prepare the statement on each (a process just
        started: its first joins would wait for both)."""
        if self._held is not None:
            await self._held.warm(PG_SHARED_HISTORIES, [], [], [], self.span, KIND_REMOVED)

    async def close(self) -> None:
        """Wait for the reads under way and give back the connections kept for them."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._held is not None:
            await self._held.close()

    def _start(self, room_id: int) -> None:
        self._spawn(self._read(room_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _read(self, room_id: int) -> None:
        loop = asyncio.get_running_loop()
        self._scheduled.discard(room_id)
        wishes = self._waiting.pop(room_id, [])
        if not wishes:
            return
        self._last_read[room_id] = started = loop.time()
        if len(self._last_read) > 10_000:
            self._last_read = {room_id: loop.time()}
        ended = self._under_way[room_id] = loop.create_future()
        try:
            last, purged, rows, covered_from = await self._read_shared(room_id, wishes)
        except Exception as exc:
            for wish in wishes:
                if not wish.future.done():
                    wish.future.set_exception(exc)
            return
        else:
            if self.reuse > 0:
                self._keep(room_id, _Kept(started, last, purged, rows, covered_from))
        finally:
            if self._under_way.get(room_id) is ended:
                del self._under_way[room_id]
            if not ended.done():
                ended.set_result(None)
        for wish in wishes:
            if wish.future.done():
                continue
            served = _serve(wish.since, wish.limit, last, purged, rows, covered_from)
            if served is not None:
                wish.future.set_result((last, purged, served))
                continue
            try:  # not covered by the shared read: on its own
                wish.future.set_result(
                    await read_history(self._db, room_id, since=wish.since, limit=wish.limit)
                )
            except Exception as exc:
                if not wish.future.done():
                    wish.future.set_exception(exc)

    async def _read_shared(
        self, room_id: int, wishes: list[_HistoryWish]
    ) -> tuple[int, int, list[Stored], int]:
        metrics.HISTORY_QUERIES.inc()
        self.queries += 1
        if not self._db.is_sqlite:
            return await self._read_shared_pg(room_id, wishes)
        async with self._db.read() as conn:
            state = (
                await conn.execute(
                    select(streams.c.last_seq, streams.c.purged_seq).where(
                        streams.c.room_id == room_id
                    )
                )
            ).one()
            last, purged = int(state[0]), int(state[1])
            lowest = last
            for wish in wishes:
                if wish.since is not None:
                    lowest = min(lowest, wish.since)
                elif wish.limit > 0:
                    # A newcomer's tail: a little more than its length, for holes and
                    # removed messages; a tail it does not cover is read on its own.
                    lowest = min(lowest, last - 2 * wish.limit - 16)
            covered_from = max(lowest, last - self.span, 0)
            if covered_from >= last:
                return last, purged, [], covered_from
            rows = await conn.execute(
                select(*COLUMNS)
                .where(
                    messages.c.room_id == room_id,
                    messages.c.seq > covered_from,
                    messages.c.seq <= last,
                    SHOWN,
                )
                .order_by(messages.c.seq)
            )
            return last, purged, [stored_from(r) for r in rows], covered_from

    async def _read_shared_pg(
        self, room_id: int, wishes: list[_HistoryWish]
    ) -> tuple[int, int, list[Stored], int]:
        """:meth:`_read_shared` on PostgreSQL through asyncpg (one snapshot, one round
        trip, no statement compilation), in one statement with the other rooms' reads
        waiting meanwhile."""
        sinces = [w.since for w in wishes if w.since is not None]
        tails = [2 * w.limit + 16 for w in wishes if w.since is None and w.limit > 0]
        read = _RoomRead(
            room_id,
            min(sinces) if sinces else None,
            max(tails) if tails else 0,
            asyncio.get_running_loop().create_future(),
        )
        self._pending.append(read)
        if self._sending < self._statements:
            self._sending += 1
            self._spawn(self._send())
        return await read.future

    async def _send(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                self.statements += 1
                try:
                    rows = await self._fetch(
                        PG_SHARED_HISTORIES,
                        [r.room_id for r in batch],
                        [r.since for r in batch],
                        [r.tail for r in batch],
                        self.span,
                        KIND_REMOVED,
                    )
                except Exception as exc:
                    for read in batch:
                        if not read.future.done():
                            read.future.set_exception(exc)
                    continue
                found: dict[int, list[Any]] = {}
                for row in rows:
                    found.setdefault(row[0], []).append(row)
                for n, read in enumerate(batch, start=1):
                    if read.future.done():
                        continue
                    mine = found.get(n)
                    if not mine:
                        read.future.set_exception(NoResultFound("the room has no stream"))
                        continue
                    first = mine[0]
                    read.future.set_result(
                        (
                            int(first[1]),
                            int(first[2]),
                            [stored_from(r[4:]) for r in mine if r[5] is not None],
                            int(first[3]),
                        )
                    )
        finally:
            self._sending -= 1

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        if self._held is not None:
            return await self._held.fetch(sql, *args)
        async with self._db.read() as sa:
            raw = await sa.get_raw_connection()
            return await raw.driver_connection.fetch(sql, *args)  # type: ignore[union-attr]


# Each waiting room's position and every shown message after the lowest sequence its
# joins want, bounded by ``span`` (HistoryReads._read_shared): per room (numbered by
# its place in the arrays, from 1) one row per message, or one row with no message; a
# room without a stream gives no row.
PG_SHARED_HISTORIES = """
WITH s AS (
    SELECT w.n, r.room_id, r.last_seq, r.purged_seq,
        GREATEST(LEAST(r.last_seq, COALESCE(w.since, r.last_seq), r.last_seq - w.tail),
                 r.last_seq - $4::bigint, 0) AS covered
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])
        WITH ORDINALITY AS w(room_id, since, tail, n)
    JOIN room_streams r ON r.room_id = w.room_id
)
SELECT s.n, s.last_seq, s.purged_seq, s.covered,
    m.room_id, m.seq, m.created_at, m.author_key, m.nick, m.role, m.text, m.kind, m.target
FROM s LEFT JOIN messages m
    ON m.room_id = s.room_id AND m.seq > s.covered AND m.seq <= s.last_seq AND m.kind <> $5
ORDER BY s.n, m.seq
"""
