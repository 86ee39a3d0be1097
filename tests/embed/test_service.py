"""The sites allowed to embed an organisation's chat, against real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kuulolla.accounts.models import AuditEvent
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.embed import service
from tests.helpers import NOW

pytestmark = pytest.mark.asyncio


async def test_sites_are_added_listed_and_removed_per_organisation(db: Database) -> None:
    """Each organisation has its own list; removing takes a site off one list only."""
    a = await do_create_organisation(db, slug="alfa", name="Alfa ry", now=NOW)
    b = await do_create_organisation(db, slug="beeta", name="Beeta ry", now=NOW)
    first = await service.do_add_origin(
        db, organisation_id=a, text="https://WWW.alfa.fi/", actor_id=None, now=NOW
    )
    await service.do_add_origin(
        db, organisation_id=a, text="https://alfa.fi", actor_id=None, now=NOW
    )
    await service.do_add_origin(
        db, organisation_id=b, text="https://www.alfa.fi", actor_id=None, now=NOW
    )
    listed = await service.list_origins(db, organisation_id=a)
    assert [s.origin for s in listed] == ["https://www.alfa.fi", "https://alfa.fi"]
    with pytest.raises(NotFound):
        await service.do_remove_origin(
            db, organisation_id=b, origin_id=first.id, actor_id=None, now=NOW
        )
    removed = await service.do_remove_origin(
        db, organisation_id=a, origin_id=first.id, actor_id=None, now=NOW
    )
    assert removed == "https://www.alfa.fi"
    assert [s.origin for s in await service.list_origins(db, organisation_id=a)] == [
        "https://alfa.fi"
    ]
    assert [s.origin for s in await service.list_origins(db, organisation_id=b)] == [
        "https://www.alfa.fi"
    ]


async def test_refused_sites_change_nothing(db: Database) -> None:
    """A malformed or repeated site is refused and the list stays as it was."""
    org = await do_create_organisation(db, slug="alfa", name="Alfa ry", now=NOW)
    await service.do_add_origin(
        db, organisation_id=org, text="https://www.alfa.fi", actor_id=None, now=NOW
    )
    for text in ("https://www.alfa.fi/", "www.alfa.fi/chat", "http://www.alfa.fi"):
        with pytest.raises(BadRequest):
            await service.do_add_origin(db, organisation_id=org, text=text, actor_id=None, now=NOW)
    assert [s.origin for s in await service.list_origins(db, organisation_id=org)] == [
        "https://www.alfa.fi"
    ]


async def test_changes_are_in_the_organisations_account_events(db: Database) -> None:
    """Adding and removing a site are recorded with the site and the organisation."""
    org = await do_create_organisation(db, slug="alfa", name="Alfa ry", now=NOW)
    site = await service.do_add_origin(
        db, organisation_id=org, text="https://www.alfa.fi", actor_id=None, now=NOW
    )
    await service.do_remove_origin(
        db, organisation_id=org, origin_id=site.id, actor_id=None, now=NOW
    )
    async with db.read_session() as session:
        events = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.organisation_id == org).order_by(AuditEvent.id)
            )
        )
    embed_events = [(e.event, e.detail) for e in events if e.event.startswith("embed_")]
    assert embed_events == [
        ("embed_site_added", {"site": "https://www.alfa.fi"}),
        ("embed_site_removed", {"site": "https://www.alfa.fi"}),
    ]
