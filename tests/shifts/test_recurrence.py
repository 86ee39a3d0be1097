"""Shift templates: recurrence rules, exceptions, holidays and DST weeks."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from kuulolla.core.errors import BadRequest
from kuulolla.shifts.recurrence import (
    ShiftKey,
    check_rule,
    check_template,
    occurrences,
    template_dates,
    weekly,
)
from kuulolla.shifts.values import local
from tests.shifts.make import ROOM, hki, template, utc

# ------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("days", "kwargs", "rule"),
    [
        ([0, 3], {}, "FREQ=WEEKLY;BYDAY=MO,TH"),
        (["su", "MO"], {}, "FREQ=WEEKLY;BYDAY=MO,SU"),
        ([4, 4], {}, "FREQ=WEEKLY;BYDAY=FR"),
        ([2], {"interval": 2}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ],
)
def test_weekly_builds_rule(days: list[int | str], kwargs: dict[str, int], rule: str) -> None:
    """weekly() writes weekdays Monday first, without duplicates."""
    assert weekly(days, **kwargs) == rule


@pytest.mark.parametrize("days", [[], ["XX"], [7]])
def test_weekly_refuses_bad_days(days: list[int | str]) -> None:
    """No weekdays, or an unknown one, is refused."""
    with pytest.raises((BadRequest, IndexError)):
        weekly(days)


@pytest.mark.parametrize(
    ("rule", "normal"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("RRULE:freq=weekly;byday=mo", "FREQ=WEEKLY;BYDAY=MO"),
        ("FREQ=MONTHLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=1MO"),
        ("FREQ=DAILY;COUNT=3", "FREQ=DAILY;COUNT=3"),
        ("FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;UNTIL=20261231"),
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"),
    ],
)
def test_check_rule_accepts_date_rules(rule: str, normal: str) -> None:
    """Daily or coarser rules with date parts only are accepted and normalised."""
    assert check_rule(rule) == normal


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=MINUTELY",
        "FREQ=WEEKLY;BYHOUR=18",
        "FREQ=WEEKLY;BYMINUTE=30",
        "FREQ=WEEKLY;UNTIL=20260401T000000Z",
        "FREQ=WEEKLY;FREQ=DAILY",
        "BYDAY=MO",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=zero",
        "FREQ=WEEKLY;DTSTART=20260101",
        "FREQ=DAILY\nEXDATE:20260301",
        "FREQ=WEEKLY;BYDAY=",
    ],
)
def test_check_rule_refuses(rule: str) -> None:
    """Rules with time parts, several a day, or that do not parse are refused."""
    with pytest.raises(BadRequest) as caught:
        check_rule(rule)
    assert caught.value.code == "invalid_rule"


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("kwargs", "first", "last", "dates"),
    [
        (
            {"rule": weekly([0, 3])},
            date(2026, 5, 4),
            date(2026, 5, 17),
            [date(2026, 5, 4), date(2026, 5, 7), date(2026, 5, 11), date(2026, 5, 14)],
        ),
        (  # valid_from and valid_until are inclusive
            {"rule": "FREQ=DAILY", "valid_from": date(2026, 5, 5), "valid_until": date(2026, 5, 7)},
            date(2026, 5, 1),
            date(2026, 5, 31),
            [date(2026, 5, 5), date(2026, 5, 6), date(2026, 5, 7)],
        ),
        (  # cancelled dates
            {"rule": "FREQ=DAILY", "exceptions": frozenset({date(2026, 5, 6)})},
            date(2026, 5, 5),
            date(2026, 5, 7),
            [date(2026, 5, 5), date(2026, 5, 7)],
        ),
        (  # every other week, counted from valid_from
            {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "valid_from": date(2026, 5, 4)},
            date(2026, 5, 1),
            date(2026, 6, 1),
            [date(2026, 5, 4), date(2026, 5, 18), date(2026, 6, 1)],
        ),
        (  # COUNT is counted from valid_from, not from the window
            {"rule": "FREQ=DAILY;COUNT=3", "valid_from": date(2026, 5, 1)},
            date(2026, 5, 2),
            date(2026, 5, 31),
            [date(2026, 5, 2), date(2026, 5, 3)],
        ),
        (  # the first Monday of each month
            {"rule": "FREQ=MONTHLY;BYDAY=1MO"},
            date(2026, 5, 1),
            date(2026, 7, 31),
            [date(2026, 5, 4), date(2026, 6, 1), date(2026, 7, 6)],
        ),
        (  # Easter 2026 with holidays skipped: Good Friday, Easter Sunday and Monday
            {"rule": "FREQ=DAILY", "skip_holidays": True},
            date(2026, 4, 2),
            date(2026, 4, 7),
            [date(2026, 4, 2), date(2026, 4, 4), date(2026, 4, 7)],
        ),
        (  # the eves count as holidays too
            {"rule": "FREQ=DAILY", "skip_holidays": True},
            date(2026, 12, 23),
            date(2026, 12, 27),
            [date(2026, 12, 23), date(2026, 12, 27)],
        ),
        (  # without opting in, holidays are ordinary days
            {"rule": "FREQ=DAILY"},
            date(2026, 12, 24),
            date(2026, 12, 25),
            [date(2026, 12, 24), date(2026, 12, 25)],
        ),
        (
            {"rule": "FREQ=DAILY", "valid_from": date(2026, 6, 1)},
            date(2026, 5, 1),
            date(2026, 5, 31),
            [],
        ),
    ],
)
def test_template_dates(kwargs: dict, first: date, last: date, dates: list[date]) -> None:
    """The local dates a template runs on follow its rule, validity, exceptions and holidays."""
    assert template_dates(template(**kwargs), first, last) == dates


# ------------------------------------------------------------------ DST


def _one(start: time, end: time, day: date):
    found = occurrences(
        template(rule="FREQ=DAILY", start=start, end=end),
        hki(day.year, day.month, day.day),
        hki(day.year, day.month, day.day) + timedelta(days=1),
    )
    return found


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 3, 22), utc(2026, 3, 22, 16), utc(2026, 3, 22, 19)),  # EET, +02:00
        (date(2026, 3, 29), utc(2026, 3, 29, 15), utc(2026, 3, 29, 18)),  # EEST from today
        (date(2026, 10, 18), utc(2026, 10, 18, 15), utc(2026, 10, 18, 18)),  # EEST, +03:00
        (date(2026, 10, 25), utc(2026, 10, 25, 16), utc(2026, 10, 25, 19)),  # EET from today
    ],
)
def test_evening_shift_keeps_wall_times_across_dst(day: date, start, end) -> None:
    """A shift 18–21 in Helsinki is 18–21 on the wall clock before and after each DST change."""
    [occurrence] = _one(time(18), time(21), day)
    assert (occurrence.start, occurrence.end) == (start, end)
    assert (local(occurrence.start).time(), local(occurrence.end).time()) == (time(18), time(21))
    assert occurrence.end - occurrence.start == timedelta(hours=3)


@pytest.mark.parametrize(
    ("day", "start", "end", "elapsed"),
    [
        # the night the clocks go forward: 22–06 lasts 7 hours
        (date(2026, 3, 28), utc(2026, 3, 28, 20), utc(2026, 3, 29, 3), 7),
        # the night the clocks go back: 22–06 lasts 9 hours
        (date(2026, 10, 24), utc(2026, 10, 24, 19), utc(2026, 10, 25, 4), 9),
        (date(2026, 5, 9), utc(2026, 5, 9, 19), utc(2026, 5, 10, 3), 8),
    ],
)
def test_night_shift_ends_at_wall_time(day: date, start, end, elapsed: int) -> None:
    """A night shift 22–06 ends at 06 on the wall clock, so DST nights are an hour shorter or longer."""
    [occurrence] = _one(time(22), time(6), day)
    assert (occurrence.start, occurrence.end) == (start, end)
    assert occurrence.end - occurrence.start == timedelta(hours=elapsed)
    assert local(occurrence.end).time() == time(6)


@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        # spring gap 03:00–04:00 does not exist: read with the offset before it (RFC 5545)
        (date(2026, 3, 29), time(3, 30), time(5), (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2))),
        (
            date(2026, 3, 29),
            time(2, 30),
            time(3, 30),
            (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30)),
        ),
        (
            date(2026, 3, 29),
            time(3, 15),
            time(3, 45),
            (utc(2026, 3, 29, 1, 15), utc(2026, 3, 29, 1, 45)),
        ),
        # the autumn hour 03:00–04:00 happens twice: the first one is meant
        (
            date(2026, 10, 25),
            time(3, 30),
            time(5),
            (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3)),
        ),
        (
            date(2026, 10, 25),
            time(0),
            time(3, 30),
            (utc(2026, 10, 24, 21), utc(2026, 10, 25, 0, 30)),
        ),
    ],
)
def test_shifts_touching_the_dst_hour(day: date, start: time, end: time, expected) -> None:
    """Nonexistent wall times move an hour later; repeated ones mean the first occurrence."""
    [occurrence] = _one(start, end, day)
    assert (occurrence.start, occurrence.end) == expected


def test_shift_that_the_spring_gap_swallows_does_not_happen() -> None:
    """03:30–04:15 on the spring-forward day would end before it starts, so it is not generated."""
    assert _one(time(3, 30), time(4, 15), date(2026, 3, 29)) == []
    assert len(_one(time(3, 30), time(4, 15), date(2026, 3, 30))) == 1


def test_a_season_of_sundays_stays_at_18_local() -> None:
    """Every Sunday from March to November starts at 18:00 Helsinki time, whatever the offset."""
    found = occurrences(template(), hki(2026, 3, 1), hki(2026, 11, 30))
    assert len(found) == 40  # 1 March to 29 November 2026 are both Sundays
    assert {local(o.start).time() for o in found} == {time(18)}
    assert {o.end - o.start for o in found} == {timedelta(hours=3)}
    offsets = {local(o.start).utcoffset() for o in found}
    assert offsets == {timedelta(hours=2), timedelta(hours=3)}


# ------------------------------------------------------------------ occurrences


def test_occurrence_window_is_half_open() -> None:
    """An occurrence starting exactly at the window's start is in, one at its end is out."""
    t = template(rule="FREQ=DAILY")
    found = occurrences(t, hki(2026, 5, 4, 18), hki(2026, 5, 6, 18))
    assert [o.key.day for o in found] == [date(2026, 5, 4), date(2026, 5, 5)]


def test_occurrence_carries_template_values() -> None:
    """An occurrence copies target, needs and qualification and is keyed by template and date."""
    t = template(7, needs={"volunteer": 2, "professional": 1}, qualification="chat")
    [o] = occurrences(t, hki(2026, 5, 10), hki(2026, 5, 11))
    assert o.key == ShiftKey(7, date(2026, 5, 10))
    assert str(o.key) == "7:2026-05-10"
    assert (o.target, dict(o.needs), o.qualification) == (
        ROOM,
        {"volunteer": 2, "professional": 1},
        "chat",
    )


def test_night_shift_starting_before_window_is_keyed_by_its_start_date() -> None:
    """A night shift belongs to the date it starts on, even when the window begins after midnight."""
    t = template(rule="FREQ=DAILY", start=time(22), end=time(6))
    found = occurrences(t, hki(2026, 5, 10, 1), hki(2026, 5, 11, 1))
    assert [o.key.day for o in found] == [date(2026, 5, 10)]


def test_wall_duration() -> None:
    """wall_duration rolls over midnight when the end is not after the start."""
    assert template(start=time(18), end=time(21)).wall_duration == timedelta(hours=3)
    assert template(start=time(22), end=time(6)).wall_duration == timedelta(hours=8)
    assert template(start=time(9), end=time(9)).wall_duration == timedelta(hours=24)


# ------------------------------------------------------------------ validation


def test_check_template_normalises() -> None:
    """A valid template comes back with its rule normalised and zero head counts dropped."""
    checked = check_template(
        template(rule="rrule:freq=weekly;byday=su", needs={"volunteer": 2, "professional": 0})
    )
    assert (checked.rule, dict(checked.needs)) == ("FREQ=WEEKLY;BYDAY=SU", {"volunteer": 2})


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rule": "FREQ=HOURLY"}, "invalid_rule"),
        ({"needs": {}}, "invalid_needs"),
        ({"needs": {"volunteer": 0}}, "invalid_needs"),
        ({"needs": {"volunteer": -1}}, "invalid_needs"),
        ({"needs": {"volunteer": 51}}, "invalid_needs"),
        ({"valid_from": date(2026, 5, 2), "valid_until": date(2026, 5, 1)}, "invalid_dates"),
    ],
)
def test_check_template_refuses(kwargs: dict, code: str) -> None:
    """Templates without people, with too many, with a bad rule or backwards dates are refused."""
    with pytest.raises(BadRequest) as caught:
        check_template(template(**kwargs))
    assert caught.value.code == code


def test_check_template_accepts_one_day_validity() -> None:
    """A template valid on one day only is fine."""
    one_day = template(
        valid_from=date(2026, 5, 2), valid_until=date(2026, 5, 2), needs={"volunteer": 50}
    )
    assert check_template(one_day).valid_until == date(2026, 5, 2)
