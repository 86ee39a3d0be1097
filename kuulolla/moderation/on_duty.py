"""Whether a staff member moderates a room, settled while their socket is open.

On joining, moderation/live.py reads it once. It changes when they check in or out of
one of the room's shifts (shifts.checkins.DutyEvents: at once, in every process, through
a ``duty`` line on the moderation channel), and when a shift ends while the socket
stays open (every ``duty_check_interval`` seconds, the backstop for a lost line). A
change is told to their socket (``moderation_state`` with ``moderator`` true or false,
and on becoming a moderator the held messages), and the moderators' frames reach it
from then on, or no longer.
"""

from __future__ import annotations

import asyncio
import logging

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.tasks import raise_if_cancelled
from kuulolla.moderation import frames, holds
from kuulolla.moderation.moderators import is_moderator, moderates_any_time
from kuulolla.moderation.policies import RECHECK, RoomPolicies
from kuulolla.moderation.ports import RoomSockets, Seat, Socket

log = logging.getLogger(__name__)


class ModeratorStatus:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        sockets: RoomSockets,
        policies: RoomPolicies,
        interval: float,
    ) -> None:
        self.db = db
        self.clock = clock
        self.sockets = sockets
        self.policies = policies
        self.interval = interval

    async def check(self, socket: Socket, seat: Seat) -> bool:
        """Settle a staff member's moderator status again on a moderator frame when it
        may have changed: they checked in since joining, or their shift ended (re-read
        after :data:`RECHECK` seconds). Coordinators and admins need no shift."""
        state = seat.moderation
        principal = socket.principal
        if not principal.authenticated or seat.role == "visitor":
            return False
        if moderates_any_time(principal, state.organisation_id):
            return True
        if not state.moderator or self.clock.monotonic() - state.checked_at > RECHECK:
            await self.settle(socket, seat)
        return state.moderator

    async def watch(self) -> None:
        """Every ``interval`` seconds, settle every staff member's status again."""
        while True:
            await asyncio.sleep(self.interval)
            await self.settle_all()

    async def settle_all(self, *, room_id: int | None = None, user_id: int | None = None) -> None:
        """Settle the moderator status of this process's staff members in group rooms:
        those of ``user_id`` in ``room_id``, or every one (the periodic backstop for a
        lost ``duty`` line and for shifts that end while the socket stays open)."""
        try:
            for socket in list(self.sockets.sockets()):
                if socket.user_id is None or (user_id is not None and socket.user_id != user_id):
                    continue
                for seat in list(socket.rooms.values()):
                    if room_id is None or seat.room_id == room_id:
                        await self.settle(socket, seat)
        except Exception:
            raise_if_cancelled()
            log.warning("moderation.duty_failed", extra={"event": "moderation.duty_failed"})

    async def settle(self, socket: Socket, seat: Seat) -> None:
        """Read whether an on-duty staff member moderates the room now; when that
        changed, tell their socket and make it a host's, or no longer."""
        state = seat.moderation
        principal = socket.principal
        if (
            not principal.authenticated
            or seat.role == "visitor"
            or state.private  # the helper of a one-to-one conversation: always
            or moderates_any_time(principal, state.organisation_id)
        ):
            return
        room_id, slug = seat.room_id, seat.slug
        moderator = await is_moderator(
            self.db,
            principal,
            organisation_id=state.organisation_id,
            room_id=room_id,
            now=self.clock.now(),
        )
        state.checked_at = self.clock.monotonic()
        if moderator == state.moderator or socket.rooms.get(slug) is not seat:
            return
        state.moderator = moderator
        socket.set_host(slug, moderator)
        entry = await self.policies.room_entry(room_id, state.organisation_id)
        socket.push(frames.room_state(slug, entry, moderator=moderator))
        if moderator:
            for held in await holds.list_held(self.db, room_id=room_id):
                author = self.sockets.author_id(held.room_id, held.author_key)
                socket.push(frames.pending_frame(slug, held, author=author))
