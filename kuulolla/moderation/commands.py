"""Moderation frames on the socket: moderator actions, reports and private messages.

:func:`handle` takes one decoded moderation frame (chat/moderation_protocol.py) from a
connection that has joined the frame's room. Visitors may send ``report`` and
``to_moderators``; everything else needs the room's moderator status
(moderation/moderators.py: :func:`~kuulolla.moderation.moderators.is_moderator`): coordinators
and admins at any time, other staff while checked in on one of the room's shifts. Every
action is audited by the service it calls; its effect reaches every process through
the room's stream (redactions, approved messages) or the moderation channel.

It sees the chat server only through :class:`~kuulolla.moderation.live.LiveModeration` and the
ports of moderation/ports.py (the socket, the room's sockets, the committer).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kuulolla.chat.moderation_protocol import (
    Approved,
    ContextLine,
    DecideRequest,
    Done,
    LiftRequest,
    MembersRequest,
    ModerationFrame,
    Notice,
    PrivateFrame,
    RedactRequest,
    ReportFrame,
    ReportItem,
    ReportRequest,
    ReportsFrame,
    ReportsRequest,
    ResolveRequest,
    RestrictRequest,
    SettingsRequest,
    ToModeratorsRequest,
    WhisperRequest,
)
from kuulolla.chat.protocol import Author
from kuulolla.core.errors import BadRequest, Forbidden
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import actions, holds, message_reports, restrictions, service

if TYPE_CHECKING:
    from kuulolla.moderation.live import LiveModeration
    from kuulolla.moderation.ports import Seat, Socket

log = logging.getLogger(__name__)

NOT_APPROVED = N_("A moderator did not approve your message, so others did not see it.")


class NotModerator(Forbidden):
    code = "not_moderator"
    default_message = N_("Only the room's moderators can do that.")


async def handle(live: LiveModeration, connection: Socket, frame: ModerationFrame) -> None:
    membership = connection.rooms.get(frame.room)
    if membership is None:
        raise BadRequest(N_("Join the room before writing in it."), code="not_joined")
    if isinstance(frame, ReportRequest | ToModeratorsRequest):
        # Each lands on the moderators' screens: a flood must not bury a crisis alert.
        await connection.check_to_moderators()
    if isinstance(frame, ReportRequest):
        await _report(live, connection, membership, frame)
        return
    if isinstance(frame, ToModeratorsRequest):
        _to_moderators(live, connection, membership, frame)
        return
    if not await live.check_moderator(connection, membership):
        raise NotModerator()
    if isinstance(frame, RedactRequest):
        await _redact(live, connection, membership, frame)
    elif isinstance(frame, RestrictRequest):
        await _restrict(live, connection, membership, frame)
    elif isinstance(frame, LiftRequest):
        await _lift(live, connection, membership, frame)
    elif isinstance(frame, SettingsRequest):
        await _settings(live, connection, membership, frame)
    elif isinstance(frame, DecideRequest):
        await _decide(live, connection, membership, frame)
    elif isinstance(frame, WhisperRequest):
        _whisper(live, connection, membership, frame)
    elif isinstance(frame, ReportsRequest):
        await _reports(live, connection, membership)
    elif isinstance(frame, ResolveRequest):
        await _resolve(live, connection, membership, frame)
    elif isinstance(frame, MembersRequest):
        live.ask_members(connection, membership)


def _me(live: LiveModeration, connection: Socket, membership: Seat) -> Author:
    return Author(
        nick=membership.nick,
        role=membership.role,
        id=live.sockets.author_id(membership.room_id, connection.author_key),
    )


# ------------------------------------------------------------------ visitors


async def _report(
    live: LiveModeration, connection: Socket, membership: Seat, frame: ReportRequest
) -> None:
    author_key = connection.author_key
    assert author_key is not None  # joined, so said hello
    report_id = await message_reports.do_report(
        live.db,
        room_id=membership.room_id,
        seq=frame.seq,
        reason=frame.reason,
        note=frame.note or "",
        reporter_key=author_key,
        now=live.clock.now(),
    )
    connection.push(Done(room=frame.room, action="report", id=report_id, seq=frame.seq))
    live.to_moderators(
        membership.room_id,
        ReportFrame(
            room=frame.room,
            id=report_id,
            seq=frame.seq,
            reason=frame.reason,
            note=actions.check_reason(frame.note or ""),
        ),
    )


def _to_moderators(
    live: LiveModeration, connection: Socket, membership: Seat, frame: ToModeratorsRequest
) -> None:
    text = actions.check_private(frame.text)
    live.to_moderators(
        membership.room_id,
        PrivateFrame(
            room=frame.room,
            from_=_me(live, connection, membership),
            text=text,
            to_moderators=True,
        ),
    )
    if not membership.moderation.moderator:
        connection.push(Done(room=frame.room, action="to_moderators"))


# ------------------------------------------------------------------ moderators


async def _redact(
    live: LiveModeration, connection: Socket, membership: Seat, frame: RedactRequest
) -> None:
    room_id = membership.room_id
    author_key = await restrictions.author_of(live.db, room_id=room_id, seq=frame.seq)
    stored = await service.do_redact(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        seq=frame.seq,
        actor_id=connection.user_id,
        reason=frame.reason or "",
        preset=frame.preset or "",
        target=live.sockets.author_id(room_id, author_key) or "",
        now=live.clock.now(),
    )
    # Delivered and published like a committed message: in order, to every process,
    # and read back by clients that resume after it.
    live.sockets.deliver_stored(stored)
    connection.push(Done(room=frame.room, action="redact", seq=frame.seq))


async def _restrict(
    live: LiveModeration, connection: Socket, membership: Seat, frame: RestrictRequest
) -> None:
    room_id = membership.room_id
    author_key = await restrictions.author_of(live.db, room_id=room_id, seq=frame.seq)
    restriction = await restrictions.do_restrict(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        kind=frame.kind,
        author_key=author_key,
        seconds=frame.seconds,
        actor_id=connection.user_id,
        target=live.sockets.author_id(room_id, author_key) or "",
        reason=frame.reason or "",
        preset=frame.preset or "",
        now=live.clock.now(),
    )
    live.restrict(room_id, author_key, restriction, membership.moderation.organisation_id)
    connection.push(Done(room=frame.room, action=restriction.kind, seq=frame.seq))


async def _lift(
    live: LiveModeration, connection: Socket, membership: Seat, frame: LiftRequest
) -> None:
    room_id = membership.room_id
    author_key = await restrictions.author_of(live.db, room_id=room_id, seq=frame.seq)
    await restrictions.do_lift(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        author_key=author_key,
        actor_id=connection.user_id,
        target=live.sockets.author_id(room_id, author_key) or "",
        now=live.clock.now(),
    )
    live.restrict(room_id, author_key, None, membership.moderation.organisation_id)
    connection.push(Done(room=frame.room, action="lift", seq=frame.seq))


async def _settings(
    live: LiveModeration, connection: Socket, membership: Seat, frame: SettingsRequest
) -> None:
    room_id = membership.room_id
    await service.do_change_room_settings(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        actor_id=connection.user_id,
        now=live.clock.now(),
        slow_mode=frame.slow_mode,
        premoderated=frame.premoderated,
        locked=frame.locked,
        pinned=frame.pinned,
        link_mode=frame.link_mode,
        allowed_links=frame.allowed_links,
    )
    live.forget(room_id)
    room = await live.sockets.room(frame.room)
    if room is not None:
        entry = await live.room(room)
        live.to_room(room_id, live.room_state(frame.room, entry))
    connection.push(Done(room=frame.room, action="room_settings"))


async def _decide(
    live: LiveModeration, connection: Socket, membership: Seat, frame: DecideRequest
) -> None:
    room_id = membership.room_id
    held = await holds.do_take_held(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        held_id=frame.id,
        approve=frame.approve,
        actor_id=connection.user_id,
        now=live.clock.now(),
        name_of=lambda key: live.sockets.author_id(room_id, key),
    )
    action = "approve" if frame.approve else "reject"
    if frame.approve:
        seq = await live.committer.commit_approved(
            room_id=room_id,
            author_key=held.author_key,
            nick=held.nick,
            role=held.role,
            text=held.text,
            ref_key=held.ref_key,
        )
        # The writer's page turns its held copy into the message.
        live.to_author(room_id, held.author_key, Approved(room=frame.room, id=held.id, seq=seq))
    else:
        live.to_author(
            room_id,
            held.author_key,
            Notice(room=frame.room, notes=[gettext(connection.locale, NOT_APPROVED)], held=held.id),
        )
    live.to_moderators(room_id, Done(room=frame.room, action=action, id=frame.id))


def _whisper(
    live: LiveModeration, connection: Socket, membership: Seat, frame: WhisperRequest
) -> None:
    text = actions.check_private(frame.text)
    me = _me(live, connection, membership)
    live.to_pseudonym(
        membership.room_id, frame.to, PrivateFrame(room=frame.room, from_=me, text=text)
    )
    # The room's other moderators see the reply in the visitor's thread too.
    live.to_moderators(
        membership.room_id, PrivateFrame(room=frame.room, from_=me, text=text, to=frame.to)
    )
    connection.push(Done(room=frame.room, action="whisper"))


async def _reports(live: LiveModeration, connection: Socket, membership: Seat) -> None:
    room_id = membership.room_id
    items = []
    for report in await message_reports.list_reports(live.db, room_id=room_id):
        context = await message_reports.read_context(live.db, room_id=room_id, seq=report.seq)
        items.append(
            ReportItem(
                id=report.id,
                seq=report.seq,
                reason=report.reason,
                note=report.note,
                context=[ContextLine(seq=s, nick=n, text=t) for s, n, t in context],
            )
        )
    connection.push(ReportsFrame(room=membership.slug, items=items))


async def _resolve(
    live: LiveModeration, connection: Socket, membership: Seat, frame: ResolveRequest
) -> None:
    await message_reports.do_resolve_report(
        live.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=membership.room_id,
        report_id=frame.id,
        resolution=frame.resolution,
        actor_id=connection.user_id,
        reason=frame.reason or "",
        now=live.clock.now(),
        name_of=lambda key: live.sockets.author_id(membership.room_id, key),
    )
    live.to_moderators(membership.room_id, Done(room=frame.room, action="resolve", id=frame.id))
