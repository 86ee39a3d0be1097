"""Minimal event records for statistics: what happened, where, in which hour.

Reports must show funders what the service achieves without ever exposing a
visitor, and the figures must survive when retention purges the content they were
counted from. So an event row (``report_events``, core/models.py) holds only:

- ``organisation_id`` (None while a question has no organisation yet),
- ``kind`` (:class:`Kind`) and ``hour`` (the start of the UTC hour; never a finer time),
- optionally a group room, a queue topic, or (shift hours only) a staff member,
- ``label``: a code from the kind's allow-list (:data:`SPECS`), never free text,
- ``count`` and one number ``value`` (a wait or duration in seconds, a score, hours).

No message text, nickname, token, author key, question id, conversation id or
address ever goes in; :func:`check` refuses anything outside the spec (a
``ValueError``: a programming error, not user input).

Two ways to record, for two kinds of caller:

**Inside a transaction** (questions, queue, moderation actions, shifts: anything that
already writes to the database)::

    from kuulolla.core import events
    from kuulolla.core.events import Kind

    async with db.session() as session:
        ...  # the domain's own change
        events.add(session, Kind.QUEUE_ANSWERED, organisation_id=org, at=now,
                   topic_id=topic.id, value=wait_seconds)

The event commits or rolls back with the change it describes.

**On a hot path** (the chat socket): :class:`Tally` keeps counts in memory, summed
per (organisation, kind, hour, room, topic, label), and writes them in one insert
every few seconds. ``ChatServer.tally`` is the process's tally; the chat server
flushes it every :data:`FLUSH_SECONDS` and on shutdown. Counting costs a dict
update; nothing waits for the database::

    server.tally.count(Kind.ROOM_MESSAGES, organisation_id=org, room_id=room, at=now,
                       label="visitor")
    server.tally.record(Kind.FEEDBACK, organisation_id=org, topic_id=t, at=now, value=4)

Counts from several processes are separate rows of the same hour; aggregation sums
them. A crash loses at most the last unflushed interval of counts, never content.

Kinds and what they mean:

=====================  ==========================================  ============
kind                   one event is                                value
=====================  ==========================================  ============
room.visit             a fresh join of a group room (label "new":  —
                       the visitor's anonymous token was minted in
                       this connection; "return": an older token;
                       "staff")
room.messages          messages committed in a group room (label   —
                       "visitor" or "staff"), counted per hour
queue.entered          a visitor entered a queue topic             —
queue.answered         a helper took a waiting visitor             wait, s
queue.abandoned        a visitor left the queue unanswered         wait, s
queue.ended            a one-to-one conversation ended             duration, s
feedback               a visitor's feedback score                  1–5
feedback.helped        a visitor's answer to "did the chat help"   —
                       (label "yes" or "no")
question.asked         a question arrived (label: its category)    —
question.received      a question came to an organisation          —
question.answered      an answer reached the asker (published or   time to
                       private; label: category)                   answer, s
question.published     an answer entered the public archive        —
question.late          an answer came after the deadline           —
moderation.action      a moderator's action (label: its code)      —
crisis.alert           a crisis signal (label: its category)       —
shift.hours            hours worked on a shift (staff id; room or  hours
                       topic)
referral.sent          a helper sent a service of the directory    —
                       (label: the service's kind; group room, or
                       queue topic of a conversation)
referral.topic         one per topic of a referred service         —
                       (label: the topic's code)
=====================  ==========================================  ============
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core.db import Database
from kuulolla.core.models import ReportEvent
from kuulolla.core.tasks import raise_if_cancelled

log = logging.getLogger(__name__)

events_table = cast(Table, ReportEvent.__table__)

FLUSH_SECONDS = 10.0


class Kind(StrEnum):
    ROOM_VISIT = "room.visit"
    ROOM_MESSAGES = "room.messages"
    QUEUE_ENTERED = "queue.entered"
    QUEUE_ANSWERED = "queue.answered"
    QUEUE_ABANDONED = "queue.abandoned"
    QUEUE_ENDED = "queue.ended"
    FEEDBACK = "feedback"
    FEEDBACK_HELPED = "feedback.helped"
    QUESTION_ASKED = "question.asked"
    QUESTION_RECEIVED = "question.received"
    QUESTION_ANSWERED = "question.answered"
    QUESTION_PUBLISHED = "question.published"
    QUESTION_LATE = "question.late"
    MODERATION_ACTION = "moderation.action"
    CRISIS_ALERT = "crisis.alert"
    SHIFT_HOURS = "shift.hours"
    REFERRAL_SENT = "referral.sent"
    REFERRAL_TOPIC = "referral.topic"


# Question categories and crisis categories, copied so that recording stays free of
# imports from other domains; tests/reports/test_events.py checks they agree.
QUESTION_CATEGORIES = frozenset(
    {"relationships", "parenting", "youth", "loneliness", "mental-health", "carers"}
)
CRISIS_CATEGORIES = frozenset({"overdose", "suicide", "self_harm", "violence", "abuse", "eating"})
# The directory's kinds of service (directory/logic.py, KINDS); its topics are codes of
# a vocabulary admins extend, so any code is a topic label.
SERVICE_KINDS = frozenset(
    {"peer_group", "helpline", "chat", "drop_in", "counselling", "event_series", "volunteering"}
)
# A moderation action is named by its stable code ("remove", "ban", …): lowercase
# letters, digits and underscores, at most 32 characters. Never text a person wrote.
CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")

ValueKind = Literal["none", "seconds", "score", "hours"]
Place = Literal["room", "topic", "any", "none"]


@dataclass(frozen=True, slots=True)
class Spec:
    value: ValueKind = "none"
    labels: frozenset[str] | None = frozenset({""})  # None: any CODE
    place: Place = "none"  # which of room_id/topic_id may be given
    staff: bool = False  # staff_id required (and only then allowed)


SPECS: dict[Kind, Spec] = {
    Kind.ROOM_VISIT: Spec(labels=frozenset({"new", "return", "staff"}), place="room"),
    Kind.ROOM_MESSAGES: Spec(labels=frozenset({"visitor", "staff"}), place="room"),
    Kind.QUEUE_ENTERED: Spec(place="topic"),
    Kind.QUEUE_ANSWERED: Spec(value="seconds", place="topic"),
    Kind.QUEUE_ABANDONED: Spec(value="seconds", place="topic"),
    Kind.QUEUE_ENDED: Spec(value="seconds", place="topic"),
    Kind.FEEDBACK: Spec(value="score", place="any"),
    Kind.FEEDBACK_HELPED: Spec(labels=frozenset({"yes", "no"}), place="topic"),
    Kind.QUESTION_ASKED: Spec(labels=QUESTION_CATEGORIES),
    Kind.QUESTION_RECEIVED: Spec(labels=QUESTION_CATEGORIES),
    Kind.QUESTION_ANSWERED: Spec(value="seconds", labels=QUESTION_CATEGORIES),
    Kind.QUESTION_PUBLISHED: Spec(labels=QUESTION_CATEGORIES),
    Kind.QUESTION_LATE: Spec(labels=QUESTION_CATEGORIES),
    Kind.MODERATION_ACTION: Spec(labels=None, place="any"),
    Kind.CRISIS_ALERT: Spec(labels=CRISIS_CATEGORIES, place="any"),
    Kind.SHIFT_HOURS: Spec(value="hours", place="any", staff=True),
    Kind.REFERRAL_SENT: Spec(labels=SERVICE_KINDS, place="any"),
    Kind.REFERRAL_TOPIC: Spec(labels=None, place="any"),
}

_VALUE_RANGE: dict[ValueKind, tuple[float, float]] = {
    "seconds": (0.0, 366 * 24 * 3600.0),
    "score": (1.0, 5.0),
    "hours": (0.0, 24.0),
}


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour of ``at`` (which must be timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a report event")
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def check(
    kind: Kind,
    *,
    organisation_id: int | None,
    room_id: int | None = None,
    topic_id: int | None = None,
    staff_id: int | None = None,
    label: str = "",
    value: float | None = None,
    count: int = 1,
) -> None:
    """Refuse (ValueError) an event outside its kind's spec: an unknown kind, a label
    off the allow-list, a missing or out-of-range value, a place or staff id the kind
    does not take. Pure."""
    spec = SPECS.get(Kind(kind))
    if spec is None:
        raise ValueError(f"unknown report event kind {kind!r}")
    if spec.labels is None:
        if not CODE.fullmatch(label):
            raise ValueError(f"{kind}: label {label!r} is not a code")
    elif label not in spec.labels:
        raise ValueError(f"{kind}: label {label!r} is not allowed")
    if spec.value == "none":
        if value is not None:
            raise ValueError(f"{kind} takes no value")
    else:
        if value is None or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{kind} needs a finite value")
        low, high = _VALUE_RANGE[spec.value]
        if not low <= value <= high:
            raise ValueError(f"{kind}: value {value} outside {low}–{high}")
    if room_id is not None and spec.place not in ("room", "any"):
        raise ValueError(f"{kind} takes no room")
    if topic_id is not None and spec.place not in ("topic", "any"):
        raise ValueError(f"{kind} takes no topic")
    if (staff_id is not None) != spec.staff:
        raise ValueError(f"{kind}: staff id {'required' if spec.staff else 'not allowed'}")
    if count < 1 or (spec.value != "none" and count != 1):
        raise ValueError(f"{kind}: bad count {count}")
    if organisation_id is None and not kind.startswith("question."):
        raise ValueError(f"{kind} needs an organisation")


def row(
    kind: Kind,
    *,
    organisation_id: int | None,
    at: datetime,
    room_id: int | None = None,
    topic_id: int | None = None,
    staff_id: int | None = None,
    label: str = "",
    value: float | None = None,
    count: int = 1,
) -> dict[str, Any]:
    """A checked event as the column values of one ``report_events`` row."""
    kind = Kind(kind)
    check(
        kind,
        organisation_id=organisation_id,
        room_id=room_id,
        topic_id=topic_id,
        staff_id=staff_id,
        label=label,
        value=value,
        count=count,
    )
    return {
        "organisation_id": organisation_id,
        "kind": str(kind),
        "hour": hour_of(at),
        "room_id": room_id,
        "topic_id": topic_id,
        "staff_id": staff_id,
        "label": label,
        "count": count,
        "value": None if value is None else float(value),
    }


def add(
    session: AsyncSession,
    kind: Kind,
    *,
    organisation_id: int | None,
    at: datetime,
    room_id: int | None = None,
    topic_id: int | None = None,
    staff_id: int | None = None,
    label: str = "",
    value: float | None = None,
    count: int = 1,
) -> None:
    """Record one event in the caller's transaction (it commits or rolls back with
    the change it describes). Raises ValueError for an event outside its spec."""
    session.add(
        ReportEvent(
            **row(
                kind,
                organisation_id=organisation_id,
                at=at,
                room_id=room_id,
                topic_id=topic_id,
                staff_id=staff_id,
                label=label,
                value=value,
                count=count,
            )
        )
    )


async def write(db: Database, rows: Iterable[dict[str, Any]]) -> int:
    """Insert checked rows (from :func:`row`) in one transaction; returns how many."""
    batch = list(rows)
    if batch:
        async with db.transaction() as conn:
            await conn.execute(insert(events_table), batch)
    return len(batch)


# ------------------------------------------------------------------ hot-path tally

_Key = tuple[int | None, str, int, int | None, int | None, str]


class Tally:
    """Counts and valued events kept in memory and written in batches.

    ``count`` sums into one row per (organisation, kind, hour, room, topic, label);
    ``record`` keeps one row per value (medians need the values). Both check the
    event at once, so a bad call fails where it is made, not at the flush. Not
    thread-safe; use it from the event loop.
    """

    def __init__(self) -> None:
        self._counts: dict[_Key, int] = {}
        self._valued: list[dict[str, Any]] = []

    def count(
        self,
        kind: Kind,
        *,
        organisation_id: int,
        at: datetime,
        room_id: int | None = None,
        topic_id: int | None = None,
        label: str = "",
        n: int = 1,
    ) -> None:
        # The hot path: a tuple and a dict update. The hour is kept as an integer
        # (hours since the epoch) and turned into a datetime only when drained.
        if at.tzinfo is None or n < 1:
            raise ValueError(f"{kind}: a naive time or a bad count")
        key = (organisation_id, kind, int(at.timestamp()) // 3600, room_id, topic_id, label)
        counts = self._counts
        if key in counts:
            counts[key] += n
            return
        check(
            Kind(kind),
            organisation_id=organisation_id,
            room_id=room_id,
            topic_id=topic_id,
            label=label,
        )
        counts[key] = n

    def record(
        self,
        kind: Kind,
        *,
        organisation_id: int,
        at: datetime,
        value: float,
        room_id: int | None = None,
        topic_id: int | None = None,
        label: str = "",
    ) -> None:
        self._valued.append(
            row(
                kind,
                organisation_id=organisation_id,
                at=at,
                room_id=room_id,
                topic_id=topic_id,
                label=label,
                value=value,
            )
        )

    @property
    def pending(self) -> int:
        return len(self._counts) + len(self._valued)

    def drain(self) -> list[dict[str, Any]]:
        """Take everything pending as rows, leaving the tally empty."""
        rows = [
            {
                "organisation_id": org,
                "kind": str(kind),
                "hour": datetime.fromtimestamp(hour * 3600, UTC),
                "room_id": room,
                "topic_id": topic,
                "staff_id": None,
                "label": label,
                "count": n,
                "value": None,
            }
            for (org, kind, hour, room, topic, label), n in self._counts.items()
        ]
        rows.extend(self._valued)
        self._counts = {}
        self._valued = []
        return rows

    def restore(self, rows: list[dict[str, Any]]) -> None:
        """Put drained rows back after a failed write (they go out with the next one)."""
        for r in rows:
            if r["value"] is None:
                key = (
                    r["organisation_id"],
                    r["kind"],
                    int(r["hour"].timestamp()) // 3600,
                    r["room_id"],
                    r["topic_id"],
                    r["label"],
                )
                self._counts[key] = self._counts.get(key, 0) + r["count"]
            else:
                self._valued.append(r)

    async def flush(self, db: Database) -> int:
        """Write everything pending; on a database error keep it for the next flush."""
        rows = self.drain()
        try:
            return await write(db, rows)
        except Exception:
            self.restore(rows)
            raise

    async def run(self, db: Database, *, interval: float = FLUSH_SECONDS) -> None:
        """Flush every ``interval`` seconds until cancelled. The owner flushes once
        more after cancelling it (ChatServer.stop)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush(db)
            except Exception:
                raise_if_cancelled()
                log.warning("reports.flush_failed", extra={"event": "reports.flush_failed"})
