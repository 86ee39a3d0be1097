"""Sign-up and cancellation rules: pure, with ``now`` passed in.

Each check returns None when the action is allowed, else the first
:class:`~kuulolla.shifts.refusals.Refusal` in this order:

1. the shift: ``shift_cancelled``, ``shift_started``, ``outside_signup_horizon``;
2. the person and the place: ``already_signed_up``, ``wrong_role``,
   ``not_qualified``, ``qualification_not_valid``, ``shift_full``;
3. the person's wellbeing limits: ``overlapping_shift``, ``rest_too_short``,
   ``weekly_hours_exceeded``.

Boundaries: shifts that touch (one ends when the next starts) do not overlap; rest
exactly equal to the minimum is enough; a week exactly at the cap is allowed; sign-up
opens at local midnight ``signup_days`` dates before the shift's date; cancelling
exactly at the deadline is allowed. A shift that has started (``now >= start``)
takes no sign-ups and no cancellations.

The checks see the data the caller read; two people taking the last place at the
same moment are told apart by the database (see ``kuulolla/shifts/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from kuulolla.shifts.refusals import Refusal, refuse
from kuulolla.shifts.values import (
    Assignment,
    Person,
    Shift,
    ShiftSettings,
    day_start,
    local_date,
    overlap,
    week_monday,
)


def check_signup(
    person: Person,
    shift: Shift,
    *,
    role: str,
    mine: Sequence[Assignment],
    taken: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
    by_coordinator: bool = False,
) -> Refusal | None:
    """May ``person`` take a place of ``role`` on ``shift``?

    ``mine``: the person's current assignments (any shift; those on cancelled shifts
    are ignored). ``taken``: the current assignments of ``shift``. A coordinator
    assigning someone (``by_coordinator``) is not bound by the sign-up horizon; every
    other rule still holds, the wellbeing limits included.
    """
    refusal = check_shift_open(shift, settings=settings, now=now, horizon=not by_coordinator)
    if refusal is None and any(a.person_id == person.id for a in taken):
        refusal = refuse("already_signed_up")
    if refusal is None:
        refusal = check_role_and_qualification(person, shift, role)
    if refusal is None and sum(1 for a in taken if a.role == role) >= shift.needs.get(role, 0):
        refusal = refuse("shift_full")
    if refusal is None:
        refusal = check_limits(shift, mine=mine, settings=settings)
    return refusal


def signup_roles(person: Person, shift: Shift) -> list[str]:
    """The roles ``person`` could fill on ``shift`` (ignoring how full it is), sorted."""
    return sorted(r for r in person.roles if shift.needs.get(r, 0) > 0)


def check_cancel(
    assignment: Assignment, *, settings: ShiftSettings, now: datetime
) -> Refusal | None:
    """May the person give up ``assignment`` now (``cancel_before`` the start at the latest)?"""
    shift = assignment.shift
    if shift.cancelled:
        return refuse("shift_cancelled")
    if now >= shift.start:
        return refuse("shift_started")
    deadline = shift.start - settings.cancel_before
    if now > deadline:
        return refuse("cancel_deadline_passed", deadline=deadline)
    return None


def check_unassign(assignment: Assignment, *, now: datetime) -> Refusal | None:
    """May a coordinator take ``assignment`` away? Until the shift ends (someone who
    falls ill mid-shift is taken off); an ended shift's roster is history."""
    if now >= assignment.shift.end:
        return refuse("shift_ended")
    return None


# ------------------------------------------------------------------ parts


def check_shift_open(
    shift: Shift, *, settings: ShiftSettings, now: datetime, horizon: bool = True
) -> Refusal | None:
    """``shift_cancelled``, ``shift_started`` or (with ``horizon``)
    ``outside_signup_horizon``, else None."""
    if shift.cancelled:
        return refuse("shift_cancelled")
    if now >= shift.start:
        return refuse("shift_started")
    if horizon:
        opens = local_date(shift.start) - timedelta(days=settings.signup_days)
        if local_date(now) < opens:
            return refuse("outside_signup_horizon", days=settings.signup_days, opens=opens)
    return None


def check_role_and_qualification(person: Person, shift: Shift, role: str) -> Refusal | None:
    """``wrong_role``, ``not_qualified`` or ``qualification_not_valid`` (on every local
    date the shift touches), else None."""
    if role not in person.roles or shift.needs.get(role, 0) <= 0:
        return refuse("wrong_role")
    first, last = shift.local_dates
    status = person.qualification_status(shift.qualification, first, last)
    if status == "missing":
        return refuse("not_qualified")
    if status == "not_valid":
        return refuse("qualification_not_valid")
    return None


def check_limits(
    shift: Shift, *, mine: Iterable[Assignment], settings: ShiftSettings
) -> Refusal | None:
    """Overlap, rest and the weekly cap of adding ``shift`` to a person's ``mine``."""
    # Each of the person's other shifts once, however often the caller passed it.
    others = list(
        {
            a.shift.id: a.shift for a in mine if not a.shift.cancelled and a.shift.id != shift.id
        }.values()
    )
    for other in others:
        if other.start < shift.end and shift.start < other.end:
            return refuse("overlapping_shift")
    if settings.min_rest > timedelta(0):
        for other in others:
            gap = shift.start - other.end if other.end <= shift.start else other.start - shift.end
            if gap < settings.min_rest:
                return refuse("rest_too_short", rest=settings.min_rest, gap=gap)
    if settings.max_week is not None:
        monday = week_monday(local_date(shift.start))
        last_monday = week_monday(local_date(shift.end - timedelta(microseconds=1)))
        while monday <= last_monday:
            week_start, week_end = day_start(monday), day_start(monday + timedelta(days=7))
            total = overlap(shift.start, shift.end, week_start, week_end)
            for other in others:
                total += overlap(other.start, other.end, week_start, week_end)
            if total > settings.max_week:
                return refuse(
                    "weekly_hours_exceeded",
                    total=total,
                    limit=settings.max_week,
                    week=monday.isocalendar().week,
                    monday=monday,
                )
            monday += timedelta(days=7)
    return None


def week_hours(assignments: Iterable[Assignment], monday: date) -> timedelta:
    """Scheduled time of ``assignments`` (cancelled shifts left out) inside the ISO week
    that starts on ``monday``, in Helsinki time (for "6 of 12 hours this week")."""
    start, end = day_start(monday), day_start(monday + timedelta(days=7))
    return sum(
        (
            overlap(a.shift.start, a.shift.end, start, end)
            for a in assignments
            if not a.shift.cancelled
        ),
        timedelta(0),
    )
