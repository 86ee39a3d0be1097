"""The helper's side of the queue: being on duty, taking visitors (the atomic
accept), notes, transfers, asking a professional to join, canned responses and
ending a conversation.

Exactly one helper gets a visitor: accepting is one conditional UPDATE
(``… WHERE id = :id AND state = 'waiting'``) inside a transaction that first locks
the helper's own row (their limit). On PostgreSQL a second transaction updating the
same entry waits for the first and then finds the condition false; on SQLite
``BEGIN IMMEDIATE`` serialises the writers. The loser is told the visitor was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import (
    CannedResponse,
    QueueEntry,
    QueueHelper,
    QueueNote,
    QueueParticipant,
    QueueTopic,
)
from kuulolla.queue.service import NotOnDuty, NoVisitors, Taken, report, waiting_entries
from kuulolla.queue.topics import TopicNotFound
from kuulolla.queue.waiting import do_sweep, finish, requeue
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room

MAX_CHATS_LIMIT = 10


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
        room = await session.get(Room, entry.room_id)
        if room is not None:
            room.organisation_id = topic.organisation_id
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


# ------------------------------------------------------------------ duty


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
    grace: timedelta,
    now: datetime,
    touch: bool = True,
) -> Console:
    """What the helper's console shows; opening it (``touch``) counts as the helper's
    sign of life and applies the disconnect grace to the organisation's entries. The
    console's stream reads without touching: its page's heartbeat does that."""
    if touch:
        await do_sweep(db, organisation_id=organisation_id, grace=grace, now=now)
        await do_heartbeat(db, organisation_id=organisation_id, user_id=user_id, now=now)
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


# ------------------------------------------------------------------ during a chat


async def _own_chat(
    session: AsyncSession, *, organisation_id: int, user_id: int, entry_id: int
) -> QueueEntry:
    entry = await session.scalar(
        select(QueueEntry)
        .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
        .where(
            QueueEntry.id == entry_id,
            QueueTopic.organisation_id == organisation_id,
            QueueEntry.helper_id == user_id,
            QueueEntry.state == State.ACTIVE.value,
        )
    )
    if entry is None:
        raise NotFound(N_("This conversation is not yours or has ended."), code="not_your_chat")
    return entry


async def do_note(
    db: Database, *, organisation_id: int, user_id: int, entry_id: int, text: str, now: datetime
) -> None:
    """An internal note on the conversation; the visitor never sees it."""
    text = logic.check_text(text, max_chars=logic.MAX_NOTE_CHARS)
    async with db.session() as session:
        entry = await _own_chat(
            session, organisation_id=organisation_id, user_id=user_id, entry_id=entry_id
        )
        session.add(
            QueueNote(entry_id=entry.id, kind="note", author_id=user_id, text=text, created_at=now)
        )


async def do_end(
    db: Database, *, organisation_id: int, user_id: int, entry_id: int, now: datetime
) -> None:
    async with db.session() as session:
        entry = await _own_chat(
            session, organisation_id=organisation_id, user_id=user_id, entry_id=entry_id
        )
        await finish(session, entry, state=State.ENDED, reason="helper", now=now)


async def do_transfer(
    db: Database,
    *,
    organisation_id: int,
    user_id: int,
    entry_id: int,
    to_user_id: int | None = None,
    to_topic: str | None = None,
    note: str,
    staff_key: bytes,
    now: datetime,
) -> None:
    """Hand the conversation to another helper of the organisation (who must be on
    duty and below their limit), or to the front of a topic's queue, in this or
    another organisation. The note goes with it."""
    note = logic.check_text(note, max_chars=logic.MAX_NOTE_CHARS, required=False)
    if (to_user_id is None) == (not to_topic):
        raise BadRequest(N_("Choose a helper or a topic."), code="invalid_transfer")
    async with db.session() as session:
        entry = await _own_chat(
            session, organisation_id=organisation_id, user_id=user_id, entry_id=entry_id
        )
        session.add(
            QueueNote(
                entry_id=entry.id, kind="transfer", author_id=user_id, text=note, created_at=now
            )
        )
        if to_user_id is not None:
            target = await session.get(QueueHelper, (to_user_id, organisation_id))
            if target is None or not target.available or to_user_id == user_id:
                raise Conflict(N_("That helper is not on duty."), code="helper_not_on_duty")
            active = await session.scalar(
                select(func.count())
                .select_from(QueueEntry)
                .where(QueueEntry.helper_id == to_user_id, QueueEntry.state == State.ACTIVE.value)
            )
            logic.check_helper_limit(active=int(active or 0), max_chats=target.max_chats)
            if entry.room_id is not None:
                await session.execute(
                    delete(QueueParticipant).where(
                        QueueParticipant.room_id == entry.room_id,
                        QueueParticipant.user_id == user_id,
                    )
                )
                session.add(
                    QueueParticipant(
                        room_id=entry.room_id, author_key=staff_key, user_id=to_user_id
                    )
                )
            entry.helper_id = to_user_id
            return
        topic = await session.scalar(select(QueueTopic).where(QueueTopic.slug == to_topic))
        if topic is None or not topic.active:
            raise TopicNotFound()
        await requeue(session, entry, topic_id=topic.id)


async def do_invite_professional(
    db: Database,
    *,
    organisation_id: int,
    user_id: int,
    entry_id: int,
    professional_id: int,
    professional_key: bytes,
    note: str,
    now: datetime,
) -> None:
    """Ask a professional of the organisation who is on duty to join the
    conversation; they may then join its room as a third participant."""
    note = logic.check_text(note, max_chars=logic.MAX_NOTE_CHARS, required=False)
    async with db.session() as session:
        entry = await _own_chat(
            session, organisation_id=organisation_id, user_id=user_id, entry_id=entry_id
        )
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == professional_id,
                Membership.organisation_id == organisation_id,
            )
        )
        on_duty = await session.get(QueueHelper, (professional_id, organisation_id))
        if role != "professional" or on_duty is None or not on_duty.available:
            raise Conflict(N_("That professional is not on duty."), code="professional_not_on_duty")
        exists = await session.get(QueueParticipant, (entry.room_id, professional_key))
        if exists is None and entry.room_id is not None:
            session.add(
                QueueParticipant(
                    room_id=entry.room_id, author_key=professional_key, user_id=professional_id
                )
            )
        session.add(
            QueueNote(
                entry_id=entry.id,
                kind="professional",
                author_id=user_id,
                text=note,
                created_at=now,
            )
        )


@dataclass(frozen=True, slots=True)
class Colleague:
    user_id: int
    name: str
    role: str
    available: bool


async def list_colleagues(db: Database, *, organisation_id: int) -> list[Colleague]:
    async with db.read_session() as session:
        rows = await session.execute(
            select(StaffUser.id, StaffUser.display_name, Membership.role, QueueHelper.available)
            .join(Membership, Membership.user_id == StaffUser.id)
            .outerjoin(
                QueueHelper,
                (QueueHelper.user_id == StaffUser.id)
                & (QueueHelper.organisation_id == organisation_id),
            )
            .where(Membership.organisation_id == organisation_id, StaffUser.active.is_(True))
            .order_by(StaffUser.display_name)
        )
        return [Colleague(i, n, r, bool(a)) for i, n, r, a in rows]


async def list_invitations(db: Database, *, user_id: int) -> list[tuple[int, str]]:
    """Conversations a professional has been asked to join: (entry id, room slug)."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(QueueEntry.id, Room.slug)
            .join(QueueParticipant, QueueParticipant.room_id == QueueEntry.room_id)
            .join(Room, Room.id == QueueEntry.room_id)
            .where(
                QueueParticipant.user_id == user_id,
                QueueEntry.state == State.ACTIVE.value,
                QueueEntry.helper_id != user_id,
            )
        )
        return [(i, s) for i, s in rows]


# ------------------------------------------------------------------ canned responses


async def list_canned(
    db: Database, *, organisation_id: int, locale: str | None = None
) -> list[CannedResponse]:
    async with db.read_session() as session:
        query = select(CannedResponse).where(CannedResponse.organisation_id == organisation_id)
        if locale:
            query = query.where(CannedResponse.locale == locale)
        return list(await session.scalars(query.order_by(CannedResponse.title)))


async def do_add_canned(
    db: Database, *, organisation_id: int, locale: str, title: str, text: str
) -> int:
    title = check_name(title)
    text = logic.check_text(text, max_chars=logic.MAX_NOTE_CHARS)
    if locale not in ("fi", "sv", "en"):
        raise BadRequest(N_("Choose a language."), code="invalid_locale")
    async with db.session() as session:
        row = CannedResponse(organisation_id=organisation_id, locale=locale, title=title, text=text)
        session.add(row)
        await session.flush()
        return row.id
