"""Message broker between server processes: Redis pub/sub, or in-process.

The broker only carries messages; it is allowed to lose them. The database is the
system of record and every subscriber fills gaps from it (chat/fanout.py).

Each process holds one subscription per active channel (never one per socket) on a
single pub/sub connection. Publishes are queued and sent in pipelined batches by one
task, so a slow or absent Redis never blocks a sender: a publish that cannot be sent
is dropped and counted, and the receivers' gap filling and safety polls catch up.

After the subscription link is lost (Redis restarted, ``CLIENT KILL TYPE pubsub``,
network) the reader reconnects with backoff, subscribes again to every channel and
calls ``on_reconnect`` so subscribers can read what they missed from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

MessageHandler = Callable[[str, bytes], None]
ReconnectHandler = Callable[[], None]


_PUBLISH = b"*3\r\n$7\r\nPUBLISH\r\n"  # RESP: an array of 3 bulk strings, the first PUBLISH


class Broker(Protocol):
    connected: bool

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None: ...

    async def subscribe(self, channel: str) -> None: ...

    async def unsubscribe(self, channel: str) -> None: ...

    def publish(self, channel: str, data: bytes) -> None: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    """In-process broker: the embedded default for a single server process.

    Several app instances in one event loop may share one MemoryBroker (tests use this
    to stand in for several processes).
    """

    def __init__(self) -> None:
        self.connected = True
        self._subscribers: dict[str, set[MessageHandler]] = {}
        self._handlers: list[MessageHandler] = []
        self.published = 0

    def attach(self) -> MemoryBrokerClient:
        return MemoryBrokerClient(self)

    def _deliver(self, channel: str, data: bytes) -> None:
        self.published += 1
        for handler in list(self._subscribers.get(channel, ())):
            handler(channel, data)


class MemoryBrokerClient:
    """One process's view of a :class:`MemoryBroker`."""

    def __init__(self, hub: MemoryBroker | None = None) -> None:
        self._hub = hub or MemoryBroker()
        self._on_message: MessageHandler | None = None
        self.connected = True

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message = on_message

    async def subscribe(self, channel: str) -> None:
        if self._on_message is not None:
            self._hub._subscribers.setdefault(channel, set()).add(self._on_message)

    async def unsubscribe(self, channel: str) -> None:
        if self._on_message is not None:
            self._hub._subscribers.get(channel, set()).discard(self._on_message)

    def publish(self, channel: str, data: bytes) -> None:
        # Delivered on the next loop iteration, as a real broker would: never inside
        # the publisher's own call stack.
        asyncio.get_running_loop().call_soon(self._hub._deliver, channel, data)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        if self._on_message is not None:
            for subscribers in self._hub._subscribers.values():
                subscribers.discard(self._on_message)


class RedisBroker:
    """Redis pub/sub with batched publishing and self-healing subscriptions."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "kuulolla",
        max_queue: int = 100_000,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        from redis.asyncio import Redis

        self.url = url
        # Always subscribed, so the link exists (and its loss is noticed) even when no
        # room is active in this process.
        self._control = f"{prefix}:control"
        self.connected = False
        # No per-command timeout on the publishing connection: it would cost a timeout
        # context per message (measured: scripts/bench/fanout), and a dead Redis is
        # still found by TCP keepalive and the health check; publishes wait in a
        # bounded queue meanwhile and are dropped when it is full.
        # RESP2 on both links: under RESP3 (redis-py's default since 8) every received
        # message goes through the push-notification path, which among other things
        # builds a debug line of the whole message before the logger drops it: 8.8
        # against 5.7 µs of CPU per message read (measured with hiredis, uvloop).
        self._redis: Any = Redis.from_url(
            url,
            protocol=2,
            socket_connect_timeout=2,
            socket_timeout=None,
            socket_keepalive=True,
            health_check_interval=15,
        )
        self._sub_redis: Any = Redis.from_url(
            url, protocol=2, socket_connect_timeout=2, socket_timeout=None, socket_keepalive=True
        )
        self._channels: set[str] = set()
        self._pubsub: Any = None
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(max_queue)
        self._tasks: list[asyncio.Task[None]] = []
        self._on_message: MessageHandler | None = None
        self._on_reconnect: ReconnectHandler | None = None
        self._on_event = on_event or (lambda name: None)
        self._ready = asyncio.Event()
        self.dropped = 0

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="broker-reader"),
            asyncio.create_task(self._publish_loop(), name="broker-publisher"),
        ]
        # Give a reachable Redis a moment so the first subscriptions find a link; an
        # unreachable one is not fatal (the reader keeps trying).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 2.0)

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        pubsub = self._pubsub
        if pubsub is not None and self.connected:
            try:
                await pubsub.subscribe(channel)
            except Exception:  # the reader notices the broken link and resubscribes
                log.warning("broker.subscribe_failed", extra={"event": "broker.subscribe_failed"})

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        pubsub = self._pubsub
        if pubsub is not None and self.connected:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(channel)

    def publish(self, channel: str, data: bytes) -> None:
        try:
            self._queue.put_nowait((channel, data))
        except asyncio.QueueFull:
            self.dropped += 1

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._redis.aclose()
        await self._sub_redis.aclose()

    # ------------------------------------------------------------ tasks

    async def _publish_loop(self) -> None:
        # Publishes go out on one connection of the pool, kept by this task: every
        # PUBLISH queued meanwhile is written in one call, then the replies are read.
        # redis-py's pipeline costs more in Python than the whole publish (measured with
        # py-spy under scripts/bench/fanout); each reply is still checked.
        queue = self._queue
        pool = self._redis.connection_pool
        conn: Any = None
        channels: dict[str, bytes] = {}
        try:
            while True:
                first = await queue.get()
                batch = [first]
                while not queue.empty() and len(batch) < 1000:
                    batch.append(queue.get_nowait())
                parts = []
                for channel, data in batch:
                    name = channels.get(channel)
                    if name is None:
                        if len(channels) > 100_000:
                            channels.clear()
                        name = channels[channel] = b"$%d\r\n%s\r\n" % (
                            len(channel.encode()),
                            channel.encode(),
                        )
                    parts.append(_PUBLISH + name + b"$%d\r\n%s\r\n" % (len(data), data))
                try:
                    if conn is None:
                        conn = await pool.get_connection()
                    await conn.send_packed_command(b"".join(parts))
                    for _ in batch:
                        await conn.read_response()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Redis is down. The messages are committed; subscribers catch up
                    # from the database. Dropping here keeps memory bounded during an
                    # outage.
                    if conn is not None:
                        with contextlib.suppress(Exception):
                            await conn.disconnect()
                        await pool.release(conn)
                        conn = None
                    self.dropped += len(batch)
                    self._on_event("publish_failed")
                    await asyncio.sleep(0.2)
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.disconnect()
                    await pool.release(conn)

    async def _read_loop(self) -> None:
        delay = 0.1
        while True:
            pubsub = self._sub_redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._control, *self._channels)
                self._pubsub = pubsub
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
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None or message.get("type") != "message":
                        continue
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    if self._on_message is not None:
                        try:
                            self._on_message(channel, message["data"])
                        except Exception:
                            log.exception(
                                "broker.handler_failed", extra={"event": "broker.handler_failed"}
                            )
            except asyncio.CancelledError:
                raise
            except Exception:
                if self.connected:
                    log.warning("broker.disconnected", extra={"event": "broker.disconnected"})
                    self._on_event("disconnected")
                self.connected = False
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
