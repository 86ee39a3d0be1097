"""Carrying out a join the pure rules allowed (chat/joining.py: ``decide_join``): the
reads it is decided on, then moderation's checks, the nickname claim, the member row,
the history and one ``joined`` frame, and a moderator's extras (docs/architecture.md,
"Joining and resuming")."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from kuulolla.chat import logic, store
from kuulolla.chat.fanout import Hub, RoomRef
from kuulolla.chat.history import History
from kuulolla.chat.joining import JoinPlan, Resync, fit_history
from kuulolla.chat.membership import Identity, Membership
from kuulolla.chat.protocol import Join, Joined, encode
from kuulolla.chat.sockets import OutFrame
from kuulolla.core import metrics
from kuulolla.core.errors import Forbidden
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.moderation import holds
from kuulolla.moderation.actions import DEFAULT_SETTINGS
from kuulolla.moderation.nicknames import NickTaken, room_key
from kuulolla.queue import service as queue_service
from kuulolla.rooms.nicks import nick_key
from kuulolla.rooms.service import RoomInfo

if TYPE_CHECKING:
    from kuulolla.chat.endpoint import Connection


async def join_facts(
    connection: Connection, room: RoomInfo | None, *, staff: bool, author_key: bytes
) -> dict[str, Any]:
    """The reads a join is decided on: a one-to-one conversation's participants
    (queue/service.py), the room's roster and staff names (for visitors)."""
    server = connection.server
    given = False
    roster = None
    staff_nicks: frozenset[str] = frozenset()
    if room is not None and room.kind in ("group", "private"):
        if room.kind == "private":
            given = await queue_service.may_join(server.db, room_id=room.id, author_key=author_key)
        if not staff and room.open:
            roster = await server.room_states.get(room.id)
            staff_nicks = await server.staff_names.keys(now=server.clock.monotonic())
    return {"given_private": given, "roster": roster, "staff_nicks": staff_nicks}


async def enter(
    connection: Connection, frame: Join, room: RoomInfo, plan: JoinPlan, identity: Identity
) -> None:
    """Carry out a permitted join: moderation's checks, the nickname, the member
    row, the history and the ``joined`` frame, then the moderator's extras.

    A visitor's first join of a group room on the connection reads the history while
    the nickname is claimed (both wait on the database, each shared with the joins of
    the same moment): the socket is attached to the room first, as a history read
    requires, and detached again when the claim or anything after it fails."""
    server = connection.server
    nick = plan.nick
    moderation, room_entry = await server.moderation.check_join(
        connection, room, nick=nick, staff=identity.kind == "staff"
    )
    ref = RoomRef(room.id, room.slug)
    fanout = server.fanout
    sink = connection.sink
    hub: Hub | None = None
    reading: asyncio.Future[History] | None = None
    if plan.claim_nick and room.slug not in connection.rooms:
        hub = await fanout.attach(ref, sink)
        reading = start_history(connection, frame, room, known=fanout.delivered(hub))
    try:
        if plan.claim_nick:
            claim = (room.id, nick_key(room_key(nick)), identity.author_key)
            if not await server.nicks.claim(connection, claim):
                raise NickTaken()
        previous = connection.rooms.pop(room.slug, None)
        if previous is not None:
            fanout.detach(previous.hub, sink)
        elif len(connection.rooms) >= connection.settings.max_rooms_per_connection:
            raise Forbidden(N_("You are in too many rooms at once."), code="too_many_rooms")
        server.slugs[room.id] = room.slug
        if plan.counted:
            server.room_orgs[room.id] = room.organisation_id
        member = await server.members.touch(room_id=room.id, author_key=identity.author_key)
        # Counted from the first join, so a reconnect or a reload does not start it again.
        wait = (
            server.moderation.start_wait(moderation, joined_at=member.joined_at)
            if plan.newcomer_wait
            else 0
        )
        if hub is None or reading is None:
            hub = await fanout.attach(ref, sink)
            reading = start_history(connection, frame, room, known=fanout.delivered(hub))
        last, history = await read_history(
            connection, frame, room, first_seq=member.first_seq, reading=reading
        )
        joined = Joined(
            room=room.slug,
            seq=last,
            history=[fanout.message_frame(room.slug, s) for s in history],
            present=fanout.presence(hub),
            author=fanout.author_id(room.id, identity.author_key),
            wait=wait,
            host=fanout.host_present(hub) or moderation.moderator,
        )
        payload = encode(joined)
        over = len(payload) - connection.settings.resume_limit_bytes
        if over > 0:
            if frame.since is not None:
                # An exact replay this large would cost the server and the client
                # too much memory at once (think of a reconnect storm): start afresh.
                metrics.JOINS.labels("resync").inc()
                raise Resync()
            # A newcomer's tail is trimmed to fit.
            sizes = [len(encode(m)) + 1 for m in joined.history]
            joined.history = joined.history[fit_history(sizes, over=over) :]
            payload = encode(joined)
    except BaseException:
        if reading is not None:
            reading.cancel()
        if hub is not None:
            fanout.detach(hub, sink)
        raise
    sink.push(OutFrame(payload))
    fanout.activate(hub, sink, last)
    # Visitors see whether a host is present (never who): the room's moderators,
    # the helper of a one-to-one conversation.
    fanout.set_host(hub, sink, moderation.moderator)
    connection.rooms[room.slug] = Membership(ref, hub, nick, plan.role, moderation)
    if moderation.moderator or room_entry.settings != DEFAULT_SETTINGS:
        connection.push(
            server.moderation.room_state(
                room.slug, room_entry, moderator=moderation.moderator or None
            )
        )
    if moderation.moderator:
        for pending in await holds.list_held(server.db, room_id=room.id):
            connection.push(server.moderation.pending_frame(room.slug, pending))
    metrics.JOINS.labels("resumed" if frame.since is not None else "joined").inc()
    if plan.visit is not None:
        server.tally.count(
            Kind.ROOM_VISIT,
            organisation_id=room.organisation_id,
            room_id=room.id,
            at=server.clock.now(),
            label=plan.visit,
        )


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A history read left behind by a refused join: its outcome is not wanted."""
    if not future.cancelled():
        future.exception()


def _history_limit(connection: Connection, frame: Join, room: RoomInfo) -> int:
    return room.history_limit if frame.since is None else connection.settings.resume_limit


def start_history(
    connection: Connection, frame: Join, room: RoomInfo, *, known: int
) -> asyncio.Future[History]:
    """The room's history as the join asks for it, under way (shared with the joins of
    the same moment, or answered at once from a kept read: chat/store.py,
    ``HistoryReads``). The socket must be attached to the room, whose hub had delivered
    up to ``known`` then (``Fanout.delivered``)."""
    reads = connection.server.history
    since, limit = frame.since, _history_limit(connection, frame, room)
    kept = reads.kept(room.id, since=since, limit=limit, known=known)
    if kept is not None:
        done: asyncio.Future[History] = asyncio.get_running_loop().create_future()
        done.set_result(kept)
        return done
    reading = asyncio.ensure_future(reads.read(room.id, since=since, limit=limit, known=known))
    reading.add_done_callback(_retrieved)
    return reading


async def read_history(
    connection: Connection,
    frame: Join,
    room: RoomInfo,
    *,
    first_seq: int,
    reading: Awaitable[History],
) -> tuple[int, list[store.Stored]]:
    """The room's last sequence and the history the client gets, or :class:`Resync`
    from ``reading``, the read :func:`start_history` started."""
    limit = _history_limit(connection, frame, room)
    last, purged, history = await reading
    plan = logic.plan_join(
        since=frame.since,
        last_seq=last,
        first_seq=first_seq,
        history_limit=room.history_limit,
        purged_seq=purged,
        resume_limit=connection.settings.resume_limit,
    )
    if plan.kind == "resync" or len(history) > limit:
        metrics.JOINS.labels("resync").inc()
        raise Resync()
    return last, history
