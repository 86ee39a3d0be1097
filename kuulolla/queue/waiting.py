"""The visitor's side of the queue and the sweep: entering a topic's queue (with a
return code, if the visitor has one), the visitor's status as their page shows it
(``VisitorView``: place, estimate, the conversation's room, a closed opening), leaving,
and how an entry ends (``finish``) or goes back to the front of a queue (``requeue``).

The sweep applies the disconnect grace (``KUULOLLA_QUEUE_GRACE_SECONDS``): a silent
visitor leaves the queue (or their conversation ends); a silent helper's conversation
goes back to the front of its queue with its notes, the room and its history kept. The
visitor's status and the helper's console both sweep.

Every function takes the database and ``now``; rules come from queue/logic.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueNote, QueueParticipant, QueueTopic
from kuulolla.queue.return_codes import return_key
from kuulolla.queue.service import load_of, report, roster_capacity, waiting_entries
from kuulolla.queue.topics import TopicInfo, topic_info
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room

LIVE = (State.WAITING.value, State.ACTIVE.value)


class NotAdmitting(Conflict):
    code = "not_admitting"
    default_message = N_("This chat is not taking new visitors right now.")


class ConsentRequired(BadRequest):
    code = "consent_required"
    default_message = N_("Read the terms and tick the box to continue.")


@dataclass(frozen=True, slots=True)
class VisitorView:
    """What the visitor's page shows."""

    state: str  # waiting, active, ended, left, none
    entry_id: int | None = None
    topic_slug: str | None = None
    position: int | None = None
    estimate: float | None = None
    room: str | None = None
    returned: bool = False  # back in the queue after the helper dropped
    extra: dict[str, Any] = field(default_factory=dict)
    # Past the closing time of the opening the visitor queued in: when it was, and
    # whether helpers are still on duty to answer those waiting.
    closed_at: datetime | None = None
    answered: bool | None = None
    # The disconnect grace changed the entry just now (the visitor's connection had not
    # come back, or their helper's had not): the caller tells the organisation's streams.
    swept: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "topic": self.topic_slug,
            "position": self.position,
            "estimate_minutes": logic.wait_minutes(self.estimate),
            "room": self.room,
            "returned": self.returned,
            "closed": self.closed_at is not None,
            "answered": self.answered,
        }


async def _current(session: AsyncSession, visitor_key: bytes) -> QueueEntry | None:
    return await session.scalar(
        select(QueueEntry)
        .where(QueueEntry.visitor_key == visitor_key)
        .order_by(QueueEntry.id.desc())
        .limit(1)
    )


async def get_live_entry_id(db: Database, *, visitor_key: bytes) -> int | None:
    """The visitor's entry while they wait or chat (None otherwise)."""
    async with db.read_session() as session:
        current = await _current(session, visitor_key)
    return current.id if current is not None and current.state in LIVE else None


async def do_enter(
    db: Database,
    *,
    topic: TopicInfo,
    visitor_key: bytes,
    answers: dict[str, str],
    consent: bool,
    return_code: str | None = None,
    now: datetime,
) -> int:
    """Put the visitor in the topic's queue (again: their live entry is returned).
    Refused when the topic does not admit newcomers or the consent is missing."""
    clean = logic.check_answers(topic.questions, answers)
    if topic.text("consent", "fi") and not consent:
        raise ConsentRequired()
    previous_id = None
    if return_code:
        key = return_key(return_code)
        async with db.read_session() as session:
            previous = (
                await session.execute(
                    select(QueueEntry.id, QueueTopic.organisation_id)
                    .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
                    .where(QueueEntry.return_key == key)
                )
            ).first()
        if key is None or previous is None or previous[1] != topic.organisation_id:
            raise BadRequest(
                N_("That return code is not valid for this organisation."),
                code="invalid_return_code",
            )
        previous_id = previous[0]
    roster = await roster_capacity(db, topic_id=topic.id, now=now)
    async with db.session() as session:
        current = await _current(session, visitor_key)
        if current is not None and current.state in LIVE:
            return current.id
        waiting = await waiting_entries(session, topic.id)
        load = await load_of(session, topic, now=now, roster=roster)
        status = logic.topic_status(
            hours=topic.hours, active=topic.active, waiting=len(waiting), load=load, now=now
        )
        if not status.admits:
            raise NotAdmitting()
        entry = QueueEntry(
            topic_id=topic.id,
            visitor_key=visitor_key,
            state=State.WAITING.value,
            priority=logic.PRIORITY_NORMAL,
            answers=clean,
            queued_at=now,
            visitor_seen_at=now,
            estimate_seconds=int(status.estimate) if status.estimate is not None else None,
            previous_id=previous_id,
        )
        session.add(entry)
        await session.flush()
        await report(session, Kind.QUEUE_ENTERED, topic_id=topic.id, now=now)
        return entry.id


async def visitor_status(
    db: Database, *, visitor_key: bytes, grace: timedelta, now: datetime
) -> VisitorView:
    """The visitor's current entry, as their page shows it. Calling this is the
    visitor's sign of life; it also applies the disconnect grace to their entry."""
    async with db.session() as session:
        entry = await _current(session, visitor_key)
        if entry is None:
            return VisitorView("none")
        swept = False
        if entry.state in LIVE:
            swept = await _sweep_entry(session, entry, grace=grace, now=now) is not logic.Sweep.KEEP
            entry.visitor_seen_at = now
        topic = await session.get(QueueTopic, entry.topic_id)
        room = await session.get(Room, entry.room_id) if entry.room_id else None
        view = VisitorView(
            entry.state,
            entry.id,
            topic.slug if topic else None,
            room=room.slug if room else None,
            returned=entry.priority == logic.PRIORITY_RETURNED,
            swept=swept,
        )
        if entry.state != State.WAITING.value or topic is None:
            return view
        waiting = await waiting_entries(session, entry.topic_id)
        place = logic.position(waiting, entry.id)
        org = await session.get(Organisation, topic.organisation_id)
        assert org is not None
        info = topic_info(topic, org)
        queued_at = entry.queued_at
    # The roster and the load are read after the write is committed: reading them on
    # other connections while holding SQLite's write lock could wait for a pooled
    # connection that a writer queued behind the lock holds (a deadlock until the
    # busy timeout, seen with a few visitors entering at once).
    roster = await roster_capacity(db, topic_id=info.id, now=now)
    async with db.read_session() as session:
        load = await load_of(session, info, now=now, roster=roster)
    estimate = logic.estimate_wait(place or 1, load)
    window = logic.open_window(info.hours, queued_at) if info.active else None
    closed_at = window[1] if window is not None and now >= window[1] else None
    answered = None
    if closed_at is not None:
        # Helpers still on duty answer those already waiting; with nobody on duty (or
        # nobody taking) the visitor is told they will not be answered today.
        answered = estimate is not None
        estimate = estimate if answered else None
    return VisitorView(
        view.state,
        view.entry_id,
        info.slug,
        position=place,
        estimate=estimate,
        room=view.room,
        returned=view.returned,
        closed_at=closed_at,
        answered=answered,
        swept=view.swept,
    )


async def do_leave(db: Database, *, visitor_key: bytes, now: datetime) -> int | None:
    """The visitor leaves the queue, or ends their conversation. Returns the
    organisation whose queue changed (None: the visitor was in none)."""
    async with db.session() as session:
        entry = await _current(session, visitor_key)
        if entry is None or entry.state not in LIVE:
            return None
        await finish(
            session,
            entry,
            state=State.ENDED if entry.accepted_at else State.LEFT,
            reason="visitor",
            now=now,
        )
        return await session.scalar(
            select(QueueTopic.organisation_id).where(QueueTopic.id == entry.topic_id)
        )


async def get_visitor_organisation(db: Database, *, visitor_key: bytes) -> int | None:
    """The organisation of the topic the visitor last queued for (None: never)."""
    async with db.read_session() as session:
        return await session.scalar(
            select(QueueTopic.organisation_id)
            .join(QueueEntry, QueueEntry.topic_id == QueueTopic.id)
            .where(QueueEntry.visitor_key == visitor_key)
            .order_by(QueueEntry.id.desc())
            .limit(1)
        )


def _seconds(start: datetime | None, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds()) if start is not None else 0.0


async def finish(
    session: AsyncSession, entry: QueueEntry, *, state: State, reason: str, now: datetime
) -> None:
    entry.state = state.value
    entry.ended_at = now
    entry.end_reason = reason
    if state is State.LEFT:
        await report(
            session,
            Kind.QUEUE_ABANDONED,
            topic_id=entry.topic_id,
            now=now,
            value=_seconds(entry.queued_at, now),
        )
    elif state is State.ENDED and entry.accepted_at is not None:
        await report(
            session,
            Kind.QUEUE_ENDED,
            topic_id=entry.topic_id,
            now=now,
            value=_seconds(entry.accepted_at, now),
        )
    if entry.room_id is not None:
        await rooms_service.archive_private_room(session, room_id=entry.room_id, now=now)


async def requeue(session: AsyncSession, entry: QueueEntry, *, topic_id: int) -> None:
    """Back to the front of a queue (helper dropped, or a transfer to a topic): the
    conversation room and its notes stay; the helper loses access."""
    if entry.room_id is not None and entry.helper_id is not None:
        await session.execute(
            delete(QueueParticipant).where(
                QueueParticipant.room_id == entry.room_id,
                QueueParticipant.user_id == entry.helper_id,
            )
        )
    entry.state = State.WAITING.value
    entry.priority = logic.PRIORITY_RETURNED
    entry.topic_id = topic_id
    entry.helper_id = None


async def _sweep_entry(
    session: AsyncSession,
    entry: QueueEntry,
    *,
    grace: timedelta,
    now: datetime,
    helpers_seen: dict[int, datetime | None] | None = None,
) -> logic.Sweep:
    """Apply the grace to one entry. ``helpers_seen``: the organisation's helpers' last
    signs of life, when the caller has read them (else they are read here)."""
    helper_seen = None
    if entry.state == State.ACTIVE.value and entry.helper_id is not None:
        if helpers_seen is not None:
            helper_seen = helpers_seen.get(entry.helper_id)
        else:
            topic = await session.get(QueueTopic, entry.topic_id)
            helper_seen = await session.scalar(
                select(QueueHelper.seen_at).where(
                    QueueHelper.user_id == entry.helper_id,
                    QueueHelper.organisation_id == (topic.organisation_id if topic else -1),
                )
            )
        helper_seen = helper_seen or entry.accepted_at
    decision = logic.sweep(
        state=State(entry.state),
        visitor_seen=entry.visitor_seen_at,
        helper_seen=helper_seen,
        grace=grace,
        now=now,
    )
    if decision is logic.Sweep.VISITOR_GONE:
        await finish(
            session,
            entry,
            state=State.ENDED if entry.accepted_at else State.LEFT,
            reason="visitor_gone",
            now=now,
        )
    elif decision is logic.Sweep.HELPER_GONE:
        session.add(
            QueueNote(
                entry_id=entry.id,
                kind="returned",
                author_id=entry.helper_id,
                text="",
                created_at=now,
            )
        )
        await requeue(session, entry, topic_id=entry.topic_id)
    return decision


async def do_sweep(db: Database, *, organisation_id: int, grace: timedelta, now: datetime) -> int:
    """Apply the disconnect grace to every live entry of an organisation's topics.
    Every open console does this every 10 s: two reads (the live entries, the helpers'
    signs of life), whatever the number of conversations, and a write only for an
    entry the grace changes. Returns how many it changed."""
    changed = 0
    async with db.session() as session:
        entries = list(
            await session.scalars(
                select(QueueEntry)
                .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
                .where(QueueTopic.organisation_id == organisation_id, QueueEntry.state.in_(LIVE))
            )
        )
        if not entries:
            return 0
        seen: dict[int, datetime | None] = {}
        if any(e.helper_id is not None for e in entries):
            rows = await session.execute(
                select(QueueHelper.user_id, QueueHelper.seen_at).where(
                    QueueHelper.organisation_id == organisation_id
                )
            )
            seen = {user_id: seen_at for user_id, seen_at in rows}
        for entry in entries:
            decision = await _sweep_entry(session, entry, grace=grace, now=now, helpers_seen=seen)
            if decision is not logic.Sweep.KEEP:
                changed += 1
    return changed
