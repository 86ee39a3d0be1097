"""The atomic accept: a helper takes the next visitor of a topic, or a chosen one out
of turn with a reason, and the conversation's private room is made (on the first
accept; a conversation back in the queue keeps its room).

Exactly one helper gets a visitor: accepting is one conditional UPDATE
(``… WHERE id = :id AND state = 'waiting'``) inside a transaction that first locks
the helper's own row (their limit). On PostgreSQL a second transaction updating the
same entry waits for the first and then finds the condition false; on SQLite
``BEGIN IMMEDIATE`` serialises the writers. The loser is told the visitor was taken.
rooms/service.py adds the room with its message stream, in this transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core.db import Database
from kuulolla.core.errors import Conflict, Forbidden, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueParticipant, QueueTopic
from kuulolla.queue.service import report, waiting_entries
from kuulolla.queue.topics import TopicNotFound
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room


class NotOnDuty(Forbidden):
    code = "not_on_duty"
    default_message = N_("Mark yourself available before taking chats.")


class Taken(Conflict):
    code = "taken"
    default_message = N_("Another helper took this visitor already.")


class NoVisitors(Conflict):
    code = "queue_empty"
    default_message = N_("Nobody is waiting in this queue.")


@dataclass(frozen=True, slots=True)
class Accepted:
    entry_id: int
    room_slug: str


async def do_accept(
    db: Database,
    *,
    organisation_id: int,
    user_id: int,
    staff_key: bytes,
    topic_id: int | None = None,
    entry_id: int | None = None,
    reason: str | None = None,
    now: datetime,
) -> Accepted:
    """Take the next visitor of ``topic_id``, or the chosen ``entry_id`` (out of turn
    only with a ``reason``). Raises :class:`Taken` when another helper was quicker."""
    async with db.session() as session:
        helper = await session.scalar(
            select(QueueHelper)
            .where(QueueHelper.user_id == user_id, QueueHelper.organisation_id == organisation_id)
            .with_for_update()
        )
        if helper is None or not helper.available:
            raise NotOnDuty()
        active = await session.scalar(
            select(func.count())
            .select_from(QueueEntry)
            .where(QueueEntry.helper_id == user_id, QueueEntry.state == State.ACTIVE.value)
        )
        logic.check_helper_limit(active=int(active or 0), max_chats=helper.max_chats)
        if entry_id is not None:
            topic_id = await session.scalar(
                select(QueueEntry.topic_id)
                .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
                .where(QueueEntry.id == entry_id, QueueTopic.organisation_id == organisation_id)
            )
            if topic_id is None:
                raise NotFound(N_("There is no such visitor in your queues."), code="not_found")
        topic = await session.get(QueueTopic, topic_id) if topic_id is not None else None
        if topic is None or topic.organisation_id != organisation_id:
            raise TopicNotFound()
        waiting = await waiting_entries(session, topic.id)
        if entry_id is not None:
            try:
                cleaned = logic.check_take(waiting, entry_id, reason)
            except Conflict:
                raise Taken() from None
            candidates = [entry_id]
        else:
            if not waiting:
                raise NoVisitors()
            cleaned = None
            candidates = [e.id for e in logic.queue_order(waiting)]
        for candidate in candidates:
            result = await session.execute(
                update(QueueEntry)
                .where(QueueEntry.id == candidate, QueueEntry.state == State.WAITING.value)
                .values(
                    state=State.ACTIVE.value,
                    helper_id=user_id,
                    accepted_at=now,
                    out_of_order_reason=cleaned,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                break
        else:
            raise Taken()
        entry = await session.get(QueueEntry, candidate, populate_existing=True)
        assert entry is not None
        if entry.priority != logic.PRIORITY_RETURNED:  # a requeued chat was answered already
            await report(
                session,
                Kind.QUEUE_ANSWERED,
                topic_id=topic.id,
                now=now,
                value=max(0.0, (now - entry.queued_at).total_seconds()),
            )
        room = await _conversation_room(session, entry, topic, now=now)
        session.add(QueueParticipant(room_id=room.id, author_key=staff_key, user_id=user_id))
        return Accepted(entry.id, room.slug)


async def _conversation_room(
    session: AsyncSession, entry: QueueEntry, topic: QueueTopic, *, now: datetime
) -> Room:
    """The entry's private room: made on the first accept, kept when it returns."""
    if entry.room_id is not None:
        room = await rooms_service.move_private_room(
            session, room_id=entry.room_id, organisation_id=topic.organisation_id
        )
        if room is not None:
            return room
    room = await rooms_service.add_private_room(
        session,
        organisation_id=topic.organisation_id,
        names={"fi": topic.name_fi, "sv": topic.name_sv, "en": topic.name_en},
        now=now,
    )
    session.add(QueueParticipant(room_id=room.id, author_key=entry.visitor_key))
    entry.room_id = room.id
    return room
