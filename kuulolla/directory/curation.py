"""What admins and organisations set for the directory: the topic vocabulary (the
shipped topics and admins' own, with their search words), each organisation's
staleness period and the open data's licence and publisher.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.directory import logic, vocabulary
from kuulolla.directory.models import (
    DirectoryPlatform,
    DirectoryServiceTopic,
    DirectorySettings,
    DirectoryTopic,
)
from kuulolla.directory.service import reindex


class TopicNotFound(NotFound):
    code = "topic_not_found"
    default_message = N_("There is no such topic.")


async def list_topics(db: Database, *, active_only: bool = True) -> list[vocabulary.Topic]:
    """The topic vocabulary in its order."""
    query = select(DirectoryTopic).order_by(DirectoryTopic.position, DirectoryTopic.key)
    if active_only:
        query = query.where(DirectoryTopic.active.is_(True))
    async with db.read_session() as session:
        rows = (await session.scalars(query)).all()
    return [
        vocabulary.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words)
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic: vocabulary.Topic
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
            vocabulary.Topic(r.key, {"fi": r.name_fi, "sv": r.name_sv, "en": r.name_en}, r.words),
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
        await reindex(session, list(ids))


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
    licence: str = vocabulary.DEFAULT_LICENCE
    publisher: str = ""

    @property
    def licence_name(self) -> str:
        return vocabulary.LICENCES[self.licence][0]

    @property
    def licence_url(self) -> str:
        return vocabulary.LICENCES[self.licence][1]


async def get_platform(db: Database) -> Platform:
    async with db.read_session() as session:
        row = await session.get(DirectoryPlatform, 1)
    if row is None or row.licence not in vocabulary.LICENCES:
        return Platform()
    return Platform(row.licence, row.publisher)


async def do_set_platform(db: Database, *, licence: str, publisher: str) -> None:
    async with db.session() as session:
        row = await session.get(DirectoryPlatform, 1)
        if row is None:
            session.add(DirectoryPlatform(id=1, licence=licence, publisher=publisher))
        else:
            row.licence, row.publisher = licence, publisher
