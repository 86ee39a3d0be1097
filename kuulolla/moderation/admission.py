"""Who may join a room as whom, as moderation sees it: a visitor's nickname screened
(each nickname once per room policy), a removed or banned visitor refused, a staff
member's moderator status settled, a visitor's newcomer wait started, and the periodic
re-check of a member's restriction while they write. :class:`Admission` is part of
moderation/live.py's :class:`~kuulolla.moderation.live.LiveModeration`, which the chat endpoint
calls.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, InvalidNick
from kuulolla.moderation import actions, frames
from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.flood import FloodPolicy
from kuulolla.moderation.logic import Action, Policy, Verdict, screen
from kuulolla.moderation.moderators import is_moderator
from kuulolla.moderation.policies import RoomEntry, RoomPolicies
from kuulolla.moderation.ports import MemberState, Socket

if TYPE_CHECKING:
    from kuulolla.rooms.service import RoomInfo


class Admission:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        policies: RoomPolicies,
        flood: FloodPolicy | None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policies = policies
        self.flood = flood
        # Nicknames screened, by the policy they were screened with (screen_nick).
        self._nick_verdicts: dict[tuple[int, str], tuple[Policy, Verdict]] = {}

    async def check_join(
        self, socket: Socket, room: RoomInfo, *, nick: str, staff: bool
    ) -> tuple[MemberState, RoomEntry]:
        """Screen a visitor's nickname and refuse a removed or banned one; returns the
        member's moderation state and the room's entry."""
        entry = await self.policies.room_entry(room.id, room.organisation_id)
        now = self.clock.monotonic()
        if staff:
            state = MemberState(
                room.organisation_id, private=room.kind == "private", checked_at=now
            )
            state.moderator = await is_moderator(
                self.db,
                socket.principal,
                organisation_id=room.organisation_id,
                room_id=room.id,
                now=self.clock.now(),
                private=room.kind == "private",
            )
            return state, entry
        verdict = self.screen_nick(nick, entry)
        if verdict.action is Action.REFUSE:
            note = verdict.notes[0] if verdict.notes else None
            params: dict[str, Any] = dict(note.params) if note else {}
            raise InvalidNick(note.msgid if note else None, **params)
        state = MemberState(room.organisation_id, private=room.kind == "private")
        # Matched against the organisation's restrictions the process keeps (changes
        # arrive on the moderation channel and drop the copy), not one read per join.
        await self.recheck(socket, state, room_id=room.id)
        restriction = state.restriction
        if restriction is not None and restriction.kind in ("remove", "ban"):
            raise self.restricted(socket, restriction)
        return state, entry

    def screen_nick(self, nick: str, entry: RoomEntry) -> Verdict:
        """A nickname's screening in a room, kept while the room's policy stays the one
        it was screened with: a reconnect storm screens each nickname once, not once
        per join."""
        key = (id(entry.policy), nick)
        kept = self._nick_verdicts.get(key)
        if kept is not None and kept[0] is entry.policy:
            return kept[1]
        verdict = screen(nick, policy=entry.policy, kind="nick")
        if len(self._nick_verdicts) > 50_000:
            self._nick_verdicts.clear()
        self._nick_verdicts[key] = (entry.policy, verdict)
        return verdict

    def start_wait(self, state: MemberState, *, joined_at: datetime | None) -> int:
        """Start a visitor's newcomer wait in a group room, counted from their first join
        (``joined_at``, None: no wait): the flood rules refuse their messages until it
        ends. Returns the whole seconds left (0: none), which the client counts down."""
        policy = self.flood
        if policy is None or joined_at is None:
            return 0
        clock = self.clock
        elapsed = max(0.0, (clock.now() - joined_at).total_seconds())
        if elapsed >= policy.join_cooldown:
            return 0
        state.flood.joined_at = clock.monotonic() - elapsed
        return math.ceil(policy.join_cooldown - elapsed)

    async def recheck(self, socket: Socket, state: MemberState, *, room_id: int) -> None:
        """The periodic re-check of a member while they write: matched against the
        organisation's active restrictions that the process keeps (one read per
        organisation every :data:`RECHECK` / 2 seconds, not one per member). New and
        lifted restrictions also arrive at once on the moderation channel; this is
        the backstop for a channel message that was lost."""
        author_key = socket.author_key
        if author_key is None:
            return
        rows = await self.policies.restrictions(state.organisation_id)
        state.restriction = actions.applicable(
            rows,
            room_id=room_id,
            author_key=author_key,
            ban_keys=await socket.ban_digests(),
            now=self.clock.now(),
        )
        state.checked_at = self.clock.monotonic()

    def restricted(self, socket: Socket, restriction: ActiveRestriction) -> AppError:
        until = frames.format_time(restriction.expires_at, socket.locale)
        return actions.restricted(restriction, until=until)
