"""What staff may be told of by e-mail besides crisis escalations, read each
notification round (notify/tasks.py): visitors waiting in a chat queue while none of
the organisation's helpers has the console open, and what waits for a person in the
notification centre (notify/centre.py: questions, reviews, calls for volunteers,
debriefs, swaps). Each thing carries a key, so a person is told of it once.

An e-mail says what kind of thing waits and where, with a link: never a visitor's
words, a question's title or a nickname.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kuulolla.accounts.models import Membership, Organisation
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.accounts.service import get_person
from kuulolla.core.db import Database
from kuulolla.moderation.desk_presence import CONSOLE_FRESH
from kuulolla.notify import centre
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueTopic

# A centre item's key prefix -> the kind of event a person chooses (service.EVENTS).
CENTRE_EVENTS = {
    "question": "questions",
    "review": "questions",
    "call": "calls",
    "debrief": "roster",
    "swap": "roster",
}


@dataclass(frozen=True, slots=True)
class QueueAlone:
    """A visitor waiting in a topic's queue while no helper has the console open."""

    entry_id: int
    organisation_id: int
    organisation_slug: str
    topic_names: dict[str, str]
    queued_at: datetime
    staff: list[int]  # the organisation's volunteers, professionals and coordinators

    @property
    def key(self) -> str:
        return f"queue-{self.entry_id}"


async def list_queue_alone(db: Database, *, now: datetime) -> list[QueueAlone]:
    """Every visitor waiting now in an organisation where no helper is available with
    the console open (its heartbeat fresher than ``CONSOLE_FRESH``)."""
    async with db.read_session() as session:
        on_console = set(
            await session.scalars(
                select(QueueHelper.organisation_id).where(
                    QueueHelper.available.is_(True),
                    QueueHelper.seen_at >= now - CONSOLE_FRESH,
                )
            )
        )
        rows = list(
            await session.execute(
                select(QueueEntry.id, QueueEntry.queued_at, QueueTopic, Organisation.slug)
                .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
                .join(Organisation, Organisation.id == QueueTopic.organisation_id)
                .where(QueueEntry.state == "waiting")
                .order_by(QueueEntry.id)
            )
        )
        alone = [r for r in rows if r[2].organisation_id not in on_console]
        staff: dict[int, list[int]] = {}
        for org_id in {r[2].organisation_id for r in alone}:
            staff[org_id] = sorted(
                await session.scalars(
                    select(Membership.user_id).where(
                        Membership.organisation_id == org_id,
                        Membership.role.in_(("volunteer", "professional", "coordinator")),
                    )
                )
            )
    return [
        QueueAlone(
            int(entry_id),
            topic.organisation_id,
            str(org_slug),
            {
                locale: name
                for locale, name in (
                    ("fi", topic.name_fi),
                    ("sv", topic.name_sv),
                    ("en", topic.name_en),
                )
                if name
            },
            queued_at,
            staff[topic.organisation_id],
        )
        for entry_id, queued_at, topic, org_slug in alone
    ]


@dataclass(frozen=True, slots=True)
class Waiting:
    """One thing from a person's notification centre, for an e-mail."""

    key: str
    event: str  # service.EVENTS
    link: str
    organisation: str


async def list_waiting_for(
    db: Database, *, user_id: int, events: frozenset[str], since: datetime, now: datetime
) -> list[Waiting]:
    """What waits for the person in their notification centre, of the kinds they
    chose, that came after ``since`` (when they chose e-mail; a thing without a time
    of its own, such as a swap, counts as new)."""
    person = await get_person(db, user_id=user_id)
    if person is None or not person.active:
        return []
    principal = Principal(
        user_id=person.id,
        username=person.username,
        display_name=person.display_name,
        is_admin=person.is_admin,
        roles={org: Role(role) for org, role in person.roles.items()},
    )
    out = []
    for item in await centre.get_waiting(db, principal=principal, locale="fi", now=now):
        event = CENTRE_EVENTS.get(item.key.split("-", 1)[0])
        if event is None or event not in events:
            continue
        if item.created_at is not None and item.created_at < since:
            continue
        out.append(Waiting(item.key, event, item.link, item.organisation))
    return out
