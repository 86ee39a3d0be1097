"""Reports and the privacy registry.

Statistics are not a retention kind: they hold no text and nothing that identifies a
visitor, and they are what keeps the reports true after content is purged. The one
thing in them about a person is a staff member's shift hours (``staff_id``), which is
their data: they get it in their export, and erasing a departed person unlinks their
hours from them (the organisation's totals stay the same; "hours by person" shows them
under no name).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from kuulolla.core.events import Kind
from kuulolla.core.models import ReportEvent
from kuulolla.core.retention import StaffContext, StaffData, register_staff_data


async def export_hours(ctx: StaffContext) -> list[dict[str, Any]]:
    async with ctx.db.read_session() as session:
        rows = (
            await session.execute(
                select(ReportEvent.organisation_id, ReportEvent.hour, ReportEvent.value)
                .where(
                    ReportEvent.kind == str(Kind.SHIFT_HOURS),
                    ReportEvent.staff_id == ctx.user_id,
                )
                .order_by(ReportEvent.hour)
            )
        ).all()
    return [
        {"organisation_id": org, "hour": hour.isoformat(), "hours": value}
        for org, hour, value in rows
    ]


async def erase_hours(ctx: StaffContext) -> int:
    async with ctx.db.transaction() as conn:
        result = await conn.execute(
            update(ReportEvent).where(ReportEvent.staff_id == ctx.user_id).values(staff_id=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


REPORT_DATA = register_staff_data(
    StaffData(key="report_shift_hours", export=export_hours, erase=erase_hours)
)
