"""The queue's load and status, what every step of the queue records, and a
conversation's room.

- The load of a topic (``load_of``): the slots of its organisation on duty (from the
  shift roster when the topic has one, ``roster_capacity``, else the helpers' own duty
  in the console), the conversations in them and the topic's recent handling times;
  with the waiting entries (``waiting_entries``) it gives the topic's status
  (``topic_status``: open, admitting, the wait a newcomer can expect).
- The queue's statistics events (``report``, core/events.py), nothing of the visitor.
- A conversation's room: who may join it (``may_join``), and deleting the conversation
  at the visitor's wish (``do_delete_conversation``: its messages, room, notes and
  entry at once; rooms/service.py erases the room with its stream and members).

Topics are in queue/topics.py, the visitor's side and the sweep in queue/waiting.py,
feedback in queue/feedback.py, return codes in queue/return_codes.py; the helper's side
in queue/console.py (duty, the console's view), queue/accepting.py (the atomic accept),
queue/conversation.py (during a conversation) and queue/canned.py. Every function takes the database and ``now``; rules come from
queue/logic.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.chat import retention as chat_retention
from kuulolla.core import events as report_events
from kuulolla.core.db import Database, compact_sqlite
from kuulolla.core.errors import NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import (
    QueueEntry,
    QueueHelper,
    QueueNote,
    QueueParticipant,
    QueueTopic,
)
from kuulolla.queue.topics import TopicInfo
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room
from kuulolla.shifts import rooms as roster

RECENT_CONVERSATIONS = 20  # how many recent handling times feed the estimate


async def _helpers(session: AsyncSession, organisation_id: int) -> list[logic.Helper]:
    active = (
        select(QueueEntry.helper_id, func.count().label("n"))
        .where(QueueEntry.state == State.ACTIVE.value)
        .group_by(QueueEntry.helper_id)
        .subquery()
    )
    rows = await session.execute(
        select(QueueHelper, active.c.n)
        .outerjoin(active, active.c.helper_id == QueueHelper.user_id)
        .where(QueueHelper.organisation_id == organisation_id)
    )
    return [
        logic.Helper(h.user_id, h.available, h.max_chats, int(n or 0))
        for h, n in cast(list[tuple[QueueHelper, int | None]], rows.all())
    ]


async def roster_capacity(db: Database, *, topic_id: int, now: datetime) -> int | None:
    """The topic's capacity from the shift roster (the parallel-chat limits of the
    helpers checked in to its shifts), or None when the topic has no roster; then
    the helpers' own availability in the console decides."""

    return await roster.topic_capacity(db, topic_id=topic_id, now=now)


async def load_of(
    session: AsyncSession, topic: TopicInfo, *, now: datetime, roster: int | None = None
) -> logic.Load:
    """The slots of the topic's organisation on duty, the conversations in them and
    the recent handling times of the topic. ``roster``: the capacity the shift roster
    gives (roster_capacity), which then replaces the helpers' own availability."""
    helpers = await _helpers(session, topic.organisation_id)
    active = select(QueueEntry.accepted_at).where(QueueEntry.state == State.ACTIVE.value)
    if roster is None:
        on_duty = {h.user_id for h in helpers if h.available}
        active = active.where(QueueEntry.helper_id.in_(on_duty))
    else:
        active = active.join(QueueTopic, QueueTopic.id == QueueEntry.topic_id).where(
            QueueTopic.organisation_id == topic.organisation_id
        )
    started = await session.scalars(active)
    recent = await session.execute(
        select(QueueEntry.accepted_at, QueueEntry.ended_at)
        .where(
            QueueEntry.topic_id == topic.id,
            QueueEntry.ended_at.is_not(None),
            QueueEntry.accepted_at.is_not(None),
        )
        .order_by(QueueEntry.ended_at.desc())
        .limit(RECENT_CONVERSATIONS)
    )
    capacity = logic.capacity(helpers) if roster is None else roster
    elapsed = [(now - s).total_seconds() for s in started if s is not None]
    # How long a free slot and a waiting visitor have met with nobody taken.
    first_queued, last_taken, waiting = (
        await session.execute(
            select(
                func.min(QueueEntry.queued_at).filter(QueueEntry.state == State.WAITING.value),
                func.max(QueueEntry.accepted_at),
                func.count().filter(QueueEntry.state == State.WAITING.value),
            ).where(QueueEntry.topic_id == topic.id)
        )
    ).one()
    first_end = None
    if last_taken is not None:
        # A conversation's end frees a slot (one on duty, when the helpers' own duty
        # is the capacity); a visitor leaving the queue does not.
        ended = select(func.min(QueueEntry.ended_at)).where(
            QueueEntry.topic_id == topic.id,
            QueueEntry.accepted_at.is_not(None),
            QueueEntry.ended_at > last_taken,
        )
        if roster is None:
            ended = ended.where(QueueEntry.helper_id.in_(on_duty))
        first_end = await session.scalar(ended)

    def since(t: datetime | None) -> float | None:
        return (now - t).total_seconds() if t is not None else None

    return logic.Load(
        capacity=capacity,
        active_elapsed=elapsed,
        recent_handling=[(e - a).total_seconds() for a, e in recent.all() if a and e],
        default_handling=float(topic.default_handling),
        stalled=logic.stalled(
            free=capacity - len(elapsed),
            waiting=int(waiting or 0),
            last_take=since(last_taken),
            first_end=since(first_end),
            first_arrival=since(first_queued),
        ),
    )


async def waiting_entries(session: AsyncSession, topic_id: int) -> list[logic.Entry]:
    rows = await session.execute(
        select(QueueEntry.id, QueueEntry.queued_at, QueueEntry.priority).where(
            QueueEntry.topic_id == topic_id, QueueEntry.state == State.WAITING.value
        )
    )
    return [logic.Entry(i, q, p) for i, q, p in rows]


async def topic_status(db: Database, *, topic: TopicInfo, now: datetime) -> logic.TopicStatus:
    roster = await roster_capacity(db, topic_id=topic.id, now=now)
    async with db.read_session() as session:
        waiting = await waiting_entries(session, topic.id)
        load = await load_of(session, topic, now=now, roster=roster)
    return logic.topic_status(
        hours=topic.hours, active=topic.active, waiting=len(waiting), load=load, now=now
    )


async def report(
    session: AsyncSession,
    kind: Kind,
    *,
    topic_id: int,
    now: datetime,
    value: float | None = None,
    label: str = "",
) -> None:
    """Record a statistics event of the queue (core/events.py): the topic's
    organisation, the topic, the hour, at most one number and an allow-listed label;
    nothing of the visitor."""
    organisation_id = await session.scalar(
        select(QueueTopic.organisation_id).where(QueueTopic.id == topic_id)
    )
    if organisation_id is not None:
        report_events.add(
            session,
            kind,
            organisation_id=organisation_id,
            topic_id=topic_id,
            at=now,
            value=value,
            label=label,
        )


async def may_join(db: Database, *, room_id: int, author_key: bytes) -> bool:
    """Whether ``author_key`` is a participant of the private room ``room_id``."""
    async with db.read_session() as session:
        found = await session.scalar(
            select(QueueParticipant.room_id).where(
                QueueParticipant.room_id == room_id, QueueParticipant.author_key == author_key
            )
        )
    return found is not None


async def ended_entry(session: AsyncSession, visitor_key: bytes, entry_id: int) -> QueueEntry:
    entry = await session.scalar(
        select(QueueEntry).where(QueueEntry.id == entry_id, QueueEntry.visitor_key == visitor_key)
    )
    if entry is None:
        raise NotFound(N_("There is no such conversation."), code="not_found")
    return entry


async def do_delete_conversation(
    db: Database, *, visitor_key: bytes, entry_id: int, now: datetime
) -> int | None:
    """Delete the visitor's conversation now, for real: its messages, room, notes and
    the entry itself. The page offers it after the conversation; an entry deleted
    while still waiting or going on returns its organisation, whose queues changed
    (the caller tells them, queue/changes.py), else None."""
    async with db.session() as session:
        entry = await ended_entry(session, visitor_key, entry_id)
        room_id = entry.room_id
        changed = None
        if entry.state in (State.WAITING.value, State.ACTIVE.value):
            changed = await session.scalar(
                select(QueueTopic.organisation_id).where(QueueTopic.id == entry.topic_id)
            )
        await session.execute(delete(QueueNote).where(QueueNote.entry_id == entry.id))
        await session.execute(
            update(QueueEntry)
            .where(QueueEntry.previous_id == entry.id)
            .values(previous_id=None)
            .execution_options(synchronize_session=False)
        )
        await session.delete(entry)
        if room_id is not None:
            await chat_retention.delete_room_messages(session, room_id)
            await session.execute(
                delete(QueueParticipant).where(QueueParticipant.room_id == room_id)
            )
            await rooms_service.erase_room(session, room_id=room_id)
    if db.is_sqlite:
        # As for a deleted question: the rows' old pages leave the write-ahead log now.
        await compact_sqlite(db, vacuum=False)
    return changed


async def get_room_id(db: Database, *, slug: str) -> int:
    async with db.read_session() as session:
        room_id = await session.scalar(select(Room.id).where(Room.slug == slug))
    if room_id is None:
        raise NotFound(N_("There is no such room."), code="room_not_found")
    return room_id
