"""Retention and staff data rights for shifts (kuulolla/core/retention.py).

Debrief notes are what volunteers write about how a shift went: personal, for the
coordinators only, and deleted for real with the organisation's period. A staff
member's export lists their shifts, check-ins and debriefs; erasing a departed person
deletes their debrief notes and calendar feed and keeps the shifts they worked (the
hours reports stay right; the name shown is the accounts domain's "former volunteer").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from kuulolla.core.i18n import N_
from kuulolla.core.retention import (
    DataKind,
    PurgeContext,
    StaffContext,
    StaffData,
    register,
    register_staff_data,
)
from kuulolla.shifts.models import CalendarFeedRow, ShiftAssignmentRow, ShiftDebrief, ShiftRow


def _debriefs_of(organisation_id: int | None) -> Any:
    return select(ShiftDebrief.id).where(
        ShiftDebrief.assignment_id.in_(
            select(ShiftAssignmentRow.id)
            .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
            .where(ShiftRow.organisation_id == organisation_id)
        )
    )


async def purge_debriefs(ctx: PurgeContext) -> int:
    """Debriefs of the organisation written before ``ctx.before``."""
    ids = _debriefs_of(ctx.organisation_id).where(ShiftDebrief.created_at < ctx.before)
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(ids.subquery()))).scalar_one()
            )
    async with ctx.db.session() as session:
        result = await session.execute(delete(ShiftDebrief).where(ShiftDebrief.id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)


SHIFT_DEBRIEFS = register(
    DataKind(
        key="shift_debriefs",
        label=N_("Debriefs after shifts"),
        contents=N_(
            "A volunteer's short note after a shift and whether they asked for a debrief "
            "conversation. It must not identify visitors."
        ),
        seen_by=N_("The organisation's coordinators."),
        default_days=180,
        purge=purge_debriefs,
    )
)


async def export_shifts(ctx: StaffContext) -> dict[str, Any]:
    async with ctx.db.read_session() as session:
        rows = await session.execute(
            select(ShiftAssignmentRow, ShiftRow)
            .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
            .where(ShiftAssignmentRow.person_id == ctx.user_id)
            .order_by(ShiftRow.starts_at)
        )
        shifts = [
            {
                "organisation": s.organisation_id,
                "room": s.room_id,
                "topic": s.topic_id,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat(),
                "role": a.role,
                "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
                "checked_out_at": a.checked_out_at.isoformat() if a.checked_out_at else None,
            }
            for a, s in rows
        ]
        debriefs = [
            {"created_at": d.created_at.isoformat(), "text": d.text, "wants_talk": d.wants_talk}
            for d in await session.scalars(
                select(ShiftDebrief)
                .join(ShiftAssignmentRow, ShiftAssignmentRow.id == ShiftDebrief.assignment_id)
                .where(ShiftAssignmentRow.person_id == ctx.user_id)
                .order_by(ShiftDebrief.created_at)
            )
        ]
        feed = await session.scalar(
            select(CalendarFeedRow.created_at).where(CalendarFeedRow.person_id == ctx.user_id)
        )
    return {
        "shifts": shifts,
        "debriefs": debriefs,
        "calendar_feed_since": feed.isoformat() if feed else None,
    }


async def erase_shifts(ctx: StaffContext) -> int:
    async with ctx.db.session() as session:
        mine = select(ShiftAssignmentRow.id).where(ShiftAssignmentRow.person_id == ctx.user_id)
        notes = await session.execute(
            delete(ShiftDebrief).where(ShiftDebrief.assignment_id.in_(mine))
        )
        feeds = await session.execute(
            delete(CalendarFeedRow).where(CalendarFeedRow.person_id == ctx.user_id)
        )
        return int(getattr(notes, "rowcount", 0) or 0) + int(getattr(feeds, "rowcount", 0) or 0)


register_staff_data(StaffData(key="shifts", export=export_shifts, erase=erase_shifts))
