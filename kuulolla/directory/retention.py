"""The directory holds nothing about visitors; its one piece of personal data is who of
the staff last changed or checked a service (``directory_services.updated_by``). A
staff member's export lists those services; erasing the person forgets it, and the
services stay (they are the organisation's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from kuulolla.accounts.models import Organisation
from kuulolla.core.retention import StaffContext, StaffData, register_staff_data
from kuulolla.directory.models import DirectoryService


async def export_directory(ctx: StaffContext) -> Any:
    """The services the person last changed or checked."""
    async with ctx.db.read_session() as session:
        rows = await session.execute(
            select(Organisation.slug, DirectoryService.key, DirectoryService.checked_at)
            .join(Organisation, Organisation.id == DirectoryService.organisation_id)
            .where(DirectoryService.updated_by == ctx.user_id)
            .order_by(Organisation.slug, DirectoryService.key)
        )
        return [
            {"service": f"{slug}/{key}", "checked_at": checked.isoformat()}
            for slug, key, checked in rows
        ]


async def erase_directory(ctx: StaffContext) -> int:
    async with ctx.db.session() as session:
        result = await session.execute(
            update(DirectoryService)
            .where(DirectoryService.updated_by == ctx.user_id)
            .values(updated_by=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


register_staff_data(StaffData(key="directory", export=export_directory, erase=erase_directory))
