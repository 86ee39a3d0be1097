"""Retention of the account audit log (kuulolla/privacy/registry.py).

The hourly housekeeping also deletes audit events older than
``KUULOLLA_AUDIT_RETENTION_DAYS``; an organisation may keep them for less.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from kuulolla.accounts.models import AuditEvent
from kuulolla.core.i18n import N_
from kuulolla.privacy.registry import DataKind, PurgeContext, register


async def purge_audit_events(ctx: PurgeContext) -> int:
    """Delete (or count) audit events of the organisation (None: platform events)
    created before ``ctx.before``."""
    where = [
        AuditEvent.created_at < ctx.before,
        AuditEvent.organisation_id.is_(None)
        if ctx.organisation_id is None
        else AuditEvent.organisation_id == ctx.organisation_id,
    ]
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            return int((await conn.execute(select(func.count()).where(*where))).scalar_one())
    async with ctx.db.transaction() as conn:
        result = await conn.execute(delete(AuditEvent).where(*where))
        return int(getattr(result, "rowcount", 0) or 0)


AUDIT_EVENTS = register(
    DataKind(
        key="audit_events",
        label=N_("Staff account audit log"),
        contents=N_(
            "Sign-ins, role changes and other account events of staff: who, what and when. "
            "Never passwords, codes or addresses."
        ),
        seen_by=N_("The organisation's coordinators and the platform's admins."),
        default_days=400,
        purge=purge_audit_events,
    )
)
