"""The calendar's week grid and the shift template form: pure placement and round trips."""

from __future__ import annotations

from datetime import date, time

import pytest

from kuulolla.shifts.coverage import week_view
from kuulolla.shifts.forms import build_rule, check_template_form, template_form_values
from kuulolla.shifts.grid import coverage_state, needs_people, week_grid
from tests.shifts.make import assign, hki, shift, template

MONDAY = date(2026, 5, 4)


def placed(shifts, assignments=()):  # type: ignore[no-untyped-def]
    grid = week_grid(week_view(MONDAY, shifts, assignments).weeks[0])
    return grid, {
        (c.day.day.weekday(), p.coverage.shift.id): (p.row, p.row_end, p.lane, p.continues_after)
        for c in grid.columns
        for p in c.placed
    }


def test_evening_shifts_are_placed_by_half_hours_from_8() -> None:
    """18–21 on Tuesday takes rows 21–27 of a grid starting at 8; 8–22 is the least shown."""
    grid, at = placed([shift(1, hki(2026, 5, 5, 18), 3)])
    assert (grid.first_hour, grid.last_hour, grid.rows) == (8, 22, 28)
    assert at == {(1, 1): (21, 27, 1, False)}
    assert grid.hours[0] == (8, 1) and grid.hours[-1] == (21, 27)


def test_overlapping_shifts_sit_in_lanes_and_touching_ones_share_one() -> None:
    """Two shifts at once take two lanes; one that starts where another ends reuses its lane."""
    grid, at = placed(
        [
            shift(1, hki(2026, 5, 4, 18), 2),
            shift(2, hki(2026, 5, 4, 19), 2),
            shift(3, hki(2026, 5, 4, 20), 1),
        ]
    )
    assert [at[(0, i)][2] for i in (1, 2, 3)] == [1, 2, 1]
    assert grid.columns[0].lanes == 2 and grid.columns[1].lanes == 1


def test_night_and_day_long_shifts_widen_the_grid_and_show_on_both_days() -> None:
    """22–6 shows on both days; a 0–24 shift fills its whole day; the grid runs 0–24."""
    grid, at = placed([shift(1, hki(2026, 5, 4, 22), 8), shift(2, hki(2026, 5, 6, 0), 24)])
    assert (grid.first_hour, grid.last_hour) == (0, 24)
    assert at[(0, 1)] == (45, 49, 1, True)
    assert at[(1, 1)] == (1, 13, 1, False)
    assert at[(2, 2)] == (1, 49, 1, False)


def test_states_and_the_needs_people_list() -> None:
    """Nobody, some or all places taken, or cancelled; the list has coming shifts with
    free places, soonest first."""
    empty = shift(1, hki(2026, 5, 6, 18), needs={"volunteer": 2})
    short = shift(2, hki(2026, 5, 5, 18), needs={"volunteer": 2})
    full = shift(3, hki(2026, 5, 7, 18), needs={"volunteer": 1})
    gone = shift(4, hki(2026, 5, 8, 18), cancelled=True)
    started = shift(5, hki(2026, 5, 4, 10), needs={"volunteer": 1})
    taken = [assign(short, 10), assign(full, 11)]
    days = week_view(MONDAY, [empty, short, full, gone, started], taken).weeks[0].days
    states = {c.shift.id: coverage_state(c) for d in days for c in d.shifts}
    assert states == {1: "empty", 2: "short", 3: "full", 4: "cancelled", 5: "empty"}
    now = hki(2026, 5, 4, 12)
    assert [c.shift.id for c in needs_people(days, now=now)] == [2, 1]


@pytest.mark.parametrize(
    ("kwargs", "days"),
    [
        ({"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"}, ["MO", "TH"]),
        ({"rule": "FREQ=DAILY", "start": time(0), "end": time(0)}, []),
        ({"rule": "FREQ=MONTHLY;BYDAY=-1FR", "start": time(18, 30)}, []),
        ({"rule": "FREQ=MONTHLY;BYMONTHDAY=15"}, []),
        ({"rule": "FREQ=YEARLY;BYMONTH=12;BYDAY=2SA"}, []),
        ({"rule": "FREQ=WEEKLY;BYDAY=SU", "end": time(0), "skip_holidays": True}, ["SU"]),
    ],
)
def test_a_template_reads_back_through_its_form(kwargs: dict, days: list[str]) -> None:
    """Editing shows the same choices: the form's values make the same rule and times."""
    t = template(**kwargs, qualification="1", exceptions=frozenset({date(2026, 6, 19)}))
    values, chosen = template_form_values(t)
    assert chosen == days
    assert build_rule(values, chosen) == t.rule
    fields = check_template_form(
        values, chosen, targets={("room", 1)}, qualifications={1}, target=("room", 1)
    )
    assert (fields.rule, fields.skip_holidays, fields.exceptions) == (
        t.rule,
        t.skip_holidays,
        t.exceptions,
    )
    assert (fields.start, fields.end % 1440) == (
        t.start_time.hour * 60 + t.start_time.minute,
        t.end_time.hour * 60 + t.end_time.minute,
    )


def test_template_form_reports_every_problem() -> None:
    """Bad time, no weekdays, no people, another organisation's training: all at once."""
    from kuulolla.shifts.forms import InvalidForm

    with pytest.raises(InvalidForm) as caught:
        check_template_form(
            {"times": "18-", "repeat": "weekly", "volunteers": "0", "qualification_id": "9"},
            [],
            targets={("room", 1)},
            qualifications={1},
        )
    assert set(caught.value.errors) == {
        "target",
        "times",
        "repeat",
        "valid_from",
        "volunteers",
        "qualification_id",
    }
