"""A room's roster in the database, as the coordinators' room setup changes it: the
templates that schedule a room, the training a room requires passed on to them,
closing a room for good (its templates end, its coming shifts are cancelled) and how
many places of its coming shifts people hold.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.shifts import horizon_runs, loading
from kuulolla.shifts.models import ShiftRow, ShiftTemplateRow
from kuulolla.shifts.recurrence import ShiftTemplate
from kuulolla.shifts.values import local_date


async def list_room_templates(
    db: Database, *, organisation_id: int, room_id: int
) -> list[ShiftTemplate]:
    """The templates that schedule the room (ended ones too), oldest first."""
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(ShiftTemplateRow)
                .where(
                    ShiftTemplateRow.organisation_id == organisation_id,
                    ShiftTemplateRow.room_id == room_id,
                )
                .order_by(ShiftTemplateRow.id)
            )
        )
        return await loading.templates_from_rows(session, rows)


async def do_require_training(
    db: Database, *, organisation_id: int, room_id: int, qualification_id: int | None, now: datetime
) -> None:
    """The room now requires ``qualification_id`` of its hosts: its templates require
    it too, and the coming shifts follow (those people signed up for are left alone
    and reported as conflicts, as with any template change)."""
    if qualification_id is None:
        return
    async with db.session() as session:
        rows = await session.scalars(
            select(ShiftTemplateRow).where(
                ShiftTemplateRow.organisation_id == organisation_id,
                ShiftTemplateRow.room_id == room_id,
            )
        )
        changed = False
        for row in rows:
            if row.qualification_id != qualification_id:
                row.qualification_id = qualification_id
                row.updated_at = now
                changed = True
        if changed:
            await session.flush()
            await horizon_runs.plan(session, organisation_id=organisation_id, now=now)


async def do_close_room_roster(
    db: Database, *, organisation_id: int, room_id: int, now: datetime
) -> int:
    """The room is closed for good: its templates end today and every coming shift is
    cancelled (feeds then show them cancelled). Returns how many people had signed up
    for those shifts, for the coordinator to tell."""
    today = local_date(now)
    async with db.session() as session:
        for row in await session.scalars(
            select(ShiftTemplateRow).where(
                ShiftTemplateRow.organisation_id == organisation_id,
                ShiftTemplateRow.room_id == room_id,
            )
        ):
            if row.valid_until is None or row.valid_until > today:
                row.valid_until = max(today, row.valid_from)
                row.updated_at = now
        shifts = list(
            await session.scalars(
                select(ShiftRow).where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.room_id == room_id,
                    ShiftRow.starts_at > now,
                    ShiftRow.cancelled_at.is_(None),
                )
            )
        )
        people = 0
        for shift in shifts:
            shift.cancelled_at = now
            shift.sequence += 1
        if shifts:
            people = sum(
                p.filled
                for ps in (await loading.places_of(session, [r.id for r in shifts])).values()
                for p in ps
            )
        await session.flush()
    return people


async def count_signed_up(
    db: Database, *, organisation_id: int, room_id: int, now: datetime
) -> int:
    """How many places of the room's coming shifts people hold (archiving cancels them)."""
    async with db.read_session() as session:
        ids = list(
            await session.scalars(
                select(ShiftRow.id).where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.room_id == room_id,
                    ShiftRow.starts_at > now,
                    ShiftRow.cancelled_at.is_(None),
                )
            )
        )
        places = await loading.places_of(session, ids)
    return sum(p.filled for ps in places.values() for p in ps)
