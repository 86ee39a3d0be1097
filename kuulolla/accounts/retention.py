"""Retention of the account audit log (kuulolla/core/retention.py).

The hourly housekeeping also deletes audit events older than
``KUULOLLA_AUDIT_RETENTION_DAYS``; an organisation may keep them for less.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from kuulolla.accounts.models import (
    AccountLink,
    AuditEvent,
    Membership,
    Organisation,
    Qualification,
    RecoveryCode,
    StaffQualification,
    StaffSession,
    StaffUser,
)
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.retention import (
    DataKind,
    PurgeContext,
    StaffContext,
    StaffData,
    former_label,
    register,
    register_staff_data,
)


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


# ------------------------------------------------------------------ staff data


async def export_account(ctx: StaffContext) -> dict[str, Any]:
    """The person's profile, roles, trainings, sessions and account events (no hashes,
    secrets or tokens)."""
    async with ctx.db.read_session() as session:
        user = await session.get(StaffUser, ctx.user_id)
        if user is None:
            raise NotFound()
        memberships = (
            await session.execute(
                select(Organisation.slug, Organisation.name, Membership.role, Membership.created_at)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(Membership.user_id == ctx.user_id)
                .order_by(Organisation.slug)
            )
        ).all()
        trainings = (
            await session.execute(
                select(
                    Qualification.name,
                    StaffQualification.completed_on,
                    StaffQualification.expires_on,
                )
                .join(Qualification, Qualification.id == StaffQualification.qualification_id)
                .where(StaffQualification.user_id == ctx.user_id)
                .order_by(StaffQualification.completed_on)
            )
        ).all()
        sessions = (
            await session.execute(
                select(StaffSession.created_at, StaffSession.last_seen_at)
                .where(StaffSession.user_id == ctx.user_id)
                .order_by(StaffSession.created_at)
            )
        ).all()
        events = (
            await session.execute(
                select(AuditEvent)
                .where(
                    or_(
                        AuditEvent.actor_id == ctx.user_id, AuditEvent.target_user_id == ctx.user_id
                    )
                )
                .order_by(AuditEvent.created_at)
            )
        ).scalars()
        return {
            "username": user.username,
            "display_name": user.display_name,
            "is_admin": user.is_admin,
            "active": user.active,
            "languages": list(user.languages or []),
            "created_at": user.created_at.isoformat(),
            "password_changed_at": _iso(user.password_changed_at),
            "second_factor_since": _iso(user.totp_enabled_at),
            "deactivated_at": _iso(user.deactivated_at),
            "memberships": [
                {"organisation": slug, "name": name, "role": role, "since": since.isoformat()}
                for slug, name, role, since in memberships
            ],
            "trainings": [
                {
                    "name": name,
                    "completed_on": done.isoformat(),
                    "expires_on": expires.isoformat() if expires else None,
                }
                for name, done, expires in trainings
            ],
            "sessions": [
                {"started": a.isoformat(), "last_seen": b.isoformat()} for a, b in sessions
            ],
            "account_events": [
                {
                    "at": e.created_at.isoformat(),
                    "event": e.event,
                    "by_me": e.actor_id == ctx.user_id,
                    "about_me": e.target_user_id == ctx.user_id,
                    "detail": dict(e.detail or {}),
                }
                for e in events
            ],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def erase_account(ctx: StaffContext) -> int:
    """Remove what identifies the person and their ways in; keep the row so records
    that point to it (audit events, answers, shifts) stay consistent."""
    label = former_label(ctx.settings)
    async with ctx.db.session() as session:
        user = await session.get(StaffUser, ctx.user_id)
        if user is None:
            raise NotFound()
        user.username = f"former-{user.id}"
        user.display_name = label
        user.display_key = f"former {user.id}"
        user.password_hash = None
        user.totp_secret = None
        user.totp_enabled_at = None
        user.is_admin = False
        user.active = False
        user.languages = []
        user.auth_epoch += 1
        if user.deactivated_at is None:
            user.deactivated_at = ctx.now
        changed = 1
        for table in (StaffSession, AccountLink, RecoveryCode, Membership, StaffQualification):
            result = await session.execute(delete(table).where(table.user_id == ctx.user_id))
            changed += int(getattr(result, "rowcount", 0) or 0)
        session.add(
            AuditEvent(
                created_at=ctx.now,
                event="person_erased",
                actor_id=None,
                target_user_id=ctx.user_id,
                organisation_id=None,
                detail={},
            )
        )
        return changed


ACCOUNT_DATA = register_staff_data(
    StaffData(key="account", export=export_account, erase=erase_account)
)
