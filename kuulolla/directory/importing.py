"""Importing open data into the directory: read a file, plan, and (unless it is a dry
run) apply the plan in one transaction. The command line (``kuulolla directory
import``) and the coordinators' import page both come here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.directory import opendata, service
from kuulolla.directory.models import DirectoryService


async def do_import(
    db: Database,
    *,
    data: bytes,
    now: datetime,
    actor_id: int | None = None,
    organisation: str | None = None,
    dry_run: bool = False,
    remove_missing: bool = False,
) -> opendata.Plan:
    """Import a JSON or CSV file. With ``organisation`` (a slug) only that
    organisation's services may be in it; otherwise records name their organisations
    (the command line). A dry run plans and changes nothing; ``remove_missing`` deletes
    the organisations' services the file does not have. Records with problems are left
    out and reported; the others are applied."""
    records = opendata.read(data)
    topics = [t.key for t in await service.list_topics(db, active_only=False)]
    async with db.read_session() as session:
        orgs: Mapping[str, int] = dict(
            (await session.execute(select(Organisation.slug, Organisation.id))).all()
        )
    if organisation is not None:
        orgs = {organisation: orgs[organisation]} if organisation in orgs else {}
    named = {r.organisation or (organisation or "") for r in records}
    stored = await _stored(db, [orgs[slug] for slug in named if slug in orgs])
    result = opendata.plan(
        records,
        stored=stored,
        organisations=orgs,
        topics=topics,
        only_organisation=organisation,
    )
    if dry_run:
        return result
    async with db.session() as session:
        for change in [*result.creates, *result.updates]:
            await service.do_save_service(
                session,
                organisation_id=orgs[change.organisation],
                fields=change.fields,
                actor_id=actor_id,
                now=now,
                service_id=change.service_id,
                checked_at=change.checked_at or now,
            )
        if remove_missing and result.missing:
            await session.execute(
                delete(DirectoryService).where(
                    DirectoryService.id.in_([m.id for m in result.missing])
                )
            )
    return result


async def _stored(db: Database, organisation_ids: list[int]) -> list[opendata.Stored]:
    out = []
    for org_id in organisation_ids:
        for view in await service.list_organisation_services(db, organisation_id=org_id):
            out.append(
                opendata.Stored(view.id, view.organisation_slug, view.fields, view.checked_at)
            )
    return out
