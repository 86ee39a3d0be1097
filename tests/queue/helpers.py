"""A small queue world: an organisation, its helpers and an always-open topic."""

from __future__ import annotations

from dataclasses import dataclass, field

from kuulolla.accounts import crypto
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.core.ids import token_key
from kuulolla.queue import accepting, console, topics, waiting
from tests.accounts.helpers import add_person
from tests.conftest import TEST_SECRET
from tests.helpers import NOW

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class QueueWorld:
    org_id: int
    other_org_id: int
    topic: topics.TopicInfo
    other_topic: topics.TopicInfo
    helpers: dict[str, int] = field(default_factory=dict)

    def key(self, name: str) -> bytes:
        return crypto.staff_author_key(TEST_SECRET, self.helpers[name])


def visitor(n: int) -> bytes:
    return token_key(f"visitor-token-{n}")


async def build(
    db: Database, *, on_duty: tuple[str, ...] = ("vol1",), max_chats: int = 2
) -> QueueWorld:
    org = await do_create_organisation(
        db, actor_id=None, slug="tukijarjesto", name="Tuki ry", now=NOW
    )
    other = await do_create_organisation(
        db, actor_id=None, slug="toinen", name="Toinen ry", now=NOW
    )
    await topics.do_create_topic(
        db,
        organisation_id=org,
        slug="nuorten-chat",
        names={"fi": "Nuorten chat", "sv": "Ungdomschatten", "en": "Youth chat"},
        consents={"fi": "Hyväksyn ehdot."},
        hours=ALWAYS,
        now=NOW,
    )
    await topics.do_create_topic(
        db,
        organisation_id=other,
        slug="parisuhde",
        names={"fi": "Parisuhde"},
        hours=ALWAYS,
        now=NOW,
    )
    world = QueueWorld(
        org,
        other,
        await topics.get_topic_or_raise(db, slug="nuorten-chat"),
        await topics.get_topic_or_raise(db, slug="parisuhde"),
    )
    for name, role in (("vol1", "volunteer"), ("vol2", "volunteer"), ("pro1", "professional")):
        world.helpers[name] = await add_person(
            db, f"{name}-q", display_name=name, org_id=org, role=role
        )
    world.helpers["other1"] = await add_person(
        db, "other1-q", display_name="other1", org_id=other, role="volunteer"
    )
    for name in on_duty:
        org_of = other if name.startswith("other") else org
        await console.do_set_duty(
            db,
            organisation_id=org_of,
            user_id=world.helpers[name],
            available=True,
            max_chats=max_chats,
            now=NOW,
        )
    return world


async def enter(db: Database, world: QueueWorld, n: int, *, when=NOW) -> int:  # type: ignore[no-untyped-def]
    return await waiting.do_enter(
        db, topic=world.topic, visitor_key=visitor(n), answers={}, consent=True, now=when
    )


async def accept(
    db: Database,
    world: QueueWorld,
    name: str,
    *,
    entry_id: int | None = None,
    reason: str | None = None,
    when=NOW,
) -> accepting.Accepted:  # type: ignore[no-untyped-def]
    return await accepting.do_accept(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers[name],
        staff_key=world.key(name),
        topic_id=world.topic.id,
        entry_id=entry_id,
        reason=reason,
        now=when,
    )
