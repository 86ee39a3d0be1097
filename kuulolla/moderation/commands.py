"""Moderation frames on the socket: moderator actions, reports and private messages.

:func:`handle` takes one decoded moderation frame (chat/protocol.py) from a
connection that has joined the frame's room. Visitors may send ``report`` and
``to_moderators``; everything else needs the room's moderator status
(moderation/live.py: :func:`~kuulolla.moderation.live.is_moderator`): coordinators
and admins at any time, other staff while checked in on one of the room's shifts. Every
action is audited by the service it calls; its effect reaches every process through
the room's stream (redactions, approved messages) or the moderation channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from kuulolla.chat.protocol import (
    Approved,
    Author,
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
    RestrictedFrame,
    RestrictRequest,
    SettingsRequest,
    ToModeratorsRequest,
    WhisperRequest,
)
from kuulolla.chat.writers import Draft
from kuulolla.core.errors import BadRequest, Forbidden
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import actions, service
from kuulolla.moderation.live import format_time

if TYPE_CHECKING:
    from kuulolla.chat.endpoint import Connection, Membership
    from kuulolla.moderation.live import Live

log = logging.getLogger(__name__)

NOT_APPROVED = N_("A moderator did not approve your message, so others did not see it.")
LIFTED = N_("A moderator lifted your restriction: you can write again.")


class NotModerator(Forbidden):
    code = "not_moderator"
    default_message = N_("Only the room's moderators can do that.")


async def handle(live: Live, connection: Connection, frame: ModerationFrame) -> None:
    membership = connection.rooms.get(frame.room)
    if membership is None:
        raise BadRequest(N_("Join the room before writing in it."), code="not_joined")
    if isinstance(frame, ReportRequest | ToModeratorsRequest):
        # Each lands on the moderators' screens: a flood must not bury a crisis alert.
        await live.server.limits.check_to_moderators(connection.budget)
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


def _me(live: Live, connection: Connection, membership: Membership) -> Author:
    identity = connection.identity
    key = identity.author_key if identity else None
    return Author(
        nick=membership.nick,
        role=membership.role,
        id=live.server.fanout.author_id(membership.room.id, key),
    )


# ------------------------------------------------------------------ visitors


async def _report(
    live: Live, connection: Connection, membership: Membership, frame: ReportRequest
) -> None:
    identity = connection.identity
    assert identity is not None  # joined, so said hello
    server = live.server
    report_id = await service.do_report(
        server.db,
        room_id=membership.room.id,
        seq=frame.seq,
        reason=frame.reason,
        note=frame.note or "",
        reporter_key=identity.author_key,
        now=server.clock.now(),
    )
    connection.push(Done(room=frame.room, action="report", id=report_id, seq=frame.seq))
    live.to_moderators(
        membership.room.id,
        ReportFrame(
            room=frame.room,
            id=report_id,
            seq=frame.seq,
            reason=frame.reason,
            note=actions.check_reason(frame.note or ""),
        ),
    )


def _to_moderators(
    live: Live, connection: Connection, membership: Membership, frame: ToModeratorsRequest
) -> None:
    text = actions.check_private(frame.text)
    live.to_moderators(
        membership.room.id,
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
    live: Live, connection: Connection, membership: Membership, frame: RedactRequest
) -> None:
    server = live.server
    room_id = membership.room.id
    author_key = await service.author_of(server.db, room_id=room_id, seq=frame.seq)
    stored = await service.do_redact(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        seq=frame.seq,
        actor_id=connection.user_id,
        reason=frame.reason or "",
        preset=frame.preset or "",
        target=server.fanout.author_id(room_id, author_key) or "",
        now=server.clock.now(),
    )
    # Delivered and published like a committed message: in order, to every process,
    # and read back by clients that resume after it.
    server.fanout.committed(server.slugs, [stored])
    connection.push(Done(room=frame.room, action="redact", seq=frame.seq))


async def _restrict(
    live: Live, connection: Connection, membership: Membership, frame: RestrictRequest
) -> None:
    server = live.server
    room_id = membership.room.id
    author_key = await service.author_of(server.db, room_id=room_id, seq=frame.seq)
    restriction = await service.do_restrict(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        kind=frame.kind,
        author_key=author_key,
        seconds=frame.seconds,
        actor_id=connection.user_id,
        target=server.fanout.author_id(room_id, author_key) or "",
        reason=frame.reason or "",
        preset=frame.preset or "",
        now=server.clock.now(),
    )
    live.restrict(room_id, author_key, restriction, membership.moderation.organisation_id)
    connection.push(Done(room=frame.room, action=restriction.kind, seq=frame.seq))


async def _lift(
    live: Live, connection: Connection, membership: Membership, frame: LiftRequest
) -> None:
    server = live.server
    room_id = membership.room.id
    author_key = await service.author_of(server.db, room_id=room_id, seq=frame.seq)
    await service.do_lift(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        author_key=author_key,
        actor_id=connection.user_id,
        target=server.fanout.author_id(room_id, author_key) or "",
        now=server.clock.now(),
    )
    live.restrict(room_id, author_key, None, membership.moderation.organisation_id)
    connection.push(Done(room=frame.room, action="lift", seq=frame.seq))


async def _settings(
    live: Live, connection: Connection, membership: Membership, frame: SettingsRequest
) -> None:
    server = live.server
    room_id = membership.room.id
    await service.do_change_room_settings(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        actor_id=connection.user_id,
        now=server.clock.now(),
        slow_mode=frame.slow_mode,
        premoderated=frame.premoderated,
        locked=frame.locked,
        pinned=frame.pinned,
        link_mode=frame.link_mode,
        allowed_links=frame.allowed_links,
    )
    live.forget(room_id)
    room = await server.rooms.get(frame.room, now=server.clock.monotonic())
    if room is not None:
        entry = await live.room(room)
        live.to_room(room_id, live.room_state(frame.room, entry))
    connection.push(Done(room=frame.room, action="room_settings"))


async def _decide(
    live: Live, connection: Connection, membership: Membership, frame: DecideRequest
) -> None:
    server = live.server
    room_id = membership.room.id
    held = await service.do_take_held(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=room_id,
        held_id=frame.id,
        approve=frame.approve,
        actor_id=connection.user_id,
        now=server.clock.now(),
        name_of=lambda key: server.fanout.author_id(room_id, key),
    )
    action = "approve" if frame.approve else "reject"
    if frame.approve:
        stored = await server.committer.submit(
            Draft(
                room_id=room_id,
                author_key=held.author_key,
                nick=held.nick,
                role=held.role,
                text=held.text,
                ref_key=held.ref_key,
            )
        )
        # The writer's page turns its held copy into the message.
        live.to_author(
            room_id, held.author_key, Approved(room=frame.room, id=held.id, seq=stored.seq)
        )
    else:
        live.to_author(
            room_id,
            held.author_key,
            Notice(room=frame.room, notes=[gettext(connection.locale, NOT_APPROVED)], held=held.id),
        )
    live.to_moderators(room_id, Done(room=frame.room, action=action, id=frame.id))


def _whisper(
    live: Live, connection: Connection, membership: Membership, frame: WhisperRequest
) -> None:
    text = actions.check_private(frame.text)
    private = PrivateFrame(room=frame.room, from_=_me(live, connection, membership), text=text)
    live.to_pseudonym(membership.room.id, frame.to, private)
    connection.push(Done(room=frame.room, action="whisper"))


async def _reports(live: Live, connection: Connection, membership: Membership) -> None:
    server = live.server
    room_id = membership.room.id
    items = []
    for report in await service.list_reports(server.db, room_id=room_id):
        context = await service.read_context(server.db, room_id=room_id, seq=report.seq)
        items.append(
            ReportItem(
                id=report.id,
                seq=report.seq,
                reason=report.reason,
                note=report.note,
                context=[ContextLine(seq=s, nick=n, text=t) for s, n, t in context],
            )
        )
    connection.push(ReportsFrame(room=membership.room.slug, items=items))


async def _resolve(
    live: Live, connection: Connection, membership: Membership, frame: ResolveRequest
) -> None:
    server = live.server
    await service.do_resolve_report(
        server.db,
        organisation_id=membership.moderation.organisation_id,
        room_id=membership.room.id,
        report_id=frame.id,
        resolution=frame.resolution,
        actor_id=connection.user_id,
        reason=frame.reason or "",
        now=server.clock.now(),
        name_of=lambda key: server.fanout.author_id(membership.room.id, key),
    )
    live.to_moderators(membership.room.id, Done(room=frame.room, action="resolve", id=frame.id))


# ------------------------------------------------------------------ the target's side


def restricted_frame(
    slug: str, restriction: actions.ActiveRestriction | None, locale: str
) -> RestrictedFrame:
    if restriction is None:
        return RestrictedFrame(room=slug, kind="lift", message=gettext(locale, LIFTED))
    until = format_time(restriction.expires_at, locale)
    return RestrictedFrame(
        room=slug,
        kind=restriction.kind,
        message=gettext(locale, actions.RESTRICTED_MESSAGES[restriction.kind], until=until),
        until=restriction.expires_at.isoformat(),
        id=restriction.id or None,
    )


def apply_restriction(
    live: Live,
    connection: Connection,
    restriction: actions.ActiveRestriction | None,
    *,
    organisation_id: int,
    room_id: int,
) -> None:
    """On the process holding the target's socket: remember the restriction, tell the
    person, take them out of the room(s) on a removal or ban, and record their
    network's digest (only this process has their address), so a new token from the
    same network is restricted too."""
    server = live.server
    for slug, membership in list(connection.rooms.items()):
        state = membership.moderation
        if state.organisation_id != organisation_id or state.moderator:
            continue
        if membership.room.id != room_id and (restriction is None or restriction.kind != "ban"):
            continue
        state.restriction = restriction
        state.checked_at = server.clock.monotonic()
        connection.push(restricted_frame(slug, restriction, connection.locale))
        if restriction is not None and restriction.kind in ("remove", "ban"):
            connection.rooms.pop(slug, None)
            server.fanout.detach(membership.hub, connection.sink)
    if restriction is not None and restriction.id:
        live.spawn(_record_ban_key(live, connection, restriction.id))


async def _record_ban_key(live: Live, connection: Connection, restriction_id: int) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        try:
            digests = await live.ban_digests(connection)
            if digests:
                organisation_id = await service.do_set_ban_key(
                    live.server.db, restriction_id=restriction_id, ban_key=digests[0]
                )
                if organisation_id is not None:
                    live.ban_key_recorded(organisation_id)
        except Exception:
            log.warning("moderation.ban_key_failed", extra={"event": "moderation.ban_key_failed"})
