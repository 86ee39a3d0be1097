"""Reads the event records of a period into the shapes the report tables need.

Counts come back per series, breakdown member and Helsinki month (a ``logic.Grid``),
so every figure on a page is a suppression-aware sum of the same monthly cells.
Values (waits, durations, scores, times to answer) come back as lists per period;
shift hours per person and per room or topic. Nothing here formats or suppresses:
that is logic.py and tables.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation, StaffUser
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.core.events import Kind
from kuulolla.core.models import ReportEvent
from kuulolla.directory.models import DirectoryTopic
from kuulolla.questions.logic import OPEN_STATES
from kuulolla.questions.models import Question
from kuulolla.queue.models import QueueTopic
from kuulolla.reports.logic import Grid, Period, YearMonth, month_bounds
from kuulolla.rooms.models import Room

# Series: (kind, labels counted or None for all, breakdown) -> series name.
# Breakdown "room", "topic", "label" or "" (none); the admin view breaks every series
# down by organisation instead.
SERIES: dict[str, tuple[Kind, frozenset[str] | None, str]] = {
    "visits": (Kind.ROOM_VISIT, frozenset({"new", "return"}), "room"),
    "new_visitors": (Kind.ROOM_VISIT, frozenset({"new"}), ""),
    "messages": (Kind.ROOM_MESSAGES, None, "room"),
    "queue_entered": (Kind.QUEUE_ENTERED, None, "topic"),
    "queue_answered": (Kind.QUEUE_ANSWERED, None, "topic"),
    "queue_abandoned": (Kind.QUEUE_ABANDONED, None, "topic"),
    "feedback": (Kind.FEEDBACK, None, "topic"),
    "feedback_helped": (Kind.FEEDBACK_HELPED, None, "label"),
    "questions_asked": (Kind.QUESTION_ASKED, None, "label"),
    "questions_received": (Kind.QUESTION_RECEIVED, None, "label"),
    "questions_by_org": (Kind.QUESTION_RECEIVED, None, "org"),
    "questions_answered": (Kind.QUESTION_ANSWERED, None, "label"),
    "questions_published": (Kind.QUESTION_PUBLISHED, None, "label"),
    "questions_late": (Kind.QUESTION_LATE, None, "label"),
    "moderation": (Kind.MODERATION_ACTION, None, "label"),
    "crisis": (Kind.CRISIS_ALERT, None, "label"),
    # Services of the directory sent in chats as referral cards, by the service's kind
    # and by each topic of the service.
    "referrals": (Kind.REFERRAL_SENT, None, "service_kind"),
    "referral_topics": (Kind.REFERRAL_TOPIC, None, "directory_topic"),
}
# Feedback scores are counted per score as well ("feedback_score", member "1"…"5").
FEEDBACK_SCORE = "feedback_score"

VALUED = (
    Kind.QUEUE_ANSWERED,
    Kind.QUEUE_ABANDONED,
    Kind.QUEUE_ENDED,
    Kind.FEEDBACK,
    Kind.QUESTION_ANSWERED,
)


@dataclass(slots=True)
class Values:
    """Valued events of one period: per (kind, member) lists, member "" for all."""

    by: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))

    def get(self, kind: Kind, member: str = "") -> list[float]:
        return self.by.get((str(kind), member), [])


@dataclass(slots=True)
class Hours:
    by_person: dict[str, float] = field(default_factory=dict)  # display name -> hours
    by_place: dict[str, float] = field(default_factory=dict)  # member key -> hours
    total: float = 0.0


@dataclass(slots=True)
class ReportData:
    period: Period
    grid: Grid
    current: Values
    previous: Values
    hours: Hours
    previous_hours: float
    names: dict[str, dict[str, str]]  # breakdown -> member -> display name
    overdue_now: int | None = None
    by_org: bool = False
    today: date | None = None


def _months(period: Period, today: date) -> list[YearMonth]:
    wanted = (
        set(period.months())
        | set(period.previous().months())
        | set(period.trailing_months(today=today))
    )
    first, last = min(wanted), max(wanted)
    out = []
    year, month = first
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _member(breakdown: str, by_org: bool, row: Any) -> str:
    """The breakdown member of a row: across organisations, rooms and topics give way
    to their organisation; categories and codes stay."""
    if breakdown == "org" or (by_org and breakdown in ("room", "topic")):
        return "" if row.organisation_id is None else str(row.organisation_id)
    if breakdown == "room":
        return "" if row.room_id is None else str(row.room_id)
    if breakdown == "topic":
        return "" if row.topic_id is None else str(row.topic_id)
    if breakdown in ("label", "service_kind", "directory_topic"):
        return str(row.label)
    return ""


async def get_report(
    db: Database,
    *,
    period: Period,
    organisation_id: int | None,
    threshold: int,
    locale: str,
    now: datetime,
) -> ReportData:
    """Everything the dashboard shows for one organisation (``organisation_id``), or
    across all organisations (None: each series broken down by organisation)."""
    by_org = organisation_id is None
    today = now.astimezone(HELSINKI).date()
    months = _months(period, today)
    bounds = month_bounds(months)
    e = ReportEvent
    month_index = case(
        *[(e.hour < bound, index) for index, bound in enumerate(bounds[1:])], else_=-1
    )
    score = case((e.kind == str(Kind.FEEDBACK), e.value), else_=None)
    scope = [e.hour >= bounds[0], e.hour < bounds[-1], e.kind != str(Kind.SHIFT_HOURS)]
    if organisation_id is not None:
        scope.append(e.organisation_id == organisation_id)
    stmt = (
        select(
            e.kind,
            e.label,
            e.room_id,
            e.topic_id,
            e.organisation_id,
            month_index.label("month"),
            score.label("score"),
            func.sum(e.count).label("n"),
        )
        .where(and_(*scope))
        .group_by(e.kind, e.label, e.room_id, e.topic_id, e.organisation_id, month_index, score)
    )
    raw: dict[tuple[str, str, YearMonth], int] = defaultdict(int)
    async with db.read_session() as session:
        for r in (await session.execute(stmt)).all():
            if not 0 <= r.month < len(months):
                continue
            ym = months[r.month]
            for name, (kind, labels, breakdown) in SERIES.items():
                if r.kind != kind or (labels is not None and r.label not in labels):
                    continue
                raw[(name, _member(breakdown, by_org, r), ym)] += int(r.n)
            if r.kind == Kind.FEEDBACK and r.score is not None:
                raw[(FEEDBACK_SCORE, str(round(r.score)), ym)] += int(r.n)
        current, previous = await _values(session, period, organisation_id, by_org)
        hours, previous_hours = await _hours(session, period, organisation_id, by_org)
        names = await _names(session, organisation_id, locale)
    overdue = None
    if organisation_id is not None and period.contains(now.date()):
        overdue = await _overdue(db, organisation_id=organisation_id, now=now)
    return ReportData(
        period=period,
        grid=Grid(raw, threshold=threshold),
        current=current,
        previous=previous,
        hours=hours,
        previous_hours=previous_hours,
        names=names,
        overdue_now=overdue,
        by_org=by_org,
        today=today,
    )


async def _values(
    session: AsyncSession, period: Period, organisation_id: int | None, by_org: bool
) -> tuple[Values, Values]:
    """Valued events of the period and the previous one, grouped by value in SQL (many
    waits repeat to the second) so no timestamp is read back per event."""
    e = ReportEvent
    prev = period.previous()
    scope = [e.hour >= prev.start, e.hour < period.end, e.kind.in_([str(k) for k in VALUED])]
    if organisation_id is not None:
        scope.append(e.organisation_id == organisation_id)
    current_flag = case((e.hour >= period.start, 1), else_=0)
    member_col = e.organisation_id if by_org else e.topic_id
    stmt = (
        select(
            e.kind,
            member_col.label("member"),
            current_flag.label("cur"),
            e.value,
            func.count().label("n"),
        )
        .where(and_(*scope), e.value.is_not(None))
        .group_by(e.kind, member_col, current_flag, e.value)
    )
    current, previous = Values(), Values()
    for r in (await session.execute(stmt)).all():
        target = current if r.cur else previous
        repeated = [float(r.value)] * int(r.n)
        target.by[(r.kind, "")].extend(repeated)
        if r.member is not None:
            target.by[(r.kind, str(r.member))].extend(repeated)
    return current, previous


async def _hours(
    session: AsyncSession, period: Period, organisation_id: int | None, by_org: bool
) -> tuple[Hours, float]:
    e = ReportEvent
    prev = period.previous()
    scope = [e.kind == str(Kind.SHIFT_HOURS), e.hour >= prev.start, e.hour < period.end]
    if organisation_id is not None:
        scope.append(e.organisation_id == organisation_id)
    stmt = (
        select(
            e.hour,
            e.staff_id,
            e.room_id,
            e.topic_id,
            e.organisation_id,
            e.value,
            StaffUser.display_name,
        )
        .outerjoin(StaffUser, StaffUser.id == e.staff_id)
        .where(and_(*scope))
    )
    hours = Hours()
    previous = 0.0
    for r in (await session.execute(stmt)).all():
        value = float(r.value or 0.0)
        if r.hour < period.start:
            previous += value
            continue
        hours.total += value
        person = r.display_name or "–"
        hours.by_person[person] = hours.by_person.get(person, 0.0) + value
        if by_org:
            place = f"org:{r.organisation_id}"
        elif r.room_id is not None:
            place = f"room:{r.room_id}"
        elif r.topic_id is not None:
            place = f"topic:{r.topic_id}"
        else:
            place = ""
        hours.by_place[place] = hours.by_place.get(place, 0.0) + value
    return hours, previous


async def _names(
    session: AsyncSession, organisation_id: int | None, locale: str
) -> dict[str, dict[str, str]]:
    rooms_q = select(Room)
    if organisation_id is not None:
        rooms_q = rooms_q.where(Room.organisation_id == organisation_id)
    rooms = {str(r.id): r.name(locale) for r in (await session.scalars(rooms_q)).all()}
    orgs = {str(o.id): o.name for o in (await session.scalars(select(Organisation))).all()}
    return {
        "room": rooms,
        "org": orgs,
        "topic": await _topic_names(session, organisation_id, locale),
        "directory_topic": {
            t.key: getattr(t, f"name_{locale}", None) or t.name_fi
            for t in (await session.scalars(select(DirectoryTopic))).all()
        },
    }


async def _topic_names(
    session: AsyncSession, organisation_id: int | None, locale: str
) -> dict[str, str]:
    query = select(QueueTopic)
    if organisation_id is not None:
        query = query.where(QueueTopic.organisation_id == organisation_id)
    return {str(t.id): t.text("name", locale) for t in (await session.scalars(query)).all()}


async def _overdue(db: Database, *, organisation_id: int, now: datetime) -> int:
    """Open questions of the organisation past their deadline right now."""

    open_states = [str(s) for s in OPEN_STATES]
    async with db.read_session() as session:
        n = await session.scalar(
            select(func.count())
            .select_from(Question)
            .where(
                Question.organisation_id == organisation_id,
                Question.state.in_(open_states),
                Question.deadline_at <= now,
            )
        )
    return int(n or 0)


async def list_organisations(db: Database) -> Sequence[tuple[int, str, str]]:
    async with db.read_session() as session:
        rows = await session.execute(select(Organisation.id, Organisation.slug, Organisation.name))
        return [(r.id, r.slug, r.name) for r in rows.all()]
