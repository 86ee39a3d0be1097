"""Reading and writing the service directory.

Writes go through :func:`do_save_service` (create or update), :func:`do_mark_checked`
and :func:`do_delete_service`; each keeps the area and topic index rows and the search
index in step in the same transaction. :func:`find_services` answers a visitor's
filters: the database narrows by region, topic, kind and "online", the search index
ranks by the visitor's words, and the opening hours (``hours.status``) decide "open
now" in Python, since recurrence rules are no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.directory import hours as hours_mod
from kuulolla.directory import logic, regions, search
from kuulolla.directory.models import (
    DirectoryPlatform,
    DirectoryService,
    DirectoryServiceArea,
    DirectoryServiceTopic,
    DirectorySettings,
    DirectoryTopic,
)

MAX_CANDIDATES = 5000


class ServiceNotFound(NotFound):
    code = "service_not_found"
    default_message = N_("There is no such service in the directory.")


class TopicNotFound(NotFound):
    code = "topic_not_found"
    default_message = N_("There is no such topic.")


# ------------------------------------------------------------------ views


@dataclass(frozen=True, slots=True)
class ServiceView:
    """A stored service with its organisation, as pages and files show it."""

    id: int
    organisation_id: int
    organisation_slug: str
    organisation_name: str
    fields: logic.ServiceFields
    checked_at: datetime
    updated_at: datetime
    stale_days: int

    @property
    def key(self) -> str:
        return self.fields.key

    @property
    def path(self) -> str:
        return f"/directory/{self.organisation_slug}/{self.fields.key}"

    def name(self, locale: str) -> str:
        return logic.localized(self.fields.names, locale)[0]

    def stale(self, now: datetime) -> bool:
        return logic.is_stale(self.checked_at, self.stale_days, now)

    def needs_check(self, now: datetime) -> bool:
        return logic.needs_check(self.checked_at, self.stale_days, now)

    @property
    def stale_at(self) -> datetime:
        return logic.stale_at(self.checked_at, self.stale_days)


@dataclass(frozen=True, slots=True)
class Found:
    service: ServiceView
    status: hours_mod.Status
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Results:
    items: list[Found]
    total: int


def fields_of(row: DirectoryService) -> logic.ServiceFields:
    """The stored row as checked fields (stored data was checked when written)."""
    return logic.ServiceFields(
        key=row.key,
        kind=row.kind,
        names=dict(row.names or {}),
        summaries=dict(row.summaries or {}),
        descriptions=dict(row.descriptions or {}),
        topics=tuple(row.topics or ()),
        ages=tuple(row.ages or ()),
        relatives=row.relatives,
        languages=tuple(row.languages or ("fi",)),
        nationwide=row.nationwide,
        areas=tuple(row.areas or ()),
        online=row.online,
        address=logic.Address(row.street, row.postal_code, row.post_office),
        hours=hours_mod.from_json(row.hours),
        hours_notes=dict(row.hours_notes or {}),
        contact=logic.Contact(row.phone, row.web, row.email, row.chat),
        free=row.free,
        costs=dict(row.costs or {}),
        accessibility=dict(row.accessibility or {}),
        crisis=row.crisis,
        published=row.published,
    )


def _columns(fields: logic.ServiceFields) -> dict[str, Any]:
    return {
        "key": fields.key,
        "kind": fields.kind,
        "names": dict(fields.names),
        "summaries": dict(fields.summaries),
        "descriptions": dict(fields.descriptions),
        "topics": list(fields.topics),
        "ages": list(fields.ages),
        "relatives": fields.relatives,
        "languages": list(fields.languages),
        "nationwide": fields.nationwide,
        "areas": list(fields.areas),
        "online": fields.online,
        "street": fields.address.street,
        "postal_code": fields.address.postal_code,
        "post_office": fields.address.post_office,
        "hours": hours_mod.to_json(fields.hours),
        "hours_notes": dict(fields.hours_notes),
        "phone": fields.contact.phone,
        "web": fields.contact.web,
        "email": fields.contact.email,
        "chat": fields.contact.chat,
        "free": fields.free,
        "costs": dict(fields.costs),
        "accessibility": dict(fields.accessibility),
        "crisis": fields.crisis,
        "published": fields.published,
    }


_VIEW_COLUMNS = (
    DirectoryService,
    Organisation.slug,
    Organisation.name,
    DirectorySettings.stale_days,
)


def _view_query() -> Any:
    return (
        select(*_VIEW_COLUMNS)
        .join(Organisation, Organisation.id == DirectoryService.organisation_id)
        .outerjoin(
            DirectorySettings, DirectorySettings.organisation_id == DirectoryService.organisation_id
        )
    )


def _view(row: Any) -> ServiceView:
    service, slug, name, stale_days = row
    return ServiceView(
        id=service.id,
        organisation_id=service.organisation_id,
        organisation_slug=slug,
        organisation_name=name,
        fields=fields_of(service),
        checked_at=service.checked_at,
        updated_at=service.updated_at,
        stale_days=stale_days or logic.DEFAULT_STALE_DAYS,
    )


# ------------------------------------------------------------------ topics


async def list_topics(db: Database, *, active_only: bool = True) -> list[logic.Topic]:
    """The topic vocabulary in its order."""
    query = select(DirectoryTopic).order_by(DirectoryTopic.position, DirectoryTopic.key)
    if active_only:
        query = query.where(DirectoryTopic.active.is_(True))
    async with db.read_session() as session:
        rows = (await session.scalars(query)).all()
    return [
        logic.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words)
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic: logic.Topic
    active: bool
    position: int
    services: int


async def list_topic_rows(db: Database) -> list[TopicRow]:
    """Every topic, with how many services use it (the admins' page)."""
    async with db.read_session() as session:
        rows = (
            await session.scalars(
                select(DirectoryTopic).order_by(DirectoryTopic.position, DirectoryTopic.key)
            )
        ).all()
        counts = dict(
            (
                await session.execute(
                    select(DirectoryServiceTopic.topic, func.count()).group_by(
                        DirectoryServiceTopic.topic
                    )
                )
            ).all()
        )
    return [
        TopicRow(
            logic.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words),
            r.active,
            r.position,
            int(counts.get(r.key, 0)),
        )
        for r in rows
    ]


async def do_save_topic(
    db: Database,
    *,
    key: str,
    names: dict[str, str],
    words: str,
    active: bool,
    new: bool,
) -> None:
    """Add a topic (``new``) or change one's names, search words and whether it is
    offered; re-indexes the services that use it."""
    async with db.session() as session:
        row = await session.get(DirectoryTopic, key)
        if new:
            if row is not None:
                raise BadRequest(N_("There is a topic with this code already."), code="topic_taken")
            position = (
                await session.scalar(
                    select(DirectoryTopic.position)
                    .order_by(DirectoryTopic.position.desc())
                    .limit(1)
                )
            ) or 0
            session.add(
                DirectoryTopic(
                    key=key,
                    name_fi=names["fi"],
                    name_sv=names["sv"],
                    name_en=names["en"],
                    words=words,
                    position=position + 1,
                    active=active,
                )
            )
            return
        if row is None:
            raise TopicNotFound()
        row.name_fi, row.name_sv, row.name_en = names["fi"], names["sv"], names["en"]
        row.words = words
        row.active = active
        await session.flush()
        ids = (
            await session.scalars(
                select(DirectoryServiceTopic.service_id).where(DirectoryServiceTopic.topic == key)
            )
        ).all()
        await _reindex(session, list(ids))


# ------------------------------------------------------------------ settings


async def get_stale_days(db: Database, *, organisation_id: int) -> int:
    async with db.read_session() as session:
        days = await session.scalar(
            select(DirectorySettings.stale_days).where(
                DirectorySettings.organisation_id == organisation_id
            )
        )
    return int(days or logic.DEFAULT_STALE_DAYS)


async def do_set_stale_days(db: Database, *, organisation_id: int, days: int) -> None:
    async with db.session() as session:
        row = await session.get(DirectorySettings, organisation_id)
        if row is None:
            session.add(DirectorySettings(organisation_id=organisation_id, stale_days=days))
        else:
            row.stale_days = days


@dataclass(frozen=True, slots=True)
class Platform:
    licence: str = logic.DEFAULT_LICENCE
    publisher: str = ""

    @property
    def licence_name(self) -> str:
        return logic.LICENCES[self.licence][0]

    @property
    def licence_url(self) -> str:
        return logic.LICENCES[self.licence][1]


async def get_platform(db: Database) -> Platform:
    async with db.read_session() as session:
        row = await session.get(DirectoryPlatform, 1)
    if row is None or row.licence not in logic.LICENCES:
        return Platform()
    return Platform(row.licence, row.publisher)


async def do_set_platform(db: Database, *, licence: str, publisher: str) -> None:
    async with db.session() as session:
        row = await session.get(DirectoryPlatform, 1)
        if row is None:
            session.add(DirectoryPlatform(id=1, licence=licence, publisher=publisher))
        else:
            row.licence, row.publisher = licence, publisher


# ------------------------------------------------------------------ writing


async def _reindex(session: AsyncSession, service_ids: Sequence[int]) -> None:
    """Rebuild the search rows of ``service_ids`` (published ones indexed, others out)."""
    if not service_ids:
        return
    topics = [
        logic.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words)
        for r in (await session.scalars(select(DirectoryTopic))).all()
    ]
    rows = (
        await session.execute(
            select(DirectoryService, Organisation.name)
            .join(Organisation, Organisation.id == DirectoryService.organisation_id)
            .where(DirectoryService.id.in_(list(service_ids)))
        )
    ).all()
    for service, org_name in rows:
        row = None
        if service.published:
            row = search.index_row(
                service_id=service.id,
                fields=fields_of(service),
                organisation=org_name,
                topics=topics,
            )
        await search.put(session, row, service_id=service.id)


async def _replace_index_rows(
    session: AsyncSession, service_id: int, fields: logic.ServiceFields
) -> None:
    await session.execute(
        delete(DirectoryServiceArea).where(DirectoryServiceArea.service_id == service_id)
    )
    await session.execute(
        delete(DirectoryServiceTopic).where(DirectoryServiceTopic.service_id == service_id)
    )
    await session.execute(
        insert(DirectoryServiceArea),
        [{"service_id": service_id, "code": code} for code in fields.area_codes],
    )
    await session.execute(
        insert(DirectoryServiceTopic),
        [{"service_id": service_id, "topic": topic} for topic in fields.topics],
    )


def key_taken() -> logic.InvalidService:
    return logic.InvalidService(
        {
            "key": BadRequest(
                N_("The organisation has a service with this address already."), code="key_taken"
            )
        }
    )


async def do_save_service(
    session: AsyncSession,
    *,
    organisation_id: int,
    fields: logic.ServiceFields,
    actor_id: int | None,
    now: datetime,
    service_id: int | None = None,
    checked_at: datetime | None = None,
) -> int:
    """Create (``service_id`` None) or replace a service of ``organisation_id`` in the
    caller's transaction; saving counts as checking it (``checked_at``, default now).
    Raises :class:`ServiceNotFound` for a service of another organisation and an
    :class:`logic.InvalidService` when the key is taken."""
    values = {
        **_columns(fields),
        "updated_at": now,
        "checked_at": checked_at or now,
        "updated_by": actor_id,
    }
    clash = await session.scalar(
        select(DirectoryService.id).where(
            DirectoryService.organisation_id == organisation_id,
            DirectoryService.key == fields.key,
        )
    )
    if clash is not None and clash != service_id:
        raise key_taken()
    if service_id is None:
        try:
            async with session.begin_nested():
                result = await session.execute(
                    insert(DirectoryService)
                    .values(organisation_id=organisation_id, created_at=now, **values)
                    .returning(DirectoryService.id)
                )
                service_id = int(result.scalar_one())
        except IntegrityError:
            raise key_taken() from None
    else:
        result = await session.execute(
            update(DirectoryService)
            .where(
                DirectoryService.id == service_id,
                DirectoryService.organisation_id == organisation_id,
            )
            .values(**values)
        )
        if not getattr(result, "rowcount", 0):
            raise ServiceNotFound()
    await _replace_index_rows(session, service_id, fields)
    await _reindex(session, [service_id])
    return service_id


async def do_mark_checked(
    db: Database, *, organisation_id: int, service_id: int, actor_id: int | None, now: datetime
) -> None:
    """Someone of the organisation confirmed the details are right."""
    async with db.session() as session:
        result = await session.execute(
            update(DirectoryService)
            .where(
                DirectoryService.id == service_id,
                DirectoryService.organisation_id == organisation_id,
            )
            .values(checked_at=now, updated_by=actor_id)
        )
        if not getattr(result, "rowcount", 0):
            raise ServiceNotFound()


async def do_delete_service(db: Database, *, organisation_id: int, service_id: int) -> None:
    async with db.session() as session:
        result = await session.execute(
            delete(DirectoryService).where(
                DirectoryService.id == service_id,
                DirectoryService.organisation_id == organisation_id,
            )
        )
        if not getattr(result, "rowcount", 0):
            raise ServiceNotFound()


# ------------------------------------------------------------------ reading


async def _one(db: Database, *where: Any) -> ServiceView:
    async with db.read_session() as session:
        row = (await session.execute(_view_query().where(*where))).first()
    if row is None:
        raise ServiceNotFound()
    return _view(row)


async def access_service(db: Database, *, organisation_id: int, service_id: int) -> ServiceView:
    """A service of ``organisation_id`` (any state), else :class:`ServiceNotFound`."""
    return await _one(
        db,
        DirectoryService.id == service_id,
        DirectoryService.organisation_id == organisation_id,
    )


async def get_public_service_or_raise(
    db: Database, *, organisation_slug: str, key: str, now: datetime
) -> ServiceView:
    """A service visitors may see: published and not stale."""
    view = await _one(
        db,
        Organisation.slug == organisation_slug,
        DirectoryService.key == key,
        DirectoryService.published.is_(True),
    )
    if view.stale(now):
        raise ServiceNotFound()
    return view


async def list_organisation_services(db: Database, *, organisation_id: int) -> list[ServiceView]:
    """All of an organisation's services, by Finnish name."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                _view_query().where(DirectoryService.organisation_id == organisation_id)
            )
        ).all()
    views = [_view(r) for r in rows]
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
                _view_query()
                .where(DirectoryService.published.is_(True))
                .order_by(Organisation.slug, DirectoryService.key)
            )
        ).all()
    return [v for v in (_view(r) for r in rows) if not v.stale(now)]


def _candidate_query(filters: logic.Filters, *, crisis: bool = False) -> Any:
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
            await session.execute(_view_query().where(DirectoryService.id.in_(chunk)))
        ).all():
            view = _view(row)
            out[view.id] = view
    return out


async def find_services(
    db: Database,
    *,
    filters: logic.Filters,
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
            logic.locality(f.service.fields.area_codes, filters.region),
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
        db, filters=logic.Filters(region=region), now=now, limit=limit, crisis=True
    )
    return result.items
