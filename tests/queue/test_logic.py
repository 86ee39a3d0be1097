"""Logic tables: queue order, position, estimates, opening hours, soft close,
capacity, fairness and disconnect grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kuulolla.core.errors import BadRequest, Conflict
from kuulolla.queue import logic
from kuulolla.queue.logic import Admission, Entry, Helper, Load, State, Sweep

T0 = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)  # Thursday 17:00 in Helsinki
HOURS = {"thu": [["16:00", "21:00"]], "fri": [["16:00", "21:00"]]}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


ORDER_CASES = [
    ([], []),
    ([Entry(1, at(0)), Entry(2, at(1))], [1, 2]),
    ([Entry(2, at(1)), Entry(1, at(0))], [1, 2]),
    ([Entry(2, at(0)), Entry(1, at(0))], [1, 2]),  # same instant: by id
    ([Entry(1, at(0)), Entry(2, at(5), logic.PRIORITY_RETURNED)], [2, 1]),
    (
        [
            Entry(1, at(0)),
            Entry(3, at(9), logic.PRIORITY_RETURNED),
            Entry(2, at(5), logic.PRIORITY_RETURNED),
        ],
        [2, 3, 1],
    ),
]


@pytest.mark.parametrize(("entries", "expected"), ORDER_CASES)
def test_queue_order(entries: list[Entry], expected: list[int]) -> None:
    """First come, first served; conversations returned to the queue go first, FCFS among them."""
    assert [e.id for e in logic.queue_order(entries)] == expected


@pytest.mark.parametrize(("entry_id", "expected"), [(1, 2), (2, 3), (3, 1), (9, None)])
def test_position(entry_id: int, expected: int | None) -> None:
    """Position is the 1-based place in the queue order; None when not waiting."""
    entries = [Entry(1, at(0)), Entry(2, at(1)), Entry(3, at(2), logic.PRIORITY_RETURNED)]
    assert logic.position(entries, entry_id) == expected


TAKE_CASES = [
    (1, None, None),  # first in line: no reason needed
    (1, "  ", None),
    (2, "kriisi", "kriisi"),  # out of order with a reason
    (2, "  lapsi   vaarassa ", "lapsi vaarassa"),
]


@pytest.mark.parametrize(("entry_id", "reason", "recorded"), TAKE_CASES)
def test_check_take(entry_id: int, reason: str | None, recorded: str | None) -> None:
    """Taking the first needs no reason; out of order the reason is recorded, cleaned."""
    entries = [Entry(1, at(0)), Entry(2, at(1))]
    assert logic.check_take(entries, entry_id, reason) == recorded


@pytest.mark.parametrize(
    ("entry_id", "reason", "code"),
    [(2, None, "reason_required"), (2, " ", "reason_required"), (7, "x", "not_waiting")],
)
def test_check_take_refusals(entry_id: int, reason: str | None, code: str) -> None:
    """Out of order without a reason, or a visitor no longer waiting, is refused."""
    entries = [Entry(1, at(0)), Entry(2, at(1))]
    with pytest.raises((BadRequest, Conflict)) as caught:
        logic.check_take(entries, entry_id, reason)
    assert caught.value.code == code


CAPACITY_CASES = [
    ([], 0, 0),
    ([Helper(1, True, 2)], 2, 2),
    ([Helper(1, True, 2, active=1), Helper(2, True, 3, active=3)], 5, 1),
    ([Helper(1, False, 2), Helper(2, True, 1)], 1, 1),
    ([Helper(1, True, 2, active=3)], 2, 0),  # over the limit after a lowered limit
]


@pytest.mark.parametrize(("helpers", "cap", "free"), CAPACITY_CASES)
def test_capacity_and_free_slots(helpers: list[Helper], cap: int, free: int) -> None:
    """Capacity is the sum of limits of helpers on duty; free slots what is left of them."""
    assert (logic.capacity(helpers), logic.free_slots(helpers)) == (cap, free)


@pytest.mark.parametrize(
    ("active", "limit", "ok"), [(0, 1, True), (1, 2, True), (2, 2, False), (3, 2, False)]
)
def test_helper_limit(active: int, limit: int, ok: bool) -> None:
    """A helper takes chats up to their own limit and no more."""
    if ok:
        logic.check_helper_limit(active=active, max_chats=limit)
    else:
        with pytest.raises(Conflict):
            logic.check_helper_limit(active=active, max_chats=limit)


H = 600.0  # typical handling time in the estimate cases: ten minutes
P = 30.0  # the pick-up time a Load assumes by default
ESTIMATE_CASES = [
    # (place, capacity, elapsed of active chats, expected seconds)
    (1, 0, [], None),  # nobody on duty
    (1, 1, [], P),  # a free slot: only the pick-up
    (2, 1, [], P + H + P),
    (1, 1, [120.0], H - 120 + P),  # the active chat needs the rest of its typical time
    (1, 1, [900.0], H / 4 + P),  # outlasted the typical: still some time
    (1, 2, [0.0, 300.0], 300.0 + P),  # the slot that frees first
    (2, 2, [0.0, 300.0], 600.0 + P),
    (3, 2, [0.0, 300.0], 300.0 + P + H + P),
    (4, 2, [0.0, 300.0], 600.0 + P + H + P),
    (3, 3, [], P),
]


@pytest.mark.parametrize(("place", "cap", "elapsed", "expected"), ESTIMATE_CASES)
def test_estimate_wait(place: int, cap: int, elapsed: list[float], expected: float | None) -> None:
    """The estimate is when the place-th slot frees, each taken for the typical time."""
    load = Load(capacity=cap, active_elapsed=elapsed, recent_handling=[H, H, H])
    assert logic.estimate_wait(place, load) == expected


STALL_CASES = [
    # (place, capacity, elapsed of active chats, seconds stalled, expected seconds)
    (1, 1, [], 0.0, P),
    (1, 1, [], 120.0, 120.0),  # a free slot untaken for 2 min: at least 2 min more
    (1, 1, [], 300.0, 300.0),  # ... and it grows while nobody takes anyone
    (2, 1, [], 300.0, 300.0 + H + P),
    (1, 2, [0.0], 240.0, 240.0),
    (2, 2, [0.0], 240.0, H + P),  # the busy slot frees later than the stall says
    # A slot that frees during the stall is taken with the others when taking resumes.
    (2, 2, [580.0], 240.0, 240.0),
    (1, 1, [], 601.0, None),  # past ten minutes untaken: we cannot estimate
]


@pytest.mark.parametrize(("place", "cap", "elapsed", "stalled", "expected"), STALL_CASES)
def test_estimate_grows_while_nobody_takes(
    place: int, cap: int, elapsed: list[float], stalled: float, expected: float | None
) -> None:
    """A free slot left untaken puts the estimate at least that long again; past the
    stall limit there is no number."""
    load = Load(capacity=cap, active_elapsed=elapsed, recent_handling=[H], stalled=stalled)
    assert logic.estimate_wait(place, load) == expected


@pytest.mark.parametrize(
    ("free", "waiting", "last_take", "first_end", "first_arrival", "expected"),
    [
        (0, 3, 500.0, None, 400.0, 0.0),  # every slot busy: not a stall
        (1, 0, 500.0, None, None, 0.0),  # nobody waits
        (1, 2, 500.0, None, 400.0, 400.0),  # since the first visitor came
        (1, 2, 100.0, None, 400.0, 100.0),  # since the last take, which left a slot free
        (1, 2, 500.0, 300.0, 400.0, 300.0),  # since the first end after the last take
        (2, 1, None, None, 50.0, 50.0),  # nobody ever taken
    ],
)
def test_stalled(
    free: int,
    waiting: int,
    last_take: float | None,
    first_end: float | None,
    first_arrival: float | None,
    expected: float,
) -> None:
    """The stall counts from the latest of the slot freeing and the first arrival, only
    while a slot is free and someone waits."""
    assert (
        logic.stalled(
            free=free,
            waiting=waiting,
            last_take=last_take,
            first_end=first_end,
            first_arrival=first_arrival,
        )
        == expected
    )


def test_estimate_waits_lists_every_place() -> None:
    """The estimates of places 1..n are those of estimate_wait for each place."""
    load = Load(capacity=2, active_elapsed=[0.0, 300.0], recent_handling=[H], stalled=0.0)
    assert logic.estimate_waits(4, load) == [logic.estimate_wait(p, load) for p in range(1, 5)]


@pytest.mark.parametrize(
    ("recent", "expected"),
    [([], 900.0), ([300.0], 300.0), ([10.0], 60.0), ([300.0, 600.0, 7200.0], 2700.0)],
)
def test_typical_handling(recent: list[float], expected: float) -> None:
    """Mean of recent handling times (at least a minute), else the topic's default."""
    assert (
        logic.typical_handling(Load(capacity=1, recent_handling=recent, default_handling=900.0))
        == expected
    )


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, None),
        (0.0, 1),
        (89.0, 1),
        (91.0, 2),
        (14 * 60.0, 14),
        (16 * 60.0, 20),
        (41 * 60.0, 45),
    ],
)
def test_wait_minutes(seconds: float | None, shown: int | None) -> None:
    """Minutes as shown: at least one, rounded up to fives above a quarter hour."""
    assert logic.wait_minutes(seconds) == shown


HOURS_CASES = [
    # (hours, now, open window, next opening)
    (HOURS, at(0), (at(-60), at(240)), None),
    (HOURS, at(-61), None, at(-60)),  # 15:59 local Thursday
    (HOURS, at(240), None, at(-60 + 24 * 60)),  # 21:00 closes: next is Friday 16:00
    (
        {"thu": [["16:00", "24:00"]], "fri": [["00:00", "02:00"]]},
        at(0),
        (at(-60), at(9 * 60)),
        None,
    ),
    ({}, at(0), None, None),
]


@pytest.mark.parametrize(("hours", "now", "window", "opening"), HOURS_CASES)
def test_opening_hours(
    hours: dict, now: datetime, window: tuple | None, opening: datetime | None
) -> None:
    """Windows are Helsinki wall time; adjoining windows merge; next opening looks a week ahead."""
    assert logic.open_window(hours, now) == window
    if window is None:
        assert logic.next_opening(hours, now) == opening


def test_opening_hours_follow_summer_time() -> None:
    """16:00 local is 13:00 UTC in summer and 14:00 UTC in winter."""
    summer = datetime(2026, 7, 16, 14, 0, tzinfo=UTC)  # Thursday 17:00 local
    assert logic.open_window(HOURS, summer) == (
        datetime(2026, 7, 16, 13, 0, tzinfo=UTC),
        datetime(2026, 7, 16, 18, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"xyz": [["16:00", "17:00"]]},
        {"mon": [["17:00", "16:00"]]},
        {"mon": [["16:00"]]},
        {"mon": [["16:00", "25:00"]]},
        {"mon": [["24:00", "24:00"]]},
        {"mon": "16-17"},
        {"mon": [[16, 17]]},
    ],
)
def test_bad_hours_are_refused(bad: object) -> None:
    """Malformed opening hours are refused with a stable code."""
    with pytest.raises(BadRequest) as caught:
        logic.check_hours(bad)
    assert caught.value.code == "invalid_hours"


def test_hours_from_text() -> None:
    """Coordinators type hours a line a window; they come out sorted and checked."""
    assert logic.parse_hours_text("mon 18:00-20:00\nMON 09:00-12:00\n\ntue 10:00-24:00") == {
        "mon": [["09:00", "12:00"], ["18:00", "20:00"]],
        "tue": [["10:00", "24:00"]],
    }


ONE = Load(capacity=1, recent_handling=[H])
STATUS_CASES = [
    # (active, waiting, load, now, admission, closes_at, opens_at)
    (True, 0, ONE, at(0), Admission.OPEN, at(240), None),
    (True, 5, ONE, at(0), Admission.OPEN, at(240), None),  # 6th waits 53 min
    (True, 22, ONE, at(0), Admission.OPEN, at(240), None),  # 23rd: 231.5 min < 240
    (True, 23, ONE, at(0), Admission.SOFT_CLOSED, at(240), at(-60 + 24 * 60)),  # 242 min
    (True, 0, ONE, at(235), Admission.OPEN, at(240), None),  # a free slot now
    (True, 1, ONE, at(235), Admission.SOFT_CLOSED, at(240), at(-60 + 24 * 60)),
    (True, 0, Load(capacity=0), at(0), Admission.NO_HELPERS, at(240), None),
    # Helpers on duty, nobody taken for over ten minutes: still open, with no number.
    (True, 2, Load(capacity=1, stalled=700.0), at(0), Admission.OPEN, at(240), None),
    (True, 0, ONE, at(-90), Admission.CLOSED, None, at(-60)),
    (False, 0, ONE, at(0), Admission.CLOSED, None, None),  # a switched-off topic
]


@pytest.mark.parametrize(
    ("active", "waiting", "load", "now", "admission", "closes", "opens"), STATUS_CASES
)
def test_topic_status(
    active: bool,
    waiting: int,
    load: Load,
    now: datetime,
    admission: Admission,
    closes: datetime | None,
    opens: datetime | None,
) -> None:
    """Open, closed, nobody on duty, or soft-closed when the newcomer's wait passes closing."""
    status = logic.topic_status(hours=HOURS, active=active, waiting=waiting, load=load, now=now)
    assert (status.admission, status.closes_at, status.opens_at) == (admission, closes, opens)
    assert status.admits == (admission is Admission.OPEN)


G = timedelta(seconds=60)
SWEEP_CASES = [
    (State.WAITING, at(0), None, at(1), Sweep.KEEP),
    (State.WAITING, at(0), None, at(1.01), Sweep.VISITOR_GONE),
    (State.ACTIVE, at(0), at(0), at(1), Sweep.KEEP),
    (State.ACTIVE, at(2), at(0), at(1.5), Sweep.HELPER_GONE),
    (State.ACTIVE, at(0), at(0), at(2), Sweep.VISITOR_GONE),  # both gone: nobody to requeue
    (State.ACTIVE, at(2), None, at(2.5), Sweep.KEEP),
    (State.ENDED, at(0), at(0), at(60), Sweep.KEEP),
    (State.LEFT, at(0), None, at(60), Sweep.KEEP),
]


@pytest.mark.parametrize(("state", "visitor", "helper", "now", "expected"), SWEEP_CASES)
def test_sweep(
    state: State, visitor: datetime, helper: datetime | None, now: datetime, expected: Sweep
) -> None:
    """After the grace period a silent visitor leaves; a silent helper's visitor is requeued."""
    assert (
        logic.sweep(state=state, visitor_seen=visitor, helper_seen=helper, grace=G, now=now)
        == expected
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, {}),
        (
            {"age_group": "13_17", "subject": "  koulu  ja   kaverit ", "first_time": "yes"},
            {"age_group": "13_17", "subject": "koulu ja kaverit", "first_time": "yes"},
        ),
        ({"age_group": "", "other": "x"}, {}),
    ],
)
def test_answers(given: dict[str, str], expected: dict[str, str]) -> None:
    """Pre-chat answers are optional and only the topic's questions are kept."""
    assert logic.check_answers(logic.QUESTIONS, given) == expected


@pytest.mark.parametrize(
    "given",
    [{"age_group": "12"}, {"first_time": "maybe"}, {"subject": "x" * 201}],
)
def test_bad_answers(given: dict[str, str]) -> None:
    """Unknown values and oversized text are refused, not stored."""
    with pytest.raises(BadRequest):
        logic.check_answers(logic.QUESTIONS, given)


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("1", 1), ("5", 5)])
def test_rating(value: str | None, expected: int | None) -> None:
    """A rating is optional, 1 to 5."""
    assert logic.check_rating(value) == expected


@pytest.mark.parametrize("value", ["0", "6", "3.5", "kolme"])
def test_bad_rating(value: str) -> None:
    """Anything else is refused."""
    with pytest.raises(BadRequest):
        logic.check_rating(value)
