"""Coverage of shifts, calendar grids, and which shifts a person may take.

- :func:`coverage`: filled / needed per role; understaffed when any role lacks people.
- :func:`week_view` / :func:`month_view`: Monday-first ISO weeks of Helsinki dates,
  each day with the coverage of the shifts that start on it; :meth:`CalendarView.span`
  is the UTC range whose shifts the service must read.
- :func:`open_shifts`: shifts a person could sign up for (their role and
  qualification, a free place, sign-up open), each with the personal limit that would
  refuse it, if any (overlap, rest, weekly cap), so a list can say why.
- :func:`call_recipients`: who may fill the free places of a shift (a coordinator's
  call for volunteers goes to them).
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kuulolla.shifts.refusals import Refusal
from kuulolla.shifts.rules import check_signup, signup_roles
from kuulolla.shifts.values import (
    Assignment,
    Person,
    Shift,
    ShiftSettings,
    day_start,
    local_date,
    week_monday,
)

# ------------------------------------------------------------------ coverage


@dataclass(frozen=True, slots=True)
class RoleCoverage:
    role: str
    filled: int
    needed: int

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.filled)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How far ``shift`` is staffed. Roles in ``roles`` are sorted by name."""

    shift: Shift
    roles: tuple[RoleCoverage, ...]

    @property
    def filled(self) -> int:
        return sum(min(r.filled, r.needed) for r in self.roles)

    @property
    def needed(self) -> int:
        return sum(r.needed for r in self.roles)

    @property
    def understaffed(self) -> bool:
        """Some role lacks people (a cancelled shift is never understaffed)."""
        return not self.shift.cancelled and any(r.missing for r in self.roles)

    @property
    def full(self) -> bool:
        return all(not r.missing for r in self.roles)


def coverage(shift: Shift, assignments: Iterable[Assignment]) -> Coverage:
    """Coverage of ``shift`` by those of ``assignments`` that are on it."""
    counts = Counter(a.role for a in assignments if a.shift.id == shift.id)
    roles = sorted(set(shift.needs) | set(counts))
    return Coverage(
        shift, tuple(RoleCoverage(r, counts.get(r, 0), shift.needs.get(r, 0)) for r in roles)
    )


# ------------------------------------------------------------------ calendar grids


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    in_period: bool  # False for the leading and trailing days of a month grid
    shifts: tuple[Coverage, ...] = ()

    @property
    def understaffed(self) -> bool:
        return any(c.understaffed for c in self.shifts)


@dataclass(frozen=True, slots=True)
class Week:
    year: int  # ISO year and week number
    number: int
    days: tuple[Day, ...]


@dataclass(frozen=True, slots=True)
class CalendarView:
    weeks: tuple[Week, ...]

    @property
    def span(self) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: the shifts starting in it fill the grid."""
        first = self.weeks[0].days[0].day
        last = self.weeks[-1].days[-1].day
        return day_start(first), day_start(last + timedelta(days=1))


def week_view(
    any_day: date, shifts: Iterable[Shift], assignments: Iterable[Assignment]
) -> CalendarView:
    """The ISO week (Monday to Sunday) containing ``any_day``."""
    monday = week_monday(any_day)
    days = [monday + timedelta(days=i) for i in range(7)]
    return _view(days, set(days), shifts, assignments)


def month_view(
    year: int, month: int, shifts: Iterable[Shift], assignments: Iterable[Assignment]
) -> CalendarView:
    """The whole weeks covering ``year``-``month``; days of other months have
    ``in_period`` False (their shifts are still shown)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    start = week_monday(first)
    end = week_monday(last) + timedelta(days=7)
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    return _view(days, {d for d in days if d.month == month}, shifts, assignments)


def _view(
    days: list[date],
    in_period: set[date],
    shifts: Iterable[Shift],
    assignments: Iterable[Assignment],
) -> CalendarView:
    by_shift: defaultdict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_shift[a.shift.id].append(a)
    by_day: defaultdict[date, list[Coverage]] = defaultdict(list)
    for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
        by_day[local_date(shift.start)].append(coverage(shift, by_shift[shift.id]))
    weeks = []
    for i in range(0, len(days), 7):
        chunk = days[i : i + 7]
        iso = chunk[0].isocalendar()
        weeks.append(
            Week(
                iso.year,
                iso.week,
                tuple(Day(d, d in in_period, tuple(by_day.get(d, ()))) for d in chunk),
            )
        )
    return CalendarView(tuple(weeks))


# ------------------------------------------------------------------ for a person


_HIDDEN = {
    "shift_cancelled",
    "shift_started",
    "outside_signup_horizon",
    "already_signed_up",
    "wrong_role",
    "not_qualified",
    "qualification_not_valid",
    "shift_full",
}


@dataclass(frozen=True, slots=True)
class OpenShift:
    """A shift a person could take in one of ``roles``; ``refusal`` says which of their
    own limits stops them now (None: they can sign up)."""

    shift: Shift
    roles: tuple[str, ...]
    coverage: Coverage
    refusal: Refusal | None = None


def open_shifts(
    person: Person,
    shifts: Iterable[Shift],
    *,
    assignments: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
) -> list[OpenShift]:
    """Shifts with a free place for a role and qualification of ``person``, sign-up
    open, and ``person`` not on them, by start. ``assignments``: everything current on
    these shifts and the person's own."""
    # The person's own assignments may come twice: among the shifts' and as their own.
    assignments = list({a.id: a for a in assignments}.values())
    by_shift: defaultdict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_shift[a.shift.id].append(a)
    mine = [a for a in assignments if a.person_id == person.id]
    out = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.id)):
        taken = by_shift[shift.id]
        roles: list[str] = []
        limit: Refusal | None = None
        for role in signup_roles(person, shift):
            refusal = check_signup(
                person, shift, role=role, mine=mine, taken=taken, settings=settings, now=now
            )
            if refusal is None or refusal.code not in _HIDDEN:
                roles.append(role)
                limit = refusal  # the personal limits do not depend on the role
        if roles:
            out.append(OpenShift(shift, tuple(roles), coverage(shift, taken), limit))
    return out


@dataclass(frozen=True, slots=True)
class Recipient:
    person: Person
    roles: tuple[str, ...]


def call_recipients(
    shift: Shift,
    people: Iterable[Person],
    *,
    assignments: Mapping[int, Sequence[Assignment]],
    taken: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
) -> list[Recipient]:
    """Who a call for volunteers for ``shift`` goes to: people who could sign up for
    one of its free places now, every rule included, with the roles they could take.
    ``assignments`` maps a person's id to their assignments; ``taken`` are the shift's."""
    out = []
    for person in people:
        mine = assignments.get(person.id, ())
        roles = tuple(
            role
            for role in signup_roles(person, shift)
            if check_signup(
                person, shift, role=role, mine=mine, taken=taken, settings=settings, now=now
            )
            is None
        )
        if roles:
            out.append(Recipient(person, roles))
    return out
