"""Live queue status without polling the database per visitor: a change to an
organisation's queues (someone entered, left or was taken, a conversation ended, a
helper came on or off duty) wakes the waiting visitors' status streams at once, in this
process and, through the broker, in every other.

The helpers' consoles (queue/routes_console.py) wait on the same wake-ups: whatever
changes what a console shows (the queues, a take, an end, a transfer, a professional
asked in, a helper on or off duty or given another limit, a topic's names) is told
through :meth:`QueueChanges.changed` by the route that made the change.

The broker may lose a message (core/broker.py), so a stream also looks again every
``TICK`` seconds: the estimate grows with time even when nothing happens, and a lost
wake-up costs at most one tick. Lines on the channel are ``<node> <organisation id>``.

A change that comes while a stream is reading is not lost: the stream takes a
:meth:`~QueueChanges.mark` before it reads and waits from that mark, so a change
after the mark ends the wait at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

TICK = 15.0  # seconds a status stream waits for a wake-up before looking again


class QueueChanges:
    """Wake-ups for the status streams of one process (``request.state.queue_changes``)."""

    def __init__(self, *, node: str | None = None) -> None:
        self.node = node or secrets.token_hex(4)
        self.channel = ""
        self._publish: Callable[[str, bytes], None] | None = None
        self._events: dict[int, asyncio.Event] = {}
        # Per organisation, how many changes this process has heard of (one small
        # number per organisation that ever changed).
        self._marks: dict[int, int] = {}

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
        self._marks[organisation_id] = self._marks.get(organisation_id, 0) + 1
        event = self._events.pop(organisation_id, None)
        if event is not None:
            event.set()

    def wake_all(self) -> None:
        """Wake every stream waiting in this process (it is shutting down)."""
        for organisation_id in list(self._events):
            self._wake(organisation_id)

    def of(self, organisation_id: int) -> OrganisationChanges:
        """The organisation's changes for a page stream to wait on."""
        return OrganisationChanges(self, organisation_id)

    def mark(self, organisation_id: int) -> int:
        """Where the organisation's changes are now; take it before reading what they
        change, and wait ``since`` it."""
        return self._marks.get(organisation_id, 0)

    async def wait(
        self, organisation_id: int, *, timeout: float = TICK, since: int | None = None
    ) -> bool:
        """Until the organisation's queues change or ``timeout`` passes; True when woken.
        With ``since`` (a :meth:`mark`), a change after that mark returns True at once."""
        if since is not None and self._marks.get(organisation_id, 0) != since:
            return True
        event = self._events.setdefault(organisation_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
            return True
        return False


@dataclass(frozen=True, slots=True)
class OrganisationChanges:
    """One organisation's changes, as a page stream waits on them (web/streams.py
    ``Changes``)."""

    changes: QueueChanges
    organisation_id: int

    def mark(self) -> int:
        return self.changes.mark(self.organisation_id)

    async def wait(self, mark: int, timeout: float) -> bool:
        return await self.changes.wait(self.organisation_id, timeout=timeout, since=mark)
