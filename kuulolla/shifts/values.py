"""Value types shared by the shift rules, and Helsinki wall-time helpers.

All instants are aware datetimes (normally UTC, as stored). Wall times and dates are
Europe/Helsinki: shifts are planned in local time, weeks are ISO weeks (Monday
first) in local time. Ids are the database ids; roles and qualifications are referred
to by stable string keys ("volunteer", "group_host").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from kuulolla.core.clock import HELSINKI

TargetKind = Literal["room", "topic"]

VOLUNTEER = "volunteer"
PROFESSIONAL = "professional"


# ------------------------------------------------------------------ wall time


def wall_to_utc(day: date, at: time) -> datetime:
    """The instant a Helsinki wall clock shows ``at`` on ``day``, in UTC.

    Follows RFC 5545 §3.3.5 (and ``zoneinfo`` with ``fold=0``): a wall time that does
    not exist (the spring gap, 03:00–04:00 on the last Sunday of March) is read with
    the offset before the gap, so 03:30 becomes 04:30 summer time; a wall time that
    occurs twice (04:00–03:00 on the last Sunday of October) means the first one.
    Calendar programs read our feed's times the same way.
    """
    return datetime.combine(day, at, tzinfo=HELSINKI).astimezone(UTC)


def local(instant: datetime) -> datetime:
    """``instant`` on a Helsinki wall clock."""
    return instant.astimezone(HELSINKI)


def local_date(instant: datetime) -> date:
    return instant.astimezone(HELSINKI).date()


def day_start(day: date) -> datetime:
    """Helsinki midnight starting ``day``, in UTC (midnight always exists here)."""
    return wall_to_utc(day, time(0))


def week_monday(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> timedelta:
    """How long the half-open intervals ``[a_start, a_end)`` and ``[b_start, b_end)`` share."""
    return max(timedelta(0), min(a_end, b_end) - max(a_start, b_start))


def hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


# ------------------------------------------------------------------ people


@dataclass(frozen=True, slots=True)
class Target:
    """What a shift staffs: a group room or a one-to-one queue topic."""

    kind: TargetKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind}-{self.id}"


@dataclass(frozen=True, slots=True)
class Qualification:
    """A qualification a person holds, valid on local dates ``valid_from``–``valid_until``
    (both inclusive; None means open-ended)."""

    key: str
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


QualificationStatus = Literal["valid", "missing", "not_valid"]


@dataclass(frozen=True, slots=True)
class Person:
    """A staff member as the shift rules see them.

    ``roles`` are the shift roles they may fill ("volunteer", "professional");
    ``max_chats`` is how many one-to-one chats they take at once when on duty.
    """

    id: int
    roles: frozenset[str]
    qualifications: tuple[Qualification, ...] = ()
    max_chats: int = 1

    def qualification_status(self, key: str | None, first: date, last: date) -> QualificationStatus:
        """Whether they hold qualification ``key`` on every local date ``first``–``last``."""
        if key is None:
            return "valid"
        held = [q for q in self.qualifications if q.key == key]
        if not held:
            return "missing"
        if any(q.valid_on(first) and q.valid_on(last) for q in held):
            return "valid"
        return "not_valid"


# ------------------------------------------------------------------ shifts


@dataclass(frozen=True, slots=True)
class Shift:
    """One concrete shift: ``[start, end)`` in aware UTC, with the places it has per role.

    ``needs`` maps a role to how many people of that role the shift needs, which is
    also how many can sign up in that role.
    """

    id: int
    target: Target
    start: datetime
    end: datetime
    needs: Mapping[str, int] = field(hash=False)
    qualification: str | None = None
    cancelled: bool = False

    @property
    def duration(self) -> timedelta:
        """Elapsed time (what hour caps and reports count), not wall-clock time."""
        return self.end - self.start

    @property
    def local_dates(self) -> tuple[date, date]:
        """The first and last Helsinki date the shift touches."""
        return local_date(self.start), local_date(self.end - timedelta(microseconds=1))


@dataclass(frozen=True, slots=True)
class Assignment:
    """A person holding a place of ``role`` on ``shift``, with check-in and -out times."""

    id: int
    shift: Shift
    person_id: int
    role: str
    checked_in: datetime | None = None
    checked_out: datetime | None = None

    def on_duty(self, now: datetime) -> bool:
        """Checked in, not checked out, and the shift not yet over."""
        return (
            self.checked_in is not None
            and self.checked_in <= now
            and (self.checked_out is None or now < self.checked_out)
            and now < self.shift.end
        )


@dataclass(frozen=True, slots=True)
class ShiftSettings:
    """An organisation's shift rules (its coordinators set them).

    ``max_week``: scheduled time one person may have in one ISO week (None: no cap).
    ``min_rest``: the least time between the end of one of a person's shifts and the
    start of their next (zero: no limit; back-to-back shifts then count as rest 0).
    ``signup_days``: sign-up is open for shifts starting at most this many local
    dates after today. ``cancel_before``: a person may cancel until this long before
    the start; later they can only offer the shift for swap.
    ``swap_approval``: a swap takes effect only after a coordinator approves it.
    ``check_in_early``: how long before the start check-in opens (it closes at the end).
    ``check_out_grace``: a check-out later than this after the end is recorded at the
    end, so a forgotten check-out does not inflate hours.
    ``closing_notice``: how long before a room closes its visitors are told.
    ``horizon_days``: how many days ahead concrete shifts are generated.
    """

    max_week: timedelta | None = timedelta(hours=12)
    min_rest: timedelta = timedelta(hours=8)
    signup_days: int = 28
    cancel_before: timedelta = timedelta(hours=48)
    swap_approval: bool = False
    check_in_early: timedelta = timedelta(minutes=15)
    check_out_grace: timedelta = timedelta(minutes=30)
    closing_notice: timedelta = timedelta(minutes=10)
    horizon_days: int = 56
