"""The iCal feed parses with icalendar and round-trips Helsinki times; feed tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from kuulolla.core.clock import HELSINKI
from kuulolla.shifts.ical import (
    FeedEvent,
    check_feed_token,
    event_uid,
    feed,
    feed_token_hash,
    lookup_hash,
    new_feed_token,
    vtimezone,
)
from kuulolla.shifts.values import wall_to_utc
from tests.shifts.make import hki, utc

NOW = utc(2026, 3, 1, 9)


def ev(n: int, start: datetime, end: datetime, **kw) -> FeedEvent:
    return FeedEvent(
        uid=event_uid(n, "kuulolla.example"),
        start=start,
        end=end,
        summary=f"Nuorten ilta {n}",
        **kw,
    )


EVENTS = [
    ev(1, hki(2026, 3, 22, 18), hki(2026, 3, 22, 21)),  # before the spring change
    ev(2, hki(2026, 3, 29, 18), hki(2026, 3, 29, 21)),  # the day of it
    ev(3, wall_to_utc(date(2026, 3, 28), time(22)), wall_to_utc(date(2026, 3, 29), time(6))),
    ev(4, hki(2026, 10, 25, 18), hki(2026, 10, 25, 21), cancelled=True, sequence=2),
    ev(5, wall_to_utc(date(2026, 10, 24), time(22)), wall_to_utc(date(2026, 10, 25), time(6))),
]


def parsed() -> Calendar:
    return Calendar.from_ical(feed(EVENTS, name="Vuoroni – Kuulolla", now=NOW))


def test_feed_parses_and_round_trips_instants() -> None:
    """Every event parses back to the same instants, as Europe/Helsinki wall times."""
    events = {str(e["UID"]): e for e in parsed().walk("VEVENT")}
    assert len(events) == len(EVENTS)
    for item in EVENTS:
        parsed_event = events[item.uid]
        start, end = parsed_event.decoded("DTSTART"), parsed_event.decoded("DTEND")
        assert (start, end) == (item.start, item.end)
        assert str(start.tzinfo) == "Europe/Helsinki"
        assert parsed_event.get("DTSTART").params["TZID"] == "Europe/Helsinki"
        assert str(parsed_event["SUMMARY"]) == item.summary


def test_feed_keeps_wall_times_and_dst_night_lengths() -> None:
    """18–21 stays 18–21 local across the change; DST nights last 7 and 9 hours."""
    events = {str(e["UID"]): e for e in parsed().walk("VEVENT")}

    def wall(n: int) -> tuple[datetime, datetime]:
        e = events[event_uid(n, "kuulolla.example")]
        return e.decoded("DTSTART"), e.decoded("DTEND")

    for n in (1, 2, 4):
        start, end = wall(n)
        assert (start.time(), end.time()) == (time(18), time(21))
    assert wall(1)[0].utcoffset() == timedelta(hours=2)
    assert wall(2)[0].utcoffset() == timedelta(hours=3)
    # same-zone subtraction in Python is wall-clock arithmetic: compare in UTC
    assert wall(3)[1].astimezone(UTC) - wall(3)[0].astimezone(UTC) == timedelta(hours=7)
    assert wall(5)[1].astimezone(UTC) - wall(5)[0].astimezone(UTC) == timedelta(hours=9)
    assert (wall(3)[1].time(), wall(5)[1].time()) == (time(6), time(6))


def test_feed_text_uses_tzid_and_status() -> None:
    """The text has TZID=Europe/Helsinki wall times, statuses, a sequence and the calendar's name."""
    text = feed(EVENTS, name="Vuoroni", now=NOW).decode()
    assert "DTSTART;TZID=Europe/Helsinki:20260329T180000\r\n" in text
    assert "DTEND;TZID=Europe/Helsinki:20260329T060000\r\n" in text
    assert text.count("STATUS:CONFIRMED") == 4
    assert text.count("STATUS:CANCELLED") == 1
    assert "SEQUENCE:2\r\n" in text
    assert "X-WR-CALNAME:Vuoroni\r\n" in text
    assert "DTSTAMP:20260301T090000Z\r\n" in text
    assert "UID:shift-assignment-4@kuulolla.example\r\n" in text


def test_feed_is_stable() -> None:
    """The same input gives byte-identical output, whatever the order of events."""
    assert feed(EVENTS, name="x", now=NOW) == feed(list(reversed(EVENTS)), name="x", now=NOW)


def test_empty_feed_is_a_valid_calendar() -> None:
    """With no shifts the feed is still a calendar with its time zone."""
    cal = Calendar.from_ical(feed([], name="Vuoroni", now=NOW))
    assert list(cal.walk("VEVENT")) == []
    assert len(list(cal.walk("VTIMEZONE"))) == 1


def test_vtimezone_observances_start_at_local_time_before_change() -> None:
    """Per RFC 5545 the spring observance starts at 03:00 (old offset), the autumn one at 04:00."""
    tz = vtimezone(HELSINKI, utc(2026, 3, 1), utc(2026, 11, 1))
    parts = [
        (p.name, p.decoded("DTSTART"), p.decoded("TZOFFSETFROM"), p.decoded("TZOFFSETTO"))
        for p in tz.subcomponents
    ]
    assert parts[1:] == [
        ("DAYLIGHT", datetime(2026, 3, 29, 3), timedelta(hours=2), timedelta(hours=3)),
        ("STANDARD", datetime(2026, 10, 25, 4), timedelta(hours=3), timedelta(hours=2)),
    ]
    assert parts[0][0] == "STANDARD" and parts[0][2] == parts[0][3] == timedelta(hours=2)


def test_vtimezone_agrees_with_zoneinfo_every_hour() -> None:
    """icalendar's reading of our VTIMEZONE gives zoneinfo's offset for every hour of two years."""
    component = next(iter(parsed().walk("VTIMEZONE")))
    tz = vtimezone(HELSINKI, utc(2026, 1, 1), utc(2027, 12, 31))
    zone_from_feed = tz.to_tz()
    moment = datetime(2026, 1, 2, tzinfo=UTC)
    while moment < datetime(2027, 12, 30, tzinfo=UTC):
        assert (
            moment.astimezone(zone_from_feed).utcoffset() == moment.astimezone(HELSINKI).utcoffset()
        ), moment
        moment += timedelta(hours=1)
    assert component.get("TZID") == "Europe/Helsinki"


# ------------------------------------------------------------------ tokens


def test_new_token_is_256_bits_and_only_its_hash_is_kept() -> None:
    """A token is 43 URL-safe characters; the stored value is its SHA-256, not the token."""
    token, stored = new_feed_token()
    assert len(token) == 43 and lookup_hash(token) == stored
    assert stored == feed_token_hash(token) and token not in stored and len(stored) == 64
    assert new_feed_token()[0] != token


def test_check_feed_token() -> None:
    """Only the right token matches its hash."""
    token, stored = new_feed_token()
    other, _ = new_feed_token()
    assert check_feed_token(token, stored)
    assert not check_feed_token(other, stored)


@pytest.mark.parametrize(
    "text", ["", "x" * 42, "x" * 44, "a" * 42 + "!", "../../etc/passwd", "ä" * 43]
)
def test_lookup_hash_refuses_what_cannot_be_a_token(text: str) -> None:
    """Text that cannot be a token never becomes a lookup."""
    assert lookup_hash(text) is None
    assert not check_feed_token(text, feed_token_hash("x" * 43))
