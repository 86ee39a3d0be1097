"""Organisations in the database: reading them (:class:`OrgInfo`), creating one with its
``organisation_created`` audit event (:func:`do_create_organisation`, the one way to
create one) and changing its details."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from kuulolla.accounts import logic
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.permissions import Principal
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name, check_slug


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"
    default_message = N_("There is no such organisation.")


@dataclass(frozen=True, slots=True)
class OrgInfo:
    id: int
    slug: str
    name: str
    contact: str
    crisis_numbers: list[dict[str, Any]]
    require_totp: str
    created_at: datetime


def _org(org: Organisation) -> OrgInfo:
    return OrgInfo(
        id=org.id,
        slug=org.slug,
        name=org.name,
        contact=org.contact or "",
        crisis_numbers=list(org.crisis_numbers or []),
        require_totp=org.require_totp,
        created_at=org.created_at,
    )


async def get_organisation(db: Database, *, slug: str) -> OrgInfo | None:
    async with db.read_session() as session:
        org = await session.scalar(select(Organisation).where(Organisation.slug == slug))
        return _org(org) if org else None


async def get_organisation_or_raise(db: Database, *, slug: str) -> OrgInfo:
    org = await get_organisation(db, slug=slug)
    if org is None:
        raise OrganisationNotFound()
    return org


async def get_organisation_by_id(db: Database, *, organisation_id: int) -> OrgInfo | None:
    async with db.read_session() as session:
        org = await session.get(Organisation, organisation_id)
        return _org(org) if org else None


async def list_organisations(db: Database, *, ids: Iterable[int] | None = None) -> list[OrgInfo]:
    stmt = select(Organisation).order_by(Organisation.name)
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(list(ids)))
    async with db.read_session() as session:
        return [_org(o) for o in await session.scalars(stmt)]


async def do_create_organisation(
    db: Database,
    *,
    actor_id: int | None = None,
    slug: str,
    name: str,
    contact: str = "",
    require_totp: str = "coordinators",
    now: datetime,
) -> int:
    """Create an organisation and write ``organisation_created`` to its audit log (the
    one way to create one: the admins' page, ``kuulolla create-org``, the demo).
    ``actor_id`` None is the command line or the demo."""
    slug = check_slug(slug)
    name = check_name(name, max_chars=200)
    require_totp = logic.check_totp_rule(require_totp)
    async with db.session() as session:
        if await session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            raise Conflict(N_("An organisation with that slug exists already."), code="slug_taken")
        org = Organisation(
            slug=slug,
            name=name,
            contact=contact.strip()[:2000],
            crisis_numbers=[],
            require_totp=require_totp,
            created_at=now,
        )
        session.add(org)
        await session.flush()
        audit(
            session,
            event="organisation_created",
            now=now,
            actor_id=actor_id,
            organisation_id=org.id,
        )
        return org.id


async def do_update_organisation(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    name: str,
    contact: str,
    crisis_numbers: list[dict[str, Any]],
    require_totp: str,
    now: datetime,
) -> None:
    """Change an organisation's details. The caller holds EDIT_ORGANISATION for it."""
    name = check_name(name, max_chars=200)
    require_totp = logic.check_totp_rule(require_totp)
    numbers = logic.clean_crisis_numbers(crisis_numbers)
    if len(contact) > 2000:
        raise BadRequest(
            N_("The contact details can have at most 2,000 characters."), code="too_long"
        )
    async with db.session() as session:
        org = await session.get(Organisation, organisation_id)
        if org is None:
            raise OrganisationNotFound()
        changed_rule = org.require_totp != require_totp
        org.name = name
        org.contact = contact.strip()
        org.crisis_numbers = numbers
        org.require_totp = require_totp
        audit(
            session,
            event="organisation_updated",
            now=now,
            actor_id=actor.user_id,
            organisation_id=organisation_id,
            reason="totp_rule" if changed_rule else None,
        )
