"""Importing open data into the directory: read a file, plan, and (unless it is a dry
run) apply the plan in one transaction. The command line (``kuulolla directory
import``) and the coordinators' import page both come here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.directory import curation, listing, opendata, planning, service
from kuulolla.directory.models import DirectoryService

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # "generated" of an empty directory


async def do_import(
    db: Database,
    *,
    data: bytes,
    now: datetime,
    actor_id: int | None = None,
    organisation: str | None = None,
    dry_run: bool = False,
    remove_missing: bool = False,
) -> planning.Plan:
    """Import a JSON or CSV file. With ``organisation`` (a slug) only that
    organisation's services may be in it; otherwise records name their organisations
    (the command line). A dry run plans and changes nothing; ``remove_missing`` deletes
    the organisations' services the file does not have. Records with problems are left
    out and reported; the others are applied."""
    records = opendata.read(data)
    topics = [t.key for t in await curation.list_topics(db, active_only=False)]
    async with db.read_session() as session:
        orgs: Mapping[str, int] = dict(
            (await session.execute(select(Organisation.slug, Organisation.id))).all()
        )
    if organisation is not None:
        orgs = {organisation: orgs[organisation]} if organisation in orgs else {}
    named = {r.organisation or (organisation or "") for r in records}
    stored = await _stored(db, [orgs[slug] for slug in named if slug in orgs])
    result = planning.plan(
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


async def _stored(db: Database, organisation_ids: list[int]) -> list[planning.Stored]:
    out = []
    for org_id in organisation_ids:
        for view in await listing.list_organisation_services(db, organisation_id=org_id):
            out.append(
                planning.Stored(view.id, view.organisation_slug, view.fields, view.checked_at)
            )
    return out


def report(result: planning.Plan, *, dry_run: bool, remove_missing: bool) -> str:
    """What an import did (or, for a dry run, would do), for the command line."""
    verb = "would be" if dry_run else "were"
    lines = []
    for change in result.creates:
        lines.append(f"+ {change.organisation}/{change.fields.key}: new")
    for change in result.updates:
        lines.append(f"~ {change.organisation}/{change.fields.key}: {', '.join(change.changed)}")
    for problem in result.problems:
        messages = "; ".join(
            f"{name}: {error.translated('en')}" for name, error in problem.errors.items()
        )
        lines.append(f"! record {problem.number} {problem.key}: {messages}")
    for stored in result.missing:
        action = "removed" if remove_missing else "not in the file, kept"
        lines.append(f"- {stored.organisation}/{stored.fields.key}: {action}")
    removed = len(result.missing) if remove_missing else 0
    lines.append(
        f"{len(result.creates)} new, {len(result.updates)} changed, {removed} removed "
        f"{verb}; {result.unchanged} unchanged; {len(result.problems)} with problems."
    )
    return "\n".join(lines)


async def document(
    db: Database, *, now: datetime, base_url: str = "", organisation: str | None = None
) -> dict[str, Any]:
    """Every published service (of one organisation, or all) as an open-data document.
    Its "generated" time is when the data last changed, so the same directory gives the
    same bytes however often it is asked for (the feed's ETag)."""
    platform = await curation.get_platform(db)
    views = await listing.published(db, now=now)
    if organisation is not None:
        views = [v for v in views if v.organisation_slug == organisation]
    records = [
        opendata.record(
            organisation=v.organisation_slug,
            organisation_name=v.organisation_name,
            fields=v.fields,
            checked_at=v.checked_at,
            url=base_url + v.path if base_url else "",
        )
        for v in views
    ]
    changed = max((max(v.updated_at, v.checked_at) for v in views), default=EPOCH)
    return opendata.document(
        records,
        licence=platform.licence,
        publisher=platform.publisher or "Kuulolla",
        generated=changed,
    )


async def export(db: Database, *, now: datetime, file_format: str = "json") -> bytes:
    """The published directory as a JSON or CSV file (what /directory/services.json and
    .csv serve, without the pages' addresses)."""
    doc = await document(db, now=now)
    if file_format == "csv":
        return opendata.to_csv(doc["services"]).encode("utf-8")
    return opendata.to_json(doc)
