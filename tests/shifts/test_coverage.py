"""Coverage, week and month calendars, open shifts for a person, calls for volunteers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from kuulolla.shifts.coverage import (
    RoleCoverage,
    call_recipients,
    coverage,
    month_view,
    open_shifts,
    week_view,
)
from kuulolla.shifts.values import Qualification
from tests.shifts.make import HOST, SETTINGS, assign, hki, person, shift, utc

NOW = hki(2026, 5, 4, 12)
S = shift(1, hki(2026, 5, 6, 18))  # 2 volunteers + 1 professional


# ------------------------------------------------------------------ coverage


def test_coverage_per_role() -> None:
    """Filled and needed are counted per role; a missing role makes the shift understaffed."""
    c = coverage(S, [assign(S, 10), assign(S, 11), assign(shift(2), 12)])
    assert c.roles == (RoleCoverage("professional", 0, 1), RoleCoverage("volunteer", 2, 2))
    assert (c.filled, c.needed, c.understaffed, c.full) == (2, 3, True, False)


def test_full_coverage() -> None:
    """With every place taken the shift is full and not understaffed."""
    c = coverage(S, [assign(S, 10), assign(S, 11), assign(S, 12, "professional")])
    assert (c.filled, c.needed, c.understaffed, c.full) == (3, 3, False, True)


def test_extra_people_do_not_hide_a_missing_role() -> None:
    """A surplus in one role does not count towards another (coordinator over-assigned)."""
    c = coverage(S, [assign(S, i) for i in range(10, 14)])
    assert (c.filled, c.needed, c.understaffed) == (2, 3, True)
    assert c.roles[1] == RoleCoverage("volunteer", 4, 2)


def test_cancelled_shift_is_not_understaffed() -> None:
    """A cancelled shift is not highlighted as lacking people."""
    assert not coverage(replace(S, cancelled=True), []).understaffed


# ------------------------------------------------------------------ calendars


def test_week_view_is_monday_first_in_helsinki_dates() -> None:
    """The week runs Monday to Sunday; a shift at 00:30 local sits on its local date."""
    just_after_midnight = shift(2, hki(2026, 5, 10, 0, 30), needs={"volunteer": 1})
    assert just_after_midnight.start == utc(2026, 5, 9, 21, 30)
    view = week_view(date(2026, 5, 7), [S, just_after_midnight], [assign(just_after_midnight, 10)])
    [week] = view.weeks
    assert (week.year, week.number) == (2026, 19)
    assert [d.day for d in week.days] == [date(2026, 5, 4) + timedelta(days=i) for i in range(7)]
    assert [len(d.shifts) for d in week.days] == [0, 0, 1, 0, 0, 0, 1]
    assert [d.understaffed for d in week.days] == [False, False, True, False, False, False, False]
    assert view.span == (utc(2026, 5, 3, 21), utc(2026, 5, 10, 21))


def test_month_view_covers_whole_weeks() -> None:
    """March 2026 starts on a Sunday: the grid runs from Monday 23 February to Sunday 5 April."""
    view = month_view(2026, 3, [shift(3, hki(2026, 3, 29, 18)), shift(4, hki(2026, 4, 2, 18))], [])
    days = [d for w in view.weeks for d in w.days]
    assert len(view.weeks) == 6
    assert (days[0].day, days[-1].day) == (date(2026, 2, 23), date(2026, 4, 5))
    assert [w.number for w in view.weeks] == [9, 10, 11, 12, 13, 14]
    assert sum(d.in_period for d in days) == 31
    by_day = {d.day: d for d in days}
    assert len(by_day[date(2026, 3, 29)].shifts) == 1
    assert not by_day[date(2026, 4, 2)].in_period and len(by_day[date(2026, 4, 2)].shifts) == 1
    # the span crosses the spring change: +02:00 at the start, +03:00 at the end
    assert view.span == (utc(2026, 2, 22, 22), utc(2026, 4, 5, 21))


def test_month_view_iso_week_across_new_year() -> None:
    """January 2027 begins in ISO week 53 of 2026."""
    view = month_view(2027, 1, [], [])
    assert (view.weeks[0].year, view.weeks[0].number) == (2026, 53)
    assert view.weeks[0].days[0].day == date(2026, 12, 28)


def test_shifts_in_a_day_are_ordered_by_start() -> None:
    """Within a day, shifts are listed by start time."""
    late, early = shift(7, hki(2026, 5, 6, 20)), shift(8, hki(2026, 5, 6, 9))
    [week] = week_view(date(2026, 5, 6), [late, early], []).weeks
    assert [c.shift.id for c in week.days[2].shifts] == [8, 7]


# ------------------------------------------------------------------ open shifts

OTHER = shift(2, hki(2026, 5, 6, 20))  # overlaps S
NEEDS_CRISIS = shift(3, hki(2026, 5, 8, 18), qualification="crisis")
ONLY_PROS = shift(4, hki(2026, 5, 9, 18), needs={"professional": 1})
FULL = shift(5, hki(2026, 5, 10, 18), needs={"volunteer": 1})
STARTED = shift(6, hki(2026, 5, 4, 11))
FAR = shift(7, hki(2026, 7, 1, 18))
FREE = shift(8, hki(2026, 5, 12, 18))


def test_open_shifts_for_a_volunteer() -> None:
    """A volunteer sees shifts with a free place they qualify for; personal limits are explained."""
    me = person(10)
    taken = [assign(S, me), assign(FULL, 11)]
    found = open_shifts(
        me,
        [S, OTHER, NEEDS_CRISIS, ONLY_PROS, FULL, STARTED, FAR, FREE],
        assignments=taken,
        settings=SETTINGS,
        now=NOW,
    )
    assert [(o.shift.id, o.roles, o.refusal.code if o.refusal else None) for o in found] == [
        (2, ("volunteer",), "overlapping_shift"),
        (8, ("volunteer",), None),
    ]
    assert found[1].coverage.needed == 3


def test_open_shifts_list_every_role_a_person_can_take() -> None:
    """Someone with two roles sees both where both have free places."""
    both = person(20, roles=("professional", "volunteer"))
    [found] = open_shifts(both, [FREE], assignments=[], settings=SETTINGS, now=NOW)
    assert found.roles == ("professional", "volunteer")


def test_weekly_cap_counts_own_booked_shifts_once() -> None:
    """6 h cap, 3 h booked in the same week: a 2 h shift is open to sign up (5 h), even
    when the booked shift is both among the shifts' assignments and the person's own."""
    me = person(10)
    booked = shift(30, hki(2026, 5, 6, 18), 3)
    two_hours = shift(31, hki(2026, 5, 8, 18), 2)
    mine = assign(booked, me)
    capped = replace(SETTINGS, max_week=timedelta(hours=6), min_rest=timedelta(0))
    [found] = open_shifts(
        me,
        [booked, two_hours],
        assignments=[mine, mine],  # as my_page passes them: the shifts' and the person's
        settings=capped,
        now=NOW,
    )
    assert (found.shift.id, found.refusal) == (31, None)
    three_hours = shift(32, hki(2026, 5, 8, 18), 4)
    [over] = open_shifts(me, [three_hours], assignments=[mine, mine], settings=capped, now=NOW)
    assert over.refusal is not None and over.refusal.code == "weekly_hours_exceeded"
    assert over.refusal.params["total"] == timedelta(hours=7)


# ------------------------------------------------------------------ calls


def test_call_recipients_are_those_who_could_sign_up() -> None:
    """A call goes to qualified people with the role, a free place and room in their limits."""
    people = [
        person(10),  # can come
        person(11, quals=()),  # not qualified
        person(12, quals=(Qualification(HOST, valid_until=date(2026, 5, 1)),)),  # expired
        person(13, roles=("professional", "volunteer")),  # either role
        person(14),  # already on the shift
        person(15),  # busy at the same time
        person(16, roles=("coordinator",)),
    ]
    taken = [assign(S, 14)]
    busy = {15: [assign(OTHER, 15)], 14: taken}
    found = call_recipients(S, people, assignments=busy, taken=taken, settings=SETTINGS, now=NOW)
    assert [(r.person.id, r.roles) for r in found] == [
        (10, ("volunteer",)),
        (13, ("professional", "volunteer")),
    ]
