"""What the shift pages show: a person's shifts and what they may take, the
coordinators' calendars with coverage, and the hours export. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, StaffUser
from kuulolla.core.db import Database
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts import coverage, export, loading, rules
from kuulolla.shifts.models import ShiftRow, ShiftSwapRow
from kuulolla.shifts.refusals import Refusal
from kuulolla.shifts.roster import OpenSwap, list_swaps
from kuulolla.shifts.service import access_shift
from kuulolla.shifts.values import (
    Assignment,
    Person,
    Shift,
    ShiftSettings,
    Target,
    day_start,
    local_date,
)


async def target_names(
    session: AsyncSession, organisation_id: int, locale: str
) -> dict[Target, str]:
    """Display names of the organisation's rooms and queue topics."""
    names: dict[Target, str] = {}
    for room in await session.scalars(select(Room).where(Room.organisation_id == organisation_id)):
        names[Target("room", room.id)] = room.name(locale)
    for topic in await session.scalars(
        select(QueueTopic).where(QueueTopic.organisation_id == organisation_id)
    ):
        names[Target("topic", topic.id)] = topic.text("name", locale)
    return names


async def people_names(session: AsyncSession, organisation_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(StaffUser.id, StaffUser.display_name)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(Membership.organisation_id == organisation_id)
    )
    return {uid: name for uid, name in rows}


# ------------------------------------------------------------------ a person


@dataclass(frozen=True, slots=True)
class MyShift:
    assignment: Assignment
    swap_id: int | None
    swap_status: str | None
    can_check_in: bool
    can_check_out: bool
    can_debrief: bool
    can_cancel: bool


@dataclass(frozen=True, slots=True)
class MyPage:
    shifts: list[MyShift]
    open: list[coverage.OpenShift]
    swaps: list[OpenSwap]
    names: dict[Target, str]
    people: dict[int, str]
    week_hours: timedelta
    settings: ShiftSettings


async def my_page(
    db: Database, *, organisation_id: int, person_id: int, locale: str, now: datetime
) -> MyPage:
    from kuulolla.shifts import duty, rules

    async with db.read_session() as session:
        settings = await loading.load_settings(session, organisation_id)
        mine = [
            a
            for a in await loading.assignments_of_person(
                session, person_id, start=now - timedelta(days=2)
            )
            if await _in_org(session, a.shift.id, organisation_id)
        ]
        swaps: dict[int, tuple[int, str]] = {}
        if mine:
            for row in await session.scalars(
                select(ShiftSwapRow).where(
                    ShiftSwapRow.assignment_id.in_([a.id for a in mine]),
                    ShiftSwapRow.status.in_(("open", "pending")),
                )
            ):
                swaps[row.assignment_id] = (row.id, row.status)
        rows = list(
            await session.scalars(
                loading.shifts_between(
                    now,
                    now + timedelta(days=settings.signup_days + 1),
                    organisation_id=organisation_id,
                )
            )
        )
        shifts = await loading.shifts_from_rows(session, rows)
        taken = await loading.assignments_of_shifts(session, shifts)
        people = await loading.load_people(session, organisation_id, ids=[person_id])
        names = await target_names(session, organisation_id, locale)
        who = await people_names(session, organisation_id)
    person = people.get(person_id)
    open_list = (
        coverage.open_shifts(
            person,
            [s for s in shifts if s.start > now],
            assignments=[*taken, *mine],
            settings=settings,
            now=now,
        )
        if person is not None
        else []
    )
    my_shifts = [
        MyShift(
            a,
            swaps.get(a.id, (None, None))[0],
            swaps.get(a.id, (None, None))[1],
            duty.check_check_in(a, settings=settings, now=now) is None,
            duty.check_check_out(a) is None,
            now >= a.shift.start,
            rules.check_cancel(a, settings=settings, now=now) is None,
        )
        for a in mine
        if a.shift.end > now - timedelta(days=2)
    ]
    offers = [
        s
        for s in await list_swaps(db, organisation_id=organisation_id, now=now)
        if s.offerer_id != person_id and person is not None and s.assignment.role in person.roles
    ]
    week = rules.week_hours(mine, local_date(now) - timedelta(days=local_date(now).weekday()))
    return MyPage(my_shifts, open_list, offers, names, who, week, settings)


async def _in_org(session: AsyncSession, shift_id: int, organisation_id: int) -> bool:
    return (
        await session.scalar(select(ShiftRow.organisation_id).where(ShiftRow.id == shift_id))
    ) == organisation_id


# ------------------------------------------------------------------ coordinators


@dataclass(frozen=True, slots=True)
class CalendarPage:
    view: coverage.CalendarView
    assignments: dict[int, list[Assignment]]
    names: dict[Target, str]
    people: dict[int, str]
    candidates: dict[int, Person]


async def calendar(
    db: Database,
    *,
    organisation_id: int,
    locale: str,
    week_of: date | None = None,
    month: tuple[int, int] | None = None,
) -> CalendarPage:
    """The week containing ``week_of``, or the month ``(year, month)``, with coverage."""
    empty = coverage.week_view(week_of or date.today(), [], [])
    if month is not None:
        empty = coverage.month_view(month[0], month[1], [], [])
    start, end = empty.span
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(ShiftRow)
                .where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.starts_at >= start,
                    ShiftRow.starts_at < end,
                )
                .order_by(ShiftRow.starts_at, ShiftRow.id)
            )
        )
        shifts = await loading.shifts_from_rows(session, rows)
        taken = await loading.assignments_of_shifts(session, shifts)
        names = await target_names(session, organisation_id, locale)
        who = await people_names(session, organisation_id)
        candidates = await loading.load_people(session, organisation_id)
    view = (
        coverage.month_view(month[0], month[1], shifts, taken)
        if month is not None
        else coverage.week_view(week_of or date.today(), shifts, taken)
    )
    by_shift: dict[int, list[Assignment]] = {}
    for a in taken:
        by_shift.setdefault(a.shift.id, []).append(a)
    return CalendarPage(view, by_shift, names, who, candidates)


async def hours_csv(
    db: Database, *, organisation_id: int, by: str, year: int, month: int, locale: str
) -> str:
    """Hours per volunteer (``by="person"``) or per room and topic for shifts starting
    in the month, as CSV (export.py)."""
    start = day_start(date(year, month, 1))
    end = day_start(date(year + (month == 12), month % 12 + 1, 1))
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(ShiftRow).where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.starts_at >= start,
                    ShiftRow.starts_at < end,
                )
            )
        )
        shifts: list[Shift] = await loading.shifts_from_rows(session, rows)
        taken = await loading.assignments_of_shifts(session, shifts)
        if by == "person":
            names = await people_names(session, organisation_id)
            return export.hours_csv(
                export.hours_by_person(taken, start=start, end=end),
                names=names,
                header=export.PERSON_HEADER,
                locale=locale,
            )
        targets = await target_names(session, organisation_id, locale)
    return export.hours_csv(
        export.hours_by_target(taken, start=start, end=end),
        names=targets,
        header=export.TARGET_HEADER,
        locale=locale,
    )


# ------------------------------------------------------------------ one shift


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who could be put on the shift: the roles they could take now, or the
    rule that stops them (the coordinator sees why)."""

    person_id: int
    name: str
    roles: tuple[str, ...]
    refusal: Refusal | None


@dataclass(frozen=True, slots=True)
class ShiftPage:
    shift: Shift
    coverage: coverage.Coverage
    assignments: list[Assignment]
    name: str
    people: dict[int, str]
    candidates: list[Candidate]


async def shift_page(
    db: Database, *, organisation_id: int, shift_id: int, locale: str, now: datetime
) -> ShiftPage:
    """One shift for its coordinator: who is on it, and who could be added (every
    sign-up rule but the horizon, as for any assignment by a coordinator)."""
    async with db.read_session() as session:
        _, shift = await access_shift(session, organisation_id=organisation_id, shift_id=shift_id)
        settings = await loading.load_settings(session, organisation_id)
        taken = await loading.assignments_of_shifts(session, [shift])
        people = await loading.load_people(session, organisation_id)
        names = await target_names(session, organisation_id, locale)
        who = await people_names(session, organisation_id)
        mine = await loading.assignments_near(session, people, shift)
    candidates = []
    for pid, person in people.items():
        if any(a.person_id == pid for a in taken):
            continue
        roles, stop = [], None
        for role in rules.signup_roles(person, shift):
            refusal = rules.check_signup(
                person,
                shift,
                role=role,
                mine=mine[pid],
                taken=taken,
                settings=settings,
                now=now,
                by_coordinator=True,
            )
            if refusal is None:
                roles.append(role)
            elif stop is None:
                stop = refusal
        if roles or stop is not None:
            candidates.append(
                Candidate(pid, who.get(pid, ""), tuple(roles), None if roles else stop)
            )
    candidates.sort(key=lambda c: (not c.roles, c.name.casefold()))
    return ShiftPage(
        shift,
        coverage.coverage(shift, taken),
        sorted(taken, key=lambda a: (a.role, who.get(a.person_id, "").casefold())),
        names.get(shift.target, ""),
        who,
        candidates,
    )
