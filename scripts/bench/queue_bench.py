"""Accuracy of the queue's wait estimate against realised waits.

Replays a recorded trace of evenings (``queue_data/trace.csv``: the day, how many
chat slots were on duty, each visitor's arrival in seconds after opening, how long
their conversation lasted and how long the helper took to pick up a freed slot)
through a discrete-event simulation of the queue: first come, first served, a
visitor is taken when a slot is free. At each arrival the estimate the visitor would
have been shown is computed with the service's own rule
(``kuulolla.queue.logic.estimate_wait``: the place in the queue, the slots on duty,
how long the conversations in them have lasted, the median of the topic's last 20
handling times). The realised wait is the time from arrival to being taken.

Prints the median absolute error of the estimate, the median realised wait and their
ratio (the target is under 25 %), overall and per evening; then the same for every
evening under scenarios (``SCENARIOS``): half the helpers leave, nobody takes anyone
for ten minutes, the queue closes to newcomers.

    scripts/bench/queue                 replay the recorded trace
    scripts/bench/queue --make-trace    write a new trace (seeded; see make_trace)
"""

from __future__ import annotations

import argparse
import csv
import heapq
import random
import statistics
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from kuulolla.queue.logic import Load, estimate_wait, stalled

TRACE = Path(__file__).resolve().parent / "queue_data" / "trace.csv"
RECENT = 20


@dataclass(frozen=True)
class Visitor:
    day: int
    slots: int
    arrival: float
    handling: float
    pickup: float


def load_trace(path: Path) -> list[Visitor]:
    with path.open(newline="") as f:
        return [
            Visitor(
                int(row["day"]),
                int(row["slots"]),
                float(row["arrival_s"]),
                float(row["handling_s"]),
                float(row["pickup_s"]),
            )
            for row in csv.DictReader(f)
        ]


def make_trace(path: Path, *, seed: int = 20261123, days: int = 12) -> None:
    """Evenings of four hours with 3–6 slots on duty, arrivals in a Poisson process
    whose rate rises to a peak and falls (1.0–1.5 times what the slots can take at
    the peak), handling times lognormal around 12 minutes (a long tail: some
    conversations last an hour), pick-up delays of 5–90 s."""
    rng = random.Random(seed)
    rows = []
    for day in range(days):
        slots = rng.randint(3, 6)
        median_handling = 12 * 60.0
        peak = slots / (median_handling * 1.2) * rng.uniform(1.0, 1.5)  # arrivals per second
        t = 0.0
        while True:
            # Thinning for a rate that rises to the peak at mid-evening and falls.
            t += rng.expovariate(peak)
            if t >= 4 * 3600:
                break
            shape = 0.5 + 0.5 * (1 - abs(t - 2 * 3600) / (2 * 3600))
            if rng.random() > shape:
                continue
            handling = min(90 * 60.0, rng.lognormvariate(0, 0.6) * median_handling)
            rows.append((day, slots, round(t, 1), round(handling, 1), round(rng.uniform(5, 90), 1)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["day", "slots", "arrival_s", "handling_s", "pickup_s"])
        writer.writerows(rows)


@dataclass
class Outcome:
    estimate: float | None
    wait: float


@dataclass(frozen=True)
class Scenario:
    """What happens to an evening besides the trace: ``leave_at`` seconds after opening
    half the slots go off duty (at least one stays); from ``stall_at`` nobody takes
    anyone for ``stall_for`` seconds (helpers on duty with free places, not taking);
    ``close_at``: the queue closes to newcomers (those waiting are still answered)."""

    name: str
    leave_at: float | None = None
    stall_at: float | None = None
    stall_for: float = 600.0
    close_at: float | None = None

    def capacity(self, slots: int, now: float) -> int:
        if self.leave_at is not None and now >= self.leave_at:
            return max(1, slots // 2)
        return slots

    def stalled_at(self, now: float) -> bool:
        return self.stall_at is not None and self.stall_at <= now < self.stall_at + self.stall_for


SCENARIOS = (
    Scenario("trace"),
    Scenario("helpers leave", leave_at=2 * 3600.0),
    Scenario("nobody takes for 10 min", stall_at=1.5 * 3600.0),
    Scenario("queue closes", close_at=3.5 * 3600.0),
)


def simulate_day(
    visitors: list[Visitor], recent: deque[float], scenario: Scenario = SCENARIOS[0]
) -> list[Outcome]:
    """One evening: events are arrivals and ends of conversations; a freed slot is
    taken by the first waiting visitor after that visitor's pick-up delay, unless the
    scenario's helpers are not taking or fewer slots are on duty than busy."""
    slots = visitors[0].slots
    busy: dict[int, float] = {}  # conversation -> when it started
    ends: list[tuple[float, int, float]] = []  # (time, conversation, handling)
    waiting: deque[tuple[int, Visitor]] = deque()
    estimates: dict[int, float | None] = {}
    outcomes: dict[int, Outcome] = {}
    last_change: float | None = None
    stall_over = scenario.stall_at is not None

    def start(now: float) -> None:
        nonlocal last_change
        while waiting and len(busy) < scenario.capacity(slots, now):
            if scenario.stalled_at(now):
                return
            index, visitor = waiting.popleft()
            begin = (
                now + visitor.pickup if now > visitor.arrival else visitor.arrival + visitor.pickup
            )
            busy[index] = begin
            last_change = now
            heapq.heappush(ends, (begin + visitor.handling, index, visitor.handling))
            outcomes[index] = Outcome(estimates[index], begin - visitor.arrival)

    def end_until(now: float) -> None:
        nonlocal last_change, stall_over
        while True:
            resume = (
                scenario.stall_at + scenario.stall_for
                if stall_over and scenario.stall_at is not None
                else None
            )
            nxt = ends[0][0] if ends else None
            if resume is not None and resume <= now and (nxt is None or resume <= nxt):
                stall_over = False
                start(resume)
                continue
            if nxt is None or nxt > now:
                return
            at, index, handling = heapq.heappop(ends)
            del busy[index]
            last_change = at
            recent.append(handling)
            start(at)

    for index, visitor in enumerate(visitors):
        now = visitor.arrival
        if scenario.close_at is not None and now >= scenario.close_at:
            break
        end_until(now)
        capacity = scenario.capacity(slots, now)
        free = capacity - len(busy)
        since_change = now - last_change if last_change is not None else None
        since_first = now - waiting[0][1].arrival if waiting else None
        load = Load(
            capacity=capacity,
            active_elapsed=[max(0.0, now - s) for s in busy.values()],
            recent_handling=list(recent),
            default_handling=15 * 60.0,
            stalled=stalled(
                free=free,
                waiting=len(waiting),
                last_change=since_change,
                first_arrival=since_first,
            ),
        )
        place = len(waiting) + 1
        # Free slots are taken after the pick-up delay, which the estimate cannot know.
        estimates[index] = estimate_wait(place, load)
        waiting.append((index, visitor))
        start(now)
    end_until(float("inf"))
    while waiting:  # the stall ended after the last end
        start(float("inf"))
        end_until(float("inf"))
    return [outcomes[i] for i in sorted(outcomes)]


def report(name: str, outcomes: list[Outcome]) -> str:
    """Median realised wait, median absolute error of the estimates given (a visitor told
    "we cannot estimate" counts apart), and their ratio."""
    given = [o for o in outcomes if o.estimate is not None]
    waits = [o.wait for o in outcomes]
    errors = [abs(o.estimate - o.wait) for o in given if o.estimate is not None]
    median_wait = statistics.median(waits)
    mae = statistics.median(errors) if errors else 0.0
    ratio = mae / median_wait if median_wait else 0.0
    flag = "" if ratio < 0.25 else "  (over the 25 % target)"
    return (
        f"{name:<24} {len(outcomes):>8} {len(outcomes) - len(given):>9} {median_wait / 60:>9.1f} m"
        f" {mae / 60:>5.1f} m {ratio:>9.1%}{flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trace", type=Path, default=TRACE)
    parser.add_argument("--make-trace", action="store_true", help="write a new trace first")
    args = parser.parse_args()
    if args.make_trace:
        make_trace(args.trace)
    visitors = load_trace(args.trace)
    days: dict[int, list[Visitor]] = {}
    for visitor in visitors:
        days.setdefault(visitor.day, []).append(visitor)
    recent: deque[float] = deque(maxlen=RECENT)
    everything: list[Outcome] = []
    print(f"trace: {args.trace.name}, {len(visitors)} visitors on {len(days)} evenings")
    print(
        f"{'evening':>7} {'slots':>5} {'visitors':>8} {'median wait':>11} {'MAE':>7} {'MAE/median':>10}"
    )
    for day in sorted(days):
        outcomes = simulate_day(days[day], recent, SCENARIOS[0])
        everything += outcomes
        waits = [o.wait for o in outcomes]
        errors = [abs(o.estimate - o.wait) for o in outcomes if o.estimate is not None]
        median_wait = statistics.median(waits)
        mae = statistics.median(errors)
        print(
            f"{day:>7} {days[day][0].slots:>5} {len(outcomes):>8} {median_wait / 60:>9.1f} m"
            f" {mae / 60:>5.1f} m {mae / median_wait:>9.1%}"
        )
    waits = [o.wait for o in everything]
    errors = [abs(o.estimate - o.wait) for o in everything if o.estimate is not None]
    median_wait = statistics.median(waits)
    mae = statistics.median(errors)
    print(
        f"all: median realised wait {median_wait / 60:.1f} min, median absolute error "
        f"{mae / 60:.1f} min = {mae / median_wait:.1%} of the median wait (target < 25 %)"
    )
    print()
    print("scenarios, every evening of the trace (the estimate each visitor got on arrival):")
    print(
        f"{'scenario':<24} {'visitors':>8} {'no number':>9} {'median wait':>11} {'MAE':>7} {'MAE/median':>10}"
    )
    for scenario in SCENARIOS:
        recent = deque(maxlen=RECENT)
        outcomes = []
        for day in sorted(days):
            outcomes += simulate_day(days[day], recent, scenario)
        print(report(scenario.name, outcomes))
        if scenario.stall_at is not None:
            during = [o for day in sorted(days) for o in _stall_arrivals(days[day], scenario)]
            if during:
                print(report("  arrived in the stall", during))


def _stall_arrivals(visitors: list[Visitor], scenario: Scenario) -> list[Outcome]:
    """The outcomes of the visitors who arrived while nobody was taking."""
    assert scenario.stall_at is not None
    outcomes = simulate_day(visitors, deque(maxlen=RECENT), scenario)
    return [
        o
        for v, o in zip(visitors, outcomes, strict=False)
        if scenario.stall_at <= v.arrival < scenario.stall_at + scenario.stall_for
    ]


if __name__ == "__main__":
    main()
