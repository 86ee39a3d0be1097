"""The chat server of one process: committer, fan-out and room lookups, owned by the
application's lifespan and shared by every connection."""

from __future__ import annotations

import logging

from kuulolla.chat.fanout import Fanout
from kuulolla.chat.store import Committer, Stored
from kuulolla.core.broker import Broker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.rooms.service import RoomCache

log = logging.getLogger(__name__)


class ChatServer:
    def __init__(self, *, settings: Settings, db: Database, broker: Broker, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.rooms = RoomCache(db, ttl=settings.room_cache_seconds)
        self.fanout = Fanout(
            db=db,
            broker=broker,
            clock=clock,
            secret=settings.secret_key,
            gap_wait=settings.gap_wait,
            poll_interval=settings.poll_interval,
            prefix=settings.broker_prefix,
        )
        # Slugs of rooms this process has seen, for framing committed messages.
        self.slugs: dict[int, str] = {}
        self.committer = Committer(
            db, clock=clock, on_committed=self._committed, max_batch=settings.commit_max_batch
        )
        self.connections: set[object] = set()

    async def start(self) -> None:
        await self.fanout.start()
        self.committer.start()

    async def stop(self) -> None:
        await self.committer.stop()
        await self.fanout.close()

    def _committed(self, stored: list[Stored]) -> None:
        self.fanout.committed(self.slugs, stored)
