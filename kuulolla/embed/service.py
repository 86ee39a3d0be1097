"""Reading and changing the sites allowed to embed an organisation's chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from kuulolla.accounts.audit import audit
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.embed import logic
from kuulolla.embed.models import EmbedOrigin


@dataclass(frozen=True, slots=True)
class AllowedSite:
    id: int
    origin: str
    created_at: datetime


async def list_origins(db: Database, *, organisation_id: int) -> list[AllowedSite]:
    """The organisation's allowed sites, in the order they were added."""
    async with db.read_session() as session:
        rows = await session.scalars(
            select(EmbedOrigin)
            .where(EmbedOrigin.organisation_id == organisation_id)
            .order_by(EmbedOrigin.id)
        )
        return [AllowedSite(row.id, row.origin, row.created_at) for row in rows]


async def do_add_origin(
    db: Database, *, organisation_id: int, text: str, actor_id: int | None, now: datetime
) -> AllowedSite:
    """Allow the site ``text`` names (normalised; logic.py says what is refused); the
    organisation's account events record who did."""
    origin = logic.normalise_origin(text)
    async with db.session() as session:
        existing = await session.scalars(
            select(EmbedOrigin.origin).where(EmbedOrigin.organisation_id == organisation_id)
        )
        logic.check_new_origin(origin, existing=existing)
        row = EmbedOrigin(organisation_id=organisation_id, origin=origin, created_at=now)
        session.add(row)
        audit(
            session,
            event="embed_site_added",
            now=now,
            actor_id=actor_id,
            organisation_id=organisation_id,
            site=origin,
        )
        await session.flush()
        return AllowedSite(row.id, row.origin, row.created_at)


async def do_remove_origin(
    db: Database, *, organisation_id: int, origin_id: int, actor_id: int | None, now: datetime
) -> str:
    """Take a site off the organisation's list; returns its origin. The embedded pages
    answer with the new list at once: nothing is cached."""
    async with db.session() as session:
        row = await session.scalar(
            select(EmbedOrigin).where(
                EmbedOrigin.id == origin_id, EmbedOrigin.organisation_id == organisation_id
            )
        )
        if row is None:
            raise NotFound(N_("That site is not on the list."), code="origin_not_found")
        await session.execute(delete(EmbedOrigin).where(EmbedOrigin.id == origin_id))
        audit(
            session,
            event="embed_site_removed",
            now=now,
            actor_id=actor_id,
            organisation_id=organisation_id,
            site=row.origin,
        )
        return row.origin
