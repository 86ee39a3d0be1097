"""A restriction reaching its target: the process holding the target's sockets
remembers it in the member's state, tells the person, takes them out of the room(s)
on a removal or ban, and records their network's digest (only this process has their
address), so a new token from the same network is restricted too.

A restriction travels on the moderation channel (moderation/live.py) as a
``restrict`` line: ``<author key hex> <organisation id>`` and, after the newline,
``lift`` or a JSON list of its kind, end and id. Recording a network's digest makes
every process read the organisation's restrictions again (a ``restrictions`` line).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import msgspec

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.moderation import actions, frames, restrictions
from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.policies import RoomPolicies
from kuulolla.moderation.ports import RoomSockets, Socket, Spawner

log = logging.getLogger(__name__)


def encode(restriction: ActiveRestriction | None) -> bytes:
    """A restriction as a ``restrict`` line carries it (None: lifted)."""
    if restriction is None:
        return b"lift"
    return msgspec.json.encode(
        [restriction.kind, restriction.expires_at.isoformat(), restriction.id]
    )


class Restricting:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        sockets: RoomSockets,
        policies: RoomPolicies,
        spawner: Spawner,
        send: Callable[[str, bytes], None],
    ) -> None:
        self.db = db
        self.clock = clock
        self.sockets = sockets
        self.policies = policies
        self.spawner = spawner
        # ``send(header, payload)`` puts a line on the moderation channel.
        self._send = send

    def deliver(self, room_id: int, arg: str, payload: bytes) -> None:
        """A ``restrict`` line, from this process or another: apply it to the target's
        sockets here."""
        author_hex, organisation = arg.split(" ", 1)
        key = bytes.fromhex(author_hex)
        organisation_id = int(organisation)
        self.policies.forget_restrictions(organisation_id)
        restriction = None
        if payload != b"lift":
            kind, expires, restriction_id = msgspec.json.decode(payload)
            restriction = ActiveRestriction(
                actions.check_kind(kind),
                datetime.fromisoformat(expires),
                None if kind == "ban" else room_id,
                int(restriction_id),
            )
        for socket in list(self.sockets.sockets()):
            if socket.author_key == key and socket.rooms:
                self.apply(socket, restriction, organisation_id=organisation_id, room_id=room_id)

    def apply(
        self,
        socket: Socket,
        restriction: ActiveRestriction | None,
        *,
        organisation_id: int,
        room_id: int,
    ) -> None:
        """Remember the restriction on the target's socket at once (their messages are
        refused from now on), record their network's digest, and only then tell the
        person and take them out of the room(s) on a removal or ban: told first, they
        could come back with a new token before the digest was there to refuse them."""
        slugs: list[str] = []
        for slug, seat in list(socket.rooms.items()):
            state = seat.moderation
            if state.organisation_id != organisation_id or state.moderator:
                continue
            if seat.room_id != room_id and (restriction is None or restriction.kind != "ban"):
                continue
            state.restriction = restriction
            state.checked_at = self.clock.monotonic()
            slugs.append(slug)
        if restriction is not None and restriction.id:
            self.spawner.spawn(self._record_then_tell(socket, restriction, slugs))
        else:
            self._tell(socket, restriction, slugs)

    def _tell(
        self, socket: Socket, restriction: ActiveRestriction | None, slugs: list[str]
    ) -> None:
        for slug in slugs:
            socket.push(frames.restricted_frame(slug, restriction, socket.locale))
            if restriction is not None and restriction.kind in ("remove", "ban"):
                socket.leave(slug)

    async def _record_then_tell(
        self, socket: Socket, restriction: ActiveRestriction, slugs: list[str]
    ) -> None:
        try:
            await self._record_ban_key(socket, restriction.id)
        finally:
            self._tell(socket, restriction, slugs)

    async def _record_ban_key(self, socket: Socket, restriction_id: int) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            try:
                digests = await socket.ban_digests()
                if digests:
                    organisation_id = await restrictions.do_set_ban_key(
                        self.db, restriction_id=restriction_id, ban_key=digests[0]
                    )
                    if organisation_id is not None:
                        self.ban_key_recorded(organisation_id)
            except Exception:
                log.warning(
                    "moderation.ban_key_failed", extra={"event": "moderation.ban_key_failed"}
                )

    def ban_key_recorded(self, organisation_id: int) -> None:
        """A restriction of the organisation now also names a network's digest: every
        process reads the organisation's restrictions again (joins match that list)."""
        self.policies.forget_restrictions(organisation_id)
        self._send(f"0 restrictions {organisation_id}", b"")
