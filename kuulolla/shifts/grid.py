"""The shift calendar's week grid: days as columns, time as rows, shifts placed by
their Helsinki wall times. Pure: the page draws what this computes (CSS classes for
rows and lanes, since the page's Content-Security-Policy allows no inline styles).

Rows are half hours from ``first_hour`` to ``last_hour`` (at least 8–22, wider when a
shift of the week needs it). A shift over midnight is drawn on both days it touches
(``continues_after`` / ``continues_before``); shifts that overlap on a day sit side by
side in lanes. On a phone the same markup reads as a list of days (CSS), in time order,
because each day's shifts are in start order in the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kuulolla.core.clock import HELSINKI
from kuulolla.shifts.coverage import Coverage, Day, Week

DEFAULT_HOURS = (8, 22)
MAX_LANES = 4
SLOTS_PER_HOUR = 2


@dataclass(frozen=True, slots=True)
class Placed:
    """A shift's piece on one day: grid rows ``row`` to ``row_end`` (1-based, end
    exclusive, counted from the first visible half hour), in ``lane`` of ``lanes``."""

    coverage: Coverage
    row: int
    row_end: int
    lane: int
    continues_before: bool = False
    continues_after: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    day: Day
    placed: tuple[Placed, ...]
    lanes: int


@dataclass(frozen=True, slots=True)
class WeekGrid:
    first_hour: int
    last_hour: int
    columns: tuple[Column, ...]

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * SLOTS_PER_HOUR

    @property
    def hours(self) -> list[tuple[int, int]]:
        """Each whole hour shown and the grid row it starts on."""
        return [
            (hour, (hour - self.first_hour) * SLOTS_PER_HOUR + 1)
            for hour in range(self.first_hour, self.last_hour)
        ]


def _minutes(instant: datetime, day: date) -> int:
    """Wall-clock minutes of ``instant`` counted from the start of local ``day``
    (1440 and more for the next day)."""
    local = instant.astimezone(HELSINKI)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def _pieces(coverages: Iterable[Coverage], day: date) -> list[tuple[int, int, Coverage]]:
    """The parts of ``coverages`` that fall on ``day``: (start, end) wall minutes
    clipped to 0–1440."""
    out = []
    for cov in coverages:
        start = _minutes(cov.shift.start, day)
        end = _minutes(cov.shift.end, day)
        if end <= 0 or start >= 1440:
            continue
        out.append((max(0, start), min(1440, end), cov))
    return sorted(out, key=lambda p: (p[0], p[1], p[2].shift.id))


def week_grid(week: Week, *, hours: tuple[int, int] = DEFAULT_HOURS) -> WeekGrid:
    """Place the shifts of ``week`` (each listed on the day it starts) on its days."""
    every = [cov for d in week.days for cov in d.shifts]
    per_day = [_pieces(every, d.day) for d in week.days]
    first, last = hours
    for pieces in per_day:
        for start, end, _ in pieces:
            first = min(first, start // 60)
            last = max(last, -(-end // 60))
    columns = []
    for day, pieces in zip(week.days, per_day, strict=True):
        lane_ends: list[int] = []
        placed = []
        for start, end, cov in pieces:
            lane = next((i for i, e in enumerate(lane_ends) if e <= start), None)
            if lane is None:
                lane = min(len(lane_ends), MAX_LANES - 1)
                if lane == len(lane_ends):
                    lane_ends.append(end)
            lane_ends[lane] = max(lane_ends[lane], end)
            row = (start - first * 60) // (60 // SLOTS_PER_HOUR) + 1
            row_end = -(-(end - first * 60) // (60 // SLOTS_PER_HOUR)) + 1
            placed.append(
                Placed(
                    cov,
                    row,
                    max(row_end, row + 1),
                    lane + 1,
                    continues_before=_minutes(cov.shift.start, day.day) < 0,
                    continues_after=_minutes(cov.shift.end, day.day) > 1440,
                )
            )
        columns.append(Column(day, tuple(placed), max(1, len(lane_ends))))
    return WeekGrid(first, last, tuple(columns))


def needs_people(
    days: Sequence[Day], *, now: datetime, also: Iterable[Coverage] = ()
) -> list[Coverage]:
    """Understaffed shifts that have not started, soonest first: those of ``days``
    and ``also`` (each once)."""
    found: dict[int, Coverage] = {}
    for cov in [*(c for d in days for c in d.shifts), *also]:
        if cov.understaffed and cov.shift.start > now:
            found.setdefault(cov.shift.id, cov)
    return sorted(found.values(), key=lambda c: (c.shift.start, c.shift.id))


def coverage_state(cov: Coverage) -> str:
    """ "cancelled", "empty" (nobody yet), "short" (some places free) or "full": the
    class and the words the calendar shows, never colour alone."""
    if cov.shift.cancelled:
        return "cancelled"
    if cov.filled == 0 and cov.needed > 0:
        return "empty"
    if cov.understaffed:
        return "short"
    return "full"
