"""Moderation on the chat path: screening, holds, crisis alerts, restrictions, and the
moderation channel between processes.

The chat endpoint calls in here at three points, so its own code stays small:

- :meth:`Live.check_join` when someone joins (nickname screened, restrictions
  matched against the organisation's list the process keeps, moderator status
  settled);
- :meth:`Live.screen_send` for every message, before anything is stored or sent;
  it returns the text to commit, or raises a translated error (refused, muted,
  locked, slow mode), or holds the message for a moderator and returns ``None``;
- :meth:`Live.after_stored` once a message with a crisis signal is committed.

Per room, a process keeps the room's settings and compiled screening policy for
``moderation_cache_seconds`` (changes are announced on the moderation channel, so
every process drops its copy at once; after the broker link comes back, when an
announcement may have been missed, every copy is dropped). Per member it keeps the flood state, the time of
the last message (slow mode) and the restriction found at join, re-read every
:data:`RECHECK` seconds, so no message costs a database read.

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

import asyncio
import logging
import math
import secrets
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from kuulolla.accounts import logic as accounts_logic
from kuulolla.accounts.permissions import Principal, allows
from kuulolla.accounts.service import get_organisation_by_id
from kuulolla.chat.protocol import (
    Alert,
    CrisisHelp,
    CrisisNumber,
    HeldFrame,
    Member,
    MembersFrame,
    ModerationState,
    Notice,
    Pending,
    ServerFrame,
    encode,
)
from kuulolla.chat.sockets import OutFrame
from kuulolla.core.cache import SharedCache, spread
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, BadRequest, InvalidNick
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_, datetime_text, gettext
from kuulolla.moderation import actions, crisis_help, desk, service
from kuulolla.moderation.actions import ActiveRestriction, RoomSettings
from kuulolla.moderation.crisis_model import model as crisis_model
from kuulolla.moderation.flood import FloodPolicy, FloodState
from kuulolla.moderation.logic import (
    LINK_HELD,
    Action,
    Note,
    Policy,
    Verdict,
    compile_words,
    screen,
)
from kuulolla.moderation.permissions import MODERATE_ANY_TIME, MODERATE_ON_DUTY
from kuulolla.moderation.wordlists import WordList
from kuulolla.shifts.rooms import on_duty_in_room

if TYPE_CHECKING:
    from kuulolla.chat.endpoint import Connection, Membership
    from kuulolla.chat.server import ChatServer
    from kuulolla.rooms.service import RoomInfo

log = logging.getLogger(__name__)

RECHECK = 30.0  # seconds a member's restriction status is trusted before re-reading it


# In a one-to-one conversation a held message waits for the helper, and nobody else
# would see it: the notes about a hold say so.
PRIVATE_NOTES = {
    LINK_HELD: N_("Your message has a link, so your helper checks it before it is shown."),
    N_("Your message waits for a moderator to read it before others see it."): N_(
        "Your message waits for your helper to read it before it is shown."
    ),
}


def note_text(note: Note, locale: str, *, private: bool = False) -> str:
    """A screening note in ``locale``, in the words of a one-to-one conversation when
    ``private``."""
    msgid = PRIVATE_NOTES.get(note.msgid, note.msgid) if private else note.msgid
    return gettext(locale, msgid, **note.params)


class Refused(BadRequest):
    """Screening refused the message; the message says why."""

    code = "refused"
    default_message = N_("Your message was not sent.")


def moderates_any_time(principal: Principal, organisation_id: int) -> bool:
    """Coordinators of the organisation and admins moderate its rooms without a shift."""
    return principal.authenticated and allows(principal, MODERATE_ANY_TIME, organisation_id)


async def is_moderator(
    db: Database,
    principal: Principal,
    *,
    organisation_id: int,
    room_id: int,
    now: datetime,
    private: bool = False,
) -> bool:
    """Whether this person may moderate the room now: at any time (coordinators,
    admins), or while checked in on one of the room's shifts (any staff role of the
    room's organisation). In a one-to-one conversation (``private``) the staff member
    the endpoint let in is its helper and moderates it (crisis alerts included)."""
    if moderates_any_time(principal, organisation_id):
        return True
    if principal.user_id is None or not allows(principal, MODERATE_ON_DUTY, organisation_id):
        return False
    if private:
        return True
    return await on_duty_in_room(db, user_id=principal.user_id, room_id=room_id, now=now)


def public_numbers(crisis: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The organisation's crisis numbers in national digits ("0925250111"): never masked."""
    out = set()
    for row in crisis:
        digits = "".join(ch for ch in str(row.get("number", "")) if ch.isdigit())
        if str(row.get("number", "")).strip().startswith("+") and digits.startswith("358"):
            digits = "0" + digits[3:]
        if digits:
            out.add(digits)
    return frozenset(out)


@dataclass(slots=True)
class RoomEntry:
    organisation_id: int
    settings: RoomSettings
    policy: Policy
    crisis: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    """What every room of an organisation screens with: its compiled word list and its
    crisis numbers (never masked). Kept once per organisation, not per room."""

    words: WordList
    crisis: list[dict[str, Any]]
    public_numbers: frozenset[str]


@dataclass(slots=True)
class MemberState:
    """What a process keeps per member of a room for moderation."""

    organisation_id: int
    moderator: bool = False
    private: bool = False  # a one-to-one conversation
    flood: FloodState = field(default_factory=FloodState)
    last_sent: float | None = None
    restriction: ActiveRestriction | None = None
    checked_at: float = 0.0


class Live:
    def __init__(self, server: ChatServer) -> None:
        self.server = server
        settings = server.settings
        self.channel = f"{settings.broker_prefix}:moderation"
        self.bankeys = server.bankeys
        self.flood: FloodPolicy | None = (
            FloodPolicy(join_cooldown=settings.join_cooldown) if settings.flood_rules else None
        )
        # Expired room entries are served while one read renews them; restrictions are
        # read again before use.
        self._rooms: SharedCache[int, RoomEntry] = SharedCache(serve_stale=lambda _: True)
        self._organisations: SharedCache[int, OrganisationEntry] = SharedCache(
            serve_stale=lambda _: True
        )
        self._restrictions: SharedCache[int, list[actions.StoredRestriction]] = SharedCache()
        # Nicknames screened, by the policy they were screened with (screen_nick).
        self._nick_verdicts: dict[tuple[int, str], tuple[Policy, Verdict]] = {}
        # Moderators' open ``members`` requests: token → (connection, room slug, until).
        self._asking: dict[str, tuple[Connection, str, float]] = {}

    def warm(self) -> None:
        """Screen a nickname and a message once, so Voikko, the crisis lexicon and the
        crisis model are loaded at start-up (and frozen out of garbage collection with
        the rest of it), not while the first visitor waits."""
        screen("Vieras", policy=Policy(flood=None), kind="nick")
        screen("Hei kaikki, en jaksa enää tätä päivää", policy=Policy(flood=None))
        crisis_model()

    # ------------------------------------------------------------ rooms

    async def room(self, room: RoomInfo) -> RoomEntry:
        return await self.room_entry(room.id, room.organisation_id)

    async def room_entry(self, room_id: int, organisation_id: int) -> RoomEntry:
        """The room's settings and screening policy. An expired copy is still served
        while one background read replaces it (changes are announced on the moderation
        channel and drop the copy at once; the expiry is only a backstop), and callers
        that find no copy share one read, so a busy room never makes every sender
        query the database at the same moment."""

        async def load() -> tuple[RoomEntry, float]:
            return await self._load(room_id, organisation_id)

        return await self._rooms.get(room_id, load, now=self.server.clock.monotonic())

    async def _load(self, room_id: int, organisation_id: int) -> tuple[RoomEntry, float]:
        clock = self.server.clock
        try:
            settings = await service.get_room_settings(self.server.db, room_id=room_id)
            org = await self._organisations.get(
                organisation_id,
                lambda: self._load_organisation(organisation_id),
                now=clock.monotonic(),
            )
        except Exception:
            stale = self._rooms.kept(room_id)
            if stale is None:
                raise
            log.warning(
                "moderation.room_reload_failed",
                exc_info=True,
                extra={"event": "moderation.room_reload_failed", "room_id": room_id},
            )
            return stale, clock.monotonic() + 2.0  # try again soon
        policy = actions.policy_for(
            settings, words=org.words, flood=self.flood, public_numbers=org.public_numbers
        )
        entry = RoomEntry(organisation_id, settings, policy, org.crisis)
        return entry, clock.monotonic() + spread(self.server.settings.moderation_cache_seconds)

    async def _load_organisation(self, organisation_id: int) -> tuple[OrganisationEntry, float]:
        db = self.server.db
        words = await service.get_word_list(db, organisation_id=organisation_id)
        org = await get_organisation_by_id(db, organisation_id=organisation_id)
        crisis = list(org.crisis_numbers) if org else []
        entry = OrganisationEntry(
            compile_words(words) if words else actions.EMPTY, crisis, public_numbers(crisis)
        )
        return entry, self.server.clock.monotonic() + spread(
            self.server.settings.moderation_cache_seconds
        )

    def forget(self, room_id: int) -> None:
        self._rooms.forget(room_id)

    # ------------------------------------------------------------ who is here

    def members_here(self, room_id: int) -> list[Member]:
        """The people in the room on this process, each once (by pseudonym; a visitor's
        pages share one), with a restriction they have now."""
        slug = self.server.slugs.get(room_id)
        if slug is None:
            return []
        now = self.server.clock.now()
        found: dict[str, Member] = {}
        for connection in list(self.server.connections):
            membership = connection.rooms.get(slug)
            if membership is None:
                continue
            key = connection.identity.author_key if connection.identity else None
            author = self.server.fanout.author_id(room_id, key) or ""
            restriction = membership.moderation.restriction
            active = restriction is not None and restriction.expires_at > now
            found[author or f"{membership.nick}/{membership.role}"] = Member(
                nick=membership.nick,
                role=membership.role,
                id=author or None,
                restriction=restriction.kind if active and restriction else None,
                until=restriction.expires_at.isoformat() if active and restriction else None,
            )
        return sorted(found.values(), key=lambda m: (m.role == "visitor", m.nick.casefold()))

    def ask_members(self, connection: Connection, membership: Membership) -> None:
        """Answer a moderator's ``members``: this process's part at once, the other
        processes' parts as they answer on the moderation channel."""
        room_id = membership.room.id
        node = self.server.fanout.node
        token = f"{node}:{secrets.token_hex(8)}"
        now = self.server.clock.monotonic()
        self._asking = {t: a for t, a in self._asking.items() if a[2] > now}
        self._asking[token] = (connection, membership.room.slug, now + 10.0)
        connection.push(
            MembersFrame(room=membership.room.slug, part=node, items=self.members_here(room_id))
        )
        self.server.fanout.broker.publish(
            self.channel, f"{node} {room_id} who {token}".encode() + b"\n"
        )

    def _answer_members(self, room_id: int, token: str) -> None:
        if self.server.slugs.get(room_id) is None:
            return
        node = self.server.fanout.node
        payload = msgspec.json.encode(self.members_here(room_id))
        self.server.fanout.broker.publish(
            self.channel, f"{node} {room_id} members {token}".encode() + b"\n" + payload
        )

    def _got_members(self, node: str, token: str, payload: bytes) -> None:
        asked = self._asking.get(token)
        if asked is None:
            return
        connection, slug, _until = asked
        items = msgspec.json.decode(payload, type=list[Member])
        connection.push(MembersFrame(room=slug, part=node, items=items))

    def forget_organisation(self, organisation_id: int) -> None:
        self._organisations.forget(organisation_id)
        self._rooms.forget_where(lambda entry: entry.organisation_id == organisation_id)

    def forget_all(self) -> None:
        """Drop every kept room, organisation and restriction list: called when the
        broker link comes back, since a change announced while it was down was missed."""
        self._rooms.forget_where(lambda _entry: True)
        self._organisations.forget_where(lambda _entry: True)
        self._restrictions.forget_where(lambda _entry: True)

    def words_changed(self, organisation_id: int) -> None:
        """The organisation's word list changed: every process drops its compiled
        policies of the organisation's rooms, so the next message uses the new list."""
        self.forget_organisation(organisation_id)
        node = self.server.fanout.node
        self.server.fanout.broker.publish(
            self.channel, f"{node} 0 words {organisation_id}".encode() + b"\n"
        )

    def room_state(
        self, slug: str, entry: RoomEntry, *, moderator: bool | None = None
    ) -> ModerationState:
        s = entry.settings
        return ModerationState(
            room=slug,
            locked=s.locked,
            slow_mode=s.slow_mode,
            premoderated=s.premoderated,
            pinned=s.pinned,
            moderator=moderator,
        )

    def pending_frame(self, slug: str, held: service.Held) -> Pending:
        return Pending(
            room=slug,
            id=held.id,
            nick=held.nick,
            text=held.text,
            reasons=list(held.reasons),
            author=self.server.fanout.author_id(held.room_id, held.author_key),
            crisis=held.crisis or None,
        )

    # ------------------------------------------------------------ joining

    async def ban_digests(self, connection: Connection) -> list[bytes]:
        """Today's and yesterday's digests of the connection's network (computed once
        per connection; the address itself is not kept)."""
        if connection.ban_digests is None:
            client = connection.websocket.scope.get("client")
            address = client[0] if client else None
            connection.ban_digests = await self.bankeys.candidates(
                address, now=self.server.clock.now()
            )
        return connection.ban_digests

    async def check_join(
        self, connection: Connection, room: RoomInfo, *, nick: str, staff: bool
    ) -> tuple[MemberState, RoomEntry]:
        """Screen a visitor's nickname and refuse a removed or banned one; returns the
        member's moderation state and the room's entry."""
        entry = await self.room(room)
        now = self.server.clock.monotonic()
        if staff:
            state = MemberState(
                room.organisation_id, private=room.kind == "private", checked_at=now
            )
            state.moderator = await is_moderator(
                self.server.db,
                connection.principal,
                organisation_id=room.organisation_id,
                room_id=room.id,
                now=self.server.clock.now(),
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
        await self.recheck(connection, state, room_id=room.id)
        restriction = state.restriction
        if restriction is not None and restriction.kind in ("remove", "ban"):
            raise self.restricted(connection, restriction)
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
        clock = self.server.clock
        elapsed = max(0.0, (clock.now() - joined_at).total_seconds())
        if elapsed >= policy.join_cooldown:
            return 0
        state.flood.joined_at = clock.monotonic() - elapsed
        return math.ceil(policy.join_cooldown - elapsed)

    async def recheck(self, connection: Connection, state: MemberState, *, room_id: int) -> None:
        """The periodic re-check of a member while they write: matched against the
        organisation's active restrictions that the process keeps (one read per
        organisation every :data:`RECHECK` / 2 seconds, not one per member). New and
        lifted restrictions also arrive at once on the moderation channel; this is
        the backstop for a channel message that was lost."""
        identity = connection.identity
        if identity is None:
            return
        rows = await self.org_restrictions(state.organisation_id)
        state.restriction = actions.applicable(
            rows,
            room_id=room_id,
            author_key=identity.author_key,
            ban_keys=await self.ban_digests(connection),
            now=self.server.clock.now(),
        )
        state.checked_at = self.server.clock.monotonic()

    async def org_restrictions(self, organisation_id: int) -> list[actions.StoredRestriction]:
        async def load() -> tuple[list[actions.StoredRestriction], float]:
            rows = await service.list_active_restrictions(
                self.server.db, organisation_id=organisation_id, now=self.server.clock.now()
            )
            return rows, self.server.clock.monotonic() + RECHECK / 2

        return await self._restrictions.get(
            organisation_id, load, now=self.server.clock.monotonic()
        )

    def restrictions_changed(self, organisation_id: int) -> None:
        """A restriction of the organisation was made or lifted: read them again."""
        self._restrictions.forget(organisation_id)

    async def check_moderator(self, connection: Connection, membership: Membership) -> bool:
        """Settle a staff member's moderator status again on a moderator frame when it
        may have changed: they checked in since joining, or their shift ended (re-read
        after :data:`RECHECK` seconds). Coordinators and admins need no shift."""
        state = membership.moderation
        principal = connection.principal
        if not principal.authenticated or membership.role == "visitor":
            return False
        if moderates_any_time(principal, state.organisation_id):
            return True
        if not state.moderator or self.server.clock.monotonic() - state.checked_at > RECHECK:
            await self.settle(connection, membership)
        return state.moderator

    # ------------------------------------------------------------ duty

    def duty_changed(self, *, room_id: int, user_id: int) -> None:
        """The person checked in or out on a shift of the room: settle their moderator
        status on their sockets in the room now, here and in every other process (a
        ``duty`` line on the moderation channel)."""
        self.spawn(self.settle_all(room_id=room_id, user_id=user_id))
        node = self.server.fanout.node
        self.server.fanout.broker.publish(
            self.channel, f"{node} {room_id} duty {user_id}".encode() + b"\n"
        )

    async def settle_all(self, *, room_id: int | None = None, user_id: int | None = None) -> None:
        """Settle the moderator status of this process's staff members in group rooms:
        those of ``user_id`` in ``room_id``, or every one (the periodic backstop for a
        lost ``duty`` line and for shifts that end while the socket stays open)."""
        try:
            for connection in list(self.server.connections):
                if connection.user_id is None or (
                    user_id is not None and connection.user_id != user_id
                ):
                    continue
                for membership in list(connection.rooms.values()):
                    if room_id is None or membership.room.id == room_id:
                        await self.settle(connection, membership)
        except Exception:
            log.warning("moderation.duty_failed", extra={"event": "moderation.duty_failed"})

    async def settle(self, connection: Connection, membership: Membership) -> None:
        """Read whether an on-duty staff member moderates the room now; when that
        changed, tell their connection (``moderation_state`` with ``moderator`` true or
        false, and on becoming a moderator the held messages) and deliver the
        moderators' frames to it from now on, or no longer."""
        state = membership.moderation
        principal = connection.principal
        if (
            not principal.authenticated
            or membership.role == "visitor"
            or state.private  # the helper of a one-to-one conversation: always
            or moderates_any_time(principal, state.organisation_id)
        ):
            return
        room = membership.room
        moderator = await is_moderator(
            self.server.db,
            principal,
            organisation_id=state.organisation_id,
            room_id=room.id,
            now=self.server.clock.now(),
        )
        state.checked_at = self.server.clock.monotonic()
        if moderator == state.moderator or connection.rooms.get(room.slug) is not membership:
            return
        state.moderator = moderator
        self.server.fanout.set_host(membership.hub, connection.sink, moderator)
        entry = await self.room_entry(room.id, state.organisation_id)
        connection.push(self.room_state(room.slug, entry, moderator=moderator))
        if moderator:
            for held in await service.list_held(self.server.db, room_id=room.id):
                connection.push(self.pending_frame(room.slug, held))

    async def watch_duty(self) -> None:
        """Every ``duty_check_interval`` seconds, settle every staff member's status again."""
        while True:
            await asyncio.sleep(self.server.settings.duty_check_interval)
            await self.settle_all()

    def restricted(self, connection: Connection, restriction: ActiveRestriction) -> AppError:
        until = format_time(restriction.expires_at, connection.locale)
        return actions.restricted(restriction, until=until)

    # ------------------------------------------------------------ sending

    async def screen_send(
        self,
        connection: Connection,
        membership: Membership,
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
        state = membership.moderation
        if state.moderator or membership.role != "visitor":
            return text, None
        server = self.server
        now = server.clock.monotonic()
        room_id = membership.room.id
        if now - state.checked_at > RECHECK:
            await self.recheck(connection, state, room_id=room_id)
        restriction = state.restriction
        if restriction is not None:
            if restriction.expires_at > server.clock.now():
                raise self.restricted(connection, restriction)
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
        locale = connection.locale
        notes = [note_text(note, locale, private=state.private) for note in verdict.notes]
        if verdict.action is Action.REFUSE:
            # A flood refusal that a wait ends (a burst, the newcomer wait) carries it, so
            # the client sends the message again then instead of handing it back.
            retry = next(
                (n.params["seconds"] for n in verdict.notes if "seconds" in n.params), None
            )
            raise Refused(" ".join(notes) or None, wait=retry)
        state.last_sent = now
        slug = membership.room.slug
        if verdict.crisis is not None:
            # "The hosts have been told" only when one is here to get the alert.
            told = self.server.fanout.host_present(membership.hub)
            connection.push(
                self.crisis_help(
                    slug, entry, locale, told=told, categories=verdict.crisis.categories
                )
            )
        if verdict.action is Action.HOLD:
            identity = connection.identity
            assert identity is not None  # said hello: checked by the caller
            held = await service.do_hold(
                server.db,
                room_id=room_id,
                author_key=identity.author_key,
                nick=membership.nick,
                role=membership.role,
                text=verdict.text,
                ref_key=ref_key,
                reasons=verdict.reasons,
                crisis=verdict.crisis.category if verdict.crisis else "",
                now=server.clock.now(),
            )
            connection.push(HeldFrame(room=slug, ref=ref, notes=notes, id=held.id))
            author = server.fanout.author_id(room_id, identity.author_key)
            self.to_moderators(room_id, self.pending_frame(slug, held))
            if verdict.crisis is not None:
                self.record_alert(room_id, verdict, nick=membership.nick, seq=None, held_id=held.id)
                self.to_moderators(
                    room_id,
                    Alert(
                        room=slug,
                        category=verdict.crisis.category,
                        source=verdict.crisis.source,
                        nick=membership.nick,
                        author=author,
                        held=held.id,
                    ),
                )
            return "", verdict
        if verdict.action is Action.DELIVER_MASKED and notes:
            connection.push(Notice(room=slug, notes=notes, ref=ref))
        return verdict.text, verdict

    def after_stored(
        self, membership: Membership, verdict: Verdict | None, *, seq: int, author_key: bytes
    ) -> None:
        """A screened message is committed: alert the moderators of a crisis signal."""
        if verdict is None or verdict.crisis is None:
            return
        room_id = membership.room.id
        # For the statistics: the organisation, the hour and the category, nothing else
        # (no room: a one-to-one conversation's room would point at a visitor).
        organisation_id = self.server.room_orgs.get(room_id)
        if organisation_id is not None:
            self.server.tally.count(
                Kind.CRISIS_ALERT,
                organisation_id=organisation_id,
                at=self.server.clock.now(),
                label=verdict.crisis.category,
            )
        self.record_alert(room_id, verdict, nick=membership.nick, seq=seq, held_id=None)
        self.to_moderators(
            room_id,
            Alert(
                room=membership.room.slug,
                category=verdict.crisis.category,
                source=verdict.crisis.source,
                nick=membership.nick,
                author=self.server.fanout.author_id(room_id, author_key),
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
                    self.server.db,
                    room_id=room_id,
                    seq=seq,
                    held_id=held_id,
                    category=crisis.category,
                    source=crisis.source,
                    nick=nick,
                    now=self.server.clock.now(),
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
        """Help for the writer of a message with a crisis signal of ``categories``:
        the numbers in the order of :func:`crisis_help.help_numbers`, and the note."""
        categories = list(categories)
        note = crisis_help.note_for(categories)
        return CrisisHelp(
            room=slug,
            told=told,
            categories=categories,
            note=gettext(locale, note) if note else "",
            numbers=[
                CrisisNumber(
                    number=str(row.get("number", "")),
                    name=accounts_logic.localised(row.get("name", {}), locale),
                    description=accounts_logic.localised(row.get("description", {}), locale),
                )
                for row in crisis_help.help_numbers(entry.crisis, categories)
            ],
        )

    # ------------------------------------------------------------ delivery

    def to_moderators(self, room_id: int, frame: ServerFrame) -> None:
        self._publish(room_id, "mods", "", frame)

    def to_room(self, room_id: int, frame: ServerFrame) -> None:
        self._publish(room_id, "all", "", frame)

    def to_author(self, room_id: int, author_key: bytes, frame: ServerFrame) -> None:
        self._publish(room_id, "author", author_key.hex(), frame)

    def to_pseudonym(self, room_id: int, author_id: str, frame: ServerFrame) -> None:
        """To whoever appears in the room as ``author_id`` (the ``from.id`` of frames)."""
        self._publish(room_id, "pseudonym", author_id, frame)

    def restrict(
        self,
        room_id: int,
        author_key: bytes,
        restriction: ActiveRestriction | None,
        organisation_id: int,
    ) -> None:
        """Apply a new restriction (None: lifted) to the author's sockets everywhere."""
        payload = b"lift"
        if restriction is not None:
            payload = msgspec.json.encode(
                [restriction.kind, restriction.expires_at.isoformat(), restriction.id]
            )
        self._deliver(room_id, "restrict", f"{author_key.hex()} {organisation_id}", payload)
        node = self.server.fanout.node
        self.server.fanout.broker.publish(
            self.channel,
            f"{node} {room_id} restrict {author_key.hex()} {organisation_id}".encode()
            + b"\n"
            + payload,
        )

    def ban_key_recorded(self, organisation_id: int) -> None:
        """A restriction of the organisation now also names a network's digest: every
        process reads the organisation's restrictions again (joins match that list)."""
        self.restrictions_changed(organisation_id)
        node = self.server.fanout.node
        self.server.fanout.broker.publish(
            self.channel, f"{node} 0 restrictions {organisation_id}".encode() + b"\n"
        )

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.server._spawn(work)

    def _publish(self, room_id: int, kind: str, arg: str, frame: ServerFrame) -> None:
        payload = encode(frame)
        self._deliver(room_id, kind, arg, payload)
        node = self.server.fanout.node
        self.server.fanout.broker.publish(
            self.channel, f"{node} {room_id} {kind} {arg}".encode() + b"\n" + payload
        )

    def on_message(self, data: bytes) -> None:
        """A line from the moderation channel (another process's event)."""
        try:
            header, _, payload = data.partition(b"\n")
            node, room, kind, arg = header.decode().split(" ", 3)
            if node == self.server.fanout.node:
                return
            room_id = int(room)
            if kind == "words":
                self.forget_organisation(int(arg))
                return
            if kind == "restrictions":
                self.restrictions_changed(int(arg))
                return
            if kind == "duty":
                self.spawn(self.settle_all(room_id=room_id, user_id=int(arg)))
                return
            if kind == "who":
                self._answer_members(room_id, arg)
                return
            if kind == "members":
                self._got_members(node, arg, payload)
                return
            if kind == "all":
                self.forget(room_id)
            self._deliver(room_id, kind, arg, payload)
        except (ValueError, UnicodeDecodeError, msgspec.ValidationError):
            log.warning(
                "moderation.bad_channel_message", extra={"event": "moderation.bad_channel_message"}
            )

    def _deliver(self, room_id: int, kind: str, arg: str, payload: bytes) -> None:
        if kind == "restrict":
            self._deliver_restriction(room_id, arg, payload)
            return
        slug = self.server.slugs.get(room_id)
        if slug is None:
            return
        match: Callable[[Connection, Membership], bool]
        if kind == "pseudonym":
            author_id = self.server.fanout.author_id

            def match(c: Connection, m: Membership) -> bool:
                key = c.identity.author_key if c.identity is not None else None
                return key is not None and author_id(room_id, key) == arg

        elif kind == "mods":
            match = lambda c, m: m.moderation.moderator  # noqa: E731
        elif kind == "author":
            key = bytes.fromhex(arg)
            match = lambda c, m: c.identity is not None and c.identity.author_key == key  # noqa: E731
        else:
            match = lambda c, m: True  # noqa: E731
        frame = OutFrame(payload)
        for connection in list(self.server.connections):
            membership = connection.rooms.get(slug)
            if membership is not None and match(connection, membership):
                connection.sink.push(frame)

    def _deliver_restriction(self, room_id: int, arg: str, payload: bytes) -> None:
        from kuulolla.moderation.commands import apply_restriction

        author_hex, organisation = arg.split(" ", 1)
        key = bytes.fromhex(author_hex)
        self.restrictions_changed(int(organisation))
        restriction = None
        if payload != b"lift":
            kind, expires, restriction_id = msgspec.json.decode(payload)
            restriction = ActiveRestriction(
                actions.check_kind(kind),
                datetime.fromisoformat(expires),
                None if kind == "ban" else room_id,
                int(restriction_id),
            )
        for connection in list(self.server.connections):
            identity = connection.identity
            if identity is not None and identity.author_key == key and connection.rooms:
                apply_restriction(
                    self,
                    connection,
                    restriction,
                    organisation_id=int(organisation),
                    room_id=room_id,
                )


def format_time(ts: datetime, locale: str) -> str:
    """A restriction's end as the visitor reads it: Helsinki date and time in the
    reader's language (core.i18n.datetime_text)."""
    return datetime_text(ts, locale)
