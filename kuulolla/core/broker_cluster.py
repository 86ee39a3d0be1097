"""Sharded pub/sub on a Redis Cluster as the broker between server processes (the port
is broker.py): one sharded :class:`~kuulolla.core.broker_redis.RedisBroker` per master,
moved as the cluster's slot map changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from kuulolla.core.broker import MessageHandler, ReconnectHandler
from kuulolla.core.broker_redis import RedisBroker
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled

# The broker's one logger name, whichever of its modules logs.
log = logging.getLogger("kuulolla.core.broker")


class RedisClusterBroker:
    """Sharded pub/sub on a Redis Cluster (Redis 7 or later).

    A channel lives in the slot of its name (CRC16, as for keys), so a room's traffic
    touches the one shard serving its channel: ``SPUBLISH`` and ``SSUBSCRIBE`` there,
    never the cluster-wide broadcast of ``PUBLISH``. Per master the process holds one
    sharded :class:`RedisBroker` (a subscribing and a publishing link) carrying the
    channels of that shard's slots, so subscriptions are grouped per shard
    connection. The slot map is read with redis-py's cluster client. When a shard
    link is lost, a publish is refused (``MOVED``) or a shard drops a subscription,
    the map is read again (every half second until every shard answers): channels
    move to the masters that now serve their slots, links to nodes that are no longer
    masters close, and subscribers read what they may have missed from the database.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "kuulolla",
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        from kuulolla.core.redis_pool import redis_client

        self.url = url
        self._prefix = prefix
        self._on_event = on_event or (lambda name: None)
        self._cluster: Any = redis_client(
            url, protocol=2, socket_connect_timeout=2, socket_timeout=2
        )
        self._slots: dict[int, str] = {}  # slot -> master "host:port"
        self._shards: dict[str, RedisBroker] = {}
        self._route: dict[str, str] = {}  # channel -> master carrying it
        self._channels: set[str] = set()
        self._on_message: MessageHandler | None = None
        self._on_reconnect: ReconnectHandler | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.repairs = 0
        self.dropped_here = 0

    @property
    def connected(self) -> bool:
        return bool(self._shards) and all(s.connected for s in self._shards.values())

    @property
    def dropped(self) -> int:
        return self.dropped_here + sum(s.dropped for s in self._shards.values())

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        try:
            await self._read_map()
        except Exception:
            log.warning("broker.cluster_unreachable", extra={"event": "broker.cluster_unreachable"})
            self._wake.set()
        self._task = asyncio.create_task(self._repairer(), name="broker-cluster-repair")

    def shard_of(self, channel: str) -> str | None:
        """The master that serves ``channel``'s slot, as this process last read it."""
        from redis.crc import key_slot

        return self._slots.get(key_slot(channel.encode()))

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        name = self.shard_of(channel)
        shard = self._shards.get(name) if name else None
        if shard is None:
            self._wake.set()  # subscribed once the map is read again
            return
        self._route[channel] = name  # type: ignore[assignment]
        await shard.subscribe(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        name = self._route.pop(channel, None)
        shard = self._shards.get(name) if name else None
        if shard is not None:
            await shard.unsubscribe(channel)

    def publish(self, channel: str, data: bytes) -> None:
        name = self.shard_of(channel)
        shard = self._shards.get(name) if name else None
        if shard is None:
            self.dropped_here += 1
            self._on_event("publish_failed")
            return
        shard.publish(channel, data)

    async def ping(self) -> None:
        await self._cluster.ping()

    async def close(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task])
            self._task = None
        for shard in self._shards.values():
            await shard.close()
        self._shards.clear()
        with contextlib.suppress(Exception):
            await self._cluster.aclose()

    # ------------------------------------------------------------ the slot map

    def _shard_event(self, name: str) -> None:
        if name in ("disconnected", "moved", "publish_failed"):
            self._wake.set()
        if name != "moved":
            self._on_event(name)

    def _forward(self, channel: str, data: bytes) -> None:
        if self._on_message is not None:
            self._on_message(channel, data)

    def _reconnected(self) -> None:
        if self._on_reconnect is not None:
            self._on_reconnect()

    async def _read_map(self) -> None:
        """Read the slot map again and move channels and links to match it."""
        from kuulolla.core.redis_pool import node_url

        manager = self._cluster.nodes_manager
        await manager.initialize()
        slots = {slot: nodes[0].name for slot, nodes in manager.slots_cache.items() if nodes}
        masters = {nodes[0].name: nodes[0] for nodes in manager.slots_cache.values() if nodes}
        self._slots = slots
        for name, node in masters.items():
            if name not in self._shards:
                shard = RedisBroker(
                    node_url(self.url, node.host, node.port),
                    prefix=self._prefix,
                    on_event=self._shard_event,
                    sharded=True,
                )
                self._shards[name] = shard
                await shard.start(self._forward, self._reconnected)
        moved = False
        for channel in list(self._channels):
            want = self.shard_of(channel)
            had = self._route.get(channel)
            if want == had or want is None:
                continue
            moved = True
            old = self._shards.get(had) if had else None
            if old is not None:
                await old.unsubscribe(channel)
            self._route[channel] = want
            await self._shards[want].subscribe(channel)
        for name in [n for n in self._shards if n not in masters]:
            moved = True
            await self._shards.pop(name).close()
        if moved:
            # What was published while a channel had no live shard never arrived.
            self._reconnected()

    async def _repairer(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                self.repairs += 1
                try:
                    await self._read_map()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    raise_if_cancelled()
                    log.warning(
                        "broker.cluster_map_failed", extra={"event": "broker.cluster_map_failed"}
                    )
                await asyncio.sleep(0.5)
                if self.connected and not self._wake.is_set():
                    break
                self._wake.clear()
