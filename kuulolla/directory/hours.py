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

:func:`parse` reads that, :func:`edit_text` writes it back, :func:`describe` says it to
visitors. Pure: time is always a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import get_day_names

from kuulolla.core import calendar_fi
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_, date_text, format_locale, gettext, time_text
from kuulolla.shifts.recurrence import WEEKDAYS, check_rule, rule_dates, wall_window

# A rule's own phase does not matter when it repeats every period and picks its dates
# by weekday, day or month: any anchor gives the same dates, so the anchor can be just
# before the window asked about (dateutil walks from the anchor, so this matters).
_ANCHOR_FREE = re.compile(
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
    if _ANCHOR_FREE.match(slot.rule):
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


# ------------------------------------------------------------------ text in


_DAY_WORDS: dict[str, str] = {}
for _code, _names in zip(
    WEEKDAYS,
    (
        ("ma", "mo", "må", "maanantai", "måndag", "monday", "mon"),
        ("ti", "tu", "tiistai", "tisdag", "tuesday", "tue"),
        ("ke", "we", "on", "keskiviikko", "onsdag", "wednesday", "wed"),
        ("to", "th", "torstai", "torsdag", "thursday", "thu"),
        ("pe", "fr", "perjantai", "fredag", "friday", "fri"),
        ("la", "sa", "lö", "lauantai", "lördag", "saturday", "sat"),
        ("su", "sö", "sunnuntai", "söndag", "sunday", "sun"),
    ),
    strict=True,
):
    for _name in _names:
        _DAY_WORDS[_name] = _code

_CLOSED_WORDS = {"closed", "suljettu", "stängt", "kiinni"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _invalid(line: int, message: str = "", **params: Any) -> InvalidHours:
    return InvalidHours(
        message
        or N_(
            "Line {line}: write the days and the time, for example “ma-pe 10-14” or "
            "“ti 18:00-20:00”."
        ),
        line=line,
        **params,
    )


def _parse_time(text: str, line: int, *, end: bool) -> time:
    found = _TIME.match(text)
    if not found:
        raise _invalid(line)
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if end and hour == 24 and minute == 0:
        return time(0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _invalid(line, N_("Line {line}: a time must be from 00:00 to 24:00."))
    return time(hour, minute)


def _parse_date(text: str, line: int) -> date:
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_FI_DATE, (2, 1, 0))):
        found = pattern.match(text)
        if found:
            parts = [int(p) for p in found.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                break
    raise _invalid(line, N_("Line {line}: write dates as 2026-07-31 or 31.7.2026."))


def _parse_range(text: str, line: int) -> tuple[date, date]:
    begin, finish = _parse_span(text, line)
    if begin is None or finish is None:
        raise _invalid(line, N_("Line {line}: write dates as 2026-07-31 or 31.7.2026."))
    return begin, finish


def _parse_span(text: str, line: int) -> tuple[date | None, date | None]:
    """ "2026-01-13..2026-05-26", "1.7.2026-31.7.2026", one date, or a range open at
    one end ("2026-01-13..", "..2026-05-26")."""
    first, sep, last = text.partition("..")
    if not sep:
        # "1.7.2026-31.7.2026": a hyphen between two Finnish dates.
        pieces = text.split("-")
        if len(pieces) == 2 and all(_FI_DATE.match(p) for p in pieces):
            first, last = pieces
        else:
            last = first
    begin = _parse_date(first, line) if first else None
    finish = _parse_date(last, line) if last else None
    if begin is None and finish is None:
        raise _invalid(line, N_("Line {line}: write dates as 2026-07-31 or 31.7.2026."))
    if begin and finish and finish < begin:
        raise _invalid(line, N_("Line {line}: the last day cannot be before the first day."))
    return begin, finish


def _parse_days(text: str, line: int) -> str:
    """ "ma-pe", "ti,to", "daily", "la-su,ma": an RRULE."""
    lowered = text.lower()
    if lowered in ("daily", "päivittäin", "dagligen"):
        return "FREQ=DAILY"
    if lowered in ("arkisin", "vardagar", "weekdays"):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    chosen: list[str] = []
    for part in lowered.split(","):
        first, sep, last = part.partition("-")
        if first not in _DAY_WORDS or (sep and last not in _DAY_WORDS):
            raise _invalid(line)
        a = WEEKDAYS.index(_DAY_WORDS[first])
        b = WEEKDAYS.index(_DAY_WORDS[last]) if sep else a
        i = a
        while True:
            code = WEEKDAYS[i]
            if code not in chosen:
                chosen.append(code)
            if i == b:
                break
            i = (i + 1) % 7
    chosen.sort(key=WEEKDAYS.index)
    if len(chosen) == 7:
        return "FREQ=DAILY"
    return "FREQ=WEEKLY;BYDAY=" + ",".join(chosen)


def _normalise(line: str) -> list[str]:
    text = line.strip().replace("–", "-").replace("—", "-")
    # "ma - pe 10 - 14" → "ma-pe 10-14"; keep ".." of date ranges.
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*,\s*", ",", text)
    text = re.sub(r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})\s*\.\.\s*(?=\d)", r"\1..", text)
    return text.split()


def _check_rule(text: str, line: int) -> str:
    """An RRULE, checked as the shifts check theirs, in a canonical order (FREQ first,
    an INTERVAL of 1 dropped); no COUNT or UNTIL (dates go at the end of the line)."""
    try:
        rule = check_rule(text)
    except BadRequest:
        raise _invalid(
            line,
            N_("Line {line}: the repeat rule is not valid, for example FREQ=MONTHLY;BYDAY=1TU."),
        ) from None
    parts = dict(part.split("=", 1) for part in rule.split(";"))
    if "COUNT" in parts or "UNTIL" in parts:
        raise _invalid(
            line,
            N_("Line {line}: give the last day as dates at the end of the line, not in the rule."),
        )
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    order = ["FREQ", "INTERVAL", *sorted(k for k in parts if k not in ("FREQ", "INTERVAL"))]
    return ";".join(f"{k}={parts[k]}" for k in order if k in parts)


def _slot(
    rule: str, start: time, end: time, valid_from: date | None, valid_until: date | None, line: int
) -> Slot:
    if valid_from and valid_until and valid_until < valid_from:
        raise _invalid(line, N_("Line {line}: the last day cannot be before the first day."))
    if not _ANCHOR_FREE.match(rule) and valid_from is None:
        raise _invalid(
            line,
            N_(
                "Line {line}: a rule that repeats every other week or so needs its first day at the end of the line."
            ),
        )
    return Slot(rule, start, end, valid_from, valid_until)


def parse(text: str, *, holidays_closed: bool = True) -> Hours:
    """Opening hours from the coordinator's text (module docstring); raises
    :class:`InvalidHours` naming the first line that is wrong."""
    slots: list[Slot] = []
    closed: list[tuple[date, date]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = _normalise(raw)
        if not words:
            continue
        head = words[0].lower()
        if head in _CLOSED_WORDS:
            if len(words) != 2:
                raise _invalid(
                    number,
                    N_(
                        "Line {line}: write “closed” and the dates, for example closed 2026-07-01..2026-07-31."
                    ),
                )
            closed.append(_parse_range(words[1], number))
            continue
        if head in ("24/7", "24h"):
            words = ["daily", "0-24", *words[1:]]
            head = "daily"
        if len(words) not in (2, 3):
            raise _invalid(number)
        if "FREQ=" in head.upper():
            rule = _check_rule(words[0], number)
        else:
            rule = _parse_days(words[0], number)
        start_text, sep, end_text = words[1].partition("-")
        if not sep:
            raise _invalid(number)
        start = _parse_time(start_text, number, end=False)
        end = _parse_time(end_text, number, end=True)
        valid_from = valid_until = None
        if len(words) == 3:
            valid_from, valid_until = _parse_span(words[2], number)
        slots.append(_slot(rule, start, end, valid_from, valid_until, number))
    if len(slots) > MAX_SLOTS or len(closed) > MAX_CLOSED:
        raise InvalidHours(N_("Write at most {max} lines of opening times."), max=MAX_SLOTS)
    return Hours(tuple(slots), tuple(closed), holidays_closed)


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


def from_json(data: Mapping[str, Any] | None) -> Hours:
    """Opening hours from :func:`to_json`'s form, checked: open data arrives this way,
    so a slot may also give ``days`` ("mo-fr", or a list of weekday codes) instead of
    a ``rule``. Raises :class:`InvalidHours` naming the slot that is wrong."""
    if not data:
        return Hours()
    if not isinstance(data, Mapping):
        raise InvalidHours()
    raw_slots = data.get("slots") or []
    raw_closed = data.get("closed") or []
    holidays_closed = data.get("holidays_closed", True)
    if (
        not isinstance(raw_slots, list)
        or not isinstance(raw_closed, list)
        or not isinstance(holidays_closed, bool)
        or len(raw_slots) > MAX_SLOTS
        or len(raw_closed) > MAX_CLOSED
    ):
        raise InvalidHours()
    slots = []
    for number, raw in enumerate(raw_slots, start=1):
        if not isinstance(raw, Mapping):
            raise _invalid(number)
        days = raw.get("days")
        if isinstance(days, list):
            days = ",".join(str(d) for d in days)
        if raw.get("rule") is not None:
            rule = _check_rule(str(raw["rule"]), number)
        elif isinstance(days, str) and days:
            rule = _parse_days(days.replace(" ", ""), number)
        else:
            raise _invalid(number)
        start = _parse_time(str(raw.get("opens", "")), number, end=False)
        end = _parse_time(str(raw.get("closes", "")), number, end=True)
        valid_from = _parse_date(str(raw["from"]), number) if raw.get("from") else None
        valid_until = _parse_date(str(raw["until"]), number) if raw.get("until") else None
        slots.append(_slot(rule, start, end, valid_from, valid_until, number))
    closed = []
    for number, pair in enumerate(raw_closed, start=1):
        if not isinstance(pair, list) or len(pair) != 2:
            raise _invalid(number)
        closed.append(_parse_range(f"{pair[0]}..{pair[1]}", number))
    return Hours(tuple(slots), tuple(closed), holidays_closed)


# ------------------------------------------------------------------ text out


_EDIT_DAYS = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("må", "ti", "on", "to", "fr", "lö", "sö"),
    "en": ("mo", "tu", "we", "th", "fr", "sa", "su"),
}
_EDIT_DAILY = {"fi": "päivittäin", "sv": "dagligen", "en": "daily"}
_EDIT_CLOSED = {"fi": "suljettu", "sv": "stängt", "en": "closed"}


def _day_runs(codes: Sequence[str]) -> list[tuple[int, int]]:
    """Weekday codes as runs of consecutive days (Monday first): MO,TU,WE,FR → (0,2),(4,4)."""
    indices = sorted(WEEKDAYS.index(c) for c in codes)
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _weekly_days(rule: str) -> list[str] | None:
    found = re.fullmatch(
        r"FREQ=WEEKLY;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)", rule
    )
    return found.group(1).split(",") if found else None


def _hm(value: time, *, end: bool = False) -> str:
    return "24:00" if end and value == time(0) else value.strftime("%H:%M")


def edit_text(hours: Hours, locale: str) -> str:
    """Opening hours as the coordinator's form shows them (:func:`parse` reads it back)."""
    names = _EDIT_DAYS.get(locale, _EDIT_DAYS["fi"])
    lines = []
    for slot in hours.slots:
        days = _weekly_days(slot.rule)
        if slot.rule == "FREQ=DAILY":
            head = _EDIT_DAILY.get(locale, "daily")
        elif days is not None:
            head = ",".join(
                names[a] if a == b else f"{names[a]}-{names[b]}" for a, b in _day_runs(days)
            )
        else:
            head = slot.rule
        line = f"{head} {_hm(slot.start)}-{_hm(slot.end, end=True)}"
        if slot.valid_from or slot.valid_until:
            begin = slot.valid_from.isoformat() if slot.valid_from else ""
            finish = slot.valid_until.isoformat() if slot.valid_until else ""
            line += f" {begin}..{finish}"
        lines.append(line)
    word = _EDIT_CLOSED.get(locale, "closed")
    for first, last in hours.closed:
        lines.append(
            f"{word} {first.isoformat()}" + ("" if first == last else f"..{last.isoformat()}")
        )
    return "\n".join(lines)


_ORDINALS = {
    1: N_("first"),
    2: N_("second"),
    3: N_("third"),
    4: N_("fourth"),
    -1: N_("last"),
}


def _clock(value: time, locale: str) -> str:
    return time_text(datetime.combine(date(2026, 1, 5), value, tzinfo=HELSINKI), locale)


def _span(slot: Slot, locale: str) -> str:
    if slot.start == slot.end == time(0):
        return gettext(locale, N_("around the clock"))
    return f"{_clock(slot.start, locale)}–{_clock(slot.end, locale)}"


def _days_phrase(slot: Slot, locale: str) -> str | None:
    short = get_day_names("abbreviated", locale=format_locale(locale))
    wide = get_day_names("wide", context="stand-alone", locale=format_locale(locale))
    rule = slot.rule
    if rule == "FREQ=DAILY":
        return gettext(locale, N_("every day"))
    days = _weekly_days(rule)
    if days is not None:
        return ", ".join(
            short[a] if a == b else f"{short[a]}–{short[b]}" for a, b in _day_runs(days)
        )
    every = re.fullmatch(r"FREQ=WEEKLY;INTERVAL=(\d+);BYDAY=([A-Z,]+)", rule)
    if every and _weekly_days(f"FREQ=WEEKLY;BYDAY={every.group(2)}") is not None:
        listed = ", ".join(short[WEEKDAYS.index(d)] for d in every.group(2).split(","))
        n = int(every.group(1))
        if n == 2:
            return gettext(locale, N_("every other week: {days}"), days=listed)
        return gettext(locale, N_("every {n} weeks: {days}"), n=n, days=listed)
    nth = re.fullmatch(r"FREQ=MONTHLY;BYDAY=(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)", rule)
    if nth:
        return gettext(
            locale,
            N_("the {ordinal} {weekday} of the month"),
            ordinal=gettext(locale, _ORDINALS[int(nth.group(1))]),
            weekday=wide[WEEKDAYS.index(nth.group(2))],
        )
    return None


def describe(hours: Hours, locale: str) -> list[str]:
    """The hours in words for visitors, one line a slot ("ma–pe 10.00–14.00",
    "the first Tuesday of the month 18.00–20.00"), then closed periods and holidays.
    A rule with no words of its own says "on dates listed below" (the page lists the
    next dates)."""
    out = []
    for slot in hours.slots:
        days = _days_phrase(slot, locale)
        span = _span(slot, locale)
        if slot.round_the_clock:
            line = gettext(locale, N_("Around the clock"))
        elif days is None:
            line = gettext(locale, N_("On the dates below, {time}"), time=span)
        else:
            line = f"{days} {span}"
        if slot.valid_from and slot.valid_until:
            line += " " + gettext(
                locale,
                N_("({first}–{last})"),
                first=date_text(slot.valid_from, locale),
                last=date_text(slot.valid_until, locale),
            )
        elif slot.valid_until:
            line += " " + gettext(
                locale, N_("(until {last})"), last=date_text(slot.valid_until, locale)
            )
        elif slot.valid_from:
            line += " " + gettext(
                locale, N_("(from {first})"), first=date_text(slot.valid_from, locale)
            )
        out.append(line)
    for first, last in hours.closed:
        if first == last:
            out.append(gettext(locale, N_("Closed on {day}"), day=date_text(first, locale)))
        else:
            out.append(
                gettext(
                    locale,
                    N_("Closed {first}–{last}"),
                    first=date_text(first, locale),
                    last=date_text(last, locale),
                )
            )
    if hours.slots and hours.holidays_closed:
        out.append(gettext(locale, N_("Closed on public holidays")))
    return out


def needs_dates(hours: Hours) -> bool:
    """Whether some slot has no words of its own (the page then lists the next dates)."""
    return any(_days_phrase(s, "en") is None for s in hours.slots)


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


def status_text(state: Status, now: datetime, locale: str) -> str:
    """ "Open now, until 16.00", "Open around the clock", "Opens tomorrow at 9.00",
    "Opens on Tue 7.4. at 18.00": what a visitor needs at a glance ("" without hours)."""
    if state.open:
        if state.closes_at is None:
            return gettext(locale, N_("Open around the clock"))
        return gettext(
            locale, N_("Open now, until {when}"), when=_when(state.closes_at, now, locale)
        )
    if state.next_opening is not None:
        return gettext(
            locale, N_("Closed now. Opens {when}"), when=_when(state.next_opening, now, locale)
        )
    return ""


def _when(instant: datetime, now: datetime, locale: str) -> str:
    day = instant.astimezone(HELSINKI).date()
    today = now.astimezone(HELSINKI).date()
    clock = time_text(instant, locale)
    if day == today:
        return gettext(locale, N_("today at {time}"), time=clock)
    if day == today + timedelta(days=1):
        return gettext(locale, N_("tomorrow at {time}"), time=clock)
    short = get_day_names("abbreviated", locale=format_locale(locale))[day.weekday()]
    return gettext(
        locale,
        N_("on {weekday} {date} at {time}"),
        weekday=short,
        date=date_text(day, locale),
        time=clock,
    )
