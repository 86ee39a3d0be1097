"""Pure rules of reports: periods, small-count suppression, totals, trends, waits.

**Periods** are whole calendar months, quarters or years in Helsinki time
(:class:`Period`), never arbitrary day ranges: every figure is then a sum of the
same monthly cells, whichever period is viewed.

**Small counts.** Counts are kept per *cell*: one series (visits, queue contacts,
questions …), one member of its breakdown (a room, a topic, a category; ``""`` for
none) and one calendar month. A cell of 1 to ``threshold - 1`` is shown as
"alle 5" / "under 5" / "fewer than 5" (``threshold`` 5 by default, setting
``KUULOLLA_REPORT_MIN_COUNT``), everywhere: on the page, in charts, in CSV and in the
annual summary. 0 is shown as 0.

Every other figure is derived from these cells, and a derived total never reveals
a hidden cell: :func:`total` sums the cells it covers, and when any of them is
hidden the total is an estimate made from the sum of the visible cells and the
*number* of hidden ones (each counted as half the threshold), rounded to two
significant digits: "noin 430" (:attr:`Count.estimate`). So no combination of
periods, breakdowns and totals, however joined or subtracted, gives back a count
below the threshold: every published figure is a function of visible cells and
counts of hidden ones. An estimate under ten is "alle N" instead (N the most the
hidden cells could add up to, plus one).

Derived figures (shares, medians, means) are shown only when they rest on at least
``threshold`` events and every count they use is exact.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal

from babel.numbers import format_decimal

from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_, format_locale, gettext

DEFAULT_THRESHOLD = 5

YearMonth = tuple[int, int]
PeriodKind = Literal["year", "quarter", "month"]

# ------------------------------------------------------------------ periods


class PeriodInvalid(BadRequest):
    code = "invalid_period"
    default_message = N_(
        "Choose a year, a quarter or a month, for example 2026, 2026-Q1 or 2026-03."
    )


_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?")
FIRST_YEAR = 2020


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar year, quarter (``index`` 1–4) or month (``index`` 1–12), Helsinki time."""

    year: int
    kind: PeriodKind = "year"
    index: int = 0

    @classmethod
    def parse(cls, text: str, *, today: date) -> Period:
        """``2026``, ``2026-Q1`` or ``2026-03``; not before 2020 nor after this year."""
        match = _PERIOD.fullmatch(text.strip()) if len(text) <= 16 else None
        if match is None:
            raise PeriodInvalid()
        year = int(match["year"])
        if not FIRST_YEAR <= year <= today.year:
            raise PeriodInvalid()
        if match["quarter"]:
            return cls(year, "quarter", int(match["quarter"]))
        if match["month"]:
            return cls(year, "month", int(match["month"]))
        return cls(year)

    @classmethod
    def current(cls, kind: PeriodKind, *, today: date) -> Period:
        if kind == "month":
            return cls(today.year, "month", today.month)
        if kind == "quarter":
            return cls(today.year, "quarter", (today.month - 1) // 3 + 1)
        return cls(today.year)

    @property
    def key(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    def months(self) -> list[YearMonth]:
        if self.kind == "month":
            return [(self.year, self.index)]
        if self.kind == "quarter":
            first = 3 * (self.index - 1) + 1
            return [(self.year, m) for m in range(first, first + 3)]
        return [(self.year, m) for m in range(1, 13)]

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "month":
            return (
                Period(self.year - 1, "month", 12)
                if self.index == 1
                else Period(self.year, "month", self.index - 1)
            )
        if self.kind == "quarter":
            return (
                Period(self.year - 1, "quarter", 4)
                if self.index == 1
                else Period(self.year, "quarter", self.index - 1)
            )
        return Period(self.year - 1)

    def trailing_months(self, count: int = 12, *, today: date | None = None) -> list[YearMonth]:
        """The ``count`` months ending with this period's last month, or with this month
        when the period runs on into the future (for trend charts)."""
        year, month = self.months()[-1]
        if today is not None and (today.year, today.month) < (year, month):
            year, month = today.year, today.month
        out = []
        for _ in range(count):
            out.append((year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return out[::-1]

    @property
    def start(self) -> datetime:
        """The first instant of the period, in UTC."""
        year, month = self.months()[0]
        return month_start(year, month)

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC."""
        year, month = self.months()[-1]
        return month_start(year + 1, 1) if month == 12 else month_start(year, month + 1)

    def contains(self, today: date) -> bool:
        return (today.year, today.month) in self.months()


def month_start(year: int, month: int) -> datetime:
    """Midnight Helsinki time on the first of the month, in UTC."""
    return datetime.combine(date(year, month, 1), time(0), tzinfo=HELSINKI).astimezone(UTC)


def month_of(instant: datetime) -> YearMonth:
    """The Helsinki calendar month of an aware instant."""
    local = instant.astimezone(HELSINKI)
    return local.year, local.month


def month_bounds(months: Sequence[YearMonth]) -> list[datetime]:
    """UTC boundaries of consecutive months: ``len(months) + 1`` instants."""
    bounds = [month_start(*m) for m in months]
    year, month = months[-1]
    bounds.append(month_start(year + 1, 1) if month == 12 else month_start(year, month + 1))
    return bounds


# ------------------------------------------------------------------ counts


@dataclass(frozen=True, slots=True)
class Count:
    """A count as it may be shown.

    ``small``: hidden; the true value is at least 1 and below ``limit`` (the threshold
    for one cell; for a sum of ``hidden`` hidden cells, ``hidden × (threshold − 1) + 1``).
    ``partial``: a total over ``hidden`` hidden cells and visible ones; ``value`` is the
    sum of the visible ones only, ``limit`` one more than the most the total can be.
    Otherwise ``value`` is exact.

    What is written for a total over hidden cells is an estimate made from the visible
    cells and the *number* of hidden ones only (each hidden cell counts as half the
    threshold), rounded to two significant digits: "noin 430" rather than "≥ 426" or
    "< 149", and still the same whatever the hidden cells hold."""

    value: int
    small: bool = False
    partial: bool = False
    limit: int = 0
    hidden: int = 0
    threshold: int = 0

    @property
    def exact(self) -> bool:
        return not (self.small or self.partial)

    @property
    def estimate(self) -> int | None:
        """The rounded estimate of a total over hidden cells (None for an exact count,
        a single hidden cell, or an estimate below ten, which is "fewer than" instead)."""
        if self.exact or self.hidden < 1 or (self.small and self.hidden == 1):
            return None
        guess = self.value + self.hidden * self.threshold / 2
        if guess < 10:
            return None
        step = max(10, 10 ** (len(str(int(guess))) - 2))
        return int(math.floor(guess / step + 0.5) * step)

    def text(self, locale: str = "fi") -> str:
        """ "alle 5", "noin 430", "1 234" in the reader's language."""
        if self.exact:
            return number_text(self.value, locale)
        estimate = self.estimate
        if estimate is not None:
            return gettext(locale, ABOUT, n=number_text(estimate, locale))
        return gettext(locale, FEWER_THAN, n=number_text(self.limit, locale))

    def chart_value(self) -> int | None:
        """What a chart may draw: nothing for a hidden count, the estimate for a total
        over hidden cells."""
        if self.small:
            return None
        return self.estimate if self.partial and self.estimate is not None else self.value


FEWER_THAN = N_("fewer than {n}")
ABOUT = N_("about {n}")


def number_text(n: int, locale: str) -> str:
    """A whole number with the reader's thousands separator ("1 234", "1,234")."""
    return str(format_decimal(n, locale=format_locale(locale)))


def cell(n: int, *, threshold: int) -> Count:
    """One monthly cell of one series and member."""
    if n < 0:
        raise ValueError("negative count")
    if 0 < n < threshold:
        return Count(0, small=True, limit=threshold, hidden=1, threshold=threshold)
    return Count(n)


def total(cells: Iterable[Count], *, threshold: int) -> Count:
    """The sum of cells as it may be shown: exact when every cell is, else the sum of the
    visible cells with the number of hidden ones. A sum of hidden cells only stays
    hidden, with the upper limit their number allows (each is below ``threshold``)."""
    visible = 0
    hidden_max = 0  # the most the hidden cells can add up to
    hidden = 0
    partial = False
    for c in cells:
        if c.small:
            hidden_max += c.limit - 1
            hidden += c.hidden or 1
        else:
            visible += c.value
            partial = partial or c.partial
            hidden += c.hidden
    if hidden_max == 0 and not partial:
        return Count(visible)
    if visible == 0 and not partial:
        return Count(0, small=True, limit=hidden_max + 1, hidden=hidden, threshold=threshold)
    # An estimate below ten is written "fewer than" the most the total can be, which
    # depends on the number of hidden cells only (never "fewer than 0").
    limit = visible + hidden * (threshold - 1) + 1
    return Count(visible, partial=True, limit=limit, hidden=hidden, threshold=threshold)


class Grid:
    """Monthly counts per (series, member), read by suppression-aware sums.

    ``raw`` maps (series, member, (year, month)) to the true count. Only
    :meth:`cell` and :meth:`sum` read it, so nothing else can show a raw count.
    """

    def __init__(self, raw: Mapping[tuple[str, str, YearMonth], int], *, threshold: int) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self._raw = dict(raw)
        self.threshold = threshold

    def cell(self, series: str, member: str, month: YearMonth) -> Count:
        return cell(self._raw.get((series, member, month), 0), threshold=self.threshold)

    def members(self, series: str) -> list[str]:
        return sorted({m for (s, m, _) in self._raw if s == series})

    def sum(
        self,
        series: str,
        months: Iterable[YearMonth],
        *,
        members: Iterable[str] | None = None,
    ) -> Count:
        """Total of ``series`` over ``months`` and ``members`` (all when None)."""
        wanted = list(members) if members is not None else self.members(series)
        months = list(months)
        return total(
            (self.cell(series, m, ym) for m in wanted for ym in months), threshold=self.threshold
        )

    def sum_series(self, names: Iterable[str], months: Iterable[YearMonth]) -> Count:
        """Total of several series (for combined figures such as contacts)."""
        months = list(months)
        parts = [self.sum(name, months) for name in names]
        return total(parts, threshold=self.threshold)


# ------------------------------------------------------------------ derived figures


def share(part: Count, whole: Count, *, threshold: int) -> float | None:
    """``part / whole`` as a fraction, when both are exact and ``whole`` rests on at
    least ``threshold`` events; else None (not shown)."""
    if not (part.exact and whole.exact) or whole.value < threshold:
        return None
    return part.value / whole.value


def change(current: Count, previous: Count) -> float | None:
    """Relative change from the previous period, when both counts are exact and the
    previous one is not zero."""
    if not (current.exact and previous.exact) or previous.value == 0:
        return None
    return (current.value - previous.value) / previous.value


def median(values: Sequence[float], *, threshold: int) -> float | None:
    if len(values) < max(threshold, 1):
        return None
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float, *, threshold: int) -> float | None:
    """The ``q``-th percentile (0–100) by the nearest-rank method: the smallest value
    such that at least ``q`` % of the values are at or below it."""
    if len(values) < max(threshold, 1):
        return None
    if not 0 < q <= 100:
        raise ValueError("percentile outside 0–100")
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return float(ordered[max(rank, 1) - 1])


def mean(values: Sequence[float], *, threshold: int) -> float | None:
    if len(values) < max(threshold, 1):
        return None
    return float(statistics.fmean(values))


def count_values(values: Sequence[float], *, threshold: int) -> Count:
    """How many values there are, as a suppressed count."""
    return cell(len(values), threshold=threshold)
