"""The message store: grouped commits with per-room sequences, and history reads.

A message is acknowledged only after the transaction that gives it its sequence has
committed. One :class:`Committer` task per process takes every message waiting at
that moment into one transaction (natural batching: under load, messages pile up
while the previous commit is in flight; when idle, a message commits alone at once):

1. lock the rooms' stream rows in id order (``SELECT … FOR UPDATE``; SQLite's
   ``BEGIN IMMEDIATE`` already serialises writers),
2. insert all messages in one statement, skipping those whose (room, ref key) exists,
3. store each room's new last sequence,

whatever the batch's size: on PostgreSQL one statement of data-modifying CTEs (one
round trip), on SQLite one hop to the writer's own thread (chat/writers.py does this on
the drivers directly: it is the one hot path of the database). A skipped insert is a retry of a
message already stored: it is acknowledged with the stored sequence and not sent
again. Its allocated sequence stays unused; readers treat such holes as permanent
(see chat/logic.py:Sequencer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select

from kuulolla.chat.models import KIND_MESSAGE, KIND_REFERRAL, KIND_REMOVED, Message
from kuulolla.chat.sockets import corked, seal
from kuulolla.chat.writers import Draft, Writer, make_writer
from kuulolla.core import metrics
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import Unavailable
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled
from kuulolla.rooms.models import RoomStream

log = logging.getLogger(__name__)

messages = cast(Table, Message.__table__)
streams = cast(Table, RoomStream.__table__)


@dataclass(slots=True)
class Stored:
    room_id: int
    seq: int
    created_at: datetime
    author_key: bytes | None
    nick: str
    role: str
    text: str | None
    duplicate: bool = False
    kind: int = KIND_MESSAGE
    target: int | None = None  # for a redaction: the removed message's sequence


@dataclass(slots=True)
class _Pending:
    draft: Draft
    future: asyncio.Future[Stored] | None
    on_stored: Callable[[Stored], None] | None = None
    on_failed: Callable[[Exception], None] | None = None
    seq: int = 0
    created_at: datetime | None = field(default=None)


CommitListener = Callable[[list[Stored]], None]


def _call_safely(callback: Callable[[Any], None], value: Any, event: str) -> None:
    """Call a listener; its failure is logged and never stops the committer."""
    try:
        callback(value)
    except Exception:
        log.exception(event, extra={"event": event})


class Committer:
    """Commits messages in groups; one instance (and one task) per process."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        on_committed: CommitListener,
        max_batch: int = 512,
        on_batch: Callable[[int], None] | None = None,
        writer: Writer | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._on_committed = on_committed
        self._max_batch = max_batch
        self._on_batch = on_batch or (lambda n: None)
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._writer: Writer = writer or make_writer(db.engine)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="committer")

    async def stop(self, *, timeout: float = 5.0) -> None:
        """Commit what is already queued (for at most ``timeout`` seconds), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout)
        await cancel_and_wait([self._task])
        self._task = None
        await self._writer.close()

    def enqueue(
        self,
        draft: Draft,
        *,
        on_stored: Callable[[Stored], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """Queue ``draft`` for the next commit without waiting for it (the chat path:
        no future and no task switch per message). ``on_stored`` is called right after
        the commit and before the message is delivered to anyone, so a sender's
        acknowledgement precedes its own message; ``on_failed`` when nothing was
        stored (the client may retry). Messages are committed in the order queued."""
        if self._task is None:
            on_failed(Unavailable())
            return
        self._queue.put_nowait(_Pending(draft, None, on_stored, on_failed))

    async def submit(
        self, draft: Draft, *, on_stored: Callable[[Stored], None] | None = None
    ) -> Stored:
        """Store ``draft``; returns once committed. Raises :class:`Unavailable` when the
        database cannot be written (nothing was stored; the client may retry)."""
        if self._task is None:
            raise Unavailable()
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(draft, future, on_stored))
        return await future

    async def _run(self) -> None:
        queue = self._queue
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            started = time.perf_counter()
            try:
                stored = await self._commit(batch)
            except asyncio.CancelledError:
                self._fail(batch, Unavailable())
                raise
            except Exception as exc:
                self._fail(batch, Unavailable())
                raise_if_cancelled()  # a cancellation the driver turned into its own error
                metrics.COMMIT_FAILURES.inc()
                log.warning(
                    "store.commit_failed: %s",
                    type(exc).__name__,
                    extra={"event": "store.commit_failed", "count": len(batch)},
                )
            else:
                metrics.COMMIT_SECONDS.observe(time.perf_counter() - started)
                self._on_batch(len(batch))
                metrics.COMMIT_BATCH.observe(len(batch))
                # One write per socket for the whole batch: acknowledgements first,
                # then the messages, in that order on every socket. Sealed after the
                # acknowledgements: a recipient that is not a sender is written at once.
                with corked():
                    for p, s in zip(batch, stored, strict=True):
                        if p.on_stored is not None:
                            _call_safely(p.on_stored, s, "store.ack_failed")
                    seal()
                    fresh = [s for s in stored if not s.duplicate]
                    if fresh:
                        _call_safely(self._on_committed, fresh, "store.listener_failed")
                metrics.MESSAGES_ACCEPTED.inc(len(batch))
                for p, s in zip(batch, stored, strict=True):
                    if p.future is not None and not p.future.done():
                        p.future.set_result(s)
            finally:
                for _ in batch:
                    queue.task_done()

    @staticmethod
    def _fail(batch: list[_Pending], exc: Exception) -> None:
        for p in batch:
            if p.future is not None:
                if not p.future.done():
                    p.future.set_exception(exc)
            elif p.on_failed is not None:
                _call_safely(p.on_failed, exc, "store.fail_callback_failed")

    async def _commit(self, batch: list[_Pending]) -> list[Stored]:
        now = self._clock.now()
        drafts = [p.draft for p in batch]
        written = await self._writer.write(drafts, now)
        out = []
        for p, w in zip(batch, written, strict=True):
            d = p.draft
            p.seq = w.seq
            out.append(
                Stored(
                    d.room_id,
                    w.seq,
                    w.created_at,
                    d.author_key,
                    d.nick,
                    d.role,
                    d.text,
                    w.duplicate,
                )
            )
        return out


# ------------------------------------------------------------------ reads

COLUMNS = (
    messages.c.room_id,
    messages.c.seq,
    messages.c.created_at,
    messages.c.author_key,
    messages.c.nick,
    messages.c.role,
    messages.c.text,
    messages.c.kind,
    messages.c.target,
)
# Removed messages keep their sequence but are never sent again; their redactions
# (tombstones) are, so a resuming client learns of removals it missed.
SHOWN = messages.c.kind != KIND_REMOVED


def stored_from(row: Sequence[object]) -> Stored:
    return Stored(*row[:7], False, *row[7:])  # type: ignore[arg-type, call-arg]


async def read_stream_state(db: Database, room_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Each room's (last sequence, highest purged sequence)."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(RoomStream.room_id, RoomStream.last_seq, RoomStream.purged_seq).where(
                RoomStream.room_id.in_(list(room_ids))
            )
        )
        return {room_id: (last, purged) for room_id, last, purged in rows}


async def read_after(
    db: Database, room_id: int, after: int, *, through: int | None = None, limit: int = 1000
) -> list[Stored]:
    """Messages of ``room_id`` with ``after < seq [<= through]``, oldest first."""
    query = select(*COLUMNS).where(messages.c.room_id == room_id, messages.c.seq > after, SHOWN)
    if through is not None:
        query = query.where(messages.c.seq <= through)
    async with db.read() as conn:
        rows = await conn.execute(query.order_by(messages.c.seq).limit(limit))
        return [stored_from(r) for r in rows]


async def read_history(
    db: Database, room_id: int, *, since: int | None, limit: int
) -> tuple[int, int, list[Stored]]:
    """The room's last sequence, purged sequence and, in the same snapshot, either the
    last ``limit`` messages (``since`` None) or those after ``since`` (at most
    ``limit + 1``, so the caller can tell that there were more)."""
    async with db.read() as conn:
        state = (
            await conn.execute(
                select(streams.c.last_seq, streams.c.purged_seq).where(streams.c.room_id == room_id)
            )
        ).one()
        last_seq, purged = int(state[0]), int(state[1])
        if limit <= 0 and since is None:
            return last_seq, purged, []
        if since is None:
            rows = await conn.execute(
                select(*COLUMNS)
                .where(
                    messages.c.room_id == room_id,
                    messages.c.seq <= last_seq,
                    messages.c.kind.in_((KIND_MESSAGE, KIND_REFERRAL)),
                )
                .order_by(messages.c.seq.desc())
                .limit(limit)
            )
            history = [stored_from(r) for r in rows]
            history.reverse()
        else:
            rows = await conn.execute(
                select(*COLUMNS)
                .where(
                    messages.c.room_id == room_id,
                    messages.c.seq > since,
                    messages.c.seq <= last_seq,
                    SHOWN,
                )
                .order_by(messages.c.seq)
                .limit(limit + 1)
            )
            history = [stored_from(r) for r in rows]
        return last_seq, purged, history
