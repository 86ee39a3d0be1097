"""Finnish holidays and working days: checked against known calendars."""

from __future__ import annotations

from datetime import date

import pytest

from kuulolla.core.calendar_fi import (
    add_working_days,
    holiday_on,
    holidays,
    holidays_between,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2038, date(2038, 4, 25)),  # the latest possible date
        (2285, date(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    """Pääsiäispäivä falls on the Western Easter Sunday of the year."""
    found = {h.key: h.day for h in holidays(year)}
    assert found["easter_sunday"] == easter


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2024,
            {
                "good_friday": date(2024, 3, 29),
                "easter_monday": date(2024, 4, 1),
                "ascension": date(2024, 5, 9),
                "whit_sunday": date(2024, 5, 19),
                "midsummer_eve": date(2024, 6, 21),
                "midsummer_day": date(2024, 6, 22),
                "all_saints": date(2024, 11, 2),
            },
        ),
        (
            2025,
            {
                "good_friday": date(2025, 4, 18),
                "easter_monday": date(2025, 4, 21),
                "ascension": date(2025, 5, 29),
                "whit_sunday": date(2025, 6, 8),
                "midsummer_eve": date(2025, 6, 20),
                "midsummer_day": date(2025, 6, 21),
                "all_saints": date(2025, 11, 1),
            },
        ),
        (
            2026,
            {
                "good_friday": date(2026, 4, 3),
                "easter_monday": date(2026, 4, 6),
                "ascension": date(2026, 5, 14),
                "whit_sunday": date(2026, 5, 24),
                "midsummer_eve": date(2026, 6, 19),
                "midsummer_day": date(2026, 6, 20),
                "all_saints": date(2026, 10, 31),
            },
        ),
        (
            2027,
            {
                "good_friday": date(2027, 3, 26),
                "easter_monday": date(2027, 3, 29),
                "ascension": date(2027, 5, 6),
                "whit_sunday": date(2027, 5, 16),
                "midsummer_eve": date(2027, 6, 25),
                "midsummer_day": date(2027, 6, 26),
                "all_saints": date(2027, 11, 6),
            },
        ),
    ],
)
def test_moving_holidays(year: int, expected: dict[str, date]) -> None:
    """Easter-based holidays and the moving Saturdays fall on the known dates."""
    found = {h.key: h.day for h in holidays(year)}
    assert {key: found[key] for key in expected} == expected


def test_fixed_holidays_and_eves() -> None:
    """The fixed dates are holidays; juhannusaatto and jouluaatto are eves."""
    found = {h.key: (h.day, h.kind) for h in holidays(2026)}
    assert found["new_year"] == (date(2026, 1, 1), "holiday")
    assert found["epiphany"] == (date(2026, 1, 6), "holiday")
    assert found["may_day"] == (date(2026, 5, 1), "holiday")
    assert found["independence_day"] == (date(2026, 12, 6), "holiday")
    assert found["christmas_eve"] == (date(2026, 12, 24), "eve")
    assert found["christmas_day"] == (date(2026, 12, 25), "holiday")
    assert found["st_stephens_day"] == (date(2026, 12, 26), "holiday")
    assert found["midsummer_eve"][1] == "eve"
    assert len(found) == 15


@pytest.mark.parametrize("year", range(2020, 2040))
def test_moving_saturdays_and_friday(year: int) -> None:
    """Juhannuspäivä is the Saturday of 20–26 June, its eve the day before, pyhäinpäivä
    the Saturday of 31 October – 6 November."""
    found = {h.key: h.day for h in holidays(year)}
    assert found["midsummer_day"].weekday() == 5
    assert date(year, 6, 20) <= found["midsummer_day"] <= date(year, 6, 26)
    assert found["midsummer_eve"].weekday() == 4
    assert found["all_saints"].weekday() == 5
    assert date(year, 10, 31) <= found["all_saints"] <= date(year, 11, 6)


@pytest.mark.parametrize(
    ("day", "name_fi", "name_sv", "name_en"),
    [
        (date(2026, 4, 3), "Pitkäperjantai", "Långfredagen", "Good Friday"),
        (date(2026, 4, 6), "2. pääsiäispäivä", "Annandag påsk", "Easter Monday"),
        (date(2026, 5, 14), "Helatorstai", "Kristi himmelsfärdsdag", "Ascension Day"),
        (date(2026, 6, 19), "Juhannusaatto", "Midsommarafton", "Midsummer Eve"),
    ],
)
def test_holiday_names(day: date, name_fi: str, name_sv: str, name_en: str) -> None:
    """Holidays carry their names in the three languages of the service."""
    holiday = holiday_on(day)
    assert holiday is not None
    assert (holiday.name("fi"), holiday.name("sv"), holiday.name("en")) == (
        name_fi,
        name_sv,
        name_en,
    )


def test_no_holiday_on_ordinary_day() -> None:
    """An ordinary weekday is no holiday."""
    assert holiday_on(date(2026, 4, 7)) is None


def test_holidays_between_spans_years() -> None:
    """holidays_between is half-open and crosses the year end."""
    found = [h.key for h in holidays_between(date(2026, 12, 24), date(2027, 1, 6))]
    assert found == ["christmas_eve", "christmas_day", "st_stephens_day", "new_year"]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 2), True),  # Thursday before Easter
        (date(2026, 4, 3), False),  # pitkäperjantai
        (date(2026, 4, 4), False),  # Saturday
        (date(2026, 4, 6), False),  # 2. pääsiäispäivä
        (date(2026, 4, 7), True),
        (date(2026, 6, 19), False),  # juhannusaatto
        (date(2026, 12, 24), False),  # jouluaatto
        (date(2026, 12, 31), True),  # uudenvuodenaatto is a working day
        (date(2026, 4, 30), True),  # vappuaatto is a working day
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    """Weekdays that are not holidays or eves are working days."""
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter
        (date(2026, 4, 7), -1, date(2026, 4, 2)),
        (date(2026, 12, 23), 1, date(2026, 12, 28)),  # over Christmas
        (date(2026, 6, 18), 1, date(2026, 6, 22)),  # over Midsummer
        (date(2026, 4, 4), 1, date(2026, 4, 7)),  # from a Saturday
        (date(2026, 4, 4), 0, date(2026, 4, 4)),
        (date(2026, 3, 2), 5, date(2026, 3, 9)),
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    """add_working_days skips weekends, holidays and eves in both directions."""
    assert add_working_days(start, n) == expected


def test_working_days_in_2026() -> None:
    """2026 has 261 weekdays, 9 of them holidays or eves: 252 working days."""
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 252


@pytest.mark.parametrize("n", [-12, -5, -1, 0, 1, 3, 7, 20])
@pytest.mark.parametrize(
    "start", [date(2026, 4, 2), date(2026, 4, 4), date(2026, 12, 24), date(2026, 6, 21)]
)
def test_working_days_between_inverts_add(start: date, n: int) -> None:
    """Counting the working days to add_working_days(start, n) gives n back."""
    assert working_days_between(start, add_working_days(start, n)) == n
