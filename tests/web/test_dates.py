"""Dates and times on pages: in the page's language and in Finnish time.

These pin what a reader in Finland sees (the order of day and month, a 24-hour clock,
Helsinki time with summer time) through patterns of the service's own
(core/i18n.py); only month names come from the locale data, and the expected ones are
read from the same data, so a CLDR update in Babel cannot fail these tests while a
real change of format does.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from babel.dates import get_month_names

from kuulolla.core.i18n import format_locale
from kuulolla.web.templating import environment

# 15:45 UTC in January is 17.45 in Helsinki (UTC+2); in July 18.45 (UTC+3). An
# afternoon hour tells a 24-hour clock from a 12-hour one, and day 15 tells the day
# from the month.
WINTER = datetime(2026, 1, 15, 15, 45, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 15, 45, tzinfo=UTC)
HELSINKI_HOUR = {WINTER: 17, SUMMER: 18}

# How each language writes a date and time in Finland: Finnish and Finland-Swedish
# "15.1.2026 17.45" (no leading zeros, full stops), English "15/01/2026, 17:45".
FINNISH_STYLE = (
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}) (?P<hour>\d{1,2})\.(?P<minute>\d{2})"
)
WRITTEN = {
    "fi": FINNISH_STYLE,
    "sv": FINNISH_STYLE,
    "en": r"(?P<day>\d{2})/(?P<month>\d{2})/(?P<year>\d{4}), (?P<hour>\d{2}):(?P<minute>\d{2})",
}


@pytest.mark.parametrize("moment", [WINTER, SUMMER], ids=["winter", "summer"])
@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_datetime_filter_writes_day_first_24_hour_helsinki_time(
    locale: str, moment: datetime
) -> None:
    """|datetime shows a UTC moment in Helsinki time (summer time included), day before
    month and on a 24-hour clock, written the way the page's language does in Finland."""
    shown = environment(locale).filters["datetime"](moment)
    match = re.fullmatch(WRITTEN[locale], shown)
    assert match is not None, shown
    parts = {k: int(v) for k, v in match.groupdict().items()}
    assert parts == {
        "day": 15,
        "month": moment.month,
        "year": 2026,
        "hour": HELSINKI_HOUR[moment],
        "minute": 45,
    }


@pytest.mark.parametrize(
    ("locale", "expected"), [("fi", "17.45"), ("sv", "17.45"), ("en", "17:45")]
)
def test_time_filter_writes_a_24_hour_helsinki_clock(locale: str, expected: str) -> None:
    """|time shows the Helsinki time of day on a 24-hour clock with the language's
    separator (a full stop in Finnish and Finland-Swedish)."""
    assert environment(locale).filters["time"](WINTER) == expected


def test_finnish_date_filter_is_numeric_day_first() -> None:
    """|date in Finnish is day.month.year without leading zeros."""
    assert environment("fi").filters["date"](date(2026, 1, 5)) == "5.1.2026"


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_date_filter_names_the_month_after_the_day(locale: str) -> None:
    """|date in Swedish and English is the day, the language's short month name, the year."""
    month = get_month_names("abbreviated", locale=format_locale(locale))[1]
    assert environment(locale).filters["date"](date(2026, 1, 5)) == f"5 {month} 2026"
