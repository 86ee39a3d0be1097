"""Opening hours in words: :func:`edit_text` writes them back as a coordinator would
(the form :func:`kuulolla.directory.hours_parse.parse` reads), :func:`describe` says
them to visitors and :func:`status_text` says whether a service is open now. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from babel.dates import get_day_names

from kuulolla.core.clock import HELSINKI
from kuulolla.core.i18n import N_, date_text, format_locale, gettext, time_text
from kuulolla.directory.hours import Hours, Slot, Status
from kuulolla.shifts.recurrence import WEEKDAYS

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
    """Opening hours as the coordinator's form shows them (:func:`.hours_parse.parse` reads it back)."""
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
