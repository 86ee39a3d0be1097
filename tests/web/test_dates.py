"""Dates and times on pages: in the page's language and in Finnish time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kuulolla.web.templating import environment

# 10:30 UTC in January is 12:30 in Helsinki (UTC+2); in July 13:30 (UTC+3).
WINTER = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "moment", "expected"),
    [
        ("fi", WINTER, "15.1.2026 12.30"),
        ("sv", WINTER, "2026-01-15 12:30"),
        ("en", WINTER, "15/01/2026, 12:30"),
        ("fi", SUMMER, "15.7.2026 13.30"),
    ],
)
def test_datetime_filter_uses_language_and_helsinki_time(
    locale: str, moment: datetime, expected: str
) -> None:
    """|datetime shows a UTC moment in Helsinki time (summer time included), written the
    way the page's language writes it."""
    assert environment(locale).filters["datetime"](moment) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("fi", "15.1.2026"), ("sv", "15 jan. 2026"), ("en", "15 Jan 2026")],
)
def test_date_filter_uses_language(locale: str, expected: str) -> None:
    """|date writes a day the way the page's language does."""
    assert environment(locale).filters["date"](date(2026, 1, 15)) == expected
