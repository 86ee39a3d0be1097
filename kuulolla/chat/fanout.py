"""Fan-out inside one process, and between processes through the broker.

Per active room a process holds one :class:`Hub`: one broker subscription, one
:class:`~kuulolla.chat.logic.Sequencer` and the room's local sockets. A committed
message is delivered to the local hub straight from the committer and published once
to the room's channel; other processes' hubs receive it there. Every hub delivers
strictly in sequence order: an early message waits ``gap_wait`` for the missing ones
and then the gap is read from the database. A periodic check of each active room's
last sequence (faster while the broker is down) and a full check after every broker
reconnect fill gaps that no later message would reveal.

Channel payloads (one line of header, then the encoded frame)::

    m <node> <seq>\\n<message frame JSON>
    p <node> <count> <hosts>

``node`` identifies the publishing process, so a process skips its own messages
without decoding them. ``hosts`` is how many of the process's sockets in the room
belong to a host: a moderator of the room, or the helper of a one-to-one
conversation (chat/endpoint.py marks them with :meth:`Fanout.set_host`); visitors
see whether one is present, never who.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from kuulolla.chat import store
from kuulolla.chat.logic import Sequencer
from kuulolla.chat.models import KIND_REDACTION, KIND_REFERRAL
from kuulolla.chat.protocol import (
    Author,
    MessageFrame,
    Presence,
    Redact,
    ReferralCard,
    ReferralFrame,
)
from kuulolla.chat.sockets import OutFrame, Sink
from kuulolla.core import metrics
from kuulolla.core.broker import Broker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.ids import keyed, short_id
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled

log = logging.getLogger(__name__)

# A room's sockets hear its count once it has been still for PRESENCE_DEBOUNCE, at
# the latest PRESENCE_MAX_WAIT (plus PRESENCE_DEBOUNCE_PER_SOCKET per local socket)
# after the first change not yet told: a room that fills (a reconnect storm, the
# evening's first minutes) changes its count with every join, and each push goes to
# every socket of the room here (while 1,000 clients joined two processes, presence
# frames were about a tenth of their CPU, more than the `joined` frames).
PRESENCE_DEBOUNCE = 0.3
PRESENCE_MAX_WAIT = 1.0
# And never sooner after the previous push than PRESENCE_DEBOUNCE plus 2 ms per local
# socket (0.5 s at 100, 2.3 s at 1,000): while 10,000 clients join one process,
# pushes every 0.3 s to rooms of 1,000 were most of its CPU.
PRESENCE_DEBOUNCE_PER_SOCKET = 0.002
PRESENCE_HEARTBEAT = 10.0
PRESENCE_EXPIRY = 30.0
HUB_LINGER = 30.0


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class RoomRef:
    id: int
    slug: str


class Metrics:
    """Counters the fan-out keeps; exported by web/metrics when enabled."""

    __slots__ = ("deliveries", "gap_fills", "gaps_filled", "messages_published", "overflows")

    def __init__(self) -> None:
        self.deliveries = 0
        self.gap_fills = 0
        self.gaps_filled = 0
        self.overflows = 0
        self.messages_published = 0


class Hub:
    """One room in one process."""

    __slots__ = (
        "_fill_handle",
        "_filling",
        "_presence_handle",
        "floored",
        "hosts",
        "joining",
        "linger",
        "live",
        "local_published",
        "presence_changed",
        "presence_first",
        "presence_pushed",
        "presence_sent",
        "remote",
        "room",
        "sequencer",
    )

    def __init__(self, room: RoomRef, next_seq: int) -> None:
        self.room = room
        self.sequencer: Sequencer[OutFrame] = Sequencer(next_seq)
        self.live: dict[Sink, None] = {}
        self.floored: dict[Sink, int] = {}
        self.joining: dict[Sink, list[OutFrame]] = {}
        self.hosts: dict[Sink, None] = {}
        # Other processes' counts: node -> (people, hosts, expiry).
        self.remote: dict[str, tuple[int, int, float]] = {}
        self.presence_sent: tuple[int, bool] = (-1, False)
        self.local_published: tuple[int, int] = (-1, -1)
        self.linger: asyncio.TimerHandle | None = None
        self._fill_handle: asyncio.TimerHandle | None = None
        self._filling = False
        self._presence_handle: asyncio.TimerHandle | None = None
        # Event-loop times (Fanout._presence_due): the last change, the first change not
        # yet told, the last push to the sockets.
        self.presence_changed = 0.0
        self.presence_first = 0.0
        self.presence_pushed = -math.inf

    @property
    def local_count(self) -> int:
        return len(self.live) + len(self.floored) + len(self.joining)

    def total_count(self, now: float) -> int:
        return self.local_count + sum(c for c, _h, exp in self.remote.values() if exp > now)

    def host_present(self, now: float) -> bool:
        return bool(self.hosts) or any(h > 0 for _c, h, exp in self.remote.values() if exp > now)

    def deliver(self, frames: list[OutFrame]) -> int:
        """Push ``frames`` (in order) to every local socket; returns deliveries made."""
        live = self.live
        n = 0
        for frame in frames:
            for sink in live:
                sink.push(frame)
            n += len(live)
            if self.floored:
                seq = frame.seq
                for sink, floor in list(self.floored.items()):
                    if seq > floor:
                        sink.push(frame)
                        n += 1
                    if seq >= floor:
                        del self.floored[sink]
                        live[sink] = None
            if self.joining:
                for buffer in self.joining.values():
                    buffer.append(frame)
        return n


class Fanout:
    def __init__(
        self,
        *,
        db: Database,
        broker: Broker,
        clock: Clock,
        secret: str,
        gap_wait: float = 0.05,
        poll_interval: float = 5.0,
        prefix: str = "kuulolla",
    ) -> None:
        self.db = db
        self._prefix = f"{prefix}:room:"
        self.broker = broker
        self.clock = clock
        self.node = secrets.token_hex(4)
        self._node_bytes = self.node.encode()
        self._secret = secret
        self.gap_wait = gap_wait
        self.poll_interval = poll_interval
        self.hubs: dict[int, Hub] = {}
        self._starting: dict[int, asyncio.Future[Hub]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()
        self._author_ids: dict[tuple[int, bytes], str] = {}
        self.metrics = Metrics()
        self.on_other: Callable[[str, bytes], None] = lambda channel, data: None
        # Called after every (re)subscription, before the rooms are checked: what other
        # processes announced while the link was down never arrived.
        self.on_reconnected: Callable[[], None] = lambda: None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        await self.broker.start(self._on_broker_message, self._on_broker_reconnect)
        self._tasks = [
            asyncio.create_task(self._poll_loop(), name="fanout-poll"),
            asyncio.create_task(self._presence_loop(), name="fanout-presence"),
        ]

    async def close(self) -> None:
        await cancel_and_wait(self._tasks)
        for hub in self.hubs.values():
            for handle in (hub.linger, hub._fill_handle, hub._presence_handle):
                if handle is not None:
                    handle.cancel()

    # ------------------------------------------------------------ frames

    def channel_for(self, room_id: int) -> str:
        return f"{self._prefix}{room_id}"

    def author_id(self, room_id: int, author_key: bytes | None) -> str | None:
        """A per-room pseudonym for an author: stable in a room, unlinkable across rooms."""
        if author_key is None:
            return None
        cache_key = (room_id, author_key)
        found = self._author_ids.get(cache_key)
        if found is None:
            if len(self._author_ids) > 100_000:
                self._author_ids.clear()
            found = short_id(keyed(self._secret, "author", str(room_id), author_key))
            self._author_ids[cache_key] = found
        return found

    def message_frame(self, slug: str, s: store.Stored) -> MessageFrame | Redact | ReferralFrame:
        if s.kind == KIND_REDACTION:
            return Redact(room=slug, seq=s.target or 0, at=s.seq)
        if s.kind == KIND_REFERRAL:
            return ReferralFrame(
                room=slug,
                seq=s.seq,
                ts=iso(s.created_at),
                from_=Author(nick=s.nick, role=s.role, id=self.author_id(s.room_id, s.author_key)),
                card=msgspec.json.decode((s.text or "{}").encode(), type=ReferralCard),
            )
        return MessageFrame(
            room=slug,
            seq=s.seq,
            ts=iso(s.created_at),
            from_=Author(nick=s.nick, role=s.role, id=self.author_id(s.room_id, s.author_key)),
            text=s.text or "",
        )

    def out_frame(self, slug: str, s: store.Stored) -> OutFrame:
        return OutFrame.of(self.message_frame(slug, s), s.seq, s.created_at.timestamp())

    # ------------------------------------------------------------ joining

    async def attach(self, room: RoomRef, sink: Sink) -> Hub:
        """Register ``sink`` in ``room`` as joining: frames are buffered for it until
        :meth:`activate`. Call before reading the history it will be sent."""
        hub = await self._hub(room)
        if hub.linger is not None:
            hub.linger.cancel()
            hub.linger = None
        hub.joining[sink] = []
        self._presence_changed(hub)
        return hub

    def activate(self, hub: Hub, sink: Sink, floor: int) -> None:
        """Start live delivery to ``sink``, which has been sent everything up to ``floor``."""
        buffered = hub.joining.pop(sink, None)
        if buffered is None:
            return
        for frame in buffered:
            if frame.seq > floor:
                sink.push(frame)
        if hub.sequencer.next_seq - 1 >= floor:
            hub.live[sink] = None
        else:
            hub.floored[sink] = floor

    def detach(self, hub: Hub, sink: Sink) -> None:
        hub.live.pop(sink, None)
        hub.floored.pop(sink, None)
        hub.joining.pop(sink, None)
        hub.hosts.pop(sink, None)
        self._presence_changed(hub)
        if hub.local_count == 0 and hub.linger is None:
            hub.linger = asyncio.get_running_loop().call_later(
                HUB_LINGER, lambda: self._spawn(self._retire(hub))
            )

    def delivered(self, hub: Hub) -> int:
        """The last sequence ``hub`` has delivered, in order, to its sockets (and to those
        attached since, from then on)."""
        return hub.sequencer.next_seq - 1

    def presence(self, hub: Hub) -> int:
        return hub.total_count(self.clock.monotonic())

    def host_present(self, hub: Hub) -> bool:
        """Whether a host is in the room now, on this process or another."""
        return hub.host_present(self.clock.monotonic())

    def set_host(self, hub: Hub, sink: Sink, host: bool) -> None:
        """Mark ``sink`` (attached to ``hub``) as a host's, or no longer; everyone in
        the room hears of a change in the next presence frame."""
        if host == (sink in hub.hosts):
            return
        if host:
            hub.hosts[sink] = None
        else:
            del hub.hosts[sink]
        self._presence_changed(hub)

    async def _hub(self, room: RoomRef) -> Hub:
        hub = self.hubs.get(room.id)
        if hub is not None:
            return hub
        starting = self._starting.get(room.id)
        if starting is not None:
            return await asyncio.shield(starting)
        future: asyncio.Future[Hub] = asyncio.get_running_loop().create_future()
        self._starting[room.id] = future
        try:
            # Subscribe first, then read the position: anything committed in between
            # is either below the position (and in the joiner's history) or arrives.
            await self.broker.subscribe(self.channel_for(room.id))
            state = await store.read_stream_state(self.db, [room.id])
            last = state.get(room.id, (0, 0))[0]
            hub = Hub(room, last + 1)
            self.hubs[room.id] = hub
            future.set_result(hub)
            return hub
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it through their await
            await self.broker.unsubscribe(self.channel_for(room.id))
            raise
        finally:
            del self._starting[room.id]

    async def _retire(self, hub: Hub) -> None:
        hub.linger = None
        if hub.local_count or self.hubs.get(hub.room.id) is not hub:
            return
        del self.hubs[hub.room.id]
        for handle in (hub._fill_handle, hub._presence_handle):
            if handle is not None:
                handle.cancel()
        self.broker.publish(self.channel_for(hub.room.id), b"p %s 0 0" % self._node_bytes)
        await self.broker.unsubscribe(self.channel_for(hub.room.id))

    # ------------------------------------------------------------ messages

    def committed(self, rooms: dict[int, str], stored: list[store.Stored]) -> None:
        """Deliver freshly committed messages locally and publish them. ``rooms`` maps
        room ids to slugs."""
        node = self._node_bytes
        publish = self.broker.publish
        for s in stored:
            frame = self.out_frame(rooms[s.room_id], s)
            publish(
                self.channel_for(s.room_id),
                b"m %s %d %d\n%s" % (node, s.seq, int(frame.ts * 1000), frame.payload),
            )
            self.metrics.messages_published += 1
            hub = self.hubs.get(s.room_id)
            if hub is not None:
                self._offer(hub, s.seq, frame)

    def _on_broker_message(self, channel: str, data: bytes) -> None:
        if not channel.startswith(self._prefix):
            # Not a room: the control channel and any others (accounts' revocations).
            self.on_other(channel, data)
            return
        header, _, payload = data.partition(b"\n")
        parts = header.split(b" ")
        if len(parts) < 3 or parts[1] == self._node_bytes:
            return
        try:
            room_id = int(channel.rsplit(":", 1)[1])
            hub = self.hubs.get(room_id)
            if hub is None:
                return
            if parts[0] == b"m":
                seq = int(parts[2])
                self._offer(hub, seq, OutFrame(payload, seq, int(parts[3]) / 1000))
            elif parts[0] == b"p":
                hub.remote[parts[1].decode()] = (
                    int(parts[2]),
                    int(parts[3]) if len(parts) > 3 else 0,
                    self.clock.monotonic() + PRESENCE_EXPIRY,
                )
                self._schedule_presence_push(hub)
        except (ValueError, IndexError):
            log.warning("fanout.bad_broker_message", extra={"event": "fanout.bad_broker_message"})

    def _offer(self, hub: Hub, seq: int, frame: OutFrame) -> None:
        ready = hub.sequencer.offer(seq, frame)
        if ready:
            self._deliver(hub, ready)
        if hub.sequencer.held and hub._fill_handle is None and not hub._filling:
            delay = 0.0 if hub.sequencer.overfull else self.gap_wait
            hub._fill_handle = asyncio.get_running_loop().call_later(
                delay, self._start_fill, hub, None
            )

    def _deliver(self, hub: Hub, frames: list[OutFrame]) -> None:
        n = hub.deliver(frames)
        self.metrics.deliveries += n
        metrics.DELIVERIES.inc(n)
        now = time.time()
        for frame in frames:
            metrics.FANOUT_LATENCY.observe(max(0.0, now - frame.ts))

    def _start_fill(self, hub: Hub, through: int | None) -> None:
        hub._fill_handle = None
        if hub._filling or self.hubs.get(hub.room.id) is not hub:
            return
        gap = hub.sequencer.gap()
        if through is None:
            if gap is None:
                return
            through = gap[1]
        if through < hub.sequencer.next_seq:
            return
        hub._filling = True
        self._spawn(self._fill(hub, through))

    async def _fill(self, hub: Hub, through: int) -> None:
        try:
            after = hub.sequencer.next_seq - 1
            rows = await store.read_after(
                self.db, hub.room.id, after, through=through, limit=100_000
            )
            frames = [(s.seq, self.out_frame(hub.room.slug, s)) for s in rows]
            ready = hub.sequencer.fill(frames, through)
            self.metrics.gap_fills += 1
            self.metrics.gaps_filled += len(frames)
            metrics.GAP_FILLS.inc()
            metrics.GAP_MESSAGES.inc(len(frames))
            if ready:
                self._deliver(hub, ready)
        except Exception:
            raise_if_cancelled()
            log.warning(
                "fanout.fill_failed", extra={"event": "fanout.fill_failed", "room_id": hub.room.id}
            )
        finally:
            hub._filling = False
        if hub.sequencer.held and self.hubs.get(hub.room.id) is hub:
            hub._fill_handle = asyncio.get_running_loop().call_later(
                self.gap_wait, self._start_fill, hub, None
            )

    async def check_all(self) -> None:
        """Compare every active room with the database and fill what is missing."""
        if not self.hubs:
            return
        state = await store.read_stream_state(self.db, list(self.hubs))
        for room_id, (last, _purged) in state.items():
            hub = self.hubs.get(room_id)
            if hub is not None and last >= hub.sequencer.next_seq:
                self._start_fill(hub, last)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _on_broker_reconnect(self) -> None:
        """After every (re)subscription: read what the link may have missed, and tell
        the other processes this one's presence counts again."""
        try:
            self.on_reconnected()
        except Exception:
            log.warning(
                "fanout.reconnect_hook_failed",
                exc_info=True,
                extra={"event": "fanout.reconnect_hook_failed"},
            )
        self._spawn(self._safe_check())
        for hub in self.hubs.values():
            self._publish_presence(hub)

    async def _safe_check(self) -> None:
        try:
            await self.check_all()
        except Exception:
            raise_if_cancelled()
            log.warning("fanout.check_failed", extra={"event": "fanout.check_failed"})

    async def _poll_loop(self) -> None:
        while True:
            interval = self.poll_interval if self.broker.connected else min(1.0, self.poll_interval)
            await asyncio.sleep(interval)
            await self._safe_check()

    # ------------------------------------------------------------ presence

    def _presence_changed(self, hub: Hub) -> None:
        self._schedule_presence_push(hub)

    def _schedule_presence_push(self, hub: Hub) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        hub.presence_changed = now
        if hub._presence_handle is None:
            hub.presence_first = now
            hub._presence_handle = loop.call_at(self._presence_due_at(hub), self._presence_due, hub)

    @staticmethod
    def _presence_due_at(hub: Hub) -> float:
        """When the room's sockets are told of its changed count (event-loop time): once
        it has been still for a while, at the latest a while after the first change."""
        per_sockets = PRESENCE_DEBOUNCE_PER_SOCKET * hub.local_count
        still = max(
            hub.presence_changed + PRESENCE_DEBOUNCE,
            hub.presence_pushed + PRESENCE_DEBOUNCE + per_sockets,
        )
        return min(still, hub.presence_first + PRESENCE_MAX_WAIT + per_sockets)

    def _presence_due(self, hub: Hub) -> None:
        """The timer of a change: push now, or wait on while the count keeps changing
        (one timer per room, moved on only when it fires, not per change)."""
        loop = asyncio.get_running_loop()
        due = self._presence_due_at(hub)
        if due > loop.time() + 0.001:
            hub._presence_handle = loop.call_at(due, self._presence_due, hub)
            return
        hub._presence_handle = None
        self._push_presence(hub)

    def _publish_presence(self, hub: Hub) -> None:
        hub.local_published = (hub.local_count, len(hub.hosts))
        self.broker.publish(
            self.channel_for(hub.room.id),
            b"p %s %d %d" % (self._node_bytes, hub.local_count, len(hub.hosts)),
        )

    def _push_presence(self, hub: Hub, heartbeat: bool = False) -> None:
        """Publish this process's counts when they changed (or as a heartbeat) and tell
        local sockets the room's total and whether a host is present when that changed."""
        if heartbeat or (hub.local_count, len(hub.hosts)) != hub.local_published:
            self._publish_presence(hub)
        now = self.clock.monotonic()
        state = (hub.total_count(now), hub.host_present(now))
        if state != hub.presence_sent:
            hub.presence_sent = state
            hub.presence_pushed = asyncio.get_running_loop().time()
            frame = OutFrame.of(Presence(room=hub.room.slug, count=state[0], host=state[1]))
            for sink in list(hub.live) + list(hub.floored):
                sink.push(frame)

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            now = self.clock.monotonic()
            for hub in list(self.hubs.values()):
                hub.remote = {n: v for n, v in hub.remote.items() if v[2] > now}
                self._push_presence(hub, heartbeat=True)
