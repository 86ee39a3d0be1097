"""Who is where, for the duty desk's "what you serve": per group room the visitors
present and the people checked in on its shifts; per queue topic the visitors waiting
and in a conversation, and how many helpers have the console open now.

Every count is read from the database, so it is the same whichever server process
draws the desk: visitors present in a group room hold their nickname's claim
(rooms/nicks.py, let go when they leave, lapsing when a process dies); a helper's open
console beats every few seconds (queue/console.py ``do_heartbeat``). The desk's stream
reads these again every second and sends the desk when a count changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from kuulolla.core.db import Database
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueTopic
from kuulolla.rooms.models import RoomNick
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow, checked_in_now

# A console is open while its heartbeat (every 10 s, static/js/console.js) is this
# fresh: a closed one leaves the count within half a minute.
CONSOLE_FRESH = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class RoomCount:
    room_id: int
    present: int  # visitors in the room now
    on_shift: int  # staff checked in on the room's shift now


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic_id: int
    names: dict[str, str]
    waiting: int
    talking: int  # visitors in a conversation with a helper

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["fi"]


@dataclass(frozen=True, slots=True)
class Presence:
    rooms: dict[int, RoomCount]
    topics: list[TopicCount]
    on_console: int  # the organisation's helpers available with the console open

    @property
    def waiting(self) -> int:
        return sum(t.waiting for t in self.topics)


def _names(topic: QueueTopic) -> dict[str, str]:
    return {
        locale: value
        for locale, value in (("fi", topic.name_fi), ("sv", topic.name_sv), ("en", topic.name_en))
        if value
    }


async def get_presence(
    db: Database,
    *,
    organisation_id: int,
    room_ids: Sequence[int],
    queue: bool,
    now: datetime,
) -> Presence:
    """The counts of ``room_ids`` and, when ``queue``, of the organisation's active
    queue topics."""
    rooms: dict[int, RoomCount] = {}
    topics: list[TopicCount] = []
    on_console = 0
    async with db.read_session() as session:
        if room_ids:
            present = dict(
                (int(room_id), int(n))
                for room_id, n in await session.execute(
                    select(RoomNick.room_id, func.count(func.distinct(RoomNick.author_key)))
                    .where(RoomNick.room_id.in_(room_ids), RoomNick.expires_at > now)
                    .group_by(RoomNick.room_id)
                )
            )
            shift = dict(
                (int(room_id), int(n))
                for room_id, n in await session.execute(
                    select(
                        ShiftRow.room_id, func.count(func.distinct(ShiftAssignmentRow.person_id))
                    )
                    .join(ShiftAssignmentRow, ShiftAssignmentRow.shift_id == ShiftRow.id)
                    .where(ShiftRow.room_id.in_(room_ids), checked_in_now(now))
                    .group_by(ShiftRow.room_id)
                )
                if room_id is not None
            )
            rooms = {r: RoomCount(r, present.get(r, 0), shift.get(r, 0)) for r in room_ids}
        if queue:
            counts: dict[tuple[int, str], int] = {
                (int(topic_id), str(state)): int(n)
                for topic_id, state, n in await session.execute(
                    select(QueueEntry.topic_id, QueueEntry.state, func.count(QueueEntry.id))
                    .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
                    .where(
                        QueueTopic.organisation_id == organisation_id,
                        QueueEntry.state.in_(("waiting", "active")),
                    )
                    .group_by(QueueEntry.topic_id, QueueEntry.state)
                )
            }
            for topic in await session.scalars(
                select(QueueTopic)
                .where(QueueTopic.organisation_id == organisation_id, QueueTopic.active.is_(True))
                .order_by(QueueTopic.name_fi)
            ):
                topics.append(
                    TopicCount(
                        topic.id,
                        _names(topic),
                        counts.get((topic.id, "waiting"), 0),
                        counts.get((topic.id, "active"), 0),
                    )
                )
            on_console = int(
                await session.scalar(
                    select(func.count()).where(
                        and_(
                            QueueHelper.organisation_id == organisation_id,
                            QueueHelper.available.is_(True),
                            QueueHelper.seen_at >= now - CONSOLE_FRESH,
                        )
                    )
                )
                or 0
            )
    return Presence(rooms, topics, on_console)
