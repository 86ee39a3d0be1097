"""Lists of services: what a visitor finds (:func:`find_services`: the database narrows
by region, topic, kind and "online", the search index ranks by the visitor's words,
and the opening hours decide "open now" in Python, since recurrence rules are no SQL),
the crisis services of a region, the published directory (open data), an
organisation's own services and how many of them need a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.directory import finding, logic, regions, search
from kuulolla.directory import hours as hours_mod
from kuulolla.directory.models import (
    DirectoryService,
    DirectoryServiceArea,
    DirectoryServiceTopic,
    DirectorySettings,
)
from kuulolla.directory.service import ServiceView, to_view, view_query

MAX_CANDIDATES = 5000


@dataclass(frozen=True, slots=True)
class Found:
    service: ServiceView
    status: hours_mod.Status
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Results:
    items: list[Found]
    total: int


async def list_organisation_services(db: Database, *, organisation_id: int) -> list[ServiceView]:
    """All of an organisation's services, by Finnish name."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                view_query().where(DirectoryService.organisation_id == organisation_id)
            )
        ).all()
    views = [to_view(r) for r in rows]
    return sorted(views, key=lambda v: v.name("fi").lower())


async def count_needing_check(
    db: Database, *, organisation_ids: Iterable[int], now: datetime
) -> dict[int, int]:
    """Per organisation, how many of its services are stale or about to be."""
    ids = list(organisation_ids)
    if not ids:
        return {}
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(
                    DirectoryService.organisation_id,
                    DirectoryService.checked_at,
                    DirectorySettings.stale_days,
                )
                .outerjoin(
                    DirectorySettings,
                    DirectorySettings.organisation_id == DirectoryService.organisation_id,
                )
                .where(DirectoryService.organisation_id.in_(ids))
            )
        ).all()
    out: dict[int, int] = {}
    for org, checked, days in rows:
        if logic.needs_check(checked, days or logic.DEFAULT_STALE_DAYS, now):
            out[org] = out.get(org, 0) + 1
    return out


async def published(db: Database, *, now: datetime) -> list[ServiceView]:
    """Every service visitors may see (the open-data files), by organisation and key."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                view_query()
                .where(DirectoryService.published.is_(True))
                .order_by(Organisation.slug, DirectoryService.key)
            )
        ).all()
    return [v for v in (to_view(r) for r in rows) if not v.stale(now)]


def _candidate_query(filters: finding.Filters, *, crisis: bool = False) -> Any:
    query = select(DirectoryService.id).where(DirectoryService.published.is_(True))
    if crisis:
        query = query.where(DirectoryService.crisis.is_(True))
    if filters.online:
        query = query.where(DirectoryService.online.is_(True))
    if filters.kind:
        query = query.where(DirectoryService.kind == filters.kind)
    if filters.topic:
        query = query.where(
            exists().where(
                DirectoryServiceTopic.service_id == DirectoryService.id,
                DirectoryServiceTopic.topic == filters.topic,
            )
        )
    if filters.region:
        query = query.where(
            exists().where(
                DirectoryServiceArea.service_id == DirectoryService.id,
                DirectoryServiceArea.code.in_(sorted(regions.service_codes_for(filters.region))),
            )
        )
    return query.limit(MAX_CANDIDATES)


async def _views(session: AsyncSession, ids: Sequence[int]) -> dict[int, ServiceView]:
    out: dict[int, ServiceView] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for row in (
            await session.execute(view_query().where(DirectoryService.id.in_(chunk)))
        ).all():
            view = to_view(row)
            out[view.id] = view
    return out


async def find_services(
    db: Database,
    *,
    filters: finding.Filters,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
    crisis: bool = False,
) -> Results:
    """Services visitors may see that pass ``filters`` (only crisis services with
    ``crisis``): with words, best match first; without, nearest first (the
    municipality, its county, the whole country), open ones before closed, then by
    name."""
    async with db.read_session() as session:
        ids = [int(r[0]) for r in await session.execute(_candidate_query(filters, crisis=crisis))]
        scores: dict[int, float] = {}
        if filters.query:
            terms = search.query_terms(filters.query)
            allowed = set(ids)
            hits = await search.find(await session.connection(), terms)
            scores = {h.service_id: h.score for h in hits if h.service_id in allowed}
            ids = [h.service_id for h in hits if h.service_id in allowed]
        views = await _views(session, ids)
    found = []
    for service_id in ids:
        view = views.get(service_id)
        if view is None or view.stale(now):
            continue
        state = hours_mod.status(view.fields.hours, now)
        if filters.open_now and not state.open:
            continue
        found.append(Found(view, state, scores.get(service_id, 0.0)))

    def nearest(f: Found) -> tuple[Any, ...]:
        return (
            finding.locality(f.service.fields.area_codes, filters.region),
            not f.status.open,
            f.service.name("fi").lower(),
        )

    if filters.query:
        found.sort(key=lambda f: (-round(f.score, 6), *nearest(f)))
    else:
        found.sort(key=nearest)
    return Results(found[offset : offset + limit], len(found))


async def crisis_services(
    db: Database, *, region: str, now: datetime, limit: int = 4
) -> list[Found]:
    """Crisis services for a region (those of the whole country included), nearest and
    open ones first: where organisations publish crisis numbers for the region."""
    result = await find_services(
        db, filters=finding.Filters(region=region), now=now, limit=limit, crisis=True
    )
    return result.items
