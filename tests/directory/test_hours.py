"""Opening hours: "open now" across DST and holidays, windows, the coordinators' text."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from kuulolla.core.clock import HELSINKI
from kuulolla.directory import hours, hours_parse, hours_words
from kuulolla.directory.hours import Hours, InvalidHours, Slot


def local(text: str) -> datetime:
    """A Helsinki wall time ("2026-03-29 05:30"); in the repeated autumn hour, the first."""
    return datetime.fromisoformat(text).replace(tzinfo=HELSINKI)


# (hours text, closed on holidays, Helsinki now, open?, closes at or next opening (local))
STATUS = [
    # Weekdays, in winter and in summer: wall time is kept.
    ("ma-pe 10-14", True, "2026-01-14 11:00", True, "2026-01-14 14:00"),
    ("ma-pe 10-14", True, "2026-01-14 09:59", False, "2026-01-14 10:00"),
    ("ma-pe 10-14", True, "2026-01-14 14:00", False, "2026-01-15 10:00"),  # end is exclusive
    ("ma-pe 10-14", True, "2026-06-10 10:30", True, "2026-06-10 14:00"),
    ("ma-pe 10-14", True, "2026-01-16 15:00", False, "2026-01-19 10:00"),  # Friday → Monday
    # A night opening belongs to the day it starts on.
    ("pe 22-06", True, "2026-01-17 05:00", True, "2026-01-17 06:00"),
    ("pe 22-06", True, "2026-01-17 06:00", False, "2026-01-23 22:00"),
    # Spring forward (29.3.2026 03:00 → 04:00): the night is an hour shorter.
    ("la 22-06", True, "2026-03-29 05:30", True, "2026-03-29 06:00"),
    ("la 22-06", True, "2026-03-29 03:30", True, "2026-03-29 06:00"),  # 03:30 reads as 04:30
    # Fall back (25.10.2026 04:00 → 03:00): an hour longer.
    ("la 22-06", True, "2026-10-25 05:30", True, "2026-10-25 06:00"),
    # Holidays close a service that closes on them: Good Friday, Easter Monday…
    ("ma-pe 10-14", True, "2026-04-03 10:30", False, "2026-04-07 10:00"),
    ("ma-pe 10-14", False, "2026-04-03 10:30", True, "2026-04-03 14:00"),
    # …and the eves that are days off: Midsummer Eve, Christmas Eve.
    ("ma-pe 10-14", True, "2026-06-19 10:30", False, "2026-06-22 10:00"),
    ("ma-pe 10-14", True, "2026-12-23 10:30", True, "2026-12-23 14:00"),
    ("ma-pe 10-14", True, "2026-12-24 10:30", False, "2026-12-28 10:00"),
    ("ma-pe 10-14", True, "2026-05-14 10:30", False, "2026-05-15 10:00"),  # Ascension Day
    # Round the clock: no closing time while it is open the whole next week.
    ("päivittäin 0-24", False, "2026-12-24 03:00", True, None),
    ("24/7", False, "2026-03-29 03:30", True, None),
    # …unless a holiday closes it within the week.
    ("päivittäin 0-24", True, "2026-12-23 23:00", True, "2026-12-24 00:00"),
    # A summer break.
    (
        "ma-pe 10-14\nsuljettu 2026-07-01..2026-07-31",
        True,
        "2026-07-15 11:00",
        False,
        "2026-08-03 10:00",
    ),
    (
        "ma-pe 10-14\nsuljettu 2026-07-01..2026-07-31",
        True,
        "2026-06-30 11:00",
        True,
        "2026-06-30 14:00",
    ),
    # The first Tuesday of the month.
    ("FREQ=MONTHLY;BYDAY=1TU 18-20", True, "2026-02-03 19:00", True, "2026-02-03 20:00"),
    ("FREQ=MONTHLY;BYDAY=1TU 18-20", True, "2026-02-10 19:00", False, "2026-03-03 18:00"),
    # Every other Wednesday from 7.1.2026.
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE 18-20 2026-01-07..",
        True,
        "2026-01-14 19:00",
        False,
        "2026-01-21 18:00",
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE 18-20 2026-01-07..",
        True,
        "2026-01-21 19:00",
        True,
        "2026-01-21 20:00",
    ),
    # A season that has ended.
    ("to 18-19:30 2026-01-15..2026-03-19", True, "2026-03-26 18:30", False, None),
    # No hours at all.
    ("", True, "2026-01-14 11:00", False, None),
]


@pytest.mark.parametrize(("text", "holidays_closed", "now", "is_open", "then"), STATUS)
def test_open_now(
    text: str, holidays_closed: bool, now: str, is_open: bool, then: str | None
) -> None:
    """Whether a service is open at a Helsinki wall time, and until when or when it opens next."""
    state = hours.status(hours_parse.parse(text, holidays_closed=holidays_closed), local(now))
    assert state.open is is_open
    found = state.closes_at if is_open else state.next_opening
    assert (found.astimezone(HELSINKI).strftime("%Y-%m-%d %H:%M") if found else None) == then


@pytest.mark.parametrize(
    ("text", "day", "elapsed"),
    [
        ("la 22-06", "2026-03-28", timedelta(hours=7)),  # spring forward
        ("la 22-06", "2026-10-24", timedelta(hours=9)),  # fall back
        ("la 22-06", "2026-01-17", timedelta(hours=8)),
        ("su 03:30-05:00", "2026-10-25", timedelta(hours=2, minutes=30)),  # the first 03:30
        ("su 0-24", "2026-03-29", timedelta(hours=23)),
        ("su 0-24", "2026-10-25", timedelta(hours=25)),
    ],
)
def test_a_window_lasts_its_wall_time_span_in_real_time(
    text: str, day: str, elapsed: timedelta
) -> None:
    """Windows are wall times turned into instants: DST nights are shorter or longer."""
    begin = local(f"{day} 00:00")
    found = [
        w
        for w in hours.windows(
            hours_parse.parse(text, holidays_closed=False), begin, begin + timedelta(days=1)
        )
        if w[0].astimezone(HELSINKI).date() == begin.date()
    ]
    start, end = found[0]
    assert end - start == elapsed


def test_an_opening_in_the_spring_gap_does_not_happen() -> None:
    """03:30–04:15 on the night the clocks go forward has no time at all: no window."""
    opening = hours_parse.parse("su 03:30-04:15", holidays_closed=False)
    begin = local("2026-03-29 00:00")
    assert hours.windows(opening, begin, begin + timedelta(days=1)) == []


def test_touching_windows_merge() -> None:
    """Round the clock is one window, not one per day."""
    opening = hours_parse.parse("päivittäin 0-24", holidays_closed=False)
    begin = local("2026-01-12 12:00")
    assert len(hours.windows(opening, begin, begin + timedelta(days=5))) == 1


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("ma-pe 10-14", [Slot("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(10), time(14))]),
        ("mo-fr 10:00-14:00", [Slot("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(10), time(14))]),
        ("må – fr 10.00 – 14.00", [Slot("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(10), time(14))]),
        (
            "la-ma 9-12",
            [Slot("FREQ=WEEKLY;BYDAY=MO,SA,SU", time(9), time(12))],
        ),  # wraps over Sunday
        ("ma-su 9-12", [Slot("FREQ=DAILY", time(9), time(12))]),
        ("arkisin 8-16", [Slot("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(8), time(16))]),
        ("24/7", [Slot("FREQ=DAILY", time(0), time(0))]),
        (
            "RRULE:BYDAY=1TU;FREQ=MONTHLY 18-20",
            [Slot("FREQ=MONTHLY;BYDAY=1TU", time(18), time(20))],
        ),
        (
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=WE 18-20",
            [Slot("FREQ=WEEKLY;BYDAY=WE", time(18), time(20))],
        ),
    ],
)
def test_the_coordinators_text_in_any_language(text: str, slots: list[Slot]) -> None:
    """Day names in Finnish, Swedish or English, and rules, read into the same slots."""
    assert list(hours_parse.parse(text).slots) == slots


@pytest.mark.parametrize(
    "text",
    [
        "ma-pe",  # no time
        "ma-pe 10",  # no end
        "xx 10-14",  # no such day
        "ma 25-26",  # no such hour
        "ma 10:70-11",  # no such minute
        "FREQ=HOURLY 10-12",  # finer than a day
        "FREQ=WEEKLY;BYDAY=MO;COUNT=3 10-12",  # a count belongs in dates
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO 10-12",  # every other week: from when?
        "ma 10-12 2026-05-01..2026-04-01",  # ends before it starts
        "suljettu huomenna",  # not a date
        "<script>alert(1)</script> 10-12",
    ],
)
def test_bad_lines_are_refused_with_their_number(text: str) -> None:
    """A wrong line is refused, naming it, and nothing is half-read."""
    with pytest.raises(InvalidHours) as caught:
        hours_parse.parse("ma 9-10\n" + text)
    assert caught.value.params.get("line") == 2


@pytest.mark.parametrize("locale", ["fi", "sv", "en"])
def test_the_form_text_reads_back_the_same(locale: str) -> None:
    """What the form shows, in any language, reads back into the same hours."""
    opening = hours_parse.parse(
        "ma-pe 10-14\nti,to 18:00-20:00 2026-01-13..2026-05-26\nFREQ=MONTHLY;BYDAY=-1FR 17-19\n"
        "su 12-14 ..2026-06-30\npäivittäin 0-24\nsuljettu 2026-07-01..2026-07-31\nsuljettu 24.12.2026",
        holidays_closed=False,
    )
    assert (
        hours_parse.parse(hours_words.edit_text(opening, locale), holidays_closed=False) == opening
    )
    assert hours_parse.from_json(hours.to_json(opening)) == opening


def test_open_data_may_give_days_instead_of_a_rule() -> None:
    """A registry's "days" form reads as the same weekly rule."""
    given = {
        "slots": [{"days": ["mo", "tu", "we", "th", "fr"], "opens": "10:00", "closes": "14:00"}]
    }
    assert hours_parse.from_json(given) == hours_parse.parse("ma-pe 10-14")


@pytest.mark.parametrize(
    "bad",
    [
        {"slots": "ma-pe"},
        {"slots": [{"rule": "FREQ=DAILY", "opens": "10:00"}]},
        {"slots": [{"rule": "FREQ=SECONDLY", "opens": "10:00", "closes": "11:00"}]},
        {"holidays_closed": "yes"},
        {"closed": [["2026-07-01"]]},
        ["not", "a", "mapping"],
    ],
)
def test_bad_open_data_hours_are_refused(bad: object) -> None:
    """Malformed hours in a file are refused, not guessed."""
    with pytest.raises(InvalidHours):
        hours_parse.from_json(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("locale", "lines"),
    [
        (
            "fi",
            [
                "ma–pe 10.00–14.00",
                "kuukauden ensimmäinen tiistai 18.00–20.00",
                "Suljettu arkipyhinä",
            ],
        ),
        (
            "sv",
            ["mån–fre 10.00–14.00", "första tisdag i månaden 18.00–20.00", "Stängt på helgdagar"],
        ),
        (
            "en",
            [
                "Mon–Fri 10:00–14:00",
                "the first Tuesday of the month 18:00–20:00",
                "Closed on public holidays",
            ],
        ),
    ],
)
def test_hours_in_words(locale: str, lines: list[str]) -> None:
    """Visitors read the hours in their language."""
    opening = hours_parse.parse("ma-pe 10-14\nFREQ=MONTHLY;BYDAY=1TU 18-20")
    assert hours_words.describe(opening, locale) == lines


@pytest.mark.parametrize(
    ("text", "now", "said"),
    [
        ("ma-pe 10-14", "2026-01-14 11:00", "Auki nyt, tänään klo 14.00 asti"),
        ("ma-pe 10-14", "2026-01-14 15:00", "Nyt kiinni. Aukeaa huomenna klo 10.00"),
        ("ma-pe 10-14", "2026-01-16 15:00", "Nyt kiinni. Aukeaa ma 19.1.2026 klo 10.00"),
        ("24/7", "2026-01-16 15:00", "Auki ympäri vuorokauden"),
        ("", "2026-01-16 15:00", ""),
    ],
)
def test_status_at_a_glance(text: str, now: str, said: str) -> None:
    """The list says whether a service is open, until when, or when it opens."""
    opening = hours_parse.parse(text, holidays_closed=False)
    assert hours_words.status_text(hours.status(opening, local(now)), local(now), "fi") == said


def test_upcoming_windows_for_a_referral_card() -> None:
    """A card carries the next week's windows, the running one first."""
    opening = hours_parse.parse("ma-pe 10-14")
    found = hours.upcoming(opening, local("2026-01-14 11:00"))
    assert [b.astimezone(HELSINKI).strftime("%a %H") for b, _ in found] == [
        "Wed 10", "Thu 10", "Fri 10", "Mon 10", "Tue 10", "Wed 10",
    ]  # fmt: skip


def test_empty_hours_are_never_open() -> None:
    """A service without hours is not "open now" (it has "ask for times" instead)."""
    assert hours.status(Hours(), local("2026-01-14 11:00")).open is False
