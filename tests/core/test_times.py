"""Times of day and ranges as people type them, and as each language writes them back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kuulolla.core.errors import BadRequest
from kuulolla.core.times import moment_text, parse_clock, parse_range, range_text, span_text

H = 60


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18-21", (18 * H, 21 * H)),
        ("18.00–21.00", (18 * H, 21 * H)),
        ("klo 18–21", (18 * H, 21 * H)),
        ("Klo 18 - 21", (18 * H, 21 * H)),
        ("kello 9-17", (9 * H, 17 * H)),
        ("kl. 9–17.30", (9 * H, 17 * H + 30)),
        ("18:00-21:00", (18 * H, 21 * H)),
        ("18:00 — 21:00", (18 * H, 21 * H)),
        ("18−21", (18 * H, 21 * H)),  # a minus sign from a word processor
        ("1800-2100", (18 * H, 21 * H)),
        ("9.30-11", (9 * H + 30, 11 * H)),
        ("09:05-9:45", (9 * H + 5, 9 * H + 45)),
        ("18 to 21", (18 * H, 21 * H)),
        ("0-24", (0, 24 * H)),
        ("18-24", (18 * H, 24 * H)),
        ("18-24.00", (18 * H, 24 * H)),
        ("22-6", (22 * H, 6 * H)),
        ("  18 -  21  ", (18 * H, 21 * H)),
    ],
)
def test_ranges_people_type(typed: str, expected: tuple[int, int]) -> None:
    """Every way a coordinator writes "18–21" is read as the same range."""
    assert parse_range(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "18",
        "18-",
        "-21",
        "18-21-23",
        "25-26",
        "18.60-21",
        "24-2",
        "18,5-21",
        "kello",
        "ab-cd",
        "18.3-21",
    ],
)
def test_ranges_that_are_refused(typed: str) -> None:
    """Anything else is refused with a translated message naming the accepted forms."""
    with pytest.raises(BadRequest) as caught:
        parse_range(typed)
    assert caught.value.code == "invalid_time"
    assert "18–21" in caught.value.translated("fi")


@pytest.mark.parametrize(
    ("typed", "end", "minutes"),
    [("18", False, 18 * H), ("klo 7.05", False, 7 * H + 5), ("24", True, 24 * H), ("0", False, 0)],
)
def test_single_times(typed: str, end: bool, minutes: int) -> None:
    """One time of day; 24 only as an end."""
    assert parse_clock(typed, end=end) == minutes


def test_24_is_not_a_start() -> None:
    """ "24" cannot start a range."""
    with pytest.raises(BadRequest):
        parse_clock("24")


@pytest.mark.parametrize(
    ("start", "end", "fi", "sv", "en"),
    [
        (18 * H, 21 * H, "klo 18–21", "kl. 18–21", "18:00–21:00"),
        (18 * H + 30, 21 * H, "klo 18.30–21.00", "kl. 18.30–21.00", "18:30–21:00"),
        (0, 0, "klo 0–24", "kl. 0–24", "00:00–24:00"),
        (0, 24 * H, "klo 0–24", "kl. 0–24", "00:00–24:00"),
        (18 * H, 0, "klo 18–24", "kl. 18–24", "18:00–24:00"),
        (22 * H, 6 * H, "klo 22–6", "kl. 22–6", "22:00–06:00"),
        (8 * H, 8 * H, "klo 8–8 (24 h)", "kl. 8–8 (24 h)", "08:00–08:00 (24 h)"),
    ],
)
def test_ranges_as_each_language_writes_them(
    start: int, end: int, fi: str, sv: str, en: str
) -> None:
    """A day-long shift reads 0–24, never 0.00–0.00; whole hours need no minutes in fi and sv."""
    assert [range_text(start, end, loc) for loc in ("fi", "sv", "en")] == [fi, sv, en]


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (datetime(2026, 5, 4, 15, tzinfo=UTC), datetime(2026, 5, 4, 18, tzinfo=UTC), "18–21"),
        (datetime(2026, 5, 3, 21, tzinfo=UTC), datetime(2026, 5, 4, 21, tzinfo=UTC), "0–24"),
        (datetime(2026, 5, 4, 19, tzinfo=UTC), datetime(2026, 5, 5, 3, tzinfo=UTC), "22–6"),
        (datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 22, tzinfo=UTC), "0–24"),
        (datetime(2026, 5, 4, 15, tzinfo=UTC), datetime(2026, 5, 6, 15, tzinfo=UTC), "18–6.5. 18"),
    ],
)
def test_spans_of_shifts(start: datetime, end: datetime, text: str) -> None:
    """A stored shift's times in Helsinki: over midnight, a whole day (25 h on the
    autumn DST day too), and more than a day with the end's date."""
    assert span_text(start, end, "fi") == text


NOW = datetime(2027, 1, 12, 10, tzinfo=UTC)  # Tuesday 12.00 in Helsinki


@pytest.mark.parametrize(
    ("instant", "fi", "en"),
    [
        (datetime(2027, 1, 12, 19, tzinfo=UTC), "klo 21.00", "21:00"),
        (datetime(2027, 1, 12, 22, tzinfo=UTC), "klo 24.00", "24:00"),
        (datetime(2027, 1, 13, 16, tzinfo=UTC), "huomenna klo 18.00", "tomorrow at 18:00"),
        (
            datetime(2027, 1, 19, 16, tzinfo=UTC),
            "tiistaina 19.1. klo 18.00",
            "Tuesday 19 January at 18:00",
        ),
        (
            datetime(2028, 1, 4, 16, tzinfo=UTC),
            "tiistaina 4.1.2028 klo 18.00",
            "Tuesday 4 January 2028 at 18:00",
        ),
    ],
)
def test_moments_relative_to_now(instant: datetime, fi: str, en: str) -> None:
    """Today's times alone, midnight as 24, tomorrow by name, later by weekday and date."""
    assert moment_text(instant, "fi", now=NOW) == fi
    assert moment_text(instant, "en", now=NOW) == en
