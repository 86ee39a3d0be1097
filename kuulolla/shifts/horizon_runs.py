"""Running the horizon against the database: reading an organisation's templates and
its coming stored shifts, asking the pure :func:`~kuulolla.shifts.horizon.plan_horizon`
what to change, and applying that plan (``INSERT … ON CONFLICT DO NOTHING``, so two
processes running it at once store each shift once). :func:`do_plan_horizon` runs it
for one organisation or all (the hourly task, ``kuulolla shifts generate``, the demo);
:func:`plan` in a transaction the caller has open (a template saved or ended, a
room's training changed). Also a one-off shift outside any template
(:func:`do_create_shift`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core.db import Database
from kuulolla.rooms.models import Room
from kuulolla.shifts import loading
from kuulolla.shifts.horizon import Conflict, HorizonPlan, StoredShift, plan_horizon
from kuulolla.shifts.models import ShiftPlace, ShiftRow, ShiftTemplateRow
from kuulolla.shifts.recurrence import Occurrence, ShiftKey
from kuulolla.shifts.values import Target

log = logging.getLogger(__name__)

_shifts = cast(Table, ShiftRow.__table__)


@dataclass(frozen=True, slots=True)
class HorizonResult:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    cancelled: int = 0
    conflicts: tuple[Conflict, ...] = ()

    def __add__(self, other: HorizonResult) -> HorizonResult:
        return HorizonResult(
            self.created + other.created,
            self.updated + other.updated,
            self.reopened + other.reopened,
            self.cancelled + other.cancelled,
            self.conflicts + other.conflicts,
        )


async def do_plan_horizon(
    db: Database, *, now: datetime, organisation_id: int | None = None
) -> HorizonResult:
    """Generate and correct the concrete shifts of every template (of one organisation,
    or all) for the organisation's horizon. Idempotent: a second run changes nothing,
    and two processes running it at once store each shift once."""
    if organisation_id is None:
        async with db.read_session() as session:
            orgs = list(
                await session.scalars(
                    select(ShiftTemplateRow.organisation_id)
                    .distinct()
                    .order_by(ShiftTemplateRow.organisation_id)
                )
            )
    else:
        orgs = [organisation_id]
    total = HorizonResult()
    for org in orgs:
        async with db.session() as session:
            total = total + await plan(session, organisation_id=org, now=now)
    return total


async def plan(session: AsyncSession, *, organisation_id: int, now: datetime) -> HorizonResult:
    settings = await loading.load_settings(session, organisation_id)
    # A room closed for good gets no more shifts (its last ones were cancelled with it).
    archived = set(
        await session.scalars(
            select(Room.id).where(
                Room.organisation_id == organisation_id, Room.archived_at.is_not(None)
            )
        )
    )
    templates = [
        t
        for t in await loading.load_templates(session, organisation_id=organisation_id)
        if not (t.target.kind == "room" and t.target.id in archived)
    ]
    if not templates:
        return HorizonResult()
    rows = list(
        await session.scalars(
            select(ShiftRow).where(
                ShiftRow.organisation_id == organisation_id,
                ShiftRow.template_id.is_not(None),
                ShiftRow.starts_at > now,
            )
        )
    )
    places = await loading.places_of(session, [r.id for r in rows])
    stored = [
        StoredShift(
            key=ShiftKey(int(r.template_id or 0), r.day),
            start=r.starts_at,
            end=r.ends_at,
            needs={p.role: p.needed for p in places.get(r.id, ()) if p.needed > 0},
            qualification=loading.qualification_key(r.qualification_id),
            cancelled=r.cancelled_at is not None,
            assigned={p.role: p.filled for p in places.get(r.id, ()) if p.filled > 0},
        )
        for r in rows
    ]
    plan = plan_horizon(templates, stored, now=now, days=settings.horizon_days)
    by_key = {ShiftKey(int(r.template_id or 0), r.day): r for r in rows}
    await _apply(session, plan, organisation_id=organisation_id, by_key=by_key, now=now)
    if plan.conflicts:
        log.info(
            "shifts.horizon_conflicts",
            extra={"event": "shifts.horizon_conflicts", "count": len(plan.conflicts)},
        )
    return HorizonResult(
        len(plan.create), len(plan.update), len(plan.reopen), len(plan.cancel), plan.conflicts
    )


async def _apply(
    session: AsyncSession,
    plan: HorizonPlan,
    *,
    organisation_id: int,
    by_key: Mapping[ShiftKey, ShiftRow],
    now: datetime,
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for occ in plan.create:
        room_id, topic_id = _target_ids(occ.target)
        stmt = (
            dialect.insert(_shifts)
            .values(
                organisation_id=organisation_id,
                template_id=occ.key.template_id,
                day=occ.key.day,
                room_id=room_id,
                topic_id=topic_id,
                starts_at=occ.start,
                ends_at=occ.end,
                qualification_id=_qual_id(occ.qualification),
                sequence=0,
            )
            .on_conflict_do_nothing(index_elements=["template_id", "day"])
            .returning(_shifts.c.id)
        )
        shift_id = (await session.execute(stmt)).scalar_one_or_none()
        if shift_id is not None:  # another process created it meanwhile otherwise
            for role, needed in occ.needs.items():
                session.add(ShiftPlace(shift_id=shift_id, role=role, needed=needed, filled=0))
    for occ in (*plan.update, *plan.reopen):
        row = by_key[occ.key]
        row.starts_at = occ.start
        row.ends_at = occ.end
        row.qualification_id = _qual_id(occ.qualification)
        row.cancelled_at = None
        row.sequence += 1
        await _set_needs(session, row.id, occ.needs)
    for key in plan.cancel:
        row = by_key[key]
        row.cancelled_at = now
        row.sequence += 1
    await session.flush()


async def _set_needs(session: AsyncSession, shift_id: int, needs: Mapping[str, int]) -> None:
    existing = {
        p.role: p
        for p in await session.scalars(select(ShiftPlace).where(ShiftPlace.shift_id == shift_id))
    }
    for role, needed in needs.items():
        if role in existing:
            existing[role].needed = needed
        else:
            session.add(ShiftPlace(shift_id=shift_id, role=role, needed=needed, filled=0))
    for role, place in existing.items():
        if role not in needs:
            if place.filled:
                place.needed = 0
            else:
                await session.delete(place)


def _target_ids(target: Target) -> tuple[int | None, int | None]:
    return (target.id, None) if target.kind == "room" else (None, target.id)


def _qual_id(key: str | None) -> int | None:
    return int(key) if key is not None else None


async def do_create_shift(
    db: Database,
    *,
    organisation_id: int,
    occurrence: Occurrence,
) -> int:
    """A shift outside any template (a one-off evening). ``occurrence.key.template_id``
    is ignored."""
    room_id, topic_id = _target_ids(occurrence.target)
    async with db.session() as session:
        row = ShiftRow(
            organisation_id=organisation_id,
            template_id=None,
            day=occurrence.key.day,
            room_id=room_id,
            topic_id=topic_id,
            starts_at=occurrence.start,
            ends_at=occurrence.end,
            qualification_id=_qual_id(occurrence.qualification),
            sequence=0,
        )
        session.add(row)
        await session.flush()
        for role, needed in occurrence.needs.items():
            session.add(ShiftPlace(shift_id=row.id, role=role, needed=needed, filled=0))
        return row.id
