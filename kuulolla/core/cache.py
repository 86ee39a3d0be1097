"""A per-process cache whose reads are shared.

Settings and rooms are read on the chat path and kept for some seconds. When a copy
expires in a busy room, every sender would otherwise read it again at the same moment;
here callers without a copy share one read, and a cache that allows it serves the
expired copy while one background read renews it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# A read: returns the value and the monotonic time until which it may be used.
Load = Callable[[], Awaitable[tuple[V, float]]]


def spread(seconds: float) -> float:
    """A lifetime of at most ``seconds``, at least three quarters of it, chosen at random:
    entries read together (a process's rooms as it fills after a start) are then not
    all renewed in the same moment, which would stall the event loop for the time of
    hundreds of reads every ``seconds``."""
    return seconds * random.uniform(0.75, 1.0)


class SharedCache(Generic[K, V]):
    """Values by key with an expiry each. ``serve_stale`` says whether an expired
    value may still be answered while it is read again (None: never)."""

    def __init__(
        self, *, serve_stale: Callable[[V], bool] | None = None, limit: int = 10_000
    ) -> None:
        self._serve_stale = serve_stale
        self._limit = limit
        self._values: dict[K, tuple[float, V]] = {}
        self._loading: dict[K, asyncio.Task[V]] = {}

    def kept(self, key: K) -> V | None:
        """The value kept for ``key``, expired or not."""
        found = self._values.get(key)
        return None if found is None else found[1]

    async def get(self, key: K, load: Load[V], *, now: float) -> V:
        found = self._values.get(key)
        if found is not None:
            expires, value = found
            if expires > now:
                return value
            if self._serve_stale is not None and self._serve_stale(value):
                if key not in self._loading:
                    self._start(key, load)
                return value
        task = self._loading.get(key) or self._start(key, load)
        return await asyncio.shield(task)

    def _start(self, key: K, load: Load[V]) -> asyncio.Task[V]:
        async def read() -> V:
            me = asyncio.current_task()
            value, expires = await load()
            # A read that began before a forget() (a change announced meanwhile) is
            # answered to its callers but not kept.
            if self._loading.get(key) is me:
                if len(self._values) > self._limit:
                    self._values.clear()
                self._values[key] = (expires, value)
            return value

        task = asyncio.ensure_future(read())
        self._loading[key] = task

        def done(finished: asyncio.Task[V]) -> None:
            if self._loading.get(key) is finished:
                del self._loading[key]
            if not finished.cancelled():
                finished.exception()  # retrieved: awaiting callers get it themselves

        task.add_done_callback(done)
        return task

    def forget(self, key: K) -> None:
        self._values.pop(key, None)
        self._loading.pop(key, None)

    def forget_where(self, drop: Callable[[V], bool]) -> None:
        """Drop every value ``drop`` picks, and every read under way (it may hold what
        changed)."""
        for key, (_expires, value) in list(self._values.items()):
            if drop(value):
                del self._values[key]
        self._loading.clear()
