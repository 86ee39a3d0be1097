"""Accuracy of the queue's wait estimate against realised waits.

Evenings come from a recorded trace (``queue_data/trace.csv``: the day, how many
chat slots were on duty, each visitor's arrival in seconds after opening, how long
their conversation lasted and how long the helper took to pick up a freed slot) and,
so that the rule is not fitted to one set of evenings, from further traces made by
the same generator with other seeds (``--seeds``). Each evening runs through a
discrete-event simulation of the queue: first come, first served; a freed slot is
taken by the first waiting visitor after that visitor's pick-up delay, and until the
helper has picked up, the slot counts as free and the visitor as waiting (as in the
service, where a conversation starts when the helper accepts).

The estimate a visitor is shown is computed with the service's own rules
(``kuulolla.queue.logic``: ``estimate_wait`` with a ``Load`` of the slots on duty,
how long the conversations in them have lasted, the topic's last 20 handling times
and how long a free slot has stood untaken, ``stalled``), from nothing but what the
service knows at that moment. Two measures:

- on arrival: the estimate the visitor saw on entering against the wait they had;
- while waiting: the estimate every waiting visitor's page showed at each minute
  against the wait that was still ahead of them (the page updates live).

"We cannot estimate" (``None``) is not a free pass: it counts as an error of the
whole realised wait (the visitor learned nothing, as if told zero), and the visitors
told it are counted in the "no number" column.

Scenarios (``SCENARIOS``; what happens to an evening besides the trace, drawn per
evening from a seeded random generator): half the helpers leave; nobody takes anyone
for ten minutes although slots are free; nobody takes for 3-30 minutes; one helper
steps away for 3-30 minutes without going off duty; the queue closes to newcomers
(with the service's soft close before it). Prints per scenario
the median realised wait, the median absolute error and their ratio (the target is
under 25 %), and for the stalls the same for the visitors who arrived during one.

    scripts/bench/queue                 the recorded trace and 5 generated seeds
    scripts/bench/queue --seeds 0       the recorded trace only
    scripts/bench/queue --make-trace    write a new recorded trace (seeded; see make_trace)
    scripts/bench/queue --oracle        the estimate told when each stall ends (a bound
                                        no service can reach: what is left is the part
                                        of the error nobody can know)
"""

from __future__ import annotations

import argparse
import csv
import heapq
import math
import random
import statistics
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kuulolla.queue import logic
from kuulolla.queue.logic import Load, estimate_wait, estimate_waits, stalled

TRACE = Path(__file__).resolve().parent / "queue_data" / "trace.csv"
RECENT = 20  # handling times the estimate sees (service.RECENT_CONVERSATIONS)
TRACE_SEED = 20261123
SAMPLE_EVERY = 60.0  # seconds between the looks at every waiting visitor's estimate
HOUR = 3600.0


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


def make_visitors(*, seed: int, days: int = 12) -> list[Visitor]:
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
            if t >= 4 * HOUR:
                break
            shape = 0.5 + 0.5 * (1 - abs(t - 2 * HOUR) / (2 * HOUR))
            if rng.random() > shape:
                continue
            handling = min(90 * 60.0, rng.lognormvariate(0, 0.6) * median_handling)
            rows.append(
                Visitor(day, slots, round(t, 1), round(handling, 1), round(rng.uniform(5, 90), 1))
            )
    return rows


def make_trace(path: Path, *, seed: int = TRACE_SEED, days: int = 12) -> None:
    """Write the recorded trace (the generator of ``make_visitors`` with ``seed``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["day", "slots", "arrival_s", "handling_s", "pickup_s"])
        for v in make_visitors(seed=seed, days=days):
            writer.writerow([v.day, v.slots, v.arrival, v.handling, v.pickup])


# ------------------------------------------------------------------ scenarios


@dataclass(frozen=True)
class Scenario:
    """What happens to one evening besides the trace: ``leave_at`` seconds after
    opening half the slots go off duty (at least one stays; their conversations run
    on, off duty); from ``stall_at`` nobody
    takes anyone for ``stall_for`` seconds (helpers on duty with free places, not
    taking, then back); from ``away_at`` one helper on duty takes nobody for
    ``away_for`` seconds (stepped away without going off duty: the service still
    counts their slot) while the others take; from ``close_at`` the queue takes no
    newcomers, and before it
    a newcomer whose estimate runs past it is turned away (the service's soft close).
    Those waiting at closing are still answered."""

    leave_at: float | None = None
    away_at: float | None = None
    away_for: float = 0.0
    stall_at: float | None = None
    stall_for: float = 0.0
    close_at: float | None = None

    def capacity(self, slots: int, now: float) -> int:
        if self.leave_at is not None and now >= self.leave_at:
            return max(1, slots // 2)
        return slots

    def taking(self, slots: int, now: float) -> int:
        """Slots whose helpers take visitors now (one fewer while a helper is away)."""
        away = self.away_at is not None and self.away_at <= now < self.away_at + self.away_for
        return self.capacity(slots, now) - (1 if away else 0)

    def stalled_at(self, now: float) -> bool:
        return self.stall_at is not None and self.stall_at <= now < self.stall_at + self.stall_for

    def disturbed(self, now: float) -> bool:
        """Nobody is taking, or a helper is away, at ``now``."""
        away = self.away_at is not None and self.away_at <= now < self.away_at + self.away_for
        return away or self.stalled_at(now)


@dataclass(frozen=True)
class ScenarioKind:
    """A named scenario: how to draw one evening's ``Scenario`` from a seeded generator."""

    name: str
    draw: Callable[[random.Random], Scenario]
    during: str | None = None  # the row of those who arrived during the disturbance


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


SCENARIOS = (
    ScenarioKind("trace", lambda rng: Scenario()),
    ScenarioKind("helpers leave", lambda rng: Scenario(leave_at=rng.uniform(1 * HOUR, 3 * HOUR))),
    ScenarioKind(
        "nobody takes for 10 min",
        lambda rng: Scenario(stall_at=rng.uniform(1 * HOUR, 3 * HOUR), stall_for=600.0),
        during="  arrived in the stall",
    ),
    ScenarioKind(
        "nobody takes 3-30 min",
        lambda rng: Scenario(
            stall_at=rng.uniform(1 * HOUR, 3 * HOUR), stall_for=_log_uniform(rng, 180.0, 1800.0)
        ),
        during="  arrived in the stall",
    ),
    ScenarioKind(
        "a helper away 3-30 min",
        lambda rng: Scenario(
            away_at=rng.uniform(1 * HOUR, 3 * HOUR), away_for=_log_uniform(rng, 180.0, 1800.0)
        ),
        during="  arrived while away",
    ),
    ScenarioKind("queue closes", lambda rng: Scenario(close_at=rng.uniform(3 * HOUR, 3.75 * HOUR))),
)


# ------------------------------------------------------------------ simulation


@dataclass
class Outcome:
    arrival: float
    estimate: float | None  # on arrival
    wait: float = math.nan
    # While waiting: (estimate shown, wait still ahead) at every look.
    samples: list[tuple[float | None, float]] = field(default_factory=list)
    in_stall: bool = False  # arrived while nobody was taking (or a helper was away)


def simulate_day(
    visitors: list[Visitor],
    recent: deque[float],
    scenario: Scenario = Scenario(),
    *,
    oracle: bool = False,
) -> tuple[list[Outcome], int]:
    """One evening. Returns the outcomes of the visitors admitted (in order of
    arrival) and how many the closing queue turned away. ``oracle``: the estimate's
    ``stalled`` is the time left until the stall ends instead of what the service
    knows (with ``logic.STALL_LIMIT`` lifted by the caller)."""
    slots = visitors[0].slots
    begins: dict[int, float] = {}  # visitor -> when the helper accepted (maybe ahead)
    started: dict[int, float] = {}  # conversations running now -> when they started
    off_duty: set[int] = set()  # conversations of helpers who left, running on
    events: list[tuple[float, int, str, int]] = []  # (time, order, kind, visitor)
    order = 0
    waiting: deque[int] = deque()  # visitors nobody has picked yet
    picking: dict[int, float] = {}  # picked, helper not yet accepted -> accept time
    outcomes: dict[int, Outcome] = {}
    last_take: float | None = None
    first_end_since_take: float | None = None
    turned_away = 0

    def push(at: float, kind: str, index: int) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, order, kind, index))

    if scenario.stall_at is not None:
        push(scenario.stall_at + scenario.stall_for, "resume", -1)
    if scenario.leave_at is not None:
        push(scenario.leave_at, "leave", -1)
    if scenario.away_at is not None:
        push(scenario.away_at + scenario.away_for, "back", -1)

    def take(now: float) -> None:
        while waiting and len(started) + len(picking) < scenario.taking(slots, now):
            if scenario.stalled_at(now):
                return
            index = waiting.popleft()
            begin = now + visitors[index].pickup
            picking[index] = begin
            push(begin, "begin", index)

    def run_until(now: float) -> None:
        nonlocal last_take, first_end_since_take
        while events and events[0][0] <= now:
            at, _, kind, index = heapq.heappop(events)
            if kind == "begin":
                picking.pop(index, None)
                if index not in off_duty:  # taken by a helper who then left: runs off duty
                    started[index] = at
                begins[index] = at
                last_take, first_end_since_take = at, None
                outcomes[index].wait = at - visitors[index].arrival
                push(at + visitors[index].handling, "end", index)
            elif kind == "end":
                recent.append(visitors[index].handling)
                if index in off_duty:  # frees no slot on duty
                    off_duty.discard(index)
                    continue
                del started[index]
                if first_end_since_take is None:
                    first_end_since_take = at
                take(at)
            elif kind == "leave":
                leave(at)
            else:  # the stall is over, or the helper is back
                take(at)

    def leave(now: float) -> None:
        """The slots that go are drawn among all (busy or free, one helper each): the
        conversations in those that were busy run on off duty, as in the service,
        where they no longer count in the capacity or the load."""
        nonlocal first_end_since_take
        rng = random.Random(now)
        going = set(rng.sample(range(slots), slots - scenario.capacity(slots, now)))
        busy = [*sorted(started), *sorted(picking)]  # a helper picking up holds the slot
        for slot, index in enumerate(busy):
            if slot in going:
                started.pop(index, None)
                picking.pop(index, None)
                off_duty.add(index)
        if len(started) >= scenario.capacity(slots, now):
            # No free slot stayed on duty: the end that freed one was in a slot that
            # went (the service counts only ends of helpers still on duty).
            first_end_since_take = None
        take(now)

    def load(now: float) -> Load:
        capacity = scenario.capacity(slots, now)
        queued = [*sorted(picking, key=picking.__getitem__), *waiting]

        def since(t: float | None) -> float | None:
            return None if t is None else now - t

        known = stalled(
            free=capacity - len(started),
            waiting=len(queued),
            last_take=since(last_take),
            first_end=since(first_end_since_take),
            first_arrival=since(min((visitors[i].arrival for i in queued), default=None)),
        )
        if oracle:
            end = (scenario.stall_at or 0.0) + scenario.stall_for
            known = end - now if scenario.stalled_at(now) else 0.0
        return Load(
            capacity=capacity,
            active_elapsed=[now - s for s in started.values()],
            recent_handling=list(recent),
            default_handling=15 * 60.0,
            stalled=known,
        )

    def look(now: float) -> None:
        """Every waiting visitor's page at ``now``: picked ones first, in accept order."""
        queued = [*sorted(picking, key=picking.__getitem__), *waiting]
        for index, estimate in zip(queued, estimate_waits(len(queued), load(now)), strict=True):
            outcomes[index].samples.append((estimate, now))

    tick = SAMPLE_EVERY
    for index, visitor in enumerate(visitors):
        now = visitor.arrival
        while tick <= now:
            run_until(tick)
            look(tick)
            tick += SAMPLE_EVERY
        run_until(now)
        if scenario.close_at is not None and now >= scenario.close_at:
            turned_away += 1
            continue
        current = load(now)
        place = len(picking) + len(waiting) + 1
        estimate = estimate_wait(place, current)
        if (
            scenario.close_at is not None
            and estimate is not None
            and now + estimate >= scenario.close_at
        ):
            turned_away += 1  # soft close: the wait would run past closing
            continue
        outcomes[index] = Outcome(now, estimate)
        waiting.append(index)
        take(now)
    while waiting or picking:
        run_until(tick)
        look(tick)
        tick += SAMPLE_EVERY
    run_until(math.inf)
    done = [outcomes[i] for i in sorted(outcomes)]
    for o in done:  # the wait still ahead at each look
        o.samples = [(e, o.arrival + o.wait - at) for e, at in o.samples if at < o.arrival + o.wait]
    return done, turned_away


# ------------------------------------------------------------------ measures


def _error(estimate: float | None, wait: float) -> float:
    """Absolute error; "we cannot estimate" counts as the whole wait."""
    return wait if estimate is None else abs(estimate - wait)


@dataclass
class Measure:
    visitors: int
    no_number: int
    median_wait: float
    mae: float
    live_no_number: float  # share of looks with no number
    live_ratio: float

    @property
    def ratio(self) -> float:
        return self.mae / self.median_wait if self.median_wait else 0.0


def measure(outcomes: list[Outcome]) -> Measure:
    waits = [o.wait for o in outcomes]
    median_wait = statistics.median(waits) if waits else 0.0
    mae = statistics.median(_error(o.estimate, o.wait) for o in outcomes) if outcomes else 0.0
    looks = [s for o in outcomes for s in o.samples]
    live_mae = statistics.median(_error(e, r) for e, r in looks) if looks else 0.0
    live_median = statistics.median(r for _, r in looks) if looks else 0.0
    return Measure(
        visitors=len(outcomes),
        no_number=sum(o.estimate is None for o in outcomes),
        median_wait=median_wait,
        mae=mae,
        live_no_number=sum(e is None for e, _ in looks) / len(looks) if looks else 0.0,
        live_ratio=live_mae / live_median if live_median else 0.0,
    )


HEADER = (
    f"{'':<26} {'visitors':>8} {'no number':>9} {'median wait':>11} {'MAE':>7}"
    f" {'MAE/median':>10} {'live':>7}"
)


def row(name: str, m: Measure) -> str:
    over = " (over 25 %)" if m.ratio >= 0.25 or m.live_ratio >= 0.25 else ""
    return (
        f"{name:<26} {m.visitors:>8} {m.no_number:>9} {m.median_wait / 60:>9.1f} m"
        f" {m.mae / 60:>5.1f} m {m.ratio:>10.1%} {m.live_ratio:>7.1%}{over}"
    )


def evenings(trace: Path, seeds: int) -> list[tuple[str, list[list[Visitor]]]]:
    """The recorded trace and the generated ones, each as its list of evenings."""
    sources = [("recorded", load_trace(trace))]
    sources += [(f"seed {s}", make_visitors(seed=s)) for s in range(1, seeds + 1)]
    out = []
    for name, visitors in sources:
        days: dict[int, list[Visitor]] = {}
        for v in visitors:
            days.setdefault(v.day, []).append(v)
        out.append((name, [days[d] for d in sorted(days)]))
    return out


def run(
    kind: ScenarioKind, source: str, days: Iterable[list[Visitor]], *, oracle: bool = False
) -> list[list[Outcome]]:
    """Every evening of a source under a scenario (drawn per evening, seeded by the
    scenario, the source and the evening); the handling times carry over."""
    recent: deque[float] = deque(maxlen=RECENT)
    out = []
    for day, visitors in enumerate(days):
        scenario = kind.draw(random.Random(f"{kind.name}/{source}/{day}"))
        outcomes, _ = simulate_day(visitors, recent, scenario, oracle=oracle)
        for o in outcomes:
            o.in_stall = scenario.disturbed(o.arrival)
        out.append(outcomes)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trace", type=Path, default=TRACE)
    parser.add_argument("--seeds", type=int, default=5, help="generated traces besides it")
    parser.add_argument("--make-trace", action="store_true", help="write a new trace first")
    parser.add_argument("--oracle", action="store_true", help="tell the estimate when stalls end")
    args = parser.parse_args()
    if args.oracle:
        logic.STALL_LIMIT = math.inf  # the oracle's number is always backed
    if args.make_trace:
        make_trace(args.trace)
    sources = evenings(args.trace, args.seeds)
    total = sum(len(v) for _, days in sources for v in days)
    print(
        f"{len(sources)} traces ({', '.join(n for n, _ in sources)}), "
        f"{sum(len(d) for _, d in sources)} evenings, {total} visitors"
    )
    print("MAE/median: on arrival; live: every waiting page each minute, against the wait left")
    print('("no number" counts as an error of the whole wait)')
    print()
    print(f"{'evening (recorded)':<26}" + HEADER[26:])
    for day, outcomes in enumerate(run(SCENARIOS[0], sources[0][0], sources[0][1])):
        print(row(f"  {day} ({sources[0][1][day][0].slots} slots)", measure(outcomes)))
    print()
    print(f"{'scenario':<26}" + HEADER[26:])
    for kind in SCENARIOS:
        everything: list[Outcome] = []
        per_source = []
        for name, days in sources:
            outcomes = [o for day in run(kind, name, days, oracle=args.oracle) for o in day]
            everything += outcomes
            per_source.append(measure(outcomes).ratio)
        print(row(kind.name, measure(everything)))
        if kind.during:
            during = [o for o in everything if o.in_stall]
            print(row(kind.during, measure(during)))
            given = [o for o in during if o.estimate is not None]
            if len(given) < len(during):
                print(row("    of them given a number", measure(given)))
        if len(per_source) > 1:
            spread = ", ".join(f"{r:.0%}" for r in per_source)
            print(f"  {'on arrival, per trace':<24} {spread}")


if __name__ == "__main__":
    main()
