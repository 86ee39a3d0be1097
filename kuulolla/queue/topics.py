"""Queue topics: what a topic is (``TopicInfo``: its names, descriptions and consent
texts by locale, opening hours, pre-chat questions, whom it is for, open or closed),
listing and finding topics, and creating one. A coordinator's changes to a topic are
in queue/manage.py; a topic's load and status in queue/service.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.queue import helpnow, logic
from kuulolla.queue.models import QueueTopic


class TopicNotFound(NotFound):
    code = "topic_not_found"
    default_message = N_("There is no such chat topic.")


@dataclass(frozen=True, slots=True)
class TopicInfo:
    id: int
    slug: str
    organisation_id: int
    organisation_name: str
    texts: dict[str, dict[str, str]]
    hours: dict[str, list[list[str]]]
    questions: tuple[str, ...]
    default_handling: int
    active: bool
    audience: str = "all"

    def text(self, name: str, locale: str) -> str:
        values = self.texts[name]
        return values.get(locale) or values.get("fi", "")

    def name(self, locale: str) -> str:
        return self.text("name", locale)


def topic_info(topic: QueueTopic, org: Organisation) -> TopicInfo:
    texts = {
        name: {loc: v for loc in ("fi", "sv", "en") if (v := getattr(topic, f"{name}_{loc}"))}
        for name in ("name", "description", "consent")
    }
    return TopicInfo(
        id=topic.id,
        slug=topic.slug,
        organisation_id=org.id,
        organisation_name=org.name,
        texts=texts,
        hours=dict(topic.hours or {}),
        questions=tuple(topic.questions or ()),
        default_handling=topic.default_handling_seconds,
        active=topic.active,
        audience=topic.audience or "all",
    )


async def list_topics(db: Database, *, organisation_id: int | None = None) -> list[TopicInfo]:
    async with db.read_session() as session:
        query = select(QueueTopic, Organisation).join(
            Organisation, Organisation.id == QueueTopic.organisation_id
        )
        if organisation_id is not None:
            query = query.where(QueueTopic.organisation_id == organisation_id)
        rows = await session.execute(query.order_by(Organisation.name, QueueTopic.name_fi))
        return [topic_info(t, o) for t, o in rows]


async def get_topic_or_raise(db: Database, *, slug: str) -> TopicInfo:
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(QueueTopic, Organisation)
                .join(Organisation, Organisation.id == QueueTopic.organisation_id)
                .where(QueueTopic.slug == slug)
            )
        ).first()
    if row is None:
        raise TopicNotFound()
    return topic_info(*row)


async def do_create_topic(
    db: Database,
    *,
    organisation_id: int,
    slug: str,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    consents: dict[str, str] | None = None,
    hours: object,
    questions: list[str] | tuple[str, ...] = logic.QUESTIONS,
    default_handling: int = 900,
    audience: str = "all",
    now: datetime,
) -> int:
    """Create a queue topic. ``names`` needs "fi"; hours as in logic.check_hours; the
    slug may not be a reserved path name (logic.RESERVED_SLUGS); ``audience`` one of
    helpnow.AUDIENCES."""
    slug = logic.check_topic_slug(slug)
    if "fi" not in names:
        raise BadRequest(N_("A topic needs a Finnish name."), code="invalid_name")
    clean = {loc: check_name(n) for loc, n in names.items() if n}
    hours = logic.check_hours(hours)
    if any(q not in logic.QUESTIONS for q in questions):
        raise BadRequest(N_("Unknown pre-chat question."), code="invalid_question")
    if audience not in helpnow.AUDIENCES:
        raise BadRequest(N_("Choose whom the topic is for."), code="invalid_audience")
    descriptions, consents = descriptions or {}, consents or {}
    async with db.session() as session:
        if await session.scalar(select(QueueTopic.id).where(QueueTopic.slug == slug)):
            raise Conflict(N_("A topic with that slug exists already."), code="slug_taken")
        topic = QueueTopic(
            organisation_id=organisation_id,
            slug=slug,
            name_fi=clean["fi"],
            name_sv=clean.get("sv"),
            name_en=clean.get("en"),
            description_fi=descriptions.get("fi", ""),
            description_sv=descriptions.get("sv"),
            description_en=descriptions.get("en"),
            consent_fi=consents.get("fi", ""),
            consent_sv=consents.get("sv"),
            consent_en=consents.get("en"),
            hours=hours,
            questions=list(questions),
            default_handling_seconds=default_handling,
            active=True,
            audience=audience,
            created_at=now,
        )
        session.add(topic)
        await session.flush()
        return topic.id
