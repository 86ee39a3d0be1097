"""Sign-up and cancellation rules: every refusal reason and its boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from kuulolla.shifts.rules import (
    check_cancel,
    check_signup,
    check_unassign,
    signup_roles,
    week_hours,
)
from kuulolla.shifts.values import Qualification, wall_to_utc
from tests.shifts.make import HOST, SETTINGS, assign, hki, person, shift

NOW = hki(2026, 5, 4, 12)  # Monday noon
S = shift(1, hki(2026, 5, 6, 18))  # Wednesday 18–21: 2 volunteers, 1 professional, group hosts
P = person(10)
US = timedelta(microseconds=1)


def signup(**changes: Any) -> str | None:
    args: dict[str, Any] = {
        "person": P,
        "shift": S,
        "role": "volunteer",
        "mine": (),
        "taken": (),
        "settings": SETTINGS,
        "now": NOW,
        "by_coordinator": False,
    }
    args.update(changes)
    refusal = check_signup(
        args.pop("person"),
        args.pop("shift"),
        **args,
    )
    return refusal.code if refusal else None


def mine(*shifts) -> tuple:
    return tuple(assign(s, P) for s in shifts)


def at(d: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A time in May 2026, Helsinki."""
    return hki(2026, 5, d, hh, mm, ss)


# ------------------------------------------------------------------ the shift


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, None, id="allowed"),
        pytest.param({"shift": replace(S, cancelled=True)}, "shift_cancelled", id="cancelled"),
        pytest.param({"now": S.start}, "shift_started", id="at-start"),
        pytest.param({"now": S.start - US}, None, id="just-before-start"),
        pytest.param({"now": S.end + timedelta(days=1)}, "shift_started", id="in-the-past"),
        # sign-up opens at local midnight 28 dates before the shift's date
        pytest.param(
            {"shift": shift(2, at(1, 18) + timedelta(days=31))}, None, id="horizon-28-days"
        ),
        pytest.param(
            {"shift": shift(2, at(1, 18) + timedelta(days=32))},
            "outside_signup_horizon",
            id="horizon-29-days",
        ),
        pytest.param(
            {"shift": shift(2, at(1, 18) + timedelta(days=32)), "now": at(4, 23, 59, 59)},
            "outside_signup_horizon",
            id="horizon-one-second-before-midnight",
        ),
        pytest.param(
            {"shift": shift(2, at(1, 18) + timedelta(days=32)), "now": at(5, 0)},
            None,
            id="horizon-opens-at-local-midnight",
        ),
        pytest.param(
            {"shift": shift(2, at(1, 18) + timedelta(days=60)), "by_coordinator": True},
            None,
            id="coordinator-not-bound-by-horizon",
        ),
        pytest.param(
            {"shift": replace(S, cancelled=True), "by_coordinator": True},
            "shift_cancelled",
            id="coordinator-bound-by-cancellation",
        ),
    ],
)
def test_shift_rules(changes: dict[str, Any], expected: str | None) -> None:
    """Cancelled, started and too-far-ahead shifts take no sign-ups; boundaries are exact."""
    assert signup(**changes) == expected


def test_horizon_refusal_says_when_sign_up_opens() -> None:
    """The horizon refusal names the local date sign-up opens."""
    refusal = check_signup(
        P,
        shift(2, hki(2026, 6, 2, 18)),
        role="volunteer",
        mine=(),
        taken=(),
        settings=SETTINGS,
        now=NOW,
    )
    assert refusal is not None
    assert refusal.params["opens"] == date(2026, 5, 5)
    assert refusal.translated("fi") == "Tähän vuoroon voi ilmoittautua 5.5.2026 alkaen."


# ------------------------------------------------------------------ person and place


NIGHT = shift(3, hki(2026, 5, 6, 22), hours=8)  # Wednesday 22 – Thursday 06


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"taken": (assign(S, P),)}, "already_signed_up", id="already"),
        pytest.param({"role": "professional"}, "wrong_role", id="role-not-held"),
        pytest.param(
            {"person": person(roles=("volunteer", "coordinator")), "role": "coordinator"},
            "wrong_role",
            id="role-not-needed",
        ),
        pytest.param(
            {"person": person(roles=("volunteer", "professional")), "role": "professional"},
            None,
            id="second-role",
        ),
        pytest.param({"person": person(quals=())}, "not_qualified", id="no-qualification"),
        pytest.param(
            {"person": person(quals=(Qualification("crisis"),))},
            "not_qualified",
            id="other-qualification",
        ),
        pytest.param(
            {"person": person(quals=(Qualification(HOST, valid_until=date(2026, 5, 5)),))},
            "qualification_not_valid",
            id="expired-day-before",
        ),
        pytest.param(
            {"person": person(quals=(Qualification(HOST, valid_until=date(2026, 5, 6)),))},
            None,
            id="expires-on-the-day",
        ),
        pytest.param(
            {"person": person(quals=(Qualification(HOST, valid_from=date(2026, 5, 7)),))},
            "qualification_not_valid",
            id="valid-from-next-day",
        ),
        pytest.param(
            {"person": person(quals=(Qualification(HOST, valid_from=date(2026, 5, 6)),))},
            None,
            id="valid-from-the-day",
        ),
        pytest.param(
            {
                "shift": NIGHT,
                "person": person(quals=(Qualification(HOST, valid_until=date(2026, 5, 6)),)),
            },
            "qualification_not_valid",
            id="expires-during-night-shift",
        ),
        pytest.param(
            {
                "person": person(
                    quals=(
                        Qualification(HOST, valid_until=date(2026, 1, 1)),
                        Qualification(HOST, valid_from=date(2026, 1, 2)),
                    )
                )
            },
            None,
            id="renewed-qualification",
        ),
        pytest.param(
            {"shift": replace(S, qualification=None), "person": person(quals=())},
            None,
            id="none-needed",
        ),
        pytest.param({"taken": (assign(S, 11), assign(S, 12))}, "shift_full", id="volunteers-full"),
        pytest.param({"taken": (assign(S, 11),)}, None, id="last-volunteer-place"),
        pytest.param(
            {"taken": (assign(S, 11, "professional"), assign(S, 12))},
            None,
            id="other-role-taken",
        ),
        pytest.param(
            {
                "person": person(roles=("professional",)),
                "role": "professional",
                "taken": (assign(S, 11, "professional"),),
            },
            "shift_full",
            id="professional-full",
        ),
    ],
)
def test_person_and_place_rules(changes: dict[str, Any], expected: str | None) -> None:
    """Role, qualification on the shift's dates, double sign-up and head count per role."""
    assert signup(**changes) == expected


def test_signup_roles() -> None:
    """A person can take the roles they hold that the shift needs."""
    both = person(roles=("volunteer", "professional", "coordinator"))
    assert signup_roles(both, S) == ["professional", "volunteer"]
    assert signup_roles(both, replace(S, needs={"volunteer": 2, "professional": 0})) == [
        "volunteer"
    ]


# ------------------------------------------------------------------ wellbeing limits

NO_REST = replace(SETTINGS, min_rest=timedelta(0))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # overlap: half-open intervals, touching is not overlapping
        pytest.param(
            {"mine": mine(shift(5, at(6, 20), 2)), "settings": NO_REST},
            "overlapping_shift",
            id="overlap",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 15), 3)), "settings": NO_REST},
            None,
            id="touching-before",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 21), 1)), "settings": NO_REST},
            None,
            id="touching-after",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 19), 1, cancelled=True)), "settings": NO_REST},
            None,
            id="cancelled-shift-ignored",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 17), 5, target=S.target)), "settings": NO_REST},
            "overlapping_shift",
            id="containing",
        ),
        # rest: exactly the minimum (8 h) is enough
        pytest.param({"mine": mine(shift(5, at(6, 7), 3))}, None, id="rest-exactly-before"),
        pytest.param(
            {"mine": mine(shift(5, at(6, 7), end=at(6, 10, 0, 1)))},
            "rest_too_short",
            id="rest-second-short-before",
        ),
        pytest.param({"mine": mine(shift(5, at(7, 5), 3))}, None, id="rest-exactly-after"),
        pytest.param(
            {"mine": mine(shift(5, at(7, 4, 59, 59), 3))},
            "rest_too_short",
            id="rest-second-short-after",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 15), 3))},
            "rest_too_short",
            id="back-to-back-is-no-rest",
        ),
        pytest.param(
            {"mine": mine(shift(5, at(6, 20), 2))},
            "overlapping_shift",
            id="overlap-reported-before-rest",
        ),
    ],
)
def test_overlap_and_rest(changes: dict[str, Any], expected: str | None) -> None:
    """No overlapping shifts; at least min_rest between them, the minimum itself allowed."""
    assert signup(**changes) == expected


def test_rest_refusal_reports_hours() -> None:
    """The rest refusal says the minimum and the gap in hours, with a decimal comma in Finnish."""
    refusal = check_signup(
        P,
        S,
        role="volunteer",
        mine=mine(shift(5, at(6, 7), end=at(6, 12, 30))),
        taken=(),
        settings=SETTINGS,
        now=NOW,
    )
    assert refusal is not None
    assert refusal.translated("fi") == (
        "Vuorojen välissä pitää olla vähintään 8 h lepoa. Tässä sitä jäisi vain 5,5 h."
    )
    assert refusal.translated("en") == (
        "You need at least 8 h of rest between shifts. Here you would have 5.5 h."
    )


# Week 19 of 2026 is Monday 4 May to Sunday 10 May.
WEEK_9H = mine(shift(5, at(4, 18)), shift(6, at(7, 18)), shift(7, at(8, 18)))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"mine": WEEK_9H}, None, id="exactly-at-cap"),
        pytest.param(
            {"mine": (*WEEK_9H, assign(shift(8, at(10, 10), end=at(10, 10, 0, 1)), P))},
            "weekly_hours_exceeded",
            id="one-second-over",
        ),
        pytest.param(
            {"mine": (*WEEK_9H, assign(shift(8, hki(2026, 5, 3, 10)), P))},
            None,
            id="previous-week-does-not-count",
        ),
        pytest.param(
            {"mine": (*WEEK_9H, assign(shift(8, at(9, 10), cancelled=True), P))},
            None,
            id="cancelled-does-not-count",
        ),
        pytest.param(
            {
                "mine": (*WEEK_9H, assign(shift(8, at(9, 10)), P)),
                "settings": replace(SETTINGS, max_week=None),
            },
            None,
            id="no-cap",
        ),
    ],
)
def test_weekly_cap(changes: dict[str, Any], expected: str | None) -> None:
    """Scheduled hours in the ISO week (Helsinki) may reach the cap but not pass it."""
    assert signup(**changes) == expected


def test_weekly_cap_splits_a_shift_across_midnight_sunday() -> None:
    """A shift from Sunday 22 to Monday 02 counts two hours in each week."""
    night = shift(9, at(10, 22), hours=4)
    ten_hours = mine(
        shift(5, at(4, 18)), shift(6, at(6, 18)), shift(7, at(8, 18)), shift(8, at(9, 9), 1)
    )
    eleven_hours = (*ten_hours, assign(shift(10, at(9, 13), 1), P))
    settings = replace(SETTINGS, min_rest=timedelta(0))
    assert signup(shift=night, mine=ten_hours, settings=settings) is None
    assert signup(shift=night, mine=eleven_hours, settings=settings) == "weekly_hours_exceeded"
    next_week = mine(*(shift(20 + i, at(11 + i, 18), 3) for i in range(4)))  # Mon–Thu: 12 h
    refusal = check_signup(
        P, night, role="volunteer", mine=next_week, taken=(), settings=settings, now=NOW
    )
    assert refusal is not None and refusal.params["week"] == 20


@pytest.mark.parametrize(
    ("day", "cap", "expected"),
    [
        # 22–06 the night the clocks go back lasts 9 hours, so an 8.5-hour cap refuses it
        (date(2026, 10, 24), 8.5, "weekly_hours_exceeded"),
        (date(2026, 10, 24), 9, None),
        # and the night they go forward lasts 7
        (date(2026, 3, 28), 7, None),
        (date(2026, 3, 28), 6.5, "weekly_hours_exceeded"),
    ],
)
def test_weekly_cap_counts_elapsed_time_on_dst_nights(day: date, cap: float, expected) -> None:
    """Hours are real elapsed time: the autumn DST night is 9 hours, the spring one 7."""
    start = wall_to_utc(day, time(22))
    night = shift(30, start, end=wall_to_utc(day + timedelta(days=1), time(6)))
    settings = replace(SETTINGS, max_week=timedelta(hours=cap))
    assert signup(shift=night, settings=settings, now=start - timedelta(days=2)) == expected


def test_weekly_refusal_message() -> None:
    """The cap refusal names the ISO week, the total and the limit."""
    extra = assign(shift(8, at(9, 10), 1), P)
    refusal = check_signup(
        P, S, role="volunteer", mine=(*WEEK_9H, extra), taken=(), settings=SETTINGS, now=NOW
    )
    assert refusal is not None and refusal.code == "weekly_hours_exceeded"
    assert refusal.translated("fi") == (
        "Viikolla 19 sinulla olisi vuoroja yhteensä 13 h. Enimmäismäärä on 12 h."
    )


def test_week_hours() -> None:
    """week_hours sums scheduled time inside one ISO week, cancelled shifts left out."""
    items = (
        *WEEK_9H,
        assign(shift(9, at(10, 22), 4), P),
        assign(shift(8, at(9, 10), cancelled=True), P),
    )
    assert week_hours(items, date(2026, 5, 4)) == timedelta(hours=11)
    assert week_hours(items, date(2026, 5, 11)) == timedelta(hours=2)


# ------------------------------------------------------------------ order of reasons


def test_first_reason_wins() -> None:
    """With several reasons, the shift's own state is reported before the person's limits."""
    full_and_cancelled = signup(
        shift=replace(S, cancelled=True), taken=(assign(S, 11), assign(S, 12))
    )
    assert full_and_cancelled == "shift_cancelled"
    assert signup(person=person(quals=()), taken=(assign(S, 11), assign(S, 12))) == "not_qualified"
    assert (
        signup(taken=(assign(S, 11), assign(S, 12)), mine=mine(shift(5, at(6, 19)))) == "shift_full"
    )


# ------------------------------------------------------------------ cancelling


@pytest.mark.parametrize(
    ("now", "changes", "expected"),
    [
        pytest.param(S.start - timedelta(hours=48), {}, None, id="exactly-at-deadline"),
        pytest.param(
            S.start - timedelta(hours=48) + US, {}, "cancel_deadline_passed", id="just-after"
        ),
        pytest.param(
            S.start - timedelta(hours=1), {"cancel_before": timedelta(0)}, None, id="no-deadline"
        ),
        pytest.param(S.start, {"cancel_before": timedelta(0)}, "shift_started", id="started"),
        pytest.param(NOW, {}, None, id="well-before"),
    ],
)
def test_check_cancel(now: datetime, changes: dict[str, Any], expected: str | None) -> None:
    """A person may cancel until cancel_before the start, the deadline itself included."""
    refusal = check_cancel(assign(S, P), settings=replace(SETTINGS, **changes), now=now)
    assert (refusal.code if refusal else None) == expected


def test_cancel_refused_for_cancelled_shift() -> None:
    """There is nothing to cancel on a shift that has itself been cancelled."""
    refusal = check_cancel(assign(replace(S, cancelled=True), P), settings=SETTINGS, now=NOW)
    assert refusal is not None and refusal.code == "shift_cancelled"


def test_cancel_refusal_names_deadline_and_swap() -> None:
    """After the deadline the message gives the deadline in Helsinki time and suggests a swap."""
    refusal = check_cancel(assign(S, P), settings=SETTINGS, now=S.start - timedelta(hours=2))
    assert refusal is not None
    assert refusal.translated("fi") == (
        "Tämän vuoron sai perua 4.5.2026 18.00 asti. Voit vielä tarjota vuoroa vaihtoon."
    )
    assert refusal.error().code == "cancel_deadline_passed"
    assert refusal.error().status == 409


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW, None),
        (S.start + timedelta(hours=1), None),  # taken off mid-shift
        (S.end - US, None),
        (S.end, "shift_ended"),
    ],
)
def test_check_unassign(now: datetime, expected: str | None) -> None:
    """A coordinator can take someone off a shift until it ends, not afterwards."""
    refusal = check_unassign(assign(S, P), now=now)
    assert (refusal.code if refusal else None) == expected
