"""Retention of moderation data: the audit log, reports, crisis alerts, held messages
and ended restrictions, deleted for real once older than the organisation's period.

A crisis alert holds no text, but it holds the nickname of the person who wrote the
message: it goes with the reports, not only with its room (rooms are kept for years).

A ban's network digest (``Restriction.ban_key``) goes sooner: once the day key it was
made under has expired (core/bankey.py, 48 hours) it can match nobody, and the
privacy notice promises it is kept for two days at most, so each purge clears the
digests of bans made before that, whatever the period.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

from kuulolla.core.bankey import KEY_LIFETIME
from kuulolla.core.i18n import N_
from kuulolla.core.retention import DataKind, PurgeContext, register
from kuulolla.moderation.models import (
    AuditEntry,
    CrisisAlert,
    HeldMessage,
    Report,
    Restriction,
)
from kuulolla.rooms.models import Room


async def purge_audit(ctx: PurgeContext) -> int:
    """Delete (or count) the organisation's moderation audit entries before ``ctx.before``."""
    if ctx.organisation_id is None:
        return 0
    old = (AuditEntry.organisation_id == ctx.organisation_id, AuditEntry.created_at < ctx.before)
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            return int((await conn.execute(select(func.count()).where(*old))).scalar_one())
    async with ctx.db.transaction() as conn:
        result = await conn.execute(delete(AuditEntry).where(*old))
        return int(getattr(result, "rowcount", 0) or 0)


async def purge_safety(ctx: PurgeContext) -> int:
    """Delete (or count) reports, crisis alerts, held messages and restrictions of the
    organisation's rooms that were made (or ended) before ``ctx.before``."""
    if ctx.organisation_id is None:
        return 0
    rooms = select(Room.id).where(Room.organisation_id == ctx.organisation_id)
    conditions = [
        (Report, (Report.room_id.in_(rooms), Report.created_at < ctx.before)),
        (CrisisAlert, (CrisisAlert.room_id.in_(rooms), CrisisAlert.created_at < ctx.before)),
        (HeldMessage, (HeldMessage.room_id.in_(rooms), HeldMessage.created_at < ctx.before)),
        (
            Restriction,
            (
                Restriction.organisation_id == ctx.organisation_id,
                or_(Restriction.expires_at < ctx.before, Restriction.lifted_at < ctx.before),
            ),
        ),
    ]
    total = 0
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            for table, where in conditions:
                total += int(
                    (
                        await conn.execute(select(func.count()).select_from(table).where(*where))
                    ).scalar_one()
                )
        return total
    async with ctx.db.transaction() as conn:
        for table, where in conditions:
            result = await conn.execute(delete(table).where(*where))
            total += int(getattr(result, "rowcount", 0) or 0)
        await conn.execute(
            update(Restriction)
            .where(
                Restriction.organisation_id == ctx.organisation_id,
                Restriction.ban_key.is_not(None),
                Restriction.created_at < ctx.now - timedelta(seconds=KEY_LIFETIME),
            )
            .values(ban_key=None)
        )
    return total


MODERATION_AUDIT = register(
    DataKind(
        key="moderation_audit",
        label=N_("Moderation log"),
        contents=N_(
            "Which moderator removed a message, muted, removed or banned someone, or changed "
            "a room's settings, when and why. No message texts, nicknames or addresses."
        ),
        seen_by=N_("The organisation's coordinators."),
        default_days=365,
        purge=purge_audit,
    )
)

MODERATION_SAFETY = register(
    DataKind(
        key="moderation_safety",
        label=N_("Reports, held messages and bans"),
        contents=N_(
            "Reports of messages with their reason, messages waiting for a moderator, and "
            "mutes and bans (a hash of the anonymous identifier and, for two days at most, "
            "a hash of the network under a key that is then destroyed)."
        ),
        seen_by=N_("The moderators of the room and the organisation's coordinators."),
        default_days=30,
        visitor=True,
        purge=purge_safety,
    )
)
