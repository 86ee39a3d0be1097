"""The helper's console: being on duty (available or not, and the helper's own limit of
parallel conversations), the console's heartbeat (the helper's sign of life), and what
the console shows: the organisation's queues in order and the helper's conversations,
with their notes.

Taking a visitor is in queue/accepting.py, what a helper does during a conversation in
queue/conversation.py, canned responses in queue/canned.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueNote, QueueTopic
from kuulolla.queue.waiting import do_sweep
from kuulolla.rooms.models import Room

MAX_CHATS_LIMIT = 10


async def do_set_duty(
    db: Database,
    *,
    organisation_id: int,
    user_id: int,
    available: bool,
    max_chats: int,
    now: datetime,
) -> None:
    """Mark the helper on duty (or off) in the organisation with their own limit of
    parallel conversations. Until shifts record check-ins, this is the capacity."""
    if not 1 <= max_chats <= MAX_CHATS_LIMIT:
        raise BadRequest(
            N_("Choose between 1 and {max} conversations."),
            code="invalid_max_chats",
            max=MAX_CHATS_LIMIT,
        )
    async with db.session() as session:
        helper = await session.get(QueueHelper, (user_id, organisation_id))
        if helper is None:
            helper = QueueHelper(user_id=user_id, organisation_id=organisation_id)
            session.add(helper)
        helper.available = available
        helper.max_chats = max_chats
        helper.seen_at = now


async def do_heartbeat(db: Database, *, organisation_id: int, user_id: int, now: datetime) -> None:
    """The helper's console is open: their conversations are not orphaned."""
    async with db.session() as session:
        await session.execute(
            update(QueueHelper)
            .where(QueueHelper.user_id == user_id, QueueHelper.organisation_id == organisation_id)
            .values(seen_at=now)
            .execution_options(synchronize_session=False)
        )


async def do_touch(
    db: Database, *, organisation_id: int, user_id: int, grace: timedelta, now: datetime
) -> int:
    """The helper's console is open: the disconnect grace applied to the organisation's
    entries, then the helper's sign of life. Returns how many entries the grace
    changed (the caller tells the organisation's streams, queue/changes.py)."""
    swept = await do_sweep(db, organisation_id=organisation_id, grace=grace, now=now)
    await do_heartbeat(db, organisation_id=organisation_id, user_id=user_id, now=now)
    return swept


@dataclass(frozen=True, slots=True)
class WaitingRow:
    entry_id: int
    topic_id: int
    place: int
    waited: float
    answers: dict[str, str]
    returned: bool
    previous: bool
    notes: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ChatRow:
    entry_id: int
    topic_id: int
    room_slug: str
    answers: dict[str, str]
    since: float
    notes: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Console:
    available: bool
    max_chats: int
    topics: list[tuple[int, str, list[WaitingRow]]]
    chats: list[ChatRow]


async def _notes(session: AsyncSession, entry_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in entry_ids}
    if not entry_ids:
        return out
    rows = await session.execute(
        select(QueueNote.entry_id, QueueNote.kind, QueueNote.text)
        .where(QueueNote.entry_id.in_(entry_ids))
        .order_by(QueueNote.id)
    )
    for entry_id, kind, text in rows:
        out[entry_id].append((kind, text))
    return out


async def get_console(
    db: Database,
    *,
    organisation_id: int,
    user_id: int,
    now: datetime,
) -> Console:
    """What the helper's console shows, read only: opening the console or its heartbeat
    (:func:`do_touch`, before this) is the helper's sign of life and applies the
    disconnect grace; its stream reads without touching."""
    async with db.read_session() as session:
        helper = await session.get(QueueHelper, (user_id, organisation_id))
        topics = list(
            await session.scalars(
                select(QueueTopic)
                .where(QueueTopic.organisation_id == organisation_id)
                .order_by(QueueTopic.name_fi)
            )
        )
        entries = list(
            await session.scalars(
                select(QueueEntry).where(
                    QueueEntry.topic_id.in_([t.id for t in topics]),
                    QueueEntry.state.in_((State.WAITING.value, State.ACTIVE.value)),
                )
            )
        )
        ids = [e.id for e in entries]
        # Notes of a previous conversation continue with the return code.
        previous = {e.id: e.previous_id for e in entries if e.previous_id}
        notes = await _notes(session, ids + [p for p in previous.values() if p])
        rooms = {
            r.id: r.slug
            for r in await session.scalars(
                select(Room).where(Room.id.in_([e.room_id for e in entries if e.room_id]))
            )
        }
    by_topic: list[tuple[int, str, list[WaitingRow]]] = []
    for topic in topics:
        waiting = [e for e in entries if e.topic_id == topic.id and e.state == State.WAITING.value]
        ordered = logic.queue_order(logic.Entry(e.id, e.queued_at, e.priority) for e in waiting)
        lookup = {e.id: e for e in waiting}
        rows = []
        for place, item in enumerate(ordered, start=1):
            e = lookup[item.id]
            rows.append(
                WaitingRow(
                    e.id,
                    topic.id,
                    place,
                    (now - e.queued_at).total_seconds(),
                    dict(e.answers or {}),
                    e.priority == logic.PRIORITY_RETURNED,
                    e.previous_id is not None,
                    notes.get(e.previous_id or -1, []) + notes[e.id],
                )
            )
        by_topic.append((topic.id, topic.slug, rows))
    chats = [
        ChatRow(
            e.id,
            e.topic_id,
            rooms.get(e.room_id or -1, ""),
            dict(e.answers or {}),
            (now - (e.accepted_at or now)).total_seconds(),
            notes.get(e.previous_id or -1, []) + notes[e.id],
        )
        for e in entries
        if e.state == State.ACTIVE.value and e.helper_id == user_id
    ]
    return Console(
        helper.available if helper else False,
        helper.max_chats if helper else 2,
        by_topic,
        chats,
    )
