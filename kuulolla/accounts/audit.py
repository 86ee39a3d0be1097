"""The account audit log in the database: writing an event in the caller's transaction
(:func:`audit`, which keeps only the detail keys it allows) and reading the log a page
at a time (:func:`list_audit`). The filter's rules and pages are pure, in
accounts/audit_filter.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.audit_filter import PER_PAGE, AuditFilter
from kuulolla.accounts.models import AuditEvent, Membership, Organisation, StaffUser
from kuulolla.core.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    created_at: datetime
    event: str
    actor: str | None
    target: str | None
    organisation: str | None
    detail: dict[str, Any]


# Keys allowed in an audit event's detail. Anything else is dropped, so a careless
# call cannot put a password, token or address into the log.
AUDIT_DETAIL_KEYS = frozenset(
    {"role", "previous", "kind", "reason", "count", "qualification", "admin", "expires", "site"}
)


def audit(
    session: AsyncSession,
    *,
    event: str,
    now: datetime,
    actor_id: int | None = None,
    target_user_id: int | None = None,
    organisation_id: int | None = None,
    **detail: str | int | bool | None,
) -> None:
    """Add an audit event to the transaction of ``session``."""
    session.add(
        AuditEvent(
            created_at=now,
            event=event,
            actor_id=actor_id,
            target_user_id=target_user_id,
            organisation_id=organisation_id,
            detail={k: v for k, v in detail.items() if k in AUDIT_DETAIL_KEYS and v is not None},
        )
    )
    log.info("accounts.%s", event, extra={"event": f"accounts.{event}"})


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the log, newest first, and the edges of the pages either side
    (None when there is no such page)."""

    entries: list[AuditEntry]
    older: int | None = None  # read older events with before=older
    newer: int | None = None  # read newer events with after=newer


async def list_audit(
    db: Database,
    *,
    organisation_id: int | None,
    filter: AuditFilter | None = None,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Newest first. With ``organisation_id``: events of the organisation and events about
    its members (their sign-ins, say); without: every event (admins). ``filter``: who,
    what and when, and the page (``before``/``after`` an event id)."""
    from sqlalchemy.orm import aliased

    wanted = filter or AuditFilter()
    actor = aliased(StaffUser)
    target = aliased(StaffUser)
    stmt = (
        select(AuditEvent, actor.display_name, target.display_name, Organisation.name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(target, target.id == AuditEvent.target_user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
    )
    if organisation_id is not None:
        members = select(Membership.user_id).where(Membership.organisation_id == organisation_id)
        stmt = stmt.where(
            or_(
                AuditEvent.organisation_id == organisation_id,
                AuditEvent.target_user_id.in_(members),
            )
        )
    if wanted.person is not None:
        stmt = stmt.where(
            or_(AuditEvent.actor_id == wanted.person, AuditEvent.target_user_id == wanted.person)
        )
    if wanted.events:
        stmt = stmt.where(AuditEvent.event.in_(wanted.events))
    if wanted.since is not None:
        stmt = stmt.where(AuditEvent.created_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(AuditEvent.created_at < wanted.until)
    if wanted.after is not None:
        # Newer events: the oldest ones after the edge, then turned newest first.
        stmt = stmt.where(AuditEvent.id > wanted.after).order_by(AuditEvent.id.asc())
    else:
        if wanted.before is not None:
            stmt = stmt.where(AuditEvent.id < wanted.before)
        stmt = stmt.order_by(AuditEvent.id.desc())
    async with db.read_session() as session:
        rows = list(await session.execute(stmt.limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if wanted.after is not None:
        rows.reverse()
    entries = [
        AuditEntry(
            id=event.id,
            created_at=event.created_at,
            event=event.event,
            actor=actor_name,
            target=target_name,
            organisation=org_name,
            detail=dict(event.detail or {}),
        )
        for event, actor_name, target_name, org_name in rows
    ]
    if not entries:
        return AuditPage([])
    older: int | None
    newer: int | None
    if wanted.after is not None:
        older, newer = entries[-1].id, entries[0].id if more else None
    else:
        older = entries[-1].id if more else None
        newer = entries[0].id if wanted.before is not None else None
    return AuditPage(entries, older=older, newer=newer)
