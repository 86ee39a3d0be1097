"""Queue topics, the visitor's side of the queue, and the atomic accept.

Every function takes the database and ``now``; rules come from queue/logic.py. The
helper's other actions (notes, transfers, ending, availability) are in
queue/console.py.

Exactly one helper gets a visitor: accepting is one conditional UPDATE
(``… WHERE id = :id AND state = 'waiting'``) inside a transaction that first locks
the helper's own row. On PostgreSQL a second transaction updating the same entry
waits for the first and then finds the condition false; on SQLite ``BEGIN
IMMEDIATE`` serialises the writers. The loser is told the visitor was taken.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.chat.models import Message
from kuulolla.core import events as report_events
from kuulolla.core.db import Database, compact_sqlite
from kuulolla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.queue import helpnow, logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import (
    QueueEntry,
    QueueFeedback,
    QueueHelper,
    QueueNote,
    QueueParticipant,
    QueueTopic,
)
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room
from kuulolla.shifts import rooms as roster

RECENT_CONVERSATIONS = 20  # how many recent handling times feed the estimate
LIVE = (State.WAITING.value, State.ACTIVE.value)


class TopicNotFound(NotFound):
    code = "topic_not_found"
    default_message = N_("There is no such chat topic.")


class NotAdmitting(Conflict):
    code = "not_admitting"
    default_message = N_("This chat is not taking new visitors right now.")


class ConsentRequired(BadRequest):
    code = "consent_required"
    default_message = N_("Read the terms and tick the box to continue.")


class NotOnDuty(Forbidden):
    code = "not_on_duty"
    default_message = N_("Mark yourself available before taking chats.")


class Taken(Conflict):
    code = "taken"
    default_message = N_("Another helper took this visitor already.")


class NoVisitors(Conflict):
    code = "queue_empty"
    default_message = N_("Nobody is waiting in this queue.")


# ------------------------------------------------------------------ topics


@dataclass(frozen=True, slots=True)
class TopicInfo:
    id: int
    slug: str
    organisation_id: int
    organisation_name: str
    texts: dict[str, dict[str, str]]
    hours: dict[str, list[list[str]]]
    questions: tuple[str, ...]
    default_handling: int
    active: bool
    audience: str = "all"

    def text(self, name: str, locale: str) -> str:
        values = self.texts[name]
        return values.get(locale) or values.get("fi", "")

    def name(self, locale: str) -> str:
        return self.text("name", locale)


def _topic_info(topic: QueueTopic, org: Organisation) -> TopicInfo:
    texts = {
        name: {loc: v for loc in ("fi", "sv", "en") if (v := getattr(topic, f"{name}_{loc}"))}
        for name in ("name", "description", "consent")
    }
    return TopicInfo(
        id=topic.id,
        slug=topic.slug,
        organisation_id=org.id,
        organisation_name=org.name,
        texts=texts,
        hours=dict(topic.hours or {}),
        questions=tuple(topic.questions or ()),
        default_handling=topic.default_handling_seconds,
        active=topic.active,
        audience=topic.audience or "all",
    )


async def list_topics(db: Database, *, organisation_id: int | None = None) -> list[TopicInfo]:
    async with db.read_session() as session:
        query = select(QueueTopic, Organisation).join(
            Organisation, Organisation.id == QueueTopic.organisation_id
        )
        if organisation_id is not None:
            query = query.where(QueueTopic.organisation_id == organisation_id)
        rows = await session.execute(query.order_by(Organisation.name, QueueTopic.name_fi))
        return [_topic_info(t, o) for t, o in rows]


async def get_topic_or_raise(db: Database, *, slug: str) -> TopicInfo:
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(QueueTopic, Organisation)
                .join(Organisation, Organisation.id == QueueTopic.organisation_id)
                .where(QueueTopic.slug == slug)
            )
        ).first()
    if row is None:
        raise TopicNotFound()
    return _topic_info(*row)


async def do_create_topic(
    db: Database,
    *,
    organisation_id: int,
    slug: str,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    consents: dict[str, str] | None = None,
    hours: object,
    questions: list[str] | tuple[str, ...] = logic.QUESTIONS,
    default_handling: int = 900,
    audience: str = "all",
    now: datetime,
) -> int:
    """Create a queue topic. ``names`` needs "fi"; hours as in logic.check_hours; the
    slug may not be a reserved path name (logic.RESERVED_SLUGS); ``audience`` one of
    helpnow.AUDIENCES."""
    slug = logic.check_topic_slug(slug)
    if "fi" not in names:
        raise BadRequest(N_("A topic needs a Finnish name."), code="invalid_name")
    clean = {loc: check_name(n) for loc, n in names.items() if n}
    hours = logic.check_hours(hours)
    if any(q not in logic.QUESTIONS for q in questions):
        raise BadRequest(N_("Unknown pre-chat question."), code="invalid_question")
    if audience not in helpnow.AUDIENCES:
        raise BadRequest(N_("Choose whom the topic is for."), code="invalid_audience")
    descriptions, consents = descriptions or {}, consents or {}
    async with db.session() as session:
        if await session.scalar(select(QueueTopic.id).where(QueueTopic.slug == slug)):
            raise Conflict(N_("A topic with that slug exists already."), code="slug_taken")
        topic = QueueTopic(
            organisation_id=organisation_id,
            slug=slug,
            name_fi=clean["fi"],
            name_sv=clean.get("sv"),
            name_en=clean.get("en"),
            description_fi=descriptions.get("fi", ""),
            description_sv=descriptions.get("sv"),
            description_en=descriptions.get("en"),
            consent_fi=consents.get("fi", ""),
            consent_sv=consents.get("sv"),
            consent_en=consents.get("en"),
            hours=hours,
            questions=list(questions),
            default_handling_seconds=default_handling,
            active=True,
            audience=audience,
            created_at=now,
        )
        session.add(topic)
        await session.flush()
        return topic.id


# ------------------------------------------------------------------ load and status


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


async def _waiting(session: AsyncSession, topic_id: int) -> list[logic.Entry]:
    rows = await session.execute(
        select(QueueEntry.id, QueueEntry.queued_at, QueueEntry.priority).where(
            QueueEntry.topic_id == topic_id, QueueEntry.state == State.WAITING.value
        )
    )
    return [logic.Entry(i, q, p) for i, q, p in rows]


async def topic_status(db: Database, *, topic: TopicInfo, now: datetime) -> logic.TopicStatus:
    roster = await roster_capacity(db, topic_id=topic.id, now=now)
    async with db.read_session() as session:
        waiting = await _waiting(session, topic.id)
        load = await load_of(session, topic, now=now, roster=roster)
    return logic.topic_status(
        hours=topic.hours, active=topic.active, waiting=len(waiting), load=load, now=now
    )


# ------------------------------------------------------------------ visitor side


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


def return_key(code: str) -> bytes | None:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    return hashlib.sha256(b"kuulolla-return:" + cleaned.encode()).digest()


def new_return_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


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
        waiting = await _waiting(session, topic.id)
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
        if entry.state in LIVE:
            await _sweep_entry(session, entry, grace=grace, now=now)
            entry.visitor_seen_at = now
        topic = await session.get(QueueTopic, entry.topic_id)
        room = await session.get(Room, entry.room_id) if entry.room_id else None
        view = VisitorView(
            entry.state,
            entry.id,
            topic.slug if topic else None,
            room=room.slug if room else None,
            returned=entry.priority == logic.PRIORITY_RETURNED,
        )
        if entry.state != State.WAITING.value or topic is None:
            return view
        waiting = await _waiting(session, entry.topic_id)
        place = logic.position(waiting, entry.id)
        org = await session.get(Organisation, topic.organisation_id)
        assert org is not None
        info = _topic_info(topic, org)
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
    )


async def do_leave(db: Database, *, visitor_key: bytes, now: datetime) -> int | None:
    """The visitor leaves the queue, or ends their conversation. Returns the
    organisation whose queue changed (None: the visitor was in none)."""
    async with db.session() as session:
        entry = await _current(session, visitor_key)
        if entry is None or entry.state not in LIVE:
            return None
        await _finish(
            session,
            entry,
            state=State.ENDED if entry.accepted_at else State.LEFT,
            reason="visitor",
            now=now,
        )
        return await session.scalar(
            select(QueueTopic.organisation_id).where(QueueTopic.id == entry.topic_id)
        )


async def get_end_reason(db: Database, *, entry_id: int, helper_id: int) -> str | None:
    """Why the conversation ``entry_id`` of the helper ``helper_id`` ended ("visitor":
    the visitor left; "visitor_gone": their connection did not come back; "helper"),
    None while it goes on or when it is none of theirs."""
    async with db.read_session() as session:
        return await session.scalar(
            select(QueueEntry.end_reason).where(
                QueueEntry.id == entry_id,
                QueueEntry.helper_id == helper_id,
                QueueEntry.state == State.ENDED.value,
            )
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


def _seconds(start: datetime | None, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds()) if start is not None else 0.0


async def _finish(
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
        room = await session.get(Room, entry.room_id)
        if room is not None and room.archived_at is None:
            room.archived_at = now


async def _requeue(session: AsyncSession, entry: QueueEntry, *, topic_id: int) -> None:
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
    session: AsyncSession, entry: QueueEntry, *, grace: timedelta, now: datetime
) -> logic.Sweep:
    helper_seen = None
    if entry.state == State.ACTIVE.value and entry.helper_id is not None:
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
        await _finish(
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
        await _requeue(session, entry, topic_id=entry.topic_id)
    return decision


async def do_sweep(db: Database, *, organisation_id: int, grace: timedelta, now: datetime) -> int:
    """Apply the disconnect grace to every live entry of an organisation's topics."""
    changed = 0
    async with db.session() as session:
        entries = await session.scalars(
            select(QueueEntry)
            .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
            .where(QueueTopic.organisation_id == organisation_id, QueueEntry.state.in_(LIVE))
        )
        for entry in list(entries):
            if await _sweep_entry(session, entry, grace=grace, now=now) is not logic.Sweep.KEEP:
                changed += 1
    return changed


async def may_join(db: Database, *, room_id: int, author_key: bytes) -> bool:
    """Whether ``author_key`` is a participant of the private room ``room_id``."""
    async with db.read_session() as session:
        found = await session.scalar(
            select(QueueParticipant.room_id).where(
                QueueParticipant.room_id == room_id, QueueParticipant.author_key == author_key
            )
        )
    return found is not None


# ------------------------------------------------------------------ after the chat


async def _ended_entry(session: AsyncSession, visitor_key: bytes, entry_id: int) -> QueueEntry:
    entry = await session.scalar(
        select(QueueEntry).where(QueueEntry.id == entry_id, QueueEntry.visitor_key == visitor_key)
    )
    if entry is None:
        raise NotFound(N_("There is no such conversation."), code="not_found")
    return entry


async def do_feedback(
    db: Database,
    *,
    visitor_key: bytes,
    entry_id: int,
    helped: str | None,
    rating: str | None,
    text: str,
    now: datetime,
) -> None:
    """Store the visitor's feedback for statistics, unlinked from the conversation
    (the time is kept to the day only)."""
    score = logic.check_rating(rating)
    words = logic.check_text(text, max_chars=logic.MAX_FEEDBACK_CHARS, required=False)
    if helped not in (None, "", "yes", "no"):
        raise BadRequest(N_("Answer yes or no, or leave it empty."), code="invalid_answer")
    async with db.session() as session:
        entry = await _ended_entry(session, visitor_key, entry_id)
        if score is not None:
            await report(session, Kind.FEEDBACK, topic_id=entry.topic_id, now=now, value=score)
        if helped:
            await report(
                session, Kind.FEEDBACK_HELPED, topic_id=entry.topic_id, now=now, label=helped
            )
        session.add(
            QueueFeedback(
                topic_id=entry.topic_id,
                helped=None if not helped else helped == "yes",
                rating=score,
                text=words,
                created_at=now.replace(hour=0, minute=0, second=0, microsecond=0),
            )
        )


async def do_take_return_code(
    db: Database, *, visitor_key: bytes, entry_id: int, now: datetime
) -> str:
    """A code the visitor keeps to continue with the same organisation later; the
    helper then sees this conversation's notes. Only its hash is stored."""
    code = new_return_code()
    async with db.session() as session:
        entry = await _ended_entry(session, visitor_key, entry_id)
        entry.return_key = return_key(code)
    return code


async def do_delete_conversation(
    db: Database, *, visitor_key: bytes, entry_id: int, now: datetime
) -> None:
    """Delete the visitor's conversation now, for real: its messages, room, notes and
    the entry itself."""
    async with db.session() as session:
        entry = await _ended_entry(session, visitor_key, entry_id)
        room_id = entry.room_id
        await session.execute(delete(QueueNote).where(QueueNote.entry_id == entry.id))
        await session.execute(
            update(QueueEntry)
            .where(QueueEntry.previous_id == entry.id)
            .values(previous_id=None)
            .execution_options(synchronize_session=False)
        )
        await session.delete(entry)
        if room_id is not None:
            await session.execute(delete(Message).where(Message.room_id == room_id))
            await session.execute(
                delete(QueueParticipant).where(QueueParticipant.room_id == room_id)
            )
            await rooms_service.erase_room(session, room_id=room_id)
    if db.is_sqlite:
        # As for a deleted question: the rows' old pages leave the write-ahead log now.
        await compact_sqlite(db, vacuum=False)


async def get_room_id(db: Database, *, slug: str) -> int:
    async with db.read_session() as session:
        room_id = await session.scalar(select(Room.id).where(Room.slug == slug))
    if room_id is None:
        raise NotFound(N_("There is no such room."), code="room_not_found")
    return room_id
