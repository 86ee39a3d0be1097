"""When a service is open: recurring times in Helsinki wall time, and "open now".

A service's hours are *slots*, each a recurrence rule over local dates (the shifts'
RFC 5545 subset, :func:`kuulolla.shifts.recurrence.check_rule`) with a start and an
end time of day, optionally limited to a date range; plus closed periods (a summer
break) and whether the service is closed on Finnish public holidays and eves
(:mod:`kuulolla.core.calendar_fi`). An end at or before the start is on the next day,
so ``daily 00:00-24:00`` is round the clock and ``fr 22:00-06:00`` runs into Saturday.

Times are wall times, turned into instants per date (:func:`recurrence.wall_window`):
a service open 10–14 is open 10–14 in winter and in summer, a night line 22–06 is
open 7 hours on the last Sunday of March and 9 on the last Sunday of October. Windows
that touch (a round-the-clock line's days) are one window, so "open until" is right.

Coordinators write hours as text, one slot a line, in any of the three languages::

    ma-pe 10-14            mo-fr 10:00-14:00     må-fr 10.00-14.00
    ti,to 18-20 2026-01-13..2026-05-26
    daily 0-24             päivittäin 0-24       24/7
    FREQ=MONTHLY;BYDAY=1TU 18:00-20:00
    suljettu 2026-07-01..2026-07-31              closed 24.12.2026

:mod:`.hours_parse` reads that (and the open-data form), :mod:`.hours_words` writes it
back and says it to visitors; this module holds the types and turns them into instants.
Pure: time is always a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from kuulolla.core import calendar_fi
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.shifts.recurrence import rule_dates, wall_window

# A rule's own phase does not matter when it repeats every period and picks its dates
# by weekday, day or month: any anchor gives the same dates, so the anchor can be just
# before the window asked about (dateutil walks from the anchor, so this matters).
ANCHOR_FREE = re.compile(
    r"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;(BYDAY|BYMONTHDAY|BYMONTH|WKST)=[^;]+)*$"
)
ANCHOR = date(2000, 1, 3)  # a Monday; the anchor of a rule without a first date
MAX_SLOTS = 20
MAX_CLOSED = 20
LOOKAHEAD_DAYS = 400  # how far ahead the next opening is looked for


class InvalidHours(BadRequest):
    code = "invalid_hours"
    default_message = N_("Write one time a line, for example “ma-pe 10-14” or “ti 18:00-20:00”.")


@dataclass(frozen=True, slots=True)
class Slot:
    """A recurring opening: ``rule`` over local dates, ``start``–``end`` wall time."""

    rule: str
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def round_the_clock(self) -> bool:
        return self.rule == "FREQ=DAILY" and self.start == self.end == time(0)


@dataclass(frozen=True, slots=True)
class Hours:
    slots: tuple[Slot, ...] = ()
    closed: tuple[tuple[date, date], ...] = ()  # inclusive ranges
    holidays_closed: bool = True

    @property
    def empty(self) -> bool:
        return not self.slots


@dataclass(frozen=True, slots=True)
class Status:
    """Whether a service is open at ``now``: until when, else when it opens next."""

    open: bool
    closes_at: datetime | None = None  # None while open: round the clock
    next_opening: datetime | None = None
    next_closing: datetime | None = field(default=None)  # of the next window


# ------------------------------------------------------------------ instants


def _closed_on(hours: Hours, day: date) -> bool:
    if hours.holidays_closed and calendar_fi.holiday_on(day) is not None:
        return True
    return any(a <= day <= b for a, b in hours.closed)


def _slot_dates(slot: Slot, first: date, last: date) -> list[date]:
    if ANCHOR_FREE.match(slot.rule):
        anchor = max(slot.valid_from or ANCHOR, first - timedelta(days=7))
    else:
        anchor = slot.valid_from or ANCHOR
    return rule_dates(
        slot.rule, anchor=anchor, first=first, last=last, valid_until=slot.valid_until
    )


def windows(hours: Hours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The open windows (UTC) that overlap ``[start, end)``, in order, touching and
    overlapping ones merged. A window that starts on a closed date is left out (the
    date a night's opening starts on decides)."""
    first = start.astimezone(HELSINKI).date() - timedelta(days=1)
    last = end.astimezone(HELSINKI).date()
    found = []
    for slot in hours.slots:
        for day in _slot_dates(slot, first, last):
            if _closed_on(hours, day):
                continue
            window = wall_window(day, slot.start, slot.end)
            if window is not None:
                found.append(window)
    found.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in found:
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
            continue
        merged.append((begin, finish))
    return [(b, f) for b, f in merged if f > start and b < end]


def status(hours: Hours, now: datetime, *, horizon_days: int = LOOKAHEAD_DAYS) -> Status:
    """Open now or not; when it closes (a window still running on the 7th day counts as
    round the clock: ``closes_at`` None) or when it opens next (None: not within
    ``horizon_days``)."""
    if hours.empty:
        return Status(False)
    week = windows(hours, now, now + timedelta(days=8))
    for begin, finish in week:
        if begin <= now < finish:
            closes = None if finish >= now + timedelta(days=7) else finish
            return Status(True, closes_at=closes)
    upcoming = [w for w in week if w[0] > now]
    if not upcoming:
        # A rarer rule (monthly, yearly): look further, a month at a time.
        step = now + timedelta(days=8)
        limit = now + timedelta(days=horizon_days)
        while step < limit and not upcoming:
            upcoming = [w for w in windows(hours, step, step + timedelta(days=31)) if w[0] > now]
            step += timedelta(days=31)
    if not upcoming:
        return Status(False)
    return Status(False, next_opening=upcoming[0][0], next_closing=upcoming[0][1])


def upcoming(hours: Hours, now: datetime, *, days: int = 7) -> list[tuple[datetime, datetime]]:
    """Windows from ``now`` for ``days`` (a running one included), for a referral card:
    the reader's page works out "open now" from them when it shows the card."""
    return [(b, f) for b, f in windows(hours, now, now + timedelta(days=days)) if f > now]


# ------------------------------------------------------------------ storage


def to_json(hours: Hours) -> dict[str, Any]:
    """The stored form (also the open-data form of opening hours)."""
    return {
        "slots": [
            {
                "rule": s.rule,
                "opens": s.start.strftime("%H:%M"),
                "closes": "24:00" if s.end == time(0) else s.end.strftime("%H:%M"),
                **({"from": s.valid_from.isoformat()} if s.valid_from else {}),
                **({"until": s.valid_until.isoformat()} if s.valid_until else {}),
            }
            for s in hours.slots
        ],
        "closed": [[a.isoformat(), b.isoformat()] for a, b in hours.closed],
        "holidays_closed": hours.holidays_closed,
    }


def next_dates(hours: Hours, now: datetime, *, count: int = 5) -> list[datetime]:
    """The starts of the next ``count`` windows (for event series)."""
    out: list[datetime] = []
    step = now
    for _ in range(13):
        out.extend(b for b, _ in windows(hours, step, step + timedelta(days=31)) if b >= now)
        if len(out) >= count:
            break
        step += timedelta(days=31)
    return sorted(set(out))[:count]


def iso(instants: Iterable[tuple[datetime, datetime]]) -> list[list[str]]:
    """Windows as ISO 8601 UTC pairs (the referral card's form)."""
    return [
        [
            b.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            f.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        ]
        for b, f in instants
    ]
