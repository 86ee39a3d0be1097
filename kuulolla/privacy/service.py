"""Retention periods and the purge: reads and writes through the database.

``do_purge`` is what ``kuulolla purge`` and the server's scheduled task run: every
registered data kind, once per organisation (and once for data that belongs to no
organisation), with the period that applies, deleting for real. On SQLite the
write-ahead log is then checkpointed and truncated, so deleted rows do not linger in
it (``secure_delete`` already zeroes freed pages of the main file), and ``VACUUM``
rebuilds the file when asked (the scheduled task asks once a day).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core import retention as registry
from kuulolla.core.db import Database, compact_sqlite
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.retention import DataKind, PurgeContext
from kuulolla.core.settings import Settings
from kuulolla.privacy.models import RetentionPeriod

log = logging.getLogger(__name__)


class InvalidPeriod(BadRequest):
    code = "invalid_period"
    default_message = N_(
        "The retention period must be a whole number of days from {low} to {high}."
    )


@dataclass(frozen=True, slots=True)
class PurgeResult:
    kind: str
    organisation_id: int | None
    before: datetime
    count: int


# ------------------------------------------------------------------ periods


async def get_periods(db: Database, *, organisation_id: int | None) -> dict[str, int]:
    """Days per kind that apply to ``organisation_id`` (None: the platform defaults):
    the organisation's own row, else the platform's row, else the kind's default."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(RetentionPeriod.organisation_id, RetentionPeriod.kind, RetentionPeriod.days)
            )
        ).all()
    platform = {kind: days for org, kind, days in rows if org is None}
    own = {kind: days for org, kind, days in rows if org is not None and org == organisation_id}
    out: dict[str, int] = {}
    for kind in registry.kinds():
        out[kind.key] = own.get(kind.key, platform.get(kind.key, kind.default_days))
    return out


async def get_all_periods(db: Database) -> dict[int | None, dict[str, int]]:
    """Periods for every organisation and the platform (key None)."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(RetentionPeriod.organisation_id, RetentionPeriod.kind, RetentionPeriod.days)
            )
        ).all()
        org_ids = list((await session.execute(select(Organisation.id))).scalars())
    platform = {kind: days for org, kind, days in rows if org is None}
    out: dict[int | None, dict[str, int]] = {}
    for org_id in [None, *org_ids]:
        own = {kind: days for org, kind, days in rows if org is not None and org == org_id}
        out[org_id] = {
            k.key: own.get(k.key, platform.get(k.key, k.default_days)) for k in registry.kinds()
        }
    return out


def check_period(kind: DataKind, days: Any) -> int:
    """The period as an int within the kind's limits, or :class:`InvalidPeriod`."""
    try:
        value = int(str(days).strip())
    except (TypeError, ValueError):
        raise InvalidPeriod(low=kind.min_days, high=kind.max_days) from None
    if not kind.min_days <= value <= kind.max_days:
        raise InvalidPeriod(low=kind.min_days, high=kind.max_days)
    return value


async def do_set_period(
    db: Database, *, organisation_id: int | None, kind: str, days: Any, now: datetime
) -> int:
    """Set one period (organisation_id None: the platform default). Returns the days."""
    found = registry.get_kind(kind)
    if found is None:
        raise NotFound()
    value = check_period(found, days)
    async with db.session() as session:
        stmt = select(RetentionPeriod).where(RetentionPeriod.kind == kind)
        stmt = stmt.where(
            RetentionPeriod.organisation_id.is_(None)
            if organisation_id is None
            else RetentionPeriod.organisation_id == organisation_id
        )
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is None:
            session.add(
                RetentionPeriod(
                    organisation_id=organisation_id, kind=kind, days=value, updated_at=now
                )
            )
        else:
            row.days = value
            row.updated_at = now
    return value


# ------------------------------------------------------------------ purge


async def do_purge(
    db: Database,
    *,
    settings: Settings,
    now: datetime,
    dry_run: bool = False,
    redis: Any | None = None,
    vacuum: bool = True,
) -> list[PurgeResult]:
    """Run every kind's purge for every organisation; return what was (or would be)
    deleted. With ``dry_run`` nothing changes."""
    periods = await get_all_periods(db)
    results: list[PurgeResult] = []
    for kind in registry.kinds():
        targets = list(periods) if kind.per_organisation else [None]
        for org_id in targets:
            days = periods[org_id][kind.key]
            before = now - timedelta(days=days)
            ctx = PurgeContext(
                db=db,
                organisation_id=org_id,
                before=before,
                now=now,
                dry_run=dry_run,
                settings=settings,
                redis=redis,
            )
            count = await kind.purge(ctx)
            results.append(PurgeResult(kind.key, org_id, before, count))
    deleted = sum(r.count for r in results)
    log.info(
        "privacy.purged",
        extra={"event": "privacy.purge_dry_run" if dry_run else "privacy.purged", "count": deleted},
    )
    if not dry_run and db.is_sqlite:
        await compact_sqlite(db, vacuum=vacuum and deleted > 0)
    return results


async def do_set_periods(
    db: Database, *, organisation_id: int | None, values: dict[str, Any], now: datetime
) -> None:
    """Set several periods at once; every value is checked before anything changes."""
    checked: dict[str, int] = {}
    for key, raw in values.items():
        found = registry.get_kind(key)
        if found is None:
            raise NotFound()
        checked[key] = check_period(found, raw)
    for key, days in checked.items():
        await do_set_period(db, organisation_id=organisation_id, kind=key, days=days, now=now)
