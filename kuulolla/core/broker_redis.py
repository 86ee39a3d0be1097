"""Redis pub/sub as the broker between server processes (the port is broker.py).

Each process holds one subscription per active channel (never one per socket) on a
single pub/sub connection, and publishes on a second one. Both are
:class:`~kuulolla.core.resp.Link` protocols: a publish is written to the transport
(everything published in one turn of the event loop goes out in one write) and a
received message is parsed and handed on in the protocol's own callback, with no task
woken per message. A slow or absent Redis never blocks a sender: a publish that
cannot be sent is dropped and counted, and the receivers' gap filling and safety
polls catch up.

After a link is lost (Redis restarted, ``CLIENT KILL``, network; a PING unanswered
for ``HEARTBEAT`` seconds counts as lost) it is made again with backoff. The
subscription link then subscribes again to every channel and calls ``on_reconnect``
so subscribers can read what they missed from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import hiredis

from kuulolla.core import resp
from kuulolla.core.broker import MessageHandler, ReconnectHandler
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled

# The broker's one logger name, whichever of its modules logs.
log = logging.getLogger("kuulolla.core.broker")


_PUBLISH = b"*3\r\n$7\r\nPUBLISH\r\n"  # RESP: an array of 3 bulk strings, the first PUBLISH
_SPUBLISH = b"*3\r\n$8\r\nSPUBLISH\r\n"
_PING = resp.command(b"PING")

# Seconds between PINGs on each link; a link with a reply outstanding for longer is
# taken for dead and made again.
HEARTBEAT = 15.0
# A publish is dropped rather than written while this much is waiting in the
# publishing link's buffer (Redis is not reading).
PUBLISH_BUFFER_LIMIT = 8 * 1024 * 1024


class RedisBroker:
    """Redis pub/sub on two protocol-level links that make themselves again.

    ``sharded``: one shard of a Redis Cluster
    (:class:`~kuulolla.core.broker_cluster.RedisClusterBroker`), with
    sharded pub/sub (``SSUBSCRIBE``/``SPUBLISH``, Redis 7): it carries only the
    channels whose slots the shard serves. A channel the shard lets go of (its slot
    moved, a failover) is reported as the event ``moved``."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "kuulolla",
        on_event: Callable[[str], None] | None = None,
        sharded: bool = False,
    ) -> None:
        from redis.asyncio import Redis

        self.url = url
        self.sharded = sharded
        self._publish_command = _SPUBLISH if sharded else _PUBLISH
        self._subscribe_command = b"SSUBSCRIBE" if sharded else b"SUBSCRIBE"
        self._unsubscribe_command = b"SUNSUBSCRIBE" if sharded else b"UNSUBSCRIBE"
        self._kinds = (
            (b"smessage", b"ssubscribe", b"sunsubscribe")
            if sharded
            else (b"message", b"subscribe", b"unsubscribe")
        )
        # Always subscribed, so the link exists (and its loss is noticed) even when no
        # room is active in this process (a shard has no channel of its own).
        self._control: str | None = None if sharded else f"{prefix}:control"
        self.connected = False
        # For ping() (readiness) only.
        self._redis: Any = Redis.from_url(
            url, protocol=2, socket_connect_timeout=2, socket_timeout=2
        )
        self._channels: set[str] = set()
        self._names: dict[bytes, str] = {}
        self._headers: dict[str, bytes] = {}
        self._confirming: dict[str, list[asyncio.Future[None]]] = {}
        self._sub: resp.Link | None = None
        self._pub: resp.Link | None = None
        self._outbox: list[bytes] = []
        self._flush_handle: asyncio.Handle | None = None
        self._pub_outstanding = 0
        self._pub_answered_at = 0.0
        self._sub_pinged = False
        self._tasks: list[asyncio.Task[None]] = []
        self._on_message: MessageHandler | None = None
        self._on_reconnect: ReconnectHandler | None = None
        self._on_event = on_event or (lambda name: None)
        self._ready = asyncio.Event()
        self._pub_ready = asyncio.Event()
        self.dropped = 0

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self._tasks = [
            asyncio.create_task(self._subscriber(), name="broker-subscriber"),
            asyncio.create_task(self._publisher(), name="broker-publisher"),
            asyncio.create_task(self._heartbeat(), name="broker-heartbeat"),
        ]
        # Give a reachable Redis a moment so the first subscriptions and publishes
        # find a link; an unreachable one is not fatal (the links keep trying).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(self._ready.wait(), self._pub_ready.wait()), 2.0)

    async def subscribe(self, channel: str) -> None:
        """Subscribe to ``channel``; with the link up, return once Redis has confirmed
        it (so anything published from then on arrives)."""
        self._channels.add(channel)
        link = self._sub
        if link is None or not self.connected:
            return  # subscribed when the link is made again
        await self._send_subscribe(link, [channel])

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        link = self._sub
        if link is not None and self.connected:
            link.write(resp.command(self._unsubscribe_command, channel.encode()))

    def publish(self, channel: str, data: bytes) -> None:
        link = self._pub
        if link is None or not link.open or link.buffered() > PUBLISH_BUFFER_LIMIT:
            self.dropped += 1
            self._on_event("publish_failed")
            return
        header = self._headers.get(channel)
        if header is None:
            if len(self._headers) > 100_000:
                self._headers.clear()
            name = channel.encode()
            header = self._headers[channel] = self._publish_command + b"$%d\r\n%s\r\n" % (
                len(name),
                name,
            )
        self._outbox.append(header + b"$%d\r\n%s\r\n" % (len(data), data))
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_soon(self._flush)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await cancel_and_wait(self._tasks)
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for link in (self._sub, self._pub):
            if link is not None:
                link.close()
        self._sub = self._pub = None
        await self._redis.aclose()

    # ------------------------------------------------------------ publishing

    def _flush(self) -> None:
        """Write every publish of this loop turn in one call."""
        self._flush_handle = None
        out, self._outbox = self._outbox, []
        link = self._pub
        if link is None or not link.open:
            self.dropped += len(out)
            self._on_event("publish_failed")
            return
        if not self._pub_outstanding:
            self._pub_answered_at = time.monotonic()
        self._pub_outstanding += len(out)
        link.write(out[0] if len(out) == 1 else b"".join(out))

    def _on_publish_reply(self, reply: resp.Reply) -> None:
        self._pub_outstanding = max(0, self._pub_outstanding - 1)
        self._pub_answered_at = time.monotonic()
        if isinstance(reply, hiredis.ReplyError):
            # Redis refused a publish (out of memory, a changed password...): the
            # message is committed; subscribers catch up from the database.
            self.dropped += 1
            self._on_event("publish_failed")
            log.warning("broker.publish_refused", extra={"event": "broker.publish_refused"})

    async def _connect(self, on_reply: resp.ReplyHandler) -> resp.Link:
        """A new link to Redis, tried again with jittered exponential backoff (0.1 s
        doubling to 2 s) until one is made."""
        delay = 0.1
        while True:
            try:
                return await resp.connect(self.url, on_reply)
            except asyncio.CancelledError:
                raise
            except Exception:
                raise_if_cancelled()
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)

    async def _publisher(self) -> None:
        while True:
            link = await self._connect(self._on_publish_reply)
            self._pub_outstanding = 0
            self._pub = link
            self._pub_ready.set()
            try:
                await link.lost
            finally:
                self._pub = None
                link.abort()
            # A Redis that takes connections and drops them at once is not hammered.
            await asyncio.sleep(0.1 * (0.5 + random.random()))

    # ------------------------------------------------------------ subscribing

    async def _send_subscribe(self, link: resp.Link, channels: Iterable[str]) -> None:
        loop = asyncio.get_running_loop()
        waits = []
        names = []
        for channel in channels:
            future: asyncio.Future[None] = loop.create_future()
            self._confirming.setdefault(channel, []).append(future)
            waits.append(future)
            names.append(channel.encode())
        if not names:
            return
        if self.sharded:
            # A sharded subscription names channels of one slot at a time.
            for name in names:
                link.write(resp.command(self._subscribe_command, name))
        else:
            link.write(resp.command(self._subscribe_command, *names))
        _, pending = await asyncio.wait(waits, timeout=2.0)
        if pending or not link.open:
            # The link is failing: its loss makes it again, subscribes to every channel
            # and has the subscribers check the database.
            log.warning("broker.subscribe_failed", extra={"event": "broker.subscribe_failed"})

    def _on_subscription_reply(self, reply: resp.Reply) -> None:
        if type(reply) is list and len(reply) == 3:
            kind = reply[0]
            message_kind, subscribe_kind, unsubscribe_kind = self._kinds
            if kind == message_kind:
                raw = reply[1]
                channel = self._names.get(raw)
                if channel is None:
                    if len(self._names) > 100_000:
                        self._names.clear()
                    channel = self._names[raw] = raw.decode()
                if self._on_message is not None:
                    try:
                        self._on_message(channel, reply[2])
                    except Exception:
                        log.exception(
                            "broker.handler_failed", extra={"event": "broker.handler_failed"}
                        )
                return
            if kind == subscribe_kind:
                for future in self._confirming.pop(reply[1].decode(), ()):
                    if not future.done():
                        future.set_result(None)
                return
            if kind == unsubscribe_kind:
                if self.sharded and reply[1].decode() in self._channels:
                    # Not asked for: the shard no longer serves the channel's slot.
                    self._on_event("moved")
                return
        # A link subscribed to nothing answers PING with +PONG instead of ["pong", ""]
        # (a shard none of whose slots carries a channel): as alive as the other.
        if reply == b"PONG" or (type(reply) is list and reply and reply[0] == b"pong"):
            self._sub_pinged = False
            return
        if isinstance(reply, hiredis.ReplyError):
            # Not authorised, Redis is refusing commands, or (a shard) the slot is
            # served elsewhere now: make the link again.
            log.warning(
                "broker.subscription_refused", extra={"event": "broker.subscription_refused"}
            )
            if self.sharded:
                self._on_event("moved")
            if self._sub is not None:
                self._sub.abort()

    def _fail_confirmations(self) -> None:
        """The link is gone: no confirmation will come; stop the waiting."""
        confirming, self._confirming = self._confirming, {}
        for futures in confirming.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)

    async def _subscriber(self) -> None:
        # Backoff between links that were made but lost before (or while) subscribing.
        delay = 0.1
        while True:
            link = await self._connect(self._on_subscription_reply)
            self._sub = link
            self._sub_pinged = False
            try:
                always = [self._control] if self._control is not None else []
                await self._send_subscribe(link, [*always, *self._channels])
                if not link.open:
                    raise ConnectionError()
                was_connected_before = self._ready.is_set()
                self.connected = True
                self._ready.set()
                delay = 0.1
                if was_connected_before:
                    self._on_event("reconnected")
                    log.info("broker.reconnected", extra={"event": "broker.reconnected"})
                # Always: something may have been published before this subscription.
                if self._on_reconnect is not None:
                    self._on_reconnect()
                await link.lost
            except ConnectionError:
                pass
            finally:
                self._sub = None
                link.abort()
                self._fail_confirmations()
            if self.connected:
                log.warning("broker.disconnected", extra={"event": "broker.disconnected"})
                self._on_event("disconnected")
            self.connected = False
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)

    # ------------------------------------------------------------ both

    async def _heartbeat(self) -> None:
        """PING both links; one whose last PING (or publish) went unanswered for a
        whole interval is dropped, which makes it again."""
        while True:
            await asyncio.sleep(HEARTBEAT)
            sub = self._sub
            if sub is not None and self.connected:
                if self._sub_pinged:
                    log.warning("broker.link_silent", extra={"event": "broker.link_silent"})
                    sub.abort()
                else:
                    self._sub_pinged = True
                    sub.write(_PING)
            pub = self._pub
            if pub is not None and pub.open:
                if self._pub_outstanding and time.monotonic() - self._pub_answered_at > HEARTBEAT:
                    log.warning("broker.link_silent", extra={"event": "broker.link_silent"})
                    pub.abort()
                else:
                    if not self._pub_outstanding:
                        self._pub_answered_at = time.monotonic()
                    self._pub_outstanding += 1
                    pub.write(_PING)
