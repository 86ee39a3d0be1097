"""Check-in and check-out of a shift, the hours they record, closing the check-ins
people forgot, and who hears of them (:class:`DutyEvents`: the chat server, so whether
a room is open and whether the person moderates it change at once). Every ``do_…``
is one write transaction, as in shifts/roster.py."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core import events
from kuulolla.core.db import Database
from kuulolla.core.events import Kind
from kuulolla.shifts import duty, loading
from kuulolla.shifts.models import ShiftAssignmentRow
from kuulolla.shifts.roster import own_assignment
from kuulolla.shifts.values import Shift


class DutyEvents(Protocol):
    """Who hears that a person checked in to or out of a room's shift: the chat server
    (whether the room is open, and whether the person moderates it, change at once in
    every process). A port, as accounts.service.SessionEvents, so shifts never hold
    the server."""

    def duty_changed(self, *, room_id: int, user_id: int) -> None: ...


class NoDutyEvents:
    """Nobody to tell (the command line, tests, a process without sockets)."""

    def duty_changed(self, *, room_id: int, user_id: int) -> None:
        return None


def _tell(events: DutyEvents, shift: Shift, person_id: int) -> None:
    if shift.target.kind == "room":
        events.duty_changed(room_id=shift.target.id, user_id=person_id)


async def do_check_in(
    db: Database,
    *,
    organisation_id: int,
    assignment_id: int,
    person_id: int,
    now: datetime,
    events: DutyEvents | None = None,
) -> Shift:
    """Check in to one's own shift (from ``check_in_early`` before its start); after the
    commit, ``events`` hear it when the shift is a room's."""
    shift = await _check_in(
        db,
        organisation_id=organisation_id,
        assignment_id=assignment_id,
        person_id=person_id,
        now=now,
    )
    _tell(events or NoDutyEvents(), shift, person_id)
    return shift


async def _check_in(
    db: Database, *, organisation_id: int, assignment_id: int, person_id: int, now: datetime
) -> Shift:
    async with db.session() as session:
        row, assignment = await own_assignment(
            session,
            organisation_id=organisation_id,
            assignment_id=assignment_id,
            person_id=person_id,
        )
        settings = await loading.load_settings(session, organisation_id)
        refusal = duty.check_check_in(assignment, settings=settings, now=now)
        if refusal is not None:
            raise refusal.error()
        row.checked_in_at = now
        return assignment.shift


async def do_check_out(
    db: Database,
    *,
    organisation_id: int,
    assignment_id: int,
    person_id: int,
    now: datetime,
    events: DutyEvents | None = None,
) -> Shift:
    """Check out of one's own shift; after the commit, ``events`` hear it when the shift
    is a room's."""
    shift = await _check_out(
        db,
        organisation_id=organisation_id,
        assignment_id=assignment_id,
        person_id=person_id,
        now=now,
    )
    _tell(events or NoDutyEvents(), shift, person_id)
    return shift


async def _check_out(
    db: Database, *, organisation_id: int, assignment_id: int, person_id: int, now: datetime
) -> Shift:
    async with db.session() as session:
        row, assignment = await own_assignment(
            session,
            organisation_id=organisation_id,
            assignment_id=assignment_id,
            person_id=person_id,
        )
        refusal = duty.check_check_out(assignment)
        if refusal is not None:
            raise refusal.error()
        settings = await loading.load_settings(session, organisation_id)
        row.checked_out_at = duty.check_out_time(assignment, settings=settings, now=now)
        _record_hours(session, organisation_id, row, assignment.shift)
        return assignment.shift


def _record_hours(
    session: AsyncSession, organisation_id: int, row: ShiftAssignmentRow, shift: Shift
) -> None:
    """The reports' ``shift.hours`` event for a finished check-in (core/events.py)."""
    if row.checked_in_at is None or row.checked_out_at is None:
        return
    worked = max(0.0, (row.checked_out_at - row.checked_in_at).total_seconds() / 3600)
    events.add(
        session,
        Kind.SHIFT_HOURS,
        organisation_id=organisation_id,
        at=row.checked_out_at,
        room_id=shift.target.id if shift.target.kind == "room" else None,
        topic_id=shift.target.id if shift.target.kind == "topic" else None,
        staff_id=row.person_id,
        value=round(worked, 2),
    )


async def do_close_forgotten(db: Database, *, now: datetime) -> int:
    """Record the check-out of everyone who forgot it (periodic); returns how many."""
    from kuulolla.shifts.models import ShiftRow

    closed = 0
    async with db.session() as session:
        pairs = list(
            await session.execute(
                select(ShiftAssignmentRow, ShiftRow)
                .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
                .where(
                    ShiftAssignmentRow.checked_in_at.is_not(None),
                    ShiftAssignmentRow.checked_out_at.is_(None),
                    ShiftRow.ends_at < now,
                )
            )
        )
        settings_by_org: dict[int, object] = {}
        for arow, srow in pairs:
            settings = settings_by_org.get(srow.organisation_id)
            if settings is None:
                settings = await loading.load_settings(session, srow.organisation_id)
                settings_by_org[srow.organisation_id] = settings
            assignment = loading.assignment_from_row(arow, loading.shift_from_row(srow, ()))
            due = duty.due_check_outs([assignment], settings=settings, now=now)  # type: ignore[arg-type]
            if due:
                arow.checked_out_at = duty.check_out_time(assignment, settings=settings, now=now)  # type: ignore[arg-type]
                _record_hours(session, srow.organisation_id, arow, assignment.shift)
                closed += 1
    return closed
