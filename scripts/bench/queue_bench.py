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
ratio (the target is under 25 %), overall and per evening.

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

from kuulolla.queue.logic import Load, estimate_wait

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
    estimate: float
    wait: float


def simulate_day(visitors: list[Visitor], recent: deque[float]) -> list[Outcome]:
    """One evening: events are arrivals and ends of conversations; a freed slot is
    taken by the first waiting visitor after that visitor's pick-up delay."""
    slots = visitors[0].slots
    busy: dict[int, float] = {}  # slot -> when its conversation started
    free = list(range(slots))
    ends: list[tuple[float, int, float]] = []  # (time, slot, handling)
    waiting: deque[tuple[int, Visitor]] = deque()
    estimates: dict[int, float] = {}
    outcomes: dict[int, Outcome] = {}

    def start(now: float) -> None:
        while free and waiting:
            index, visitor = waiting.popleft()
            slot = free.pop()
            begin = (
                now + visitor.pickup if now > visitor.arrival else visitor.arrival + visitor.pickup
            )
            busy[slot] = begin
            heapq.heappush(ends, (begin + visitor.handling, slot, visitor.handling))
            outcomes[index] = Outcome(estimates[index], begin - visitor.arrival)

    for index, visitor in enumerate(visitors):
        now = visitor.arrival
        while ends and ends[0][0] <= now:
            at, slot, handling = heapq.heappop(ends)
            del busy[slot]
            free.append(slot)
            recent.append(handling)
            start(at)
        load = Load(
            capacity=slots,
            active_elapsed=[max(0.0, now - s) for s in busy.values()],
            recent_handling=list(recent),
            default_handling=15 * 60.0,
        )
        place = len(waiting) + 1
        estimate = estimate_wait(place, load)
        assert estimate is not None
        # Free slots are taken after the pick-up delay, which the estimate cannot know.
        estimates[index] = estimate
        waiting.append((index, visitor))
        start(now)
    while ends or waiting:
        at, slot, handling = heapq.heappop(ends)
        del busy[slot]
        free.append(slot)
        recent.append(handling)
        start(at)
    return [outcomes[i] for i in sorted(outcomes)]


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
        outcomes = simulate_day(days[day], recent)
        everything += outcomes
        waits = [o.wait for o in outcomes]
        errors = [abs(o.estimate - o.wait) for o in outcomes]
        median_wait = statistics.median(waits)
        mae = statistics.median(errors)
        print(
            f"{day:>7} {days[day][0].slots:>5} {len(outcomes):>8} {median_wait / 60:>9.1f} m"
            f" {mae / 60:>5.1f} m {mae / median_wait:>9.1%}"
        )
    waits = [o.wait for o in everything]
    errors = [abs(o.estimate - o.wait) for o in everything]
    median_wait = statistics.median(waits)
    mae = statistics.median(errors)
    print(
        f"all: median realised wait {median_wait / 60:.1f} min, median absolute error "
        f"{mae / 60:.1f} min = {mae / median_wait:.1%} of the median wait (target < 25 %)"
    )


if __name__ == "__main__":
    main()
