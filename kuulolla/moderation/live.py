"""Moderation on the chat path: screening, holds, crisis alerts, restrictions, and the
moderation channel between processes.

:class:`LiveModeration` is built from the database, the clock, the settings, the report tally
and the ports of moderation/ports.py, which the chat server implements: it never holds
the server. The chat endpoint calls in here at three points, so its own code stays
small:

- :meth:`LiveModeration.check_join` when someone joins (nickname screened, restrictions
  matched against the organisation's list the process keeps, moderator status
  settled);
- :meth:`LiveModeration.screen_send` for every message, before anything is stored or sent;
  it returns the text to commit, or raises a translated error (refused, muted,
  locked, slow mode), or holds the message for a moderator and returns ``None``;
- :meth:`LiveModeration.after_stored` once a message with a crisis signal is committed.

Per room, a process keeps the room's settings and compiled screening policy
(moderation/policies.py; every copy is dropped after the broker link comes back,
when an announcement may have been missed). Per member it keeps the flood state, the
time of the last message (slow mode) and the restriction found at join, re-read every
:data:`~kuulolla.moderation.policies.RECHECK` seconds, so no message costs a database
read. A join is screened in moderation/admission.py, whether a staff member
moderates is settled in moderation/on_duty.py, who is in
a room in moderation/members.py, the frames are made in moderation/frames.py.

Moderation channel ``<prefix>:moderation`` lines: ``<node> <room id> <kind> [<arg>]``
then a newline and a server frame. ``kind`` is ``mods`` (to the room's moderators),
``all`` (to everyone in the room; the room's settings changed), ``author`` (to
the connections of one author key, hex in ``arg``; a private message or a
restriction), ``words`` (no frame; room id 0, the organisation id in ``arg``: its
word list changed, drop the compiled policies of its rooms), ``restrictions`` (no
frame; room id 0, the organisation id in ``arg``: a restriction of it now names a
network's digest, read its restrictions again) or ``duty`` (no frame;
the user id in ``arg``: they checked in or out on a shift of the room, settle their
moderator status there), ``who`` (no frame; a moderator on the node of ``arg``'s
first part asked who is in the room: every process answers) or ``members`` (a
process's answer, a JSON list of members, to the request named in ``arg``).
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from kuulolla.chat.moderation_protocol import (
    Alert,
    CrisisHelp,
    HeldFrame,
    ModerationState,
    Notice,
    Pending,
)
from kuulolla.chat.protocol import ServerFrame
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.core.events import Kind, Tally
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings
from kuulolla.moderation import actions, desk, frames, holds, restricting
from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.admission import Admission
from kuulolla.moderation.channel import ModerationChannel
from kuulolla.moderation.crisis_model import model as crisis_model
from kuulolla.moderation.flood import FloodPolicy
from kuulolla.moderation.logic import Action, Policy, Verdict, screen
from kuulolla.moderation.members import WhoIsHere
from kuulolla.moderation.on_duty import ModeratorStatus
from kuulolla.moderation.policies import RECHECK, RoomEntry, RoomPolicies
from kuulolla.moderation.ports import (
    Committer,
    MemberState,
    Publisher,
    RoomSockets,
    Seat,
    Socket,
    Spawner,
)

if TYPE_CHECKING:
    from kuulolla.rooms.service import RoomInfo

log = logging.getLogger(__name__)


class Refused(BadRequest):
    """Screening refused the message; the message says why."""

    code = "refused"
    default_message = N_("Your message was not sent.")


class LiveModeration:
    """The moderation of a server's live chat: joins screened, messages screened before
    they are stored or sent, crisis signals raised, moderators' commands carried out."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        settings: Settings,
        tally: Tally,
        sockets: RoomSockets,
        spawner: Spawner,
        publisher: Publisher,
        committer: Committer,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.tally = tally
        self.sockets = sockets
        self.spawner = spawner
        self.publisher = publisher
        self.committer = committer
        self.channel = f"{settings.broker_prefix}:moderation"
        self.flood: FloodPolicy | None = (
            FloodPolicy(join_cooldown=settings.join_cooldown) if settings.flood_rules else None
        )
        self.policies = RoomPolicies(db=db, clock=clock, settings=settings, flood=self.flood)
        self.status = ModeratorStatus(
            db=db,
            clock=clock,
            sockets=sockets,
            policies=self.policies,
            interval=settings.duty_check_interval,
        )
        self.delivery = ModerationChannel(name=self.channel, sockets=sockets, publisher=publisher)
        self._send = self.delivery.send
        self.who = WhoIsHere(sockets=sockets, clock=clock, send=self._send)
        self.restricting = restricting.Restricting(
            db=db,
            clock=clock,
            sockets=sockets,
            policies=self.policies,
            spawner=spawner,
            send=self._send,
        )
        self.delivery.on_restrict = self.restricting.deliver
        self.admission = Admission(db=db, clock=clock, policies=self.policies, flood=self.flood)

    def warm(self) -> None:
        """Screen a nickname and a message once, so Voikko, the crisis lexicon and the
        crisis model are loaded at start-up (and frozen out of garbage collection with
        the rest of it), not while the first visitor waits."""
        screen("Vieras", policy=Policy(flood=None), kind="nick")
        screen("Hei kaikki, en jaksa enää tätä päivää", policy=Policy(flood=None))
        crisis_model()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.spawner.spawn(work)

    # ------------------------------------------------------------ rooms

    async def room(self, room: RoomInfo) -> RoomEntry:
        return await self.policies.room_entry(room.id, room.organisation_id)

    async def room_entry(self, room_id: int, organisation_id: int) -> RoomEntry:
        """The room's settings and screening policy (moderation/policies.py)."""
        return await self.policies.room_entry(room_id, organisation_id)

    def forget(self, room_id: int) -> None:
        self.policies.forget(room_id)

    def forget_organisation(self, organisation_id: int) -> None:
        self.policies.forget_organisation(organisation_id)

    def forget_all(self) -> None:
        """Drop every kept room, organisation and restriction list: called when the
        broker link comes back, since a change announced while it was down was missed."""
        self.policies.forget_all()

    def words_changed(self, organisation_id: int) -> None:
        """The organisation's word list changed: every process drops its compiled
        policies of the organisation's rooms, so the next message uses the new list."""
        self.forget_organisation(organisation_id)
        self._send(f"0 words {organisation_id}")

    def restrictions_changed(self, organisation_id: int) -> None:
        """A restriction of the organisation was made or lifted: read them again."""
        self.policies.forget_restrictions(organisation_id)

    def room_state(
        self, slug: str, entry: RoomEntry, *, moderator: bool | None = None
    ) -> ModerationState:
        return frames.room_state(slug, entry, moderator=moderator)

    def pending_frame(self, slug: str, held: holds.Held) -> Pending:
        author = self.sockets.author_id(held.room_id, held.author_key)
        return frames.pending_frame(slug, held, author=author)

    def ask_members(self, socket: Socket, seat: Seat) -> None:
        """Answer a moderator's ``members`` (moderation/members.py)."""
        self.who.ask(socket, seat)

    # ------------------------------------------------------------ joining

    async def check_join(
        self, socket: Socket, room: RoomInfo, *, nick: str, staff: bool
    ) -> tuple[MemberState, RoomEntry]:
        """Screen a nickname, refuse a removed or banned visitor, settle a staff
        member's moderator status (moderation/admission.py)."""
        return await self.admission.check_join(socket, room, nick=nick, staff=staff)

    def start_wait(self, state: MemberState, *, joined_at: datetime | None) -> int:
        """Start a visitor's newcomer wait (moderation/admission.py)."""
        return self.admission.start_wait(state, joined_at=joined_at)

    # ------------------------------------------------------------ duty

    async def check_moderator(self, socket: Socket, seat: Seat) -> bool:
        """Whether the person moderates the seat's room now (moderation/on_duty.py)."""
        return await self.status.check(socket, seat)

    def duty_changed(self, *, room_id: int, user_id: int) -> None:
        """The person checked in or out on a shift of the room: settle their moderator
        status on their sockets in the room now, here and in every other process (a
        ``duty`` line on the moderation channel)."""
        self.spawn(self.status.settle_all(room_id=room_id, user_id=user_id))
        self._send(f"{room_id} duty {user_id}")

    async def watch_duty(self) -> None:
        """Every ``duty_check_interval`` seconds, settle every staff member's status again."""
        await self.status.watch()

    # ------------------------------------------------------------ sending

    async def screen_send(
        self,
        socket: Socket,
        seat: Seat,
        *,
        text: str,
        ref: str,
        ref_key: bytes,
    ) -> tuple[str, Verdict | None]:
        """Apply restrictions, the lock, slow mode and screening to a message.

        Returns the text to commit and the verdict (None for staff, who are not
        screened), or raises a translated :class:`AppError`. A held message is stored
        for the moderators here and ``("", verdict)`` is returned: commit nothing.
        """
        state = seat.moderation
        if state.moderator or seat.role != "visitor":
            return text, None
        clock = self.clock
        now = clock.monotonic()
        room_id = seat.room_id
        if now - state.checked_at > RECHECK:
            await self.admission.recheck(socket, state, room_id=room_id)
        restriction = state.restriction
        if restriction is not None:
            if restriction.expires_at > clock.now():
                raise self.admission.restricted(socket, restriction)
            state.restriction = None
        entry = await self.room_entry(room_id, state.organisation_id)
        settings = entry.settings
        if settings.locked:
            raise actions.RoomLocked()
        wait = actions.slow_mode_wait(
            seconds=settings.slow_mode, last_sent=state.last_sent, now=now
        )
        if wait:
            raise actions.SlowMode(seconds=wait)
        verdict = screen(text, policy=entry.policy, state=state.flood, now=now)
        locale = socket.locale
        notes = [frames.note_text(note, locale, private=state.private) for note in verdict.notes]
        if verdict.action is Action.REFUSE:
            # A flood refusal that a wait ends (a burst, the newcomer wait) carries it, so
            # the client sends the message again then instead of handing it back.
            retry = next(
                (n.params["seconds"] for n in verdict.notes if "seconds" in n.params), None
            )
            raise Refused(" ".join(notes) or None, wait=retry)
        state.last_sent = now
        slug = seat.slug
        if verdict.crisis is not None:
            # "The hosts have been told" only when one is here to get the alert.
            told = socket.host_present(slug)
            socket.push(
                self.crisis_help(
                    slug, entry, locale, told=told, categories=verdict.crisis.categories
                )
            )
        if verdict.action is Action.HOLD:
            author_key = socket.author_key
            assert author_key is not None  # said hello: checked by the caller
            held = await holds.do_hold(
                self.db,
                room_id=room_id,
                author_key=author_key,
                nick=seat.nick,
                role=seat.role,
                text=verdict.text,
                ref_key=ref_key,
                reasons=verdict.reasons,
                crisis=verdict.crisis.category if verdict.crisis else "",
                now=clock.now(),
            )
            socket.push(HeldFrame(room=slug, ref=ref, notes=notes, id=held.id))
            author = self.sockets.author_id(room_id, author_key)
            self.to_moderators(room_id, self.pending_frame(slug, held))
            if verdict.crisis is not None:
                self.record_alert(room_id, verdict, nick=seat.nick, seq=None, held_id=held.id)
                self.to_moderators(
                    room_id,
                    Alert(
                        room=slug,
                        category=verdict.crisis.category,
                        source=verdict.crisis.source,
                        nick=seat.nick,
                        author=author,
                        held=held.id,
                    ),
                )
            return "", verdict
        if verdict.action is Action.DELIVER_MASKED and notes:
            socket.push(Notice(room=slug, notes=notes, ref=ref))
        return verdict.text, verdict

    def after_stored(
        self, seat: Seat, verdict: Verdict | None, *, seq: int, author_key: bytes
    ) -> None:
        """A screened message is committed: alert the moderators of a crisis signal."""
        if verdict is None or verdict.crisis is None:
            return
        room_id = seat.room_id
        # For the statistics: the organisation, the hour and the category, nothing else
        # (no room: a one-to-one conversation's room would point at a visitor).
        organisation_id = self.sockets.counted_organisation(room_id)
        if organisation_id is not None:
            self.tally.count(
                Kind.CRISIS_ALERT,
                organisation_id=organisation_id,
                at=self.clock.now(),
                label=verdict.crisis.category,
            )
        self.record_alert(room_id, verdict, nick=seat.nick, seq=seq, held_id=None)
        self.to_moderators(
            room_id,
            Alert(
                room=seat.slug,
                category=verdict.crisis.category,
                source=verdict.crisis.source,
                nick=seat.nick,
                author=self.sockets.author_id(room_id, author_key),
                seq=seq,
            ),
        )

    def record_alert(
        self, room_id: int, verdict: Verdict, *, nick: str, seq: int | None, held_id: int | None
    ) -> None:
        """Record the crisis alert for the duty desk (moderation/desk.py), after the
        message: the writer's acknowledgement does not wait for it."""
        crisis = verdict.crisis
        if crisis is None:
            return

        async def record() -> None:
            try:
                await desk.do_record_alert(
                    self.db,
                    room_id=room_id,
                    seq=seq,
                    held_id=held_id,
                    category=crisis.category,
                    source=crisis.source,
                    nick=nick,
                    now=self.clock.now(),
                )
            except Exception:
                log.warning(
                    "moderation.alert_not_recorded",
                    exc_info=True,
                    extra={"event": "moderation.alert_not_recorded", "room_id": room_id},
                )

        self.spawn(record())

    def crisis_help(
        self,
        slug: str,
        entry: RoomEntry,
        locale: str,
        *,
        told: bool = False,
        categories: Iterable[str] = (),
    ) -> CrisisHelp:
        return frames.crisis_help_frame(slug, entry, locale, told=told, categories=categories)

    # ------------------------------------------------------------ delivery

    def to_moderators(self, room_id: int, frame: ServerFrame) -> None:
        self.delivery.publish(room_id, "mods", "", frame)

    def to_room(self, room_id: int, frame: ServerFrame) -> None:
        self.delivery.publish(room_id, "all", "", frame)

    def to_author(self, room_id: int, author_key: bytes, frame: ServerFrame) -> None:
        self.delivery.publish(room_id, "author", author_key.hex(), frame)

    def to_pseudonym(self, room_id: int, author_id: str, frame: ServerFrame) -> None:
        """To whoever appears in the room as ``author_id`` (the ``from.id`` of frames)."""
        self.delivery.publish(room_id, "pseudonym", author_id, frame)

    def restrict(
        self,
        room_id: int,
        author_key: bytes,
        restriction: ActiveRestriction | None,
        organisation_id: int,
    ) -> None:
        """Apply a new restriction (None: lifted) to the author's sockets everywhere
        (moderation/restricting.py)."""
        payload = restricting.encode(restriction)
        arg = f"{author_key.hex()} {organisation_id}"
        self.restricting.deliver(room_id, arg, payload)
        self._send(f"{room_id} restrict {arg}", payload)

    def on_message(self, data: bytes) -> None:
        """A line from the moderation channel (another process's event)."""
        try:
            header, _, payload = data.partition(b"\n")
            node, room, kind, arg = header.decode().split(" ", 3)
            if node == self.sockets.node:
                return
            room_id = int(room)
            if kind == "words":
                self.forget_organisation(int(arg))
                return
            if kind == "restrictions":
                self.restrictions_changed(int(arg))
                return
            if kind == "duty":
                self.spawn(self.status.settle_all(room_id=room_id, user_id=int(arg)))
                return
            if kind == "who":
                self.who.answer(room_id, arg)
                return
            if kind == "members":
                self.who.got(node, arg, payload)
                return
            if kind == "all":
                self.forget(room_id)
            self.delivery.deliver(room_id, kind, arg, payload)
        except (ValueError, UnicodeDecodeError, msgspec.ValidationError):
            log.warning(
                "moderation.bad_channel_message", extra={"event": "moderation.bad_channel_message"}
            )
