"""Retention of the one-to-one queue's records (kuulolla/core/retention.py).

The messages of a conversation are the chat domain's kind ``conversation_messages``
(they live in the message stream of the private room). What the queue itself keeps
about a conversation is registered here, each deleted for real once past the
organisation's period:

- ``queue_entries``: a visitor's way through the queue, with the pre-chat answers,
  the times, who answered, a reason for taking out of turn and the hash of a return
  code. Only entries that have ended go; with the entry go its notes and who could
  join its room. A return code stops working when its entry is deleted.
- ``queue_notes``: helpers' internal notes, transfers and requests for a
  professional, by the time they were written.
- ``queue_feedback``: the feedback after a conversation (helped, 1–5, free text),
  kept with the topic and the day only.

Redis holds none of these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from kuulolla.core.i18n import N_
from kuulolla.core.retention import DataKind, PurgeContext, register
from kuulolla.queue.models import (
    QueueEntry,
    QueueFeedback,
    QueueNote,
    QueueParticipant,
    QueueTopic,
)


def _topics(ctx: PurgeContext) -> Any:
    return select(QueueTopic.id).where(QueueTopic.organisation_id == ctx.organisation_id)


async def _count(ctx: PurgeContext, query: Any) -> int:
    async with ctx.db.read() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        )


async def purge_entries(ctx: PurgeContext) -> int:
    """Entries of the organisation's topics that ended before ``ctx.before``, with
    their notes and their rooms' participants."""
    if ctx.organisation_id is None:
        return 0  # every topic belongs to an organisation
    old = select(QueueEntry.id).where(
        QueueEntry.topic_id.in_(_topics(ctx)),
        QueueEntry.ended_at.is_not(None),
        QueueEntry.ended_at < ctx.before,
    )
    if ctx.dry_run:
        return await _count(ctx, old)
    async with ctx.db.session() as session:
        ids = list(await session.scalars(old))
        if not ids:
            return 0
        rooms = [
            r
            for r in await session.scalars(select(QueueEntry.room_id).where(QueueEntry.id.in_(ids)))
            if r is not None
        ]
        await session.execute(delete(QueueNote).where(QueueNote.entry_id.in_(ids)))
        await session.execute(
            update(QueueEntry)
            .where(QueueEntry.previous_id.in_(ids))
            .values(previous_id=None)
            .execution_options(synchronize_session=False)
        )
        if rooms:
            await session.execute(
                delete(QueueParticipant).where(QueueParticipant.room_id.in_(rooms))
            )
        result = await session.execute(delete(QueueEntry).where(QueueEntry.id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)


async def purge_notes(ctx: PurgeContext) -> int:
    """Notes on the organisation's conversations written before ``ctx.before``."""
    if ctx.organisation_id is None:
        return 0
    old = select(QueueNote.id).where(
        QueueNote.entry_id.in_(select(QueueEntry.id).where(QueueEntry.topic_id.in_(_topics(ctx)))),
        QueueNote.created_at < ctx.before,
    )
    if ctx.dry_run:
        return await _count(ctx, old)
    async with ctx.db.session() as session:
        result = await session.execute(delete(QueueNote).where(QueueNote.id.in_(old)))
        return int(getattr(result, "rowcount", 0) or 0)


async def purge_feedback(ctx: PurgeContext) -> int:
    """Feedback on the organisation's topics given before ``ctx.before``."""
    if ctx.organisation_id is None:
        return 0
    old = select(QueueFeedback.id).where(
        QueueFeedback.topic_id.in_(_topics(ctx)), QueueFeedback.created_at < ctx.before
    )
    if ctx.dry_run:
        return await _count(ctx, old)
    async with ctx.db.session() as session:
        result = await session.execute(delete(QueueFeedback).where(QueueFeedback.id.in_(old)))
        return int(getattr(result, "rowcount", 0) or 0)


QUEUE_ENTRIES = register(
    DataKind(
        key="queue_entries",
        label=N_("One-to-one chat requests"),
        contents=N_(
            "That you queued for a one-to-one chat: the topic, your answers to the questions "
            "before the chat, when you waited and talked, and who answered. No name or "
            "address. A return code works as long as this is kept."
        ),
        seen_by=N_("The volunteers, professionals and coordinators of the organisation."),
        default_days=90,
        visitor=True,
        purge=purge_entries,
    )
)

QUEUE_NOTES = register(
    DataKind(
        key="queue_notes",
        label=N_("Helpers' notes on one-to-one chats"),
        contents=N_(
            "Short notes a helper writes during a one-to-one chat, for example when handing "
            "it to a colleague. You do not see them."
        ),
        seen_by=N_("The volunteers, professionals and coordinators of the organisation."),
        default_days=90,
        visitor=True,
        purge=purge_notes,
    )
)

QUEUE_FEEDBACK = register(
    DataKind(
        key="queue_feedback",
        label=N_("Feedback after one-to-one chats"),
        contents=N_(
            "Whether you got help, your rating from 1 to 5 and what you wrote, with the "
            "topic and the day only. It is not linked to your conversation."
        ),
        seen_by=N_(
            "The organisation's coordinators: the statistics, and what you wrote with "
            "personal data hidden."
        ),
        default_days=365,
        visitor=True,
        purge=purge_feedback,
    )
)
