"""Retention of group-room messages: deleted for real once older than the period.

Messages carry the text and the nickname; both go with the row. The room's
``purged_seq`` moves past the deleted sequences, so a client resuming from before
them is told to resync instead of being given a history with holes. Membership rows
(the hash of a visitor's token and where they started) go once unseen for the period.
Redis holds no copy: it only relays messages between processes (pub/sub).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kuulolla.accounts.crypto import staff_author_key
from kuulolla.chat.models import Message
from kuulolla.core.i18n import N_
from kuulolla.core.retention import (
    DataKind,
    PurgeContext,
    StaffContext,
    StaffData,
    former_label,
    register,
    register_staff_data,
)
from kuulolla.rooms.models import Room, RoomMember, RoomStream

GROUP = "group"


# Rows deleted per transaction. Each batch is its own short transaction, so the purge
# never holds locks or an old snapshot for long, a failure loses at most one batch's
# progress, and the chat's commits run between batches (scripts/bench/retention).
BATCH = 5000


async def _purge_messages(ctx: PurgeContext, *, group: bool) -> int:
    """Delete (or count) messages of the organisation's group rooms (``group``) or of
    its one-to-one conversation rooms created before ``ctx.before``, in batches."""
    if ctx.organisation_id is None:
        return 0  # every room belongs to an organisation
    rooms = select(Room.id).where(
        Room.kind == GROUP if group else Room.kind != GROUP,
        Room.organisation_id == ctx.organisation_id,
    )
    # ix_messages_room_created: a range of each of the organisation's rooms, never a
    # scan past other organisations' rows (which may be kept longer).
    old = (Message.room_id.in_(rooms), Message.created_at < ctx.before)
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            return int((await conn.execute(select(func.count()).where(*old))).scalar_one())
    deleted = 0
    while True:
        batch = select(Message.room_id, Message.seq).where(*old).limit(BATCH)
        async with ctx.db.transaction() as conn:
            await _custom_plans(conn)
            gone = (
                await conn.execute(
                    delete(Message)
                    .where(tuple_(Message.room_id, Message.seq).in_(batch))
                    .returning(Message.room_id, Message.seq)
                )
            ).all()
            await _advance_purged(conn, gone)
        deleted += len(gone)
        if len(gone) < BATCH:
            break
    async with ctx.db.transaction() as conn:
        await _custom_plans(conn)
        await conn.execute(
            delete(RoomMember).where(
                RoomMember.room_id.in_(rooms), RoomMember.last_seen_at < ctx.before
            )
        )
    return deleted


async def _custom_plans(conn: AsyncConnection) -> None:
    """Plan this transaction's statements for their values. The driver prepares them,
    and after a few runs PostgreSQL may keep a generic plan, which cannot know how few
    rows ``created_at < $2`` selects and reads the whole table (scripts/bench/retention)."""
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


async def _advance_purged(conn: AsyncConnection, gone: Sequence[Row[int, int]]) -> None:
    """Move each room's ``purged_seq`` past its deleted sequences, in the transaction
    that deleted them. The counters are locked in room order, as the chat's writers
    lock them (chat/writers.py), so a purge and a commit never deadlock."""
    top: dict[int, int] = {}
    for room_id, seq in gone:
        top[room_id] = max(seq, top.get(room_id, 0))
    if not top:
        return
    await conn.execute(
        select(RoomStream.room_id)
        .where(RoomStream.room_id.in_(sorted(top)))
        .order_by(RoomStream.room_id)
        .with_for_update()
    )
    await conn.execute(
        update(RoomStream)
        .where(
            RoomStream.room_id == bindparam("b_room"), RoomStream.purged_seq < bindparam("b_top")
        )
        .values(purged_seq=bindparam("b_top")),
        [{"b_room": room_id, "b_top": seq} for room_id, seq in sorted(top.items())],
    )


async def delete_room_messages(session: AsyncSession, room_id: int) -> None:
    """Delete every message of a room now, in the caller's transaction (a conversation
    its visitor deleted; the room itself is rooms/'s to erase)."""
    await session.execute(delete(Message).where(Message.room_id == room_id))


async def purge_room_messages(ctx: PurgeContext) -> int:
    return await _purge_messages(ctx, group=True)


async def purge_conversation_messages(ctx: PurgeContext) -> int:
    return await _purge_messages(ctx, group=False)


ROOM_MESSAGES = register(
    DataKind(
        key="room_messages",
        label=N_("Group room messages"),
        contents=N_(
            "What is written in a group room, with the nickname and the time. "
            "No name, address or IP address."
        ),
        seen_by=N_(
            "Everyone in the room while they are there; newcomers see the latest messages; "
            "the room's hosts and moderators."
        ),
        default_days=30,
        visitor=True,
        purge=purge_room_messages,
    )
)


# The messages of one-to-one conversations (private rooms of the queue). The queue
# domain's own records of a conversation (entries, notes, feedback) are its to register.
CONVERSATION_MESSAGES = register(
    DataKind(
        key="conversation_messages",
        label=N_("One-to-one chat messages"),
        contents=N_(
            "What is written in a one-to-one chat with a volunteer or professional, with the "
            "nickname and the time. You can delete your conversation yourself when it ends."
        ),
        seen_by=N_("You and the volunteers or professionals who take part in the chat."),
        default_days=30,
        visitor=True,
        purge=purge_conversation_messages,
    )
)


# ------------------------------------------------------------------ staff data


def _staff_key(ctx: StaffContext) -> bytes:

    return staff_author_key(ctx.settings.secret_key, ctx.user_id)


async def export_messages(ctx: StaffContext) -> list[dict[str, Any]]:
    """The person's own messages still kept (room, sequence, time, name shown, text)."""
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(Room.slug, Message.seq, Message.created_at, Message.nick, Message.text)
                .join(Room, Room.id == Message.room_id)
                .where(Message.author_key == _staff_key(ctx))
                .order_by(Message.created_at, Message.seq)
            )
        ).all()
    return [
        {"room": slug, "seq": seq, "at": at.isoformat(), "name": nick, "text": text}
        for slug, seq, at, nick, text in rows
    ]


async def erase_messages(ctx: StaffContext) -> int:
    """The person's messages stay (the conversation must read as it happened) under
    "former volunteer" instead of their name."""
    async with ctx.db.transaction() as conn:
        result = await conn.execute(
            update(Message)
            .where(Message.author_key == _staff_key(ctx))
            .values(nick=former_label(ctx.settings))
        )
        return int(getattr(result, "rowcount", 0) or 0)


CHAT_DATA = register_staff_data(
    StaffData(key="chat_messages", export=export_messages, erase=erase_messages)
)
