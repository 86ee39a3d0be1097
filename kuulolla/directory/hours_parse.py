"""Opening hours from text and from open data: :func:`parse` reads what a coordinator
writes (one slot a line, in Finnish, Swedish or English; see :mod:`.hours`), and
:func:`from_json` checks the stored and open-data form. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory.hours import ANCHOR_FREE, MAX_CLOSED, MAX_SLOTS, Hours, InvalidHours, Slot
from kuulolla.shifts.recurrence import WEEKDAYS, check_rule

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
    if not ANCHOR_FREE.match(rule) and valid_from is None:
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
