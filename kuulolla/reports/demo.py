"""A year of plausible demo statistics, so the reports dashboard shows something.

Made up, deterministic (seeded per organisation) and written once: an organisation
that already has event records is left alone. Busy evenings and weekends, quieter
summers, a queue that answers most but not all, a few crisis alerts a month (so
small-count suppression shows), referral cards to the directory's services, shifts of
the demo volunteers. Queue events go to the organisation's queue topics (two at most),
or to no topic when it has none yet; run this after the other demo data.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from kuulolla.accounts.models import Membership, Organisation
from kuulolla.core import events
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.core.events import QUESTION_CATEGORIES, Kind
from kuulolla.core.models import ReportEvent
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room

DAYS = 365
# The codes moderators' actions are recorded with (moderation/service.py: audit).
MODERATION = ("redact", "mute", "remove", "ban", "approve", "report_action")
# Every crisis category the screening raises (moderation/crisis.py: CATEGORIES).
CRISIS = ("overdose", "suicide", "self_harm", "violence", "abuse", "eating")
# Services of the directory helpers send as referral cards: (kind, topics), as the demo
# directory has them (directory/demo.py, demo_local.py).
REFERRALS = (
    ("peer_group", ("carers",)),
    ("peer_group", ("mental_health",)),
    ("peer_group", ("grief",)),
    ("helpline", ("crisis", "mental_health")),
    ("helpline", ("violence", "crisis")),
    ("counselling", ("crisis", "mental_health")),
    ("drop_in", ("parenting",)),
    ("drop_in", ("youth",)),
    ("chat", ("relationships",)),
    ("volunteering", ("loneliness", "older_people")),
)


def _season(day: datetime) -> float:
    """Quieter in July, busier in November–February."""
    return 1.0 + 0.3 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)


async def seed(db: Database, *, now: datetime) -> int:
    """Seed the last year for every organisation that has no event records yet;
    returns how many rows were written."""
    async with db.read_session() as session:
        orgs = list(await session.scalars(select(Organisation.id).order_by(Organisation.id)))
        # An organisation with records older than two days has a history of its own (or
        # the demo's); a check-out made by another demo seed just now does not count.
        has_events = set(
            await session.scalars(
                select(ReportEvent.organisation_id)
                .where(
                    ReportEvent.organisation_id.is_not(None),
                    ReportEvent.hour < now - timedelta(days=2),
                )
                .group_by(ReportEvent.organisation_id)
                .having(func.count() > 0)
            )
        )
        rooms: dict[int, list[int]] = {}
        for room in await session.scalars(select(Room).where(Room.kind == "group")):
            rooms.setdefault(room.organisation_id, []).append(room.id)
        topics: dict[int, list[int | None]] = {}
        for topic in await session.scalars(select(QueueTopic).order_by(QueueTopic.id)):
            topics.setdefault(topic.organisation_id, []).append(topic.id)
        staff: dict[int, list[int]] = {}
        for m in await session.scalars(select(Membership)):
            staff.setdefault(m.organisation_id, []).append(m.user_id)
    written = 0
    for org in orgs:
        if org in has_events:
            continue
        rows = list(
            _year(
                org,
                sorted(rooms.get(org, [])),
                topics.get(org, [])[:2] or [None],
                sorted(staff.get(org, [])),
                now,
            )
        )
        written += await events.write(db, rows)
    return written


def _year(
    org: int, rooms: list[int], topics: list[int | None], staff: list[int], now: datetime
) -> Any:
    rng = random.Random(f"kuulolla-demo-{org}")
    # Referrals draw from a stream of their own, so the other figures stay as they were.
    referral_rng = random.Random(f"kuulolla-demo-referrals-{org}")
    today = now.astimezone(HELSINKI).replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        load = _season(day) * (1.2 if weekend else 1.0)
        evening = day.replace(hour=19)
        for index, room in enumerate(rooms):
            base = (14 if index == 0 else 6) * load
            new = max(0, int(rng.gauss(base, base / 3)))
            back_again = max(0, int(rng.gauss(base * 0.8, base / 3)))
            for label, n in (("new", new), ("return", back_again)):
                if n:
                    yield events.row(
                        Kind.ROOM_VISIT,
                        organisation_id=org,
                        at=evening,
                        room_id=room,
                        label=label,
                        count=n,
                    )
            visitor_messages = int((new + back_again) * rng.uniform(4, 9))
            staff_messages = int(visitor_messages * rng.uniform(0.2, 0.35))
            for label, n in (("visitor", visitor_messages), ("staff", staff_messages)):
                if n:
                    yield events.row(
                        Kind.ROOM_MESSAGES,
                        organisation_id=org,
                        at=evening,
                        room_id=room,
                        label=label,
                        count=n,
                    )
            if staff and rng.random() < 0.8:
                yield events.row(
                    Kind.SHIFT_HOURS,
                    organisation_id=org,
                    at=day.replace(hour=18),
                    room_id=room,
                    staff_id=rng.choice(staff),
                    value=rng.choice((2.0, 2.5, 3.0)),
                )
            if rng.random() < 0.25:
                yield events.row(
                    Kind.MODERATION_ACTION,
                    organisation_id=org,
                    at=evening,
                    room_id=room,
                    label=rng.choice(MODERATION),
                )
            if referral_rng.random() < 0.3:
                kind, service_topics = referral_rng.choice(REFERRALS)
                yield events.row(
                    Kind.REFERRAL_SENT, organisation_id=org, at=evening, room_id=room, label=kind
                )
                for topic in service_topics:
                    yield events.row(
                        Kind.REFERRAL_TOPIC,
                        organisation_id=org,
                        at=evening,
                        room_id=room,
                        label=topic,
                    )
            if rng.random() < 0.06:
                yield events.row(
                    Kind.CRISIS_ALERT,
                    organisation_id=org,
                    at=evening,
                    room_id=room,
                    label=rng.choice(CRISIS),
                )
        yield from _queue(rng, org, day, load, topics, staff)
        yield from _questions(rng, org, day, now)


def _queue(
    rng: random.Random,
    org: int,
    day: datetime,
    load: float,
    topics: list[int | None],
    staff: list[int],
) -> Any:
    for rank, topic in enumerate(topics, start=1):
        entered = max(0, int(rng.gauss(7 * load / rank, 2)))
        if not entered:
            continue
        at = day.replace(hour=rng.choice((12, 16, 20)))
        yield events.row(
            Kind.QUEUE_ENTERED, organisation_id=org, at=at, topic_id=topic, count=entered
        )
        for _ in range(entered):
            wait = min(rng.lognormvariate(math.log(240), 0.8), 3 * 3600)
            if rng.random() < 0.84:
                yield events.row(
                    Kind.QUEUE_ANSWERED, organisation_id=org, at=at, topic_id=topic, value=wait
                )
                yield events.row(
                    Kind.QUEUE_ENDED,
                    organisation_id=org,
                    at=at,
                    topic_id=topic,
                    value=rng.uniform(8, 55) * 60,
                )
                if rng.random() < 0.3:
                    score = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 6, 14, 17))[0]
                    yield events.row(
                        Kind.FEEDBACK, organisation_id=org, at=at, topic_id=topic, value=score
                    )
                    yield events.row(
                        Kind.FEEDBACK_HELPED,
                        organisation_id=org,
                        at=at,
                        topic_id=topic,
                        label="yes" if score >= 3 else "no",
                    )
            else:
                yield events.row(
                    Kind.QUEUE_ABANDONED,
                    organisation_id=org,
                    at=at,
                    topic_id=topic,
                    value=min(wait, 40 * 60),
                )
        if staff:
            yield events.row(
                Kind.SHIFT_HOURS,
                organisation_id=org,
                at=day.replace(hour=12),
                topic_id=topic,
                staff_id=rng.choice(staff),
                value=4.0,
            )


def _questions(rng: random.Random, org: int, day: datetime, now: datetime) -> Any:
    categories = sorted(QUESTION_CATEGORIES)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        category = rng.choice(categories)
        at = day.replace(hour=rng.randrange(8, 23))
        yield events.row(Kind.QUESTION_RECEIVED, organisation_id=org, at=at, label=category)
        took = timedelta(days=rng.uniform(1, 16))
        answered = at + took
        if answered > now:
            continue
        yield events.row(
            Kind.QUESTION_ANSWERED,
            organisation_id=org,
            at=answered,
            label=category,
            value=took.total_seconds(),
        )
        if rng.random() < 0.6:
            yield events.row(
                Kind.QUESTION_PUBLISHED, organisation_id=org, at=answered, label=category
            )
        if took > timedelta(days=14):
            yield events.row(Kind.QUESTION_LATE, organisation_id=org, at=answered, label=category)
