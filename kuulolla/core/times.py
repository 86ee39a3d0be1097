"""Times of day as people type them, and time ranges as they read them.

Coordinators write opening hours and shift times the way they would in a message:
"18-21", "18.00–21.00", "klo 18–21", "18:00-21:00", "kl. 9–17.30", "0-24". The
parser takes all of these; the writer gives the same range back in the reader's
language ("klo 18–21", "kl. 18–21", "18:00–21:00"), so a day-long shift reads
"klo 0–24" rather than "0.00–0.00".

Times are minutes from midnight: a start is 0–1439, an end 0–1440, where 1440 is
"24" (midnight at the end of the day). Whether an end at or before its start is on
the next day is the caller's rule: a shift 22–6 runs over midnight, an opening-hours
window must end after it starts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from babel.dates import format_date, format_time

from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_, format_locale, gettext

DAY = 24 * 60

_PREFIX = re.compile(r"^(?:klo|kello|kl|at)\b\.?\s*", re.IGNORECASE)
# Hyphen, en dash, em dash, minus sign, figure dash and the other dashes a phone
# keyboard or a word processor may put in.
_DASH = re.compile(r"\s*(?:[-‐‑‒–—−]|\bto\b|\btill\b)\s*", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?|(\d{2})(\d{2})")


class TimeInvalid(BadRequest):
    code = "invalid_time"
    default_message = N_("Write the time as for example 18–21, 18.30–21 or 18:00–21:00.")


def parse_clock(text: str, *, end: bool = False) -> int:
    """Minutes from midnight of one time of day: "18", "18.30", "18:30", "1830",
    "klo 18". "24" (or "24.00") is allowed only as an ``end``."""
    value = _PREFIX.sub("", text.strip()).strip()
    match = _CLOCK.fullmatch(value)
    if match is None:
        raise TimeInvalid()
    hours_text, minutes_text = (match[1], match[2]) if match[1] else (match[3], match[4])
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise TimeInvalid()
    return hours * 60 + minutes


def parse_range(text: str) -> tuple[int, int]:
    """``(start, end)`` in minutes from midnight from "18-21", "klo 18.00–21.00",
    "18:00 - 21:00", "0-24" and the like (start 0–1439, end 0–1440)."""
    value = _PREFIX.sub("", " ".join(text.split())).strip()
    parts = _DASH.split(value)
    if len(parts) != 2 or not all(parts):
        raise TimeInvalid()
    return parse_clock(parts[0]), parse_clock(parts[1], end=True)


def to_time(minutes: int) -> time:
    """A time of day (1440, the end of the day, is midnight: 00:00)."""
    return time((minutes // 60) % 24, minutes % 60)


def of_time(value: time) -> int:
    return value.hour * 60 + value.minute


def hhmm(minutes: int) -> str:
    """ "18:30"; 1440 is "24:00" (as stored in opening hours)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ------------------------------------------------------------------ writing

_PREFIXES = {"fi": "klo ", "sv": "kl. ", "en": ""}


def clock_text(minutes: int, locale: str, *, whole: bool = True) -> str:
    """One time of day: "18" or "18.30" (fi, sv), "18:00" or "18:30" (en). With
    ``whole`` False the minutes are always written ("18.00")."""
    hours, mins = divmod(minutes, 60)
    if locale == "en":
        return f"{hours:02d}:{mins:02d}"
    if whole and mins == 0:
        return str(hours)
    return f"{hours}.{mins:02d}"


def range_text(start: int, end: int, locale: str, *, prefix: bool = True) -> str:
    """A range of wall times as the reader writes it: "klo 18–21", "klo 18.30–21.00",
    "kl. 0–24", "18:00–21:00". An ``end`` of 0 after a later start is written "24"
    ("klo 18–24"); an end equal to a start that is not midnight is a day-long range
    and says so ("klo 8–8 (24 h)")."""
    if end == 0 and start > 0:
        end = DAY
    if start == end == 0:
        end = DAY
    whole = start % 60 == 0 and end % 60 == 0
    text = f"{clock_text(start, locale, whole=whole)}–{clock_text(end, locale, whole=whole)}"
    if start == end:
        text += " (24 h)"
    return (_PREFIXES.get(locale, "") if prefix else "") + text


def times_text(start: time, end: time, locale: str, *, prefix: bool = True) -> str:
    """:func:`range_text` of two wall times (an end at or before the start is on the
    next day, as in shift templates)."""
    return range_text(of_time(start), of_time(end), locale, prefix=prefix)


def span_text(start: datetime, end: datetime, locale: str, *, prefix: bool = False) -> str:
    """The Helsinki wall times of ``[start, end)`` (aware instants) in the reader's
    style: "18–21", "22–6", "0–24", "18.30–21.00". A span of more than a day gives the
    end's date too ("ma 0–ke 0" would mislead), as "18–2.1. 6"."""
    first = start.astimezone(HELSINKI)
    last = end.astimezone(HELSINKI)
    begin = first.hour * 60 + first.minute
    finish = last.hour * 60 + last.minute
    days = (last.date() - first.date()).days
    if days == 1 and finish == 0:
        finish = DAY
    elif days > 1 or (days == 1 and finish > begin):
        whole = begin % 60 == 0 and finish % 60 == 0
        day = f"{last.day}.{last.month}." if locale != "en" else f"{last.day}/{last.month}"
        text = (
            f"{clock_text(begin, locale, whole=whole)}–{day} "
            f"{clock_text(finish, locale, whole=whole)}"
        )
        return (_PREFIXES.get(locale, "") if prefix else "") + text
    return range_text(begin, finish, locale, prefix=prefix)


# ------------------------------------------------------------------ moments

TOMORROW = N_("tomorrow")
# How a day and a time join in each language ("huomenna klo 18.00", "i morgon kl. 18.00",
# "tomorrow at 18:00"); the day part is a translated word or Babel's weekday and date.
_AT = {"fi": "{day} klo {time}", "sv": "{day} kl. {time}", "en": "{day} at {time}"}
_DAY_PATTERNS = {"fi": "EEEE d.M.", "sv": "EEEE d.M.", "en": "EEEE d MMMM"}


def moment_text(instant: datetime, locale: str, *, now: datetime | None = None) -> str:
    """An instant as a visitor reads it in a sentence, relative to ``now``: "klo 21.00"
    today, "klo 24.00" for the midnight that ends today, "huomenna klo 18.00",
    "tiistaina 12.1. klo 18.00" later, with the year when it is not this year
    (Helsinki time; "kl. …" in Swedish, "at …" in English)."""
    local = instant.astimezone(HELSINKI)
    babel_locale = format_locale(locale)
    clock = str(format_time(local, "short", locale=babel_locale))
    today = now.astimezone(HELSINKI).date() if now is not None else None
    days = (local.date() - today).days if today is not None else None
    if days == 1 and local.hour == 0 and local.minute == 0:
        days, clock = 0, ("24:00" if locale == "en" else "24.00")
    if days == 0:
        return {"fi": "klo {time}", "sv": "kl. {time}"}.get(locale, "{time}").format(time=clock)
    if days == 1:
        day = gettext(locale, TOMORROW)
    else:
        pattern = _DAY_PATTERNS.get(locale, _DAY_PATTERNS["fi"])
        if today is None or local.year != today.year:
            pattern += "yyyy" if locale != "en" else " yyyy"
        day = str(format_date(local.date(), pattern, locale=babel_locale))
    return _AT.get(locale, _AT["fi"]).format(day=day, time=clock)


_SHORT_DAY = {"fi": "EEEEEE d.M.", "sv": "EEE d.M.", "en": "EEE d MMM"}


def day_text(day: date, locale: str) -> str:
    """A date with its weekday, short: "ti 13.1.", "tis 13.1.", "Tue 13 Jan"."""
    pattern = _SHORT_DAY.get(locale, _SHORT_DAY["fi"])
    return str(format_date(day, pattern, locale=format_locale(locale))).replace("..", ".")


# ------------------------------------------------------------------ dates of filters


def parse_day(value: str, *, code: str) -> date | None:
    """A date a filter form sent (ISO, as date inputs send it); None when empty,
    ``BadRequest`` with ``code`` when it is no date."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(N_("Write the date as day, month and year."), code=code) from None


def midnight(day: date) -> datetime:
    """Helsinki midnight that starts ``day``, as an aware instant."""
    return datetime.combine(day, time(0), tzinfo=HELSINKI)
