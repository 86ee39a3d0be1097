"""The roster opens rooms and sizes queues: reading ``duty.room_state`` and
``duty.queue_capacity`` from the stored shifts and check-ins.

A group room that has a shift template (or a stored shift) is open only inside a
scheduled window *and* while a qualified host is checked in. A room without either
keeps the old behaviour: always open (``room_state`` returns None).

:class:`RoomStates` is the chat server's view: joins ask it (a short per-process
cache), sends read only the cached answer (no database on the send path), and
:meth:`RoomStates.watch` refreshes the rooms that have local sockets and tells them
when their room is about to close and when it has closed (``room_state`` frames,
docs/protocol.md). Every process tells its own sockets, once per window each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import exists, select

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.tasks import raise_if_cancelled
from kuulolla.rooms.models import Room
from kuulolla.shifts import duty, loading
from kuulolla.shifts.availability import RoomNotOpen as RoomNotOpen
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow, ShiftTemplateRow, checked_in_now
from kuulolla.shifts.values import Shift, ShiftSettings

log = logging.getLogger(__name__)

# How far ahead a room's next opening is looked for.
LOOKAHEAD = timedelta(days=62)


async def _hosts_and_shifts(
    db: Database, *, now: datetime, room_id: int | None = None, topic_id: int | None = None
) -> tuple[list[Shift], list[duty.Host], int | None, str | None] | None:
    """The target's shifts from now on (within ``LOOKAHEAD``), everyone assigned to
    them, its organisation and (a room) the qualification it requires; None when it
    has no roster at all."""
    async with db.read_session() as session:
        target = (
            ShiftRow.room_id == room_id if room_id is not None else ShiftRow.topic_id == topic_id
        )
        template_target = (
            ShiftTemplateRow.room_id == room_id
            if room_id is not None
            else ShiftTemplateRow.topic_id == topic_id
        )
        flags = (
            await session.execute(select(exists().where(template_target), exists().where(target)))
        ).one()
        if not any(flags):
            return None
        required = None
        if room_id is not None:
            required = loading.qualification_key(
                await session.scalar(select(Room.qualification_id).where(Room.id == room_id))
            )
        rows = list(
            await session.scalars(
                select(ShiftRow)
                .where(
                    target,
                    ShiftRow.cancelled_at.is_(None),
                    ShiftRow.ends_at > now,
                    ShiftRow.starts_at < now + LOOKAHEAD,
                )
                .order_by(ShiftRow.starts_at)
                .limit(200)
            )
        )
        shifts = await loading.shifts_from_rows(session, rows)
        assignments = await loading.assignments_of_shifts(session, shifts)
        org_id = rows[0].organisation_id if rows else None
        hosts: list[duty.Host] = []
        if assignments and org_id is not None:
            people = await loading.load_people(
                session, org_id, ids={a.person_id for a in assignments}
            )
            hosts = [
                duty.Host(a, people[a.person_id]) for a in assignments if a.person_id in people
            ]
        return shifts, hosts, org_id, required


async def rostered_rooms(db: Database, room_ids: list[int]) -> set[int]:
    """Which of ``room_ids`` have a roster (a shift template or a shift): one query per
    500 rooms, so a process's periodic check skips the rooms that have none."""
    found: set[int] = set()
    async with db.read_session() as session:
        for i in range(0, len(room_ids), 500):
            chunk = room_ids[i : i + 500]
            query = (
                select(ShiftTemplateRow.room_id)
                .where(ShiftTemplateRow.room_id.in_(chunk))
                .union(select(ShiftRow.room_id).where(ShiftRow.room_id.in_(chunk)))
            )
            found.update(r for r in await session.scalars(query) if r is not None)
    return found


async def on_duty_in_room(db: Database, *, user_id: int, room_id: int, now: datetime) -> bool:
    """Whether the person is checked in now on a shift of the room (not checked out,
    the shift not cancelled or over): moderation/live.py lets them moderate it."""
    async with db.read_session() as session:
        found = await session.scalar(
            select(ShiftAssignmentRow.id)
            .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
            .where(
                ShiftRow.room_id == room_id,
                ShiftAssignmentRow.person_id == user_id,
                checked_in_now(now),
            )
            .limit(1)
        )
    return found is not None


async def room_state(db: Database, *, room_id: int, now: datetime) -> duty.RoomState | None:
    """Whether the room is open by its roster now; None when it has no roster (open)."""
    found = await _hosts_and_shifts(db, now=now, room_id=room_id)
    if found is None:
        return None
    shifts, hosts, org_id, required = found
    notice = timedelta(minutes=10)
    if org_id is not None:
        notice = (await _settings(db, org_id)).closing_notice
    return duty.room_state(shifts=shifts, hosts=hosts, now=now, notice=notice, required=required)


async def _settings(db: Database, organisation_id: int) -> ShiftSettings:
    async with db.read_session() as session:
        return await loading.load_settings(session, organisation_id)


async def topic_capacity(db: Database, *, topic_id: int, now: datetime) -> int | None:
    """How many one-to-one chats the queue topic takes at once now: the sum of the
    parallel-chat limits of the qualified helpers checked in to its shifts. None when
    the topic has no roster (the queue then decides by itself)."""
    found = await _hosts_and_shifts(db, now=now, topic_id=topic_id)
    if found is None:
        return None
    _, hosts, _, _ = found
    return duty.queue_capacity(hosts, now=now)


class RoomOpenings(Protocol):
    """Whether a room's roster keeps it open to visitors now: the one port through
    which pages, the queue and the coordinators' forms ask it and say that a roster
    changed. :class:`RoomStates` (one per process, the chat server's) implements it;
    the app factory hands it to every request (``web.forms.room_openings_of``)."""

    async def get(self, room_id: int) -> duty.RoomState | None:
        """The room's roster state now (None: no roster, always open)."""

    def forget(self, room_id: int) -> None:
        """The room's roster changed: read it again on the next question."""


class RoomStates:
    """Per-process cache of the rooms' roster states. Callers that find no fresh copy
    share one read (a burst of joins to a room reads its roster once)."""

    def __init__(self, db: Database, clock: Clock, *, ttl: float = 10.0) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl
        self._states: dict[int, tuple[float, duty.RoomState | None]] = {}
        self._announced: dict[int, datetime | None] = {}
        self._reading: dict[int, asyncio.Task[duty.RoomState | None]] = {}

    async def get(self, room_id: int) -> duty.RoomState | None:
        hit = self._states.get(room_id)
        mono = self.clock.monotonic()
        if hit is not None and hit[0] > mono:
            return hit[1]
        reading = self._reading.get(room_id)
        if reading is None:
            reading = self._reading[room_id] = asyncio.ensure_future(self.refresh(room_id))

            def done(task: asyncio.Task[duty.RoomState | None]) -> None:
                if self._reading.get(room_id) is task:
                    del self._reading[room_id]
                if not task.cancelled():
                    task.exception()  # retrieved: the callers get it themselves

            reading.add_done_callback(done)
        return await asyncio.shield(reading)

    async def refresh(self, room_id: int) -> duty.RoomState | None:
        state = await room_state(self.db, room_id=room_id, now=self.clock.now())
        self._keep(room_id, state)
        return state

    def _keep(self, room_id: int, state: duty.RoomState | None) -> None:
        if len(self._states) > 10_000:
            self._states.clear()
        self._states[room_id] = (self.clock.monotonic() + self.ttl, state)

    def cached_closed(self, room_id: int) -> duty.RoomState | None:
        """The last known state if it says closed, without I/O (the send path)."""
        hit = self._states.get(room_id)
        if hit is None or hit[1] is None or hit[1].open:
            return None
        return hit[1]

    def forget(self, room_id: int) -> None:
        self._states.pop(room_id, None)
        self._reading.pop(room_id, None)  # a read under way may hold what changed

    async def check(self, room_ids: list[int], tell: Callable[[int, duty.RoomState], None]) -> None:
        """Refresh ``room_ids`` and call ``tell`` for each room whose visitors must hear
        now that it closes soon or has closed (once per window). Rooms without a
        roster are found in one query and not read one by one."""
        with_roster = await rostered_rooms(self.db, room_ids)
        for room_id in room_ids:
            before = self._states.get(room_id)
            if room_id not in with_roster:
                self._keep(room_id, None)
                continue
            state = await self.refresh(room_id)
            if state is None:
                continue
            if duty.closing_announcement_due(state, announced_for=self._announced.get(room_id)):
                self._announced[room_id] = state.closes_at
                tell(room_id, state)
            elif before is not None and before[1] is not None and before[1].open and not state.open:
                tell(room_id, state)

    async def watch(
        self,
        rooms: Callable[[], list[int]],
        tell: Callable[[int, duty.RoomState], None],
        *,
        every: float = 20.0,
    ) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.check(rooms(), tell)
            except Exception:
                raise_if_cancelled()
                log.warning("shifts.room_watch_failed", extra={"event": "shifts.room_watch_failed"})
