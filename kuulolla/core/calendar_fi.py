"""Finnish public holidays and working days, computed (no tables to keep up to date).

Used by shift templates (skip holidays) and by anything with a deadline in working
days (answers to questions, for example)::

    >>> add_working_days(date(2026, 4, 2), 1)   # Thursday before Easter
    datetime.date(2026, 4, 7)

Holidays are the days off under Finnish law and custom:

- fixed: uudenvuodenpäivä 1.1., loppiainen 6.1., vappu 1.5., itsenäisyyspäivä 6.12.,
  joulupäivä 25.12., tapaninpäivä 26.12.;
- from Easter (Western, Gregorian): pitkäperjantai −2, pääsiäispäivä 0,
  2. pääsiäispäivä +1, helatorstai +39, helluntaipäivä +49;
- moving Saturdays: juhannuspäivä (20.–26.6.), pyhäinpäivä (31.10.–6.11.);
- the eves juhannusaatto (Friday 19.–25.6.) and jouluaatto 24.12. (``kind="eve"``):
  not public holidays by law, but days off by custom and in collective agreements,
  so they are not working days here either.

Names are data in the three languages of the service, not interface strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Literal

from dateutil.easter import easter

HolidayKind = Literal["holiday", "eve"]


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    key: str  # stable, for settings and tests: "good_friday", "midsummer_eve", …
    kind: HolidayKind
    name_fi: str
    name_sv: str
    name_en: str

    def name(self, locale: str) -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(locale, self.name_fi)


# key, kind, fi, sv, en
_NAMES: dict[str, tuple[HolidayKind, str, str, str]] = {
    "new_year": ("holiday", "Uudenvuodenpäivä", "Nyårsdagen", "New Year's Day"),
    "epiphany": ("holiday", "Loppiainen", "Trettondagen", "Epiphany"),
    "good_friday": ("holiday", "Pitkäperjantai", "Långfredagen", "Good Friday"),
    "easter_sunday": ("holiday", "Pääsiäispäivä", "Påskdagen", "Easter Sunday"),
    "easter_monday": ("holiday", "2. pääsiäispäivä", "Annandag påsk", "Easter Monday"),
    "may_day": ("holiday", "Vappu", "Första maj", "May Day"),
    "ascension": ("holiday", "Helatorstai", "Kristi himmelsfärdsdag", "Ascension Day"),
    "whit_sunday": ("holiday", "Helluntaipäivä", "Pingstdagen", "Whit Sunday"),
    "midsummer_eve": ("eve", "Juhannusaatto", "Midsommarafton", "Midsummer Eve"),
    "midsummer_day": ("holiday", "Juhannuspäivä", "Midsommardagen", "Midsummer Day"),
    "all_saints": ("holiday", "Pyhäinpäivä", "Alla helgons dag", "All Saints' Day"),
    "independence_day": (
        "holiday",
        "Itsenäisyyspäivä",
        "Självständighetsdagen",
        "Independence Day",
    ),
    "christmas_eve": ("eve", "Jouluaatto", "Julafton", "Christmas Eve"),
    "christmas_day": ("holiday", "Joulupäivä", "Juldagen", "Christmas Day"),
    "st_stephens_day": ("holiday", "Tapaninpäivä", "Annandag jul", "St Stephen's Day"),
}


def _saturday_from(first: date) -> date:
    """The Saturday in the seven days that start at ``first``."""
    return first + timedelta(days=(5 - first.weekday()) % 7)


@cache
def holidays(year: int) -> tuple[Holiday, ...]:
    """Every Finnish holiday and eve of ``year``, in date order."""
    e = easter(year)
    midsummer = _saturday_from(date(year, 6, 20))
    days = {
        "new_year": date(year, 1, 1),
        "epiphany": date(year, 1, 6),
        "good_friday": e - timedelta(days=2),
        "easter_sunday": e,
        "easter_monday": e + timedelta(days=1),
        "may_day": date(year, 5, 1),
        "ascension": e + timedelta(days=39),
        "whit_sunday": e + timedelta(days=49),
        "midsummer_eve": midsummer - timedelta(days=1),
        "midsummer_day": midsummer,
        "all_saints": _saturday_from(date(year, 10, 31)),
        "independence_day": date(year, 12, 6),
        "christmas_eve": date(year, 12, 24),
        "christmas_day": date(year, 12, 25),
        "st_stephens_day": date(year, 12, 26),
    }
    out = [Holiday(day, key, *_NAMES[key]) for key, day in days.items()]
    return tuple(sorted(out, key=lambda h: h.day))


def holiday_on(day: date) -> Holiday | None:
    """The holiday or eve on ``day``, if there is one."""
    for holiday in holidays(day.year):
        if holiday.day == day:
            return holiday
    return None


def holidays_between(start: date, end: date) -> list[Holiday]:
    """Holidays and eves with ``start <= day < end``."""
    return [
        h
        for year in range(start.year, end.year + 1)
        for h in holidays(year)
        if start <= h.day < end
    ]


def is_working_day(day: date) -> bool:
    """Monday to Friday and neither a holiday nor an eve."""
    return day.weekday() < 5 and holiday_on(day) is None


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

    ``n == 0`` returns ``day`` itself, working day or not. For any ``day`` and ``n``,
    ``working_days_between(day, add_working_days(day, n)) == n``.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days passed going from ``start`` to ``end``: those in ``(start, end]``, or
    minus those in ``[end, start)`` when ``end`` is earlier (the days
    :func:`add_working_days` counts)."""
    if end < start:
        return -sum(1 for d in _days(end, start) if is_working_day(d))
    return sum(
        1 for d in _days(start + timedelta(days=1), end + timedelta(days=1)) if is_working_day(d)
    )


def _days(start: date, end: date) -> list[date]:
    """Dates with ``start <= d < end``."""
    return [start + timedelta(days=i) for i in range((end - start).days)]
