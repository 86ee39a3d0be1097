"""Shift templates in words, in the reader's language, and their next dates.

A coordinator reads "joka tiistai klo 18–20, 2 vapaaehtoista", "varannan tisdag kl.
18–20, 2 volontärer" or "every other Tuesday 18:00–20:00, 2 volunteers", never
``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``. :func:`describe_rule` words the rules the
template form makes (daily, weekly on some weekdays, every n-th week, the n-th or last
weekday of the month, a day of the month); any other RRULE gets None, and the page
then shows the rule as written and its next dates (:func:`next_dates`), which are
always right because they come from the same recurrence code that makes the shifts.

The word tables are grammar, not messages: Finnish days go in the essive after
"joka toinen viikko" (tiistaina), Swedish and English ordinals differ in form, so a
catalog entry per combination would be worse than these few tables. Whole sentences
around them (head counts, holidays) are gettext messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from kuulolla.core import times
from kuulolla.core.i18n import N_, gettext, ngettext
from kuulolla.shifts.recurrence import WEEKDAYS, ShiftTemplate, check_rule, template_dates
from kuulolla.shifts.values import PROFESSIONAL, VOLUNTEER

DAYS = {
    "fi": ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# Finnish "on Tuesday" after "joka toinen viikko": the essive.
FI_ESSIVE = (
    "maanantaina",
    "tiistaina",
    "keskiviikkona",
    "torstaina",
    "perjantaina",
    "lauantaina",
    "sunnuntaina",
)
AND = {"fi": "ja", "sv": "och", "en": "and"}
# "the first … fourth" and "last" weekday of a month, by BYDAY position.
POSITIONS = {
    "fi": {1: "ensimmäinen", 2: "toinen", 3: "kolmas", 4: "neljäs", -1: "viimeinen"},
    "sv": {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", -1: "sista"},
    "en": {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"},
}
# "every other/third/fourth" in front of a day or a week.
EVERY_NTH = {
    "fi": {2: "joka toinen", 3: "joka kolmas", 4: "joka neljäs"},
    "sv": {2: "varannan", 3: "var tredje", 4: "var fjärde"},
    "en": {2: "every other", 3: "every third", 4: "every fourth"},
}
WORKDAYS = ("MO", "TU", "WE", "TH", "FR")

SKIPS_HOLIDAYS = N_("not on public holidays")


def _join(words: Sequence[str], locale: str) -> str:
    """ "a", "a ja b", "a, b ja c" (no serial comma in any of the three)."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {AND[locale]} {words[-1]}"


def _parts(rule: str) -> dict[str, str]:
    return dict(piece.split("=", 1) for piece in check_rule(rule).split(";"))


def _weekly(days: list[int], interval: int, locale: str) -> str | None:
    names = DAYS[locale]
    if interval == 1:
        if len(days) == 7:
            return {"fi": "joka päivä", "sv": "varje dag", "en": "every day"}[locale]
        if [WEEKDAYS[d] for d in days] == list(WORKDAYS):
            return {
                "fi": "arkisin (maanantaista perjantaihin)",
                "sv": "vardagar (måndag till fredag)",
                "en": "on weekdays (Monday to Friday)",
            }[locale]
        every = {"fi": "joka", "sv": "varje", "en": "every"}[locale]
        return f"{every} {_join([names[d] for d in days], locale)}"
    nth = EVERY_NTH[locale].get(interval)
    if len(days) == 1 and nth is not None:
        return f"{nth} {names[days[0]]}"
    if locale == "fi":
        when = _join([FI_ESSIVE[d] for d in days], locale)
        return f"{nth} viikko {when}" if nth else f"{interval} viikon välein {when}"
    if locale == "sv":
        when = _join([names[d] for d in days], locale)
        return f"{nth} vecka på {when}" if nth else f"var {interval}:e vecka på {when}"
    when = _join([names[d] for d in days], locale)
    return f"{nth} week on {when}" if nth else f"every {interval} weeks on {when}"


def _monthly_weekday(position: int, day: int, locale: str) -> str | None:
    word = POSITIONS[locale].get(position)
    if word is None:
        return None
    name = DAYS[locale][day]
    if locale == "fi":
        return f"kuukauden {word} {name}"
    if locale == "sv":
        return f"{word} {name}en varje månad"
    return f"the {word} {name} of every month"


def _monthly_day(days: list[int], locale: str) -> str | None:
    if not days or any(not 1 <= d <= 31 for d in days):
        return None
    if locale == "fi":
        return "kuukauden " + _join([f"{d}." for d in days], locale) + " päivä"
    if locale == "sv":
        return "den " + _join([str(d) for d in days], locale) + " varje månad"
    return "on day " + _join([str(d) for d in days], locale) + " of every month"


def describe_rule(rule: str, locale: str, *, first: date | None = None) -> str | None:
    """The repeat rule in words ("joka tiistai", "joka toinen viikko maanantaina ja
    torstaina", "kuukauden viimeinen perjantai"), or None for a rule these words do not
    cover. ``first``: the template's first day, whose weekday a weekly rule without
    BYDAY repeats."""
    if locale not in DAYS:
        locale = "fi"
    try:
        parts = _parts(rule)
    except Exception:
        return None
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "WKST"}:
        return None
    interval = int(parts.get("INTERVAL", "1") or 1)
    freq = parts["FREQ"]
    byday = [d for d in parts.get("BYDAY", "").split(",") if d]
    if freq == "DAILY" and not byday and "BYMONTHDAY" not in parts:
        if interval == 1:
            return {"fi": "joka päivä", "sv": "varje dag", "en": "every day"}[locale]
        nth = EVERY_NTH[locale].get(interval)
        if nth:
            return f"{nth} {'päivä' if locale == 'fi' else 'dag' if locale == 'sv' else 'day'}"
        return {
            "fi": f"{interval} päivän välein",
            "sv": f"var {interval}:e dag",
            "en": f"every {interval} days",
        }[locale]
    if freq == "WEEKLY" and "BYMONTHDAY" not in parts:
        if not byday:
            if first is None:
                return None
            byday = [WEEKDAYS[first.weekday()]]
        if any(d not in WEEKDAYS for d in byday):
            return None
        return _weekly(sorted(WEEKDAYS.index(d) for d in byday), interval, locale)
    if freq == "MONTHLY" and interval == 1:
        if byday and "BYMONTHDAY" not in parts and len(byday) == 1:
            code = byday[0]
            position, day = code[:-2], code[-2:]
            if day in WEEKDAYS and position.lstrip("+-").isdigit():
                return _monthly_weekday(int(position), WEEKDAYS.index(day), locale)
            return None
        if not byday and "BYMONTHDAY" in parts:
            try:
                days = sorted(int(d) for d in parts["BYMONTHDAY"].split(","))
            except ValueError:
                return None
            return _monthly_day(days, locale)
    return None


def needs_text(needs: Mapping[str, int], locale: str) -> str:
    """ "2 vapaaehtoista ja 1 ammattilainen"."""
    counts = dict(needs)
    words = []
    if (n := int(counts.get(VOLUNTEER, 0))) > 0:
        words.append(ngettext(locale, "{n} volunteer", "{n} volunteers", n))
    if (n := int(counts.get(PROFESSIONAL, 0))) > 0:
        words.append(ngettext(locale, "{n} professional", "{n} professionals", n))
    return _join(words, locale if locale in AND else "fi")


def describe_template(template: ShiftTemplate, locale: str) -> str:
    """ "joka tiistai klo 18–20, 2 vapaaehtoista" (the rule as written when it has no
    words; see :func:`describe_rule`)."""
    rule = describe_rule(template.rule, locale, first=template.valid_from) or template.rule
    text = f"{rule} {times.times_text(template.start_time, template.end_time, locale)}"
    if template.skip_holidays:
        text += f" ({gettext(locale, SKIPS_HOLIDAYS)})"
    needs = needs_text(template.needs, locale)
    return f"{text}, {needs}" if needs else text


def next_dates(template: ShiftTemplate, *, today: date, count: int = 5) -> list[date]:
    """The next ``count`` dates (from ``today`` on) the template makes a shift on,
    looking a year and a half ahead."""
    horizon = today + timedelta(days=550)
    return template_dates(template, today, horizon)[:count]
