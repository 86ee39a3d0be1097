"""On duty: check-in window, check-out, room open state, closing notice, queue capacity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from kuulolla.core.i18n import datetime_text
from kuulolla.shifts.duty import (
    Host,
    RoomState,
    Window,
    check_check_in,
    check_check_out,
    check_out_time,
    closing_announcement_due,
    due_check_outs,
    next_opening,
    queue_capacity,
    room_state,
    windows,
)
from kuulolla.shifts.values import Qualification
from tests.shifts.make import HOST, SETTINGS, TOPIC, assign, hki, person, shift

S = shift(1, hki(2026, 5, 6, 18))  # 18–21
P = person(10)
A = assign(S, P)
IN = replace(A, checked_in=hki(2026, 5, 6, 17, 50))
SECOND = timedelta(seconds=1)


def code(refusal) -> str | None:
    return refusal.code if refusal else None


# ------------------------------------------------------------------ check-in/out


@pytest.mark.parametrize(
    ("assignment", "now", "expected"),
    [
        pytest.param(A, hki(2026, 5, 6, 17, 45), None, id="window-opens-15-min-early"),
        pytest.param(A, hki(2026, 5, 6, 17, 44, 59), "check_in_too_early", id="a-second-too-early"),
        pytest.param(A, hki(2026, 5, 6, 20, 59, 59), None, id="last-second"),
        pytest.param(A, hki(2026, 5, 6, 21), "shift_ended", id="at-end"),
        pytest.param(IN, hki(2026, 5, 6, 18), "already_checked_in", id="twice"),
        pytest.param(
            assign(replace(S, cancelled=True), P),
            hki(2026, 5, 6, 18),
            "shift_cancelled",
            id="cancelled",
        ),
    ],
)
def test_check_in_window(assignment, now: datetime, expected: str | None) -> None:
    """Check-in is open from 15 minutes before the start until the end, once."""
    assert code(check_check_in(assignment, settings=SETTINGS, now=now)) == expected


def test_too_early_says_when() -> None:
    """Checking in too early tells the time check-in opens, in Helsinki time."""
    refusal = check_check_in(A, settings=SETTINGS, now=hki(2026, 5, 6, 12))
    assert refusal is not None
    opens = datetime_text(hki(2026, 5, 6, 17, 45), "fi")
    assert refusal.translated("fi") == f"Voit kirjautua vuoroon aikaisintaan {opens}."
    opens = datetime_text(hki(2026, 5, 6, 17, 45), "sv")
    assert refusal.translated("sv") == f"Du kan checka in tidigast {opens}."


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        (A, "not_checked_in"),
        (IN, None),
        (replace(IN, checked_out=hki(2026, 5, 6, 21)), "already_checked_out"),
    ],
)
def test_check_out(assignment, expected: str | None) -> None:
    """Checking out needs a check-in and happens once; leaving early is allowed."""
    assert code(check_check_out(assignment)) == expected


@pytest.mark.parametrize(
    ("now", "recorded"),
    [
        (hki(2026, 5, 6, 19), hki(2026, 5, 6, 19)),  # leaving early
        (hki(2026, 5, 6, 21, 30), hki(2026, 5, 6, 21, 30)),  # within the grace
        (hki(2026, 5, 6, 21, 30, 1), hki(2026, 5, 6, 21)),  # forgotten: the end
        (hki(2026, 5, 7, 9), hki(2026, 5, 6, 21)),
    ],
)
def test_check_out_time(now: datetime, recorded: datetime) -> None:
    """A late check-out past the grace is recorded at the shift's end."""
    assert check_out_time(IN, settings=SETTINGS, now=now) == recorded


def test_check_out_time_never_before_check_in() -> None:
    """The recorded check-out is never earlier than the check-in, whatever the data says."""
    odd = replace(A, checked_in=hki(2026, 5, 6, 22))
    assert check_out_time(odd, settings=SETTINGS, now=hki(2026, 5, 7, 9)) == hki(2026, 5, 6, 22)


def test_due_check_outs() -> None:
    """Only checked-in, not checked-out assignments past end plus grace are closed."""
    done = replace(IN, checked_out=hki(2026, 5, 6, 20))
    never = A
    now = hki(2026, 5, 6, 21, 30, 1)
    assert due_check_outs([IN, done, never], settings=SETTINGS, now=now) == [IN]
    assert due_check_outs([IN], settings=SETTINGS, now=now - SECOND) == []


# ------------------------------------------------------------------ schedule


def test_windows_merge_touching_and_overlapping_shifts() -> None:
    """Back-to-back and overlapping shifts are one window; cancelled ones are not in it."""
    shifts = [
        shift(1, hki(2026, 5, 6, 18), 2),
        shift(2, hki(2026, 5, 6, 20), 2),
        shift(3, hki(2026, 5, 6, 21), 0.5),
        shift(4, hki(2026, 5, 7, 10), 2, cancelled=True),
        shift(5, hki(2026, 5, 7, 18), 3),
    ]
    assert windows(reversed(shifts)) == [
        Window(hki(2026, 5, 6, 18), hki(2026, 5, 6, 22)),
        Window(hki(2026, 5, 7, 18), hki(2026, 5, 7, 21)),
    ]
    assert next_opening(shifts, now=hki(2026, 5, 6, 19)) == hki(2026, 5, 7, 18)
    assert next_opening(shifts, now=hki(2026, 5, 7, 18)) is None


# ------------------------------------------------------------------ rooms

TODAY = [shift(1, hki(2026, 5, 6, 18), 2), shift(2, hki(2026, 5, 6, 20), 2)]  # 18–22
TOMORROW = shift(3, hki(2026, 5, 7, 18), 3)
ROSTER = [*TODAY, TOMORROW]
HOST_IN = Host(assign(TODAY[0], P, checked_in=hki(2026, 5, 6, 17, 50)), P)
LATE_HOST_IN = Host(assign(TODAY[1], person(11), checked_in=hki(2026, 5, 6, 19, 55)), person(11))
LATE_HOST_SIGNED_UP = Host(assign(TODAY[1], person(11)), person(11))
TOMORROWS_HOST = Host(assign(TOMORROW, person(12)), person(12))
NEXT = hki(2026, 5, 7, 18)


@pytest.mark.parametrize(
    ("hosts", "now", "expected"),
    [
        pytest.param(
            [HOST_IN],
            hki(2026, 5, 6, 17, 55),
            RoomState("closed", next_opening=hki(2026, 5, 6, 18), next_planned=hki(2026, 5, 6, 18)),
            id="host-early-but-not-scheduled",
        ),
        pytest.param(
            [],
            hki(2026, 5, 6, 18),
            RoomState("waiting_for_host", closes_at=hki(2026, 5, 6, 22), next_planned=NEXT),
            id="scheduled-no-host",
        ),
        pytest.param(
            [HOST_IN],
            hki(2026, 5, 6, 18),
            RoomState("open", closes_at=hki(2026, 5, 6, 20)),
            id="open-until-the-hosts-shift-ends-not-the-window",
        ),
        pytest.param(
            [HOST_IN, LATE_HOST_SIGNED_UP],
            hki(2026, 5, 6, 18),
            RoomState("open", closes_at=hki(2026, 5, 6, 22)),
            id="open-until-the-signed-up-next-host-ends",
        ),
        pytest.param(
            [HOST_IN],
            hki(2026, 5, 6, 20),
            RoomState("waiting_for_host", closes_at=hki(2026, 5, 6, 22), next_planned=NEXT),
            id="hosts-shift-over",
        ),
        pytest.param(
            [HOST_IN, LATE_HOST_IN],
            hki(2026, 5, 6, 20),
            RoomState("open", closes_at=hki(2026, 5, 6, 22)),
            id="next-host-took-over",
        ),
        pytest.param(
            [LATE_HOST_IN],
            hki(2026, 5, 6, 19, 56),
            RoomState("waiting_for_host", closes_at=hki(2026, 5, 6, 22), next_planned=NEXT),
            id="early-check-in-counts-from-the-shifts-start",
        ),
        pytest.param(
            [
                replace(
                    HOST_IN, assignment=replace(HOST_IN.assignment, checked_out=hki(2026, 5, 6, 19))
                )
            ],
            hki(2026, 5, 6, 19),
            RoomState("waiting_for_host", closes_at=hki(2026, 5, 6, 22), next_planned=NEXT),
            id="host-checked-out",
        ),
        pytest.param(
            [
                Host(
                    HOST_IN.assignment,
                    person(10, quals=(Qualification(HOST, valid_until=date(2026, 5, 5)),)),
                )
            ],
            hki(2026, 5, 6, 19),
            RoomState("waiting_for_host", closes_at=hki(2026, 5, 6, 22), next_planned=NEXT),
            id="host-qualification-expired",
        ),
        pytest.param(
            [LATE_HOST_IN],
            hki(2026, 5, 6, 21, 50),
            RoomState("open", closes_at=hki(2026, 5, 6, 22), closing_soon=True),
            id="closing-soon-at-10-min",
        ),
        pytest.param(
            [LATE_HOST_IN],
            hki(2026, 5, 6, 21, 49, 59),
            RoomState("open", closes_at=hki(2026, 5, 6, 22)),
            id="not-yet-closing-soon",
        ),
        pytest.param(
            [HOST_IN, LATE_HOST_SIGNED_UP],
            hki(2026, 5, 6, 19, 55),
            RoomState("open", closes_at=hki(2026, 5, 6, 22)),
            id="no-notice-at-seam-when-the-next-host-is-signed-up",
        ),
        pytest.param(
            [HOST_IN],
            hki(2026, 5, 6, 19, 50),
            RoomState("open", closes_at=hki(2026, 5, 6, 20), closing_soon=True),
            id="notice-when-nobody-takes-over",
        ),
        pytest.param(
            [LATE_HOST_IN],
            hki(2026, 5, 6, 22),
            RoomState("closed", next_planned=NEXT),
            id="window-over-nobody-signed-up-for-the-next",
        ),
        pytest.param(
            [LATE_HOST_IN, TOMORROWS_HOST],
            hki(2026, 5, 6, 22),
            RoomState("closed", next_opening=NEXT, next_planned=NEXT),
            id="window-over-next-one-has-a-host",
        ),
        pytest.param(
            [Host(TOMORROWS_HOST.assignment, person(12, quals=()))],
            hki(2026, 5, 6, 22),
            RoomState("closed", next_planned=NEXT),
            id="next-ones-host-lacks-the-training",
        ),
    ],
)
def test_room_state(hosts: list[Host], now: datetime, expected: RoomState) -> None:
    """Open inside the schedule while a qualified host is on duty, until their cover ends; warns 10 min before."""
    assert room_state(shifts=ROSTER, hosts=hosts, now=now) == expected


def test_room_closes_when_the_hosts_training_runs_out() -> None:
    """A host whose training is valid until today keeps a night room open only until midnight."""
    night = shift(7, hki(2026, 5, 6, 22), 4)  # 22–02
    short = person(10, quals=(Qualification(HOST, valid_until=date(2026, 5, 6)),))
    host = Host(assign(night, short, checked_in=hki(2026, 5, 6, 22)), short)
    state = room_state(shifts=[night], hosts=[host], now=hki(2026, 5, 6, 23))
    assert (state.status, state.closes_at) == ("open", hki(2026, 5, 7, 0))


def test_room_requirement_counts_besides_the_shifts() -> None:
    """A room that requires a training opens only for a host who holds it too."""
    other = "moderation_course"
    host = HOST_IN
    assert room_state(
        shifts=ROSTER, hosts=[host], now=hki(2026, 5, 6, 19), required=other
    ).status == ("waiting_for_host")
    trained = person(10, quals=(Qualification(HOST), Qualification(other)))
    state = room_state(
        shifts=ROSTER,
        hosts=[Host(host.assignment, trained)],
        now=hki(2026, 5, 6, 19),
        required=other,
    )
    assert state.status == "open"


def test_closed_room_without_future_shifts_has_no_next_opening() -> None:
    """With nothing scheduled, a closed room shows no next opening."""
    state = room_state(shifts=[], hosts=[], now=hki(2026, 5, 6, 19))
    assert state == RoomState("closed") and not state.open


def test_closing_announcement_is_made_once_per_window() -> None:
    """Visitors are told once that the room closes; a new window is told again."""
    soon = room_state(shifts=ROSTER, hosts=[LATE_HOST_IN], now=hki(2026, 5, 6, 21, 51))
    assert closing_announcement_due(soon, announced_for=None)
    assert not closing_announcement_due(soon, announced_for=hki(2026, 5, 6, 22))
    assert closing_announcement_due(soon, announced_for=hki(2026, 5, 5, 22))
    later = room_state(shifts=ROSTER, hosts=[LATE_HOST_IN], now=hki(2026, 5, 6, 21))
    assert not closing_announcement_due(later, announced_for=None)


# ------------------------------------------------------------------ queues

Q = shift(40, hki(2026, 5, 6, 18), 3, target=TOPIC)
Q_LATE = shift(41, hki(2026, 5, 6, 19), 3, target=TOPIC)


def helper(pid: int, max_chats: int, on=Q, **times) -> Host:
    who = person(pid, max_chats=max_chats)
    return Host(assign(on, who, **times), who)


@pytest.mark.parametrize(
    ("helpers", "now", "capacity"),
    [
        pytest.param([], hki(2026, 5, 6, 19), 0, id="nobody"),
        pytest.param(
            [
                helper(1, 3, checked_in=hki(2026, 5, 6, 18)),
                helper(2, 2, checked_in=hki(2026, 5, 6, 18)),
            ],
            hki(2026, 5, 6, 19),
            5,
            id="sum-of-limits",
        ),
        pytest.param(
            [helper(1, 3, checked_in=hki(2026, 5, 6, 18)), helper(2, 2)],
            hki(2026, 5, 6, 19),
            3,
            id="not-checked-in",
        ),
        pytest.param(
            [helper(1, 3, checked_in=hki(2026, 5, 6, 18), checked_out=hki(2026, 5, 6, 19))],
            hki(2026, 5, 6, 19),
            0,
            id="checked-out",
        ),
        pytest.param(
            [
                helper(1, 3, checked_in=hki(2026, 5, 6, 18)),
                helper(2, 2, on=Q_LATE, checked_in=hki(2026, 5, 6, 19)),
            ],
            hki(2026, 5, 6, 21),
            2,
            id="first-shift-over",
        ),
        pytest.param(
            [
                helper(1, 3, checked_in=hki(2026, 5, 6, 18)),
                helper(1, 3, on=Q_LATE, checked_in=hki(2026, 5, 6, 19)),
            ],
            hki(2026, 5, 6, 20),
            3,
            id="same-person-counted-once",
        ),
        pytest.param(
            [
                Host(
                    assign(Q, person(3, quals=()), checked_in=hki(2026, 5, 6, 18)),
                    person(3, quals=(), max_chats=4),
                )
            ],
            hki(2026, 5, 6, 19),
            0,
            id="unqualified",
        ),
    ],
)
def test_queue_capacity(helpers: list[Host], now: datetime, capacity: int) -> None:
    """A topic takes as many chats as its qualified helpers on duty allow together."""
    assert queue_capacity(helpers, now=now) == capacity
