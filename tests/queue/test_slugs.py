"""Topic slugs never clash with the fixed paths beside them: the reserved names cover
every such path, new topics cannot take one, and migration 0011 renamed old ones."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON, DateTime, column, func, insert, select, table
from starlette.routing import Mount, Route

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.migrations import downgrade, upgrade
from kuulolla.queue import logic, topics
from kuulolla.queue.models import QueueTopic
from kuulolla.web.app import create_app
from tests.conftest import make_settings
from tests.helpers import NOW, make_room, run_async

# queue_topics as revision 0010 left it: the model has columns added since (audience).
TOPICS_0010 = table(
    "queue_topics",
    column("id"),
    column("organisation_id"),
    column("slug"),
    column("name_fi"),
    column("description_fi"),
    column("consent_fi"),
    column("hours", JSON),
    column("questions", JSON),
    column("default_handling_seconds"),
    column("active"),
    column("created_at", DateTime(timezone=True)),
)


def paths(routes: list[Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            out += paths(list(route.routes or []), prefix + route.path)
        elif isinstance(route, Route):
            out.append(prefix + route.path)
    return out


def test_every_fixed_path_beside_a_topic_slug_is_reserved(sqlite_url: str) -> None:
    """A path that differs from a topic's path only by a fixed name where the topic slug
    goes (/chat/status beside /chat/{topic}) uses a reserved name."""
    app = create_app(make_settings(sqlite_url))
    every = [p.split("/") for p in paths(list(app.router.routes))]
    beside: set[str] = set()
    for topic_path in (p for p in every if "{topic}" in p):
        at = topic_path.index("{topic}")
        for other in every:
            if (
                len(other) == len(topic_path)
                and other[:at] == topic_path[:at]
                and other[at + 1 :] == topic_path[at + 1 :]
                and not other[at].startswith("{")
            ):
                beside.add(other[at])
    assert {"status", "new"} <= beside  # the check sees the routes it is about
    assert beside <= logic.RESERVED_SLUGS


@pytest.mark.asyncio
async def test_a_service_refuses_a_reserved_topic_slug(db: Database) -> None:
    """Creating a topic called "new" outside the coordinator's form is refused too; nothing is stored."""
    from kuulolla.accounts.organisations import do_create_organisation

    org = await do_create_organisation(db, slug="jarjesto", name="Järjestö ry", now=NOW)
    with pytest.raises(BadRequest) as caught:
        await topics.do_create_topic(
            db, organisation_id=org, slug="new", names={"fi": "Uusi"}, hours={}, now=NOW
        )
    assert caught.value.code == "slug_taken"
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(QueueTopic)) == 0


def test_migration_renames_topics_with_reserved_slugs(db_url: str) -> None:
    """A topic called "new" or "status" made before the names were reserved gets a free
    name of its own; its id and the other topics stay as they were."""

    async def organisation() -> None:
        db = Database.from_url(db_url)
        try:
            await make_room(db, "huone")  # with today's tables, before going back
        finally:
            await db.dispose()

    run_async(organisation)
    downgrade(db_url, "0010_question_crisis")

    async def seed() -> dict[str, int]:
        db = Database.from_url(db_url)
        try:
            async with db.session() as session:
                org_id = await session.scalar(select(Organisation.id))
                ids = {}
                for slug in ("new", "status", "status-topic", "nuoret"):
                    ids[slug] = await session.scalar(
                        insert(TOPICS_0010)
                        .values(
                            organisation_id=org_id,
                            slug=slug,
                            name_fi=slug,
                            description_fi="",
                            consent_fi="",
                            hours={},
                            questions=[],
                            default_handling_seconds=900,
                            active=True,
                            created_at=NOW,
                        )
                        .returning(TOPICS_0010.c.id)
                    )
                return ids
        finally:
            await db.dispose()

    async def slugs() -> dict[int, str]:
        db = Database.from_url(db_url)
        try:
            async with db.read_session() as session:
                rows = await session.execute(select(QueueTopic.id, QueueTopic.slug))
                return {row.id: row.slug for row in rows}
        finally:
            await db.dispose()

    ids = run_async(seed)
    upgrade(db_url)
    assert run_async(slugs) == {
        ids["new"]: "new-topic",
        ids["status"]: "status-topic-2",
        ids["status-topic"]: "status-topic",
        ids["nuoret"]: "nuoret",
    }
