"""The chat server of one process: committer, fan-out and room lookups, owned by the
application's lifespan and shared by every connection.

It also closes staff sockets whose session has ended. Ending a session (sign-out,
deactivation, password change, "end all sessions") is published on the control
channel ``<prefix>:control`` so every process closes that person's sockets at once;
pub/sub may lose a message, so each process also re-checks its staff sockets'
sessions against the database every ``session_check_interval`` seconds.

Control channel lines::

    end-user <node> <user id>          close every socket of the person (4001)
    end-sessions <node> <id>,<id>,…    close the sockets of these sessions (4001)
    changed <node> <user id>           the person's roles changed: reconnect (4002)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any

from kuulolla.accounts.service import StaffNames
from kuulolla.accounts.sessions import do_check_sessions
from kuulolla.chat.fanout import Fanout, iso
from kuulolla.chat.history import HistoryReads
from kuulolla.chat.limits import ChatLimits
from kuulolla.chat.protocol import CLOSE_ACCOUNT_CHANGED, CLOSE_SESSION_ENDED, RoomStateFrame
from kuulolla.chat.sockets import OutFrame
from kuulolla.chat.store import Committer, Stored, read_stream_state
from kuulolla.chat.writers import Draft
from kuulolla.core.bankey import BanKeys
from kuulolla.core.broker import Broker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.events import Kind, Tally
from kuulolla.core.limits import Limiter
from kuulolla.core.settings import Settings
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled
from kuulolla.moderation.live import LiveModeration
from kuulolla.moderation.nicknames import check_visitor_nick, staff_shapes
from kuulolla.moderation.ports import Seat, Socket
from kuulolla.rooms.nicks import NickClaims
from kuulolla.rooms.service import MemberTouches, RoomCache, get_room
from kuulolla.shifts.rooms import RoomStates

if TYPE_CHECKING:
    from kuulolla.chat.endpoint import Connection
    from kuulolla.rooms.service import RoomInfo
    from kuulolla.shifts.duty import RoomState

log = logging.getLogger(__name__)


class ChatServer:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        broker: Broker,
        clock: Clock,
        bankeys: BanKeys,
        limiter: Limiter,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        # Owned by the application's lifespan, shared with its HTTP routes.
        self.bankeys = bankeys
        self.limiter = limiter
        self.limits = ChatLimits(settings=settings, limiter=limiter, bankeys=bankeys, clock=clock)
        self.rooms = RoomCache(db, ttl=settings.room_cache_seconds)
        self.staff_names = StaffNames(db, fold=staff_shapes)
        # Joins' member rows in grouped commits, and their history one read per room
        # per burst (a reconnect storm after a deploy).
        self.members = MemberTouches(db, clock)
        self.history = HistoryReads(db, hold_connections=2)
        # Visitors' nicknames held in group rooms (no two alike among those present).
        # A claim writes the claimant's member row with it (one commit per join).
        self.nicks = NickClaims(db, clock, members=self.members, hold_connection=True)
        # Rooms opened and closed by their roster (shifts/rooms.py).
        self.room_states = RoomStates(db, clock)
        self.fanout = Fanout(
            db=db,
            broker=broker,
            clock=clock,
            secret=settings.secret_key,
            gap_wait=settings.gap_wait,
            poll_interval=settings.poll_interval,
            prefix=settings.broker_prefix,
        )
        self.fanout.on_other = self._on_control
        self.control_channel = f"{settings.broker_prefix}:control"
        # Slugs of rooms this process has seen, for framing committed messages.
        self.slugs: dict[int, str] = {}
        # Organisations of the group rooms joined here: messages in them are counted
        # for reports (private conversations never enter this map).
        self.room_orgs: dict[int, int] = {}
        self.tally = Tally()
        self.committer = Committer(
            db, clock=clock, on_committed=self._committed, max_batch=settings.commit_max_batch
        )
        self.connections: set[Connection] = set()
        # Moderation sees this server only through the ports it implements
        # (moderation/ports.py: RoomSockets, Spawner, Publisher, Committer).
        self.moderation = LiveModeration(
            db=db,
            clock=clock,
            settings=settings,
            tally=self.tally,
            sockets=self,
            spawner=self,
            publisher=self,
            committer=self,
        )
        self.fanout.on_reconnected = self.moderation.forget_all
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.moderation.warm()
        # The nickname rules' tables (confusable characters, helper titles) are built
        # now, not while the first visitors of a reconnect storm wait.
        check_visitor_nick("Vieras", staff=frozenset())
        await self.warm()
        await self.fanout.start()
        await self.fanout.broker.subscribe(self.control_channel)
        await self.fanout.broker.subscribe(self.moderation.channel)
        self.committer.start()
        self._tasks = [
            asyncio.create_task(self._session_loop(), name="staff-session-check"),
            asyncio.create_task(self.tally.run(self.db), name="report-tally"),
            asyncio.create_task(
                self.room_states.watch(lambda: list(self.fanout.hubs), self._tell_room_state),
                name="room-states",
            ),
            asyncio.create_task(self.moderation.watch_duty(), name="moderator-duty"),
            asyncio.create_task(self.nicks.run(), name="nick-claims"),
        ]

    async def warm(self) -> None:
        """Make now what the first joins would otherwise wait for, one after another,
        while a deploy's reconnect storm arrives at a process just started: the
        history's and the nickname claims' kept connections and statements, the
        limiter's link to Redis, the day's network keys and the staff's names.
        Nothing here is needed to start: what fails is made later, when first used,
        as without this."""
        steps = (
            self.history.warm(),
            self.nicks.warm(),
            self.limiter.open(),
            self.bankeys.warm(now=self.clock.now()),
            self.staff_names.keys(now=self.clock.monotonic()),
            self._warm_join_reads(),
        )
        for outcome in await asyncio.gather(*steps, return_exceptions=True):
            if isinstance(outcome, Exception):
                log.warning(
                    "chat.warm_failed: %s",
                    type(outcome).__name__,
                    extra={"event": "chat.warm_failed"},
                )

    async def _warm_join_reads(self) -> None:
        """A room's first join in a process reads the room, its roster, its moderation
        settings, the organisation's restrictions and the room's position, each through
        SQLAlchemy, whose first use of a statement in a process builds and compiles it
        (about a tenth of a just-started process's CPU for its first 1,000 joins, all of
        it in the first joins). Each is read once here for room and organisation 0, which
        never exist; what is kept of them (nothing, or a default) is never asked for."""
        await get_room(self.db, slug="")
        await read_stream_state(self.db, [0])
        await self.room_states.get(0)
        await self.moderation.room_entry(0, 0)
        await self.moderation.policies.restrictions(0)

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        await self.committer.stop()
        await self.nicks.close()
        await self.history.close()
        await self.fanout.close()
        try:
            await self.tally.flush(self.db)
        except Exception:
            log.warning("reports.flush_failed", extra={"event": "reports.flush_failed"})

    def _tell_room_state(self, room_id: int, state: RoomState) -> None:
        """Tell this process's sockets in the room that it closes soon or has closed."""
        hub = self.fanout.hubs.get(room_id)
        if hub is None:
            return
        frame = OutFrame.of(
            RoomStateFrame(
                room=hub.room.slug,
                state="closing" if state.open else "closed",
                closes_at=iso(state.closes_at) if state.open and state.closes_at else None,
                next_opening=iso(state.next_opening) if state.next_opening else None,
            )
        )
        for sink in list(hub.live) + list(hub.floored):
            sink.push(frame)

    def _committed(self, stored: list[Stored]) -> None:
        self.fanout.committed(self.slugs, stored)
        orgs = self.room_orgs
        for message in stored:
            org = orgs.get(message.room_id)
            if org is not None and not message.duplicate:
                self.tally.count(
                    Kind.ROOM_MESSAGES,
                    organisation_id=org,
                    room_id=message.room_id,
                    at=message.created_at,
                    label="visitor" if message.role == "visitor" else "staff",
                )

    # ------------------------------------------------------------ staff sessions
    # (accounts.service.SessionEvents)

    def sessions_ended(
        self, *, user_id: int | None = None, session_ids: Iterable[int] = ()
    ) -> None:
        """Close the sockets of ``session_ids``, or of every session of ``user_id``, here
        and in every other process."""
        ids = sorted(set(session_ids))
        node = self.fanout.node
        if user_id is not None:
            self._close_where(lambda c: c.user_id == user_id, CLOSE_SESSION_ENDED)
            self._publish(f"end-user {node} {user_id}")
        if ids:
            wanted = set(ids)
            self._close_where(lambda c: c.session_id in wanted, CLOSE_SESSION_ENDED)
            self._publish(f"end-sessions {node} {','.join(map(str, ids))}")

    def account_changed(self, *, user_id: int) -> None:
        """The person's roles changed: their sockets reconnect and get the new ones."""
        self.staff_names.forget()
        self._close_where(lambda c: c.user_id == user_id, CLOSE_ACCOUNT_CHANGED)
        self._publish(f"changed {self.fanout.node} {user_id}")

    def duty_changed(self, *, room_id: int, user_id: int) -> None:
        """A check-in or -out of the room's shift (shifts.checkins.DutyEvents): whether the
        room is open changes (this process's cache is dropped) and whether the person
        moderates it; their open sockets in the room hear it at once, in every process
        (moderation/live.py)."""
        self.room_states.forget(room_id)
        self.moderation.duty_changed(room_id=room_id, user_id=user_id)

    def _publish(self, line: str) -> None:
        self.publish(self.control_channel, line.encode())

    # ------------------------------------------------------------ moderation's ports
    # (moderation/ports.py)

    @property
    def node(self) -> str:
        return self.fanout.node

    def slug_of(self, room_id: int) -> str | None:
        return self.slugs.get(room_id)

    def sockets(self) -> Iterable[Connection]:
        return self.connections

    def deliver(self, slug: str, match: Callable[[Socket, Seat], bool], payload: bytes) -> None:
        frame = OutFrame(payload)
        for connection in list(self.connections):
            membership = connection.rooms.get(slug)
            if membership is not None and match(connection, membership):
                connection.sink.push(frame)

    def author_id(self, room_id: int, author_key: bytes | None) -> str | None:
        return self.fanout.author_id(room_id, author_key)

    def counted_organisation(self, room_id: int) -> int | None:
        return self.room_orgs.get(room_id)

    def deliver_stored(self, stored: Stored) -> None:
        self.fanout.committed(self.slugs, [stored])

    async def room(self, slug: str) -> RoomInfo | None:
        return await self.rooms.get(slug, now=self.clock.monotonic())

    def publish(self, channel: str, data: bytes) -> None:
        self.fanout.broker.publish(channel, data)

    async def commit_approved(
        self,
        *,
        room_id: int,
        author_key: bytes,
        nick: str,
        role: str,
        text: str,
        ref_key: bytes,
    ) -> int:
        stored = await self.committer.submit(
            Draft(
                room_id=room_id,
                author_key=author_key,
                nick=nick,
                role=role,
                text=text,
                ref_key=ref_key,
            )
        )
        return stored.seq

    def _on_control(self, channel: str, data: bytes) -> None:
        if channel == self.moderation.channel:
            self.moderation.on_message(data)
            return
        if channel != self.control_channel:
            return
        try:
            kind, node, arg = data.decode().split(" ", 2)
            if node == self.fanout.node:
                return
            if kind == "end-user":
                user_id = int(arg)
                self._close_where(lambda c: c.user_id == user_id, CLOSE_SESSION_ENDED)
            elif kind == "end-sessions":
                wanted = {int(part) for part in arg.split(",") if part}
                self._close_where(lambda c: c.session_id in wanted, CLOSE_SESSION_ENDED)
            elif kind == "changed":
                changed = int(arg)
                self.staff_names.forget()
                self._close_where(lambda c: c.user_id == changed, CLOSE_ACCOUNT_CHANGED)
        except (ValueError, UnicodeDecodeError):
            log.warning("chat.bad_control_message", extra={"event": "chat.bad_control_message"})

    def _close_where(self, match: Any, code: int) -> None:
        for connection in list(self.connections):
            if connection.user_id is not None and match(connection):
                self.spawn(connection.close_from_server(code))

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` in the background, kept until it ends (moderation/ports.py)."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def check_sessions(self) -> int:
        """Close staff sockets whose session has ended (a lost control message, an
        expiry); keep the others' sessions alive. Returns how many were closed."""
        staff = [c for c in self.connections if c.session_id is not None]
        if not staff:
            return 0
        valid = await do_check_sessions(
            self.db,
            session_ids={c.session_id for c in staff if c.session_id is not None},
            now=self.clock.now(),
            settings=self.settings,
        )
        closed = 0
        for connection in staff:
            if connection.session_id not in valid:
                closed += 1
                self.spawn(connection.close_from_server(CLOSE_SESSION_ENDED))
        return closed

    async def _session_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.session_check_interval)
            try:
                await self.check_sessions()
            except asyncio.CancelledError:
                raise
            except Exception:
                raise_if_cancelled()
                log.warning(
                    "chat.session_check_failed", extra={"event": "chat.session_check_failed"}
                )
