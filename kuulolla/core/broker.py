"""Message broker between server processes: the port every process publishes and
subscribes through (:class:`Broker`), the in-process broker, and
:func:`make_redis_broker`, which picks Redis pub/sub (broker_redis.py) or sharded
pub/sub on a Redis Cluster (broker_cluster.py) for ``KUULOLLA_REDIS_URL``.

The broker only carries messages; it is allowed to lose them. The database is the
system of record and every subscriber fills gaps from it (chat/fanout.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

MessageHandler = Callable[[str, bytes], None]
ReconnectHandler = Callable[[], None]


class Broker(Protocol):
    @property
    def connected(self) -> bool: ...

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


def make_redis_broker(
    url: str, *, prefix: str, on_event: Callable[[str], None] | None = None
) -> Broker:
    """The broker for ``KUULOLLA_REDIS_URL``: sharded on a cluster (core/redis_pool.py)."""
    # Imported here: a process without Redis never loads the Redis brokers, and they
    # import this module's handler types.
    from kuulolla.core.broker_cluster import RedisClusterBroker
    from kuulolla.core.broker_redis import RedisBroker
    from kuulolla.core.redis_pool import is_cluster

    if is_cluster(url):
        return RedisClusterBroker(url, prefix=prefix, on_event=on_event)
    return RedisBroker(url, prefix=prefix, on_event=on_event)
