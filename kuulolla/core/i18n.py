"""Translations: gettext catalogs for fi (default), sv and en.

Source strings in code are English and marked with ``_`` (translate now, for a known
locale) or ``N_`` (mark only; translate later, at the boundary where the locale is
known). Catalogs are the ``.po`` files under ``kuulolla/web/translations``; they are
compiled in memory at start-up, so no build step or binary files are needed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from kuulolla.core.clock import HELSINKI

LOCALES: tuple[str, ...] = ("fi", "sv", "en")
DEFAULT_LOCALE = "fi"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "web" / "translations"
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
# How dates and times are written in each language, as used in Finland.
FORMAT_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
# Numeric dates and clock times follow the service's own patterns, not whatever the
# installed CLDR data (Babel's release) says, so a library update cannot change them:
# - Finnish and Finland-Swedish: day.month.year without leading zeros and a 24-hour
#   clock with a full stop, "15.1.2026 17.45", as Kotus and its Swedish language office
#   recommend (Sweden's "2026-01-15 17:45" is not how Finland-Swedish writes it, though
#   CLDR gave sv_FI that until Babel 2.19);
# - English: British order, day first, and a 24-hour clock, "15/01/2026, 17:45", not
#   the US "1/15/26, 5:45 PM".
# A date with its month's name ("15 jan. 2026") takes the name from CLDR.
DATETIME_PATTERNS = {"fi": "d.M.y H.mm", "sv": "d.M.y H.mm", "en": "dd/MM/y, HH:mm"}
TIME_PATTERNS = {"fi": "H.mm", "sv": "H.mm", "en": "HH:mm"}
DATE_PATTERNS = {"fi": "d.M.y", "sv": "d MMM y", "en": "d MMM y"}


def format_locale(locale: str) -> str:
    """The Babel locale for writing dates, times and numbers in ``locale``."""
    return FORMAT_LOCALES.get(locale, FORMAT_LOCALES[DEFAULT_LOCALE])


def _pattern(patterns: dict[str, str], locale: str) -> str:
    return patterns.get(locale, patterns[DEFAULT_LOCALE])


def datetime_text(value: datetime, locale: str) -> str:
    """An instant as Helsinki date and time in ``locale`` ("6.5.2026 17.45" in Finnish
    and Swedish, "06/05/2026, 17:45" in English). ``value`` must be timezone-aware."""
    return str(
        format_datetime(
            value,
            _pattern(DATETIME_PATTERNS, locale),
            tzinfo=HELSINKI,
            locale=format_locale(locale),
        )
    )


def time_text(value: datetime, locale: str) -> str:
    """An instant as a Helsinki time of day in ``locale`` ("17.45", "17:45")."""
    return str(
        format_time(
            value, _pattern(TIME_PATTERNS, locale), tzinfo=HELSINKI, locale=format_locale(locale)
        )
    )


def date_text(value: date, locale: str) -> str:
    """A calendar day in ``locale`` ("6.5.2026", "6 maj 2026", "6 May 2026")."""
    return str(format_date(value, _pattern(DATE_PATTERNS, locale), locale=format_locale(locale)))


def duration_text(seconds: int, locale: str) -> str:
    """A length of time in whole days, hours and minutes in ``locale`` ("1 päivä ja
    2 tuntia", "90 minutes" is "1 hour and 30 minutes"); under a minute, "0 minutes"."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    babel_locale = format_locale(locale)
    units: tuple[tuple[Literal["day", "hour", "minute"], timedelta], ...] = (
        ("day", timedelta(days=days)),
        ("hour", timedelta(hours=hours)),
        ("minute", timedelta(minutes=minutes)),
    )
    parts = [
        str(format_timedelta(value, granularity=unit, threshold=10**9, locale=babel_locale))
        for unit, value in units
        if value
    ] or [str(format_timedelta(timedelta(0), granularity="minute", locale=babel_locale))]
    return str(format_list(parts, locale=babel_locale))


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    """Every domain's catalog of ``locale`` merged into one (a NullTranslations when
    there are none). See core/catalogs.py for the layout."""
    folder = TRANSLATIONS_DIR / locale / "LC_MESSAGES"
    if locale not in LOCALES or not folder.is_dir():
        return NullTranslations()
    merged: Translations | None = None
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        part = Translations(fp=buf)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged or NullTranslations()


def gettext(locale: str, message: str, **params: object) -> str:
    text = translations(locale).gettext(message)
    return text.format(**params) if params else text


def ngettext(locale: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def negotiate(candidates: Iterable[str | None], default: str = DEFAULT_LOCALE) -> str:
    """The first supported locale among ``candidates`` (codes like "sv" or "sv-FI")."""
    for candidate in candidates:
        if not candidate:
            continue
        code = candidate.strip().lower().replace("_", "-").split("-")[0]
        if code in LOCALES:
            return code
    return default


def parse_accept_language(header: str | None) -> list[str]:
    """Language ranges of an Accept-Language header, best first."""
    if not header:
        return []
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if piece and quality > 0:
            ranges.append((-quality, index, piece))
    return [piece for _, _, piece in sorted(ranges)]
