"""Live queue status without polling the database per visitor: a change to an
organisation's queues (someone entered, left or was taken, a conversation ended, a
helper came on or off duty) wakes the waiting visitors' status streams at once, in this
process and, through the broker, in every other.

The broker may lose a message (core/broker.py), so a stream also looks again every
``TICK`` seconds: the estimate grows with time even when nothing happens, and a lost
wake-up costs at most one tick. Lines on the channel are ``<node> <organisation id>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable

log = logging.getLogger(__name__)

TICK = 15.0  # seconds a status stream waits for a wake-up before looking again


class QueueChanges:
    """Wake-ups for the status streams of one process (``request.state.queue_changes``)."""

    def __init__(self, *, node: str | None = None) -> None:
        self.node = node or secrets.token_hex(4)
        self.channel = ""
        self._publish: Callable[[str, bytes], None] | None = None
        self._events: dict[int, asyncio.Event] = {}

    def attach(self, *, channel: str, publish: Callable[[str, bytes], None]) -> None:
        """Tell other processes through ``publish`` on ``channel``; the caller
        subscribes to it and hands what arrives to :meth:`on_message`."""
        self.channel = channel
        self._publish = publish

    def changed(self, organisation_id: int) -> None:
        """The organisation's queues changed: wake the streams here and elsewhere."""
        self._wake(organisation_id)
        if self._publish is not None:
            self._publish(self.channel, f"{self.node} {organisation_id}".encode())

    def on_message(self, data: bytes) -> None:
        try:
            node, org = data.decode().split(" ", 1)
            if node != self.node:
                self._wake(int(org))
        except (ValueError, UnicodeDecodeError):
            log.warning("queue.bad_change_message", extra={"event": "queue.bad_change_message"})

    def _wake(self, organisation_id: int) -> None:
        event = self._events.pop(organisation_id, None)
        if event is not None:
            event.set()

    def wake_all(self) -> None:
        """Wake every stream waiting in this process (it is shutting down)."""
        for organisation_id in list(self._events):
            self._wake(organisation_id)

    async def wait(self, organisation_id: int, *, timeout: float = TICK) -> bool:
        """Until the organisation's queues change or ``timeout`` passes; True when woken."""
        event = self._events.setdefault(organisation_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
            return True
        return False
