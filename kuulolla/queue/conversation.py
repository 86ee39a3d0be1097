"""A helper's actions during a conversation: internal notes, ending it, handing it to
another helper or back to a topic's queue (a transfer), asking a professional of the
organisation to join, and what these choose from (the colleagues, a professional's
invitations); why a conversation ended, for the helper's page.

Every action checks that the conversation is the helper's own and still going on, in
the organisation of the path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue import logic
from kuulolla.queue.logic import State
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueNote, QueueParticipant, QueueTopic
from kuulolla.queue.topics import TopicNotFound
from kuulolla.queue.waiting import finish, requeue
from kuulolla.rooms.models import Room


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


async def list_invitations(
    db: Database, *, user_id: int, organisation_id: int
) -> list[tuple[int, str]]:
    """Conversations of the organisation a professional has been asked to join: (entry
    id, room slug). Another organisation's invitations are on that organisation's
    console (whose changes wake it, queue/changes.py)."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(QueueEntry.id, Room.slug)
            .join(QueueParticipant, QueueParticipant.room_id == QueueEntry.room_id)
            .join(Room, Room.id == QueueEntry.room_id)
            .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
            .where(
                QueueParticipant.user_id == user_id,
                QueueTopic.organisation_id == organisation_id,
                QueueEntry.state == State.ACTIVE.value,
                QueueEntry.helper_id != user_id,
            )
        )
        return [(i, s) for i, s in rows]
