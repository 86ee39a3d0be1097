"""Reading and writing one service of the directory.

Writes go through :func:`do_save_service` (create or update), :func:`do_mark_checked`
and :func:`do_delete_service`; each keeps the area and topic index rows and the search
index in step in the same transaction. Lists of services (what a visitor finds, the
open data) are :mod:`.listing`; topics and settings :mod:`.curation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.directory import finding, hours_parse, logic, search, vocabulary
from kuulolla.directory import hours as hours_mod
from kuulolla.directory.models import (
    DirectoryService,
    DirectoryServiceArea,
    DirectoryServiceTopic,
    DirectorySettings,
    DirectoryTopic,
)


class ServiceNotFound(NotFound):
    code = "service_not_found"
    default_message = N_("There is no such service in the directory.")


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
        return finding.localized(self.fields.names, locale)[0]

    def stale(self, now: datetime) -> bool:
        return logic.is_stale(self.checked_at, self.stale_days, now)

    def needs_check(self, now: datetime) -> bool:
        return logic.needs_check(self.checked_at, self.stale_days, now)

    @property
    def stale_at(self) -> datetime:
        return logic.stale_at(self.checked_at, self.stale_days)


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
        hours=hours_parse.from_json(row.hours),
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


def view_query() -> Any:
    return (
        select(*_VIEW_COLUMNS)
        .join(Organisation, Organisation.id == DirectoryService.organisation_id)
        .outerjoin(
            DirectorySettings, DirectorySettings.organisation_id == DirectoryService.organisation_id
        )
    )


def to_view(row: Any) -> ServiceView:
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


# ------------------------------------------------------------------ writing


async def reindex(session: AsyncSession, service_ids: Sequence[int]) -> None:
    """Rebuild the search rows of ``service_ids`` (published ones indexed, others out)."""
    if not service_ids:
        return
    topics = [
        vocabulary.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words)
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
    await reindex(session, [service_id])
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
        row = (await session.execute(view_query().where(*where))).first()
    if row is None:
        raise ServiceNotFound()
    return to_view(row)


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
