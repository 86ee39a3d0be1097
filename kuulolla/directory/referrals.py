"""Referral cards: a helper points a visitor to a service of the directory, in a group
room or a one-to-one conversation (docs/protocol.md, "refer" and "referral").

A referral is a message of its own kind in the room's stream (``KIND_REFERRAL``): it
takes the room's next sequence under the same lock as the committer's, keeps the
sender's ``ref`` (a resent frame is acknowledged again, never stored twice), is
delivered and published like a committed message, comes back in history and on
resume, and a moderator removes it like any message. Its text is the card as JSON: a
snapshot of the service when it was sent (names, summary and hours in every language
the service has, the next week's opening windows, how to reach it), so the card reads
the same later even if the service changes, and the visitor's page says whether it is
open *when it is shown* from the windows.

Only staff send referrals; they pass the same checks as a staff member's message
(joined, the send rate, the moderation pipeline, which by decision screens no staff
text: docs/architecture.md, "Screening"). The card's texts were checked when the
organisation published the service, and visitors read the same texts on its public
page. Each referral is counted in the reports by the service's kind and its topics
only (``referral.sent``, ``referral.topic``): never who sent it, to whom, or which
service.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import msgspec
from sqlalchemy import Table, select, update

from kuulolla.chat import store
from kuulolla.chat.models import KIND_REFERRAL, Message
from kuulolla.chat.protocol import Ack, Refer, ReferralCard
from kuulolla.core import events
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound, RateLimited
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.directory import finding, service
from kuulolla.queue.models import QueueEntry
from kuulolla.rooms.models import Room, RoomStream

if TYPE_CHECKING:
    from kuulolla.chat.endpoint import Connection

_messages = cast(Table, Message.__table__)
_streams = cast(Table, RoomStream.__table__)
_encoder = msgspec.json.Encoder()


class NotStaff(Forbidden):
    code = "refer_not_staff"
    default_message = N_("Only staff can send a service from the directory.")


def card_text(card: finding.Card) -> str:
    """The card as stored in the message's text (and sent as the frame's ``card``)."""
    return _encoder.encode(msgspec.convert(card, ReferralCard, from_attributes=True)).decode()


async def do_refer(
    db: Database,
    *,
    room_id: int,
    author_key: bytes,
    nick: str,
    role: str,
    service_path: str,
    ref_key: bytes,
    now: datetime,
) -> store.Stored:
    """Store a referral to the published service ``service_path`` ("<org>/<key>") in the
    room; a ``ref_key`` already stored returns that referral as a duplicate. Raises
    :class:`service.ServiceNotFound` for a service visitors cannot see."""
    org_slug, _, key = service_path.partition("/")
    view = await service.get_public_service_or_raise(
        db, organisation_slug=org_slug, key=key, now=now
    )
    card = finding.card(
        organisation_slug=view.organisation_slug,
        organisation_name=view.organisation_name,
        fields=view.fields,
        now=now,
    )
    text = card_text(card)
    async with db.session() as session:
        # Taking the next sequence first locks the room's counter (PostgreSQL row lock;
        # SQLite's BEGIN IMMEDIATE), so the committer cannot interleave.
        seq = (
            await session.execute(
                update(_streams)
                .where(_streams.c.room_id == room_id)
                .values(last_seq=_streams.c.last_seq + 1)
                .returning(_streams.c.last_seq)
            )
        ).scalar()
        room = (
            await session.execute(select(Room.organisation_id, Room.kind).where(Room.id == room_id))
        ).first()
        if seq is None or room is None:
            raise NotFound(N_("There is no such room."), code="room_not_found")
        organisation_id, kind = int(room[0]), str(room[1])
        stored = (
            await session.execute(
                select(_messages.c.seq, _messages.c.created_at, _messages.c.text).where(
                    _messages.c.room_id == room_id, _messages.c.ref_key == ref_key
                )
            )
        ).first()
        if stored is not None:
            # A resent frame: the allocated sequence stays unused (a hole readers skip).
            return store.Stored(
                room_id, int(stored[0]), stored[1], author_key, nick, role, stored[2], True,
                KIND_REFERRAL,
            )  # fmt: skip
        await session.execute(
            _messages.insert().values(
                room_id=room_id,
                seq=seq,
                kind=KIND_REFERRAL,
                created_at=now,
                author_key=author_key,
                nick=nick,
                role=role,
                text=text,
                ref_key=ref_key,
            )
        )
        # Counted by kind and topic only. A one-to-one conversation is counted by its
        # queue topic, never by its private room.
        place: dict[str, Any] = {"room_id": room_id}
        if kind == "private":
            topic_id = await session.scalar(
                select(QueueEntry.topic_id).where(QueueEntry.room_id == room_id).limit(1)
            )
            place = {"topic_id": topic_id} if topic_id is not None else {}
        events.add(
            session, Kind.REFERRAL_SENT, organisation_id=organisation_id, at=now,
            label=view.fields.kind, **place,
        )  # fmt: skip
        for topic in view.fields.topics:
            events.add(
                session, Kind.REFERRAL_TOPIC, organisation_id=organisation_id, at=now,
                label=topic, **place,
            )  # fmt: skip
    return store.Stored(room_id, int(seq), now, author_key, nick, role, text, False, KIND_REFERRAL)


async def handle(connection: Connection, frame: Refer) -> None:
    """A ``refer`` frame: checked like a staff member's message, stored, acknowledged,
    then delivered and published like a committed message."""
    identity = connection.require_hello()
    membership = connection.rooms.get(frame.room)
    if membership is None:
        raise BadRequest(N_("Join the room before writing in it."), code="not_joined")
    if membership.role == "visitor":
        raise NotStaff()
    server = connection.server
    if not connection.bucket.take(server.clock.monotonic()):
        raise RateLimited()
    ref_key = hashlib.sha256(identity.author_key + frame.ref.encode()).digest()[:16]
    await server.moderation.screen_send(
        connection, membership, text="", ref=frame.ref, ref_key=ref_key
    )
    stored = await do_refer(
        server.db,
        room_id=membership.room.id,
        author_key=identity.author_key,
        nick=membership.nick,
        role=membership.role,
        service_path=frame.service,
        ref_key=ref_key,
        now=server.clock.now(),
    )
    connection.push(Ack(ref=frame.ref, seq=stored.seq))
    if not stored.duplicate:
        server.fanout.committed(server.slugs, [stored])
