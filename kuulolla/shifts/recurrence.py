"""Shift templates and the concrete shifts (occurrences) they generate.

A template says *when in Helsinki wall time* a shift repeats: a start and end time
of day and an RFC 5545 recurrence rule over local dates (``FREQ=WEEKLY;BYDAY=MO,TH``),
from ``valid_from`` until ``valid_until``, minus cancelled dates and, if it opts in,
Finnish holidays. Each occurrence is then turned into aware UTC instants, so a shift
18–21 is 18–21 on the wall clock in winter and in summer alike.

DST (see :func:`kuulolla.shifts.values.wall_to_utc`): the end is a wall time too, so
a night shift 22–06 lasts 7 hours on the last Sunday of March and 9 on the last
Sunday of October; hour caps and reports count the real elapsed time. A wall time in
the spring gap is read with the offset before the gap (03:30 → 04:30 summer time),
one in the repeated autumn hour means the first of the two, as RFC 5545 says. An
occurrence that the gap leaves with no time at all (say 03:30–04:15) does not happen.

Each occurrence has a stable key, ``(template id, local date)``: at most one
occurrence per template per date, which :func:`check_rule` guarantees by allowing
only daily or coarser rules with no time parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from dateutil.rrule import rrule, rrulestr

from kuulolla.core import calendar_fi
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.shifts.values import Target, local_date, wall_to_utc

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# Parts that choose dates. Times come from the template; DTSTART from valid_from.
_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYSETPOS",
    "WKST",
}


class ShiftKey(NamedTuple):
    """Identifies an occurrence: the template and the Helsinki date the shift starts."""

    template_id: int
    day: date

    def __str__(self) -> str:
        return f"{self.template_id}:{self.day.isoformat()}"


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A recurring shift of a room or a queue topic.

    ``start_time``–``end_time`` are Helsinki wall times; an ``end_time`` at or before
    ``start_time`` is on the next day (22:00–06:00). ``rule`` is an RFC 5545 RRULE
    value without time parts (see :func:`check_rule`; :func:`weekly` builds the
    common case). ``needs`` maps roles to head counts, e.g. ``{"volunteer": 2,
    "professional": 1}``. ``exceptions`` are local dates on which it does not run;
    ``skip_holidays`` also drops Finnish holidays and eves
    (:mod:`kuulolla.core.calendar_fi`).
    """

    id: int
    target: Target
    start_time: time
    end_time: time
    rule: str
    valid_from: date
    needs: Mapping[str, int] = field(hash=False)
    valid_until: date | None = None
    qualification: str | None = None
    exceptions: frozenset[date] = frozenset()
    skip_holidays: bool = False

    @property
    def wall_duration(self) -> timedelta:
        """Length on the wall clock (the elapsed time differs on DST days)."""
        start = datetime.combine(date.min, self.start_time)
        end = datetime.combine(date.min, self.end_time)
        if end <= start:
            end += timedelta(days=1)
        return end - start


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A concrete shift a template generates: ``[start, end)`` in aware UTC."""

    key: ShiftKey
    target: Target
    start: datetime
    end: datetime
    needs: Mapping[str, int] = field(hash=False)
    qualification: str | None = None


def weekly(weekdays: Iterable[int | str], *, interval: int = 1) -> str:
    """An RRULE for the given weekdays (0 = Monday, or "MO"…"SU"), every ``interval`` weeks.

    >>> weekly([0, 3])
    'FREQ=WEEKLY;BYDAY=MO,TH'
    """
    codes = []
    for day in weekdays:
        code = WEEKDAYS[day] if isinstance(day, int) else day.upper()
        if code not in WEEKDAYS:
            raise BadRequest(N_("Choose weekdays for the shift."), code="invalid_rule")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise BadRequest(N_("Choose weekdays for the shift."), code="invalid_rule")
    codes.sort(key=WEEKDAYS.index)
    rule = "FREQ=WEEKLY" + (f";INTERVAL={interval}" if interval != 1 else "")
    return rule + ";BYDAY=" + ",".join(codes)


def check_rule(rule: str) -> str:
    """Validate and normalise a recurrence rule; raise ``BadRequest("invalid_rule")``.

    Accepts an RRULE value (an ``RRULE:`` prefix is dropped) with FREQ of DAILY,
    WEEKLY, MONTHLY or YEARLY and date parts only: no BYHOUR/BYMINUTE/BYSECOND (the
    template has its own times), no DTSTART (``valid_from``), UNTIL as a date.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or name not in _PARTS or name in parts or not value.strip():
            raise _invalid()
        parts[name] = value.strip().upper()
    if parts.get("FREQ") not in _FREQS:
        raise _invalid()
    if "UNTIL" in parts and not (len(parts["UNTIL"]) == 8 and parts["UNTIL"].isdigit()):
        raise _invalid()
    normal = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        _rrule(normal, date(2000, 1, 1))
    except (ValueError, TypeError, KeyError) as exc:
        raise _invalid() from exc
    return normal


def _invalid() -> BadRequest:
    return BadRequest(
        N_("The repeat rule is not valid. Use for example FREQ=WEEKLY;BYDAY=MO,TH."),
        code="invalid_rule",
    )


def _rrule(rule: str, start: date) -> rrule:
    parsed = rrulestr(rule, dtstart=datetime.combine(start, time(0)))
    if not isinstance(parsed, rrule):
        raise ValueError("not a single RRULE")
    return parsed


MAX_PER_ROLE = 50


def check_template(template: ShiftTemplate) -> ShiftTemplate:
    """Validate a template before it is saved; raise ``BadRequest`` with code
    ``invalid_rule``, ``invalid_needs`` or ``invalid_dates``. Returns it with the rule
    normalised."""
    rule = check_rule(template.rule)
    needs = {role: n for role, n in template.needs.items() if n != 0}
    if not needs or any(not 0 < n <= MAX_PER_ROLE for n in needs.values()):
        raise BadRequest(
            N_("A shift needs at least one person, and at most {max} in each role."),
            code="invalid_needs",
            max=MAX_PER_ROLE,
        )
    if template.valid_until is not None and template.valid_until < template.valid_from:
        raise BadRequest(N_("The last day cannot be before the first day."), code="invalid_dates")
    return replace(template, rule=rule, needs=needs)


def rule_dates(
    rule: str,
    *,
    anchor: date,
    first: date,
    last: date,
    valid_until: date | None = None,
    exceptions: frozenset[date] = frozenset(),
    skip_holidays: bool = False,
) -> list[date]:
    """Local dates in ``first``–``last`` (inclusive) on which ``rule`` (checked with
    :func:`check_rule`) repeats from ``anchor`` (its first possible date), up to
    ``valid_until``, minus ``exceptions`` and, with ``skip_holidays``, Finnish holidays
    and eves. Shift templates and the service directory's opening hours use it."""
    first = max(first, anchor)
    if valid_until is not None:
        last = min(last, valid_until)
    if last < first:
        return []
    out = []
    for moment in _cached_rrule(rule, anchor).between(
        datetime.combine(first, time(0)), datetime.combine(last, time(0)), inc=True
    ):
        day = moment.date()
        if day in exceptions:
            continue
        if skip_holidays and calendar_fi.holiday_on(day) is not None:
            continue
        out.append(day)
    return out


@lru_cache(maxsize=4096)
def _cached_rrule(rule: str, anchor: date) -> rrule:
    return _rrule(check_rule(rule), anchor)


def template_dates(template: ShiftTemplate, first: date, last: date) -> list[date]:
    """Local dates in ``first``–``last`` (inclusive) on which ``template`` runs."""
    return rule_dates(
        template.rule,
        anchor=template.valid_from,
        first=first,
        last=last,
        valid_until=template.valid_until,
        exceptions=template.exceptions,
        skip_holidays=template.skip_holidays,
    )


def wall_window(day: date, start: time, end: time) -> tuple[datetime, datetime] | None:
    """The UTC instants of a wall-clock window starting on local date ``day``: ``end``
    at or before ``start`` is on the next day (22:00–06:00; 00:00–00:00 is the whole
    day). None when the DST gap leaves it no time."""
    begin = wall_to_utc(day, start)
    end_day = day if end > start else day + timedelta(days=1)
    finish = wall_to_utc(end_day, end)
    if finish <= begin:
        return None
    return begin, finish


def occurrence_on(template: ShiftTemplate, day: date) -> Occurrence | None:
    """The occurrence of ``template`` starting on local date ``day`` (assumed to be a
    date it runs on), or None when the DST gap leaves it no time."""
    window = wall_window(day, template.start_time, template.end_time)
    if window is None:
        return None
    start, end = window
    return Occurrence(
        key=ShiftKey(template.id, day),
        target=template.target,
        start=start,
        end=end,
        needs=dict(template.needs),
        qualification=template.qualification,
    )


def occurrences(template: ShiftTemplate, start: datetime, end: datetime) -> list[Occurrence]:
    """Occurrences of ``template`` that start in ``[start, end)`` (aware), in order."""
    # A day either side: the local dates of the window's ends, whatever the offsets.
    days = template_dates(
        template, local_date(start) - timedelta(days=1), local_date(end) + timedelta(days=1)
    )
    out = []
    for day in days:
        occurrence = occurrence_on(template, day)
        if occurrence is not None and start <= occurrence.start < end:
            out.append(occurrence)
    return out
