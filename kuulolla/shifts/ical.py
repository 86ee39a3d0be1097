"""A person's shifts as an iCalendar feed (RFC 5545) that calendar programs subscribe to.

The feed is one VCALENDAR with a VEVENT per assignment: UID stable per assignment
(so a moved shift moves in the calendar instead of duplicating), DTSTART/DTEND as
Helsinki wall times with ``TZID=Europe/Helsinki``, SUMMARY the room or topic name,
STATUS CONFIRMED or CANCELLED (a cancelled shift stays in the feed for a while so
people notice), and SEQUENCE when the caller counts changes.

The VTIMEZONE is computed from the same zone data that computed the shifts
(``zoneinfo``), for the span of the feed's events: one observance per DST change,
each starting at the local time *before* the change, in the TZOFFSETFROM offset, as
RFC 5545 §3.6.5 says (03:00 in spring, 04:00 in autumn). icalendar's own generator
writes 04:00 for the spring change too; icalendar reads that back consistently, but
a reader that follows the RFC literally would put the change an hour late.

Feed URLs carry a secret token: 256 random bits, shown once; only its SHA-256 is
stored, so a database leak does not reveal feeds. Revoking is deleting the hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from kuulolla.core.clock import HELSINKI

PRODID = "-//Kuulolla//Shifts//FI"
REFRESH = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One assignment in a feed. ``uid`` from :func:`event_uid`."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    cancelled: bool = False
    description: str | None = None
    url: str | None = None
    sequence: int = 0


def event_uid(assignment_id: int, domain: str) -> str:
    """A globally unique, stable UID for an assignment (RFC 5545 §3.8.4.7)."""
    return f"shift-assignment-{assignment_id}@{domain}"


def feed(events: Sequence[FeedEvent], *, name: str, now: datetime) -> bytes:
    """The iCalendar text of ``events``; ``name`` is the calendar's display name and
    ``now`` the DTSTAMP of every event."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)  # what Google, Apple and Outlook show
    cal.add("x-wr-timezone", "Europe/Helsinki")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    ordered = sorted(events, key=lambda e: (e.start, e.uid))
    if ordered:
        first = min(e.start for e in ordered)
        last = max(e.end for e in ordered)
    else:
        first = last = now
    cal.add_component(vtimezone(HELSINKI, first, last))
    stamp = now.astimezone(UTC)
    for item in ordered:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start.astimezone(HELSINKI))
        event.add("dtend", item.end.astimezone(HELSINKI))
        event.add("summary", item.summary)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        if item.sequence:
            event.add("sequence", item.sequence)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        cal.add_component(event)
    return bytes(cal.to_ical())


# ------------------------------------------------------------------ VTIMEZONE


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> Timezone:
    """A VTIMEZONE for ``zone`` that is right from a day before ``first`` to a day after
    ``last`` (aware instants)."""
    start = (first - timedelta(days=1)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    end = (last + timedelta(days=1)).astimezone(UTC)
    tz = Timezone()
    tz.add("tzid", zone.key)
    initial = start.astimezone(zone)
    tz.add_component(_observance(initial, initial.utcoffset(), initial.replace(tzinfo=None)))
    for moment in _transitions(zone, start, end):
        before = (moment - timedelta(seconds=1)).astimezone(zone).utcoffset()
        after = moment.astimezone(zone)
        onset = (moment + _offset(before)).replace(tzinfo=None)  # wall time before the change
        tz.add_component(_observance(after, before, onset))
    return tz


def _offset(value: timedelta | None) -> timedelta:
    return value if value is not None else timedelta(0)


def _observance(
    after: datetime, offset_from: timedelta | None, onset: datetime
) -> TimezoneStandard | TimezoneDaylight:
    part: TimezoneStandard | TimezoneDaylight = (
        TimezoneDaylight() if after.dst() else TimezoneStandard()
    )
    part.add("dtstart", onset)
    part.add("tzoffsetfrom", _offset(offset_from))
    part.add("tzoffsetto", _offset(after.utcoffset()))
    part.add("tzname", after.tzname() or "")
    return part


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants in ``(start, end]`` (UTC) at which ``zone``'s offset changes, to the second."""
    out = []
    step = timedelta(hours=12)
    here = start
    while here < end:
        there = min(here + step, end)
        if here.astimezone(zone).utcoffset() != there.astimezone(zone).utcoffset():
            low, high = here, there  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            out.append(high)
        here = there
    return out


# ------------------------------------------------------------------ feed tokens

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_feed_token() -> tuple[str, str]:
    """A new feed token (256 random bits, URL-safe) and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, feed_token_hash(token)


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def lookup_hash(text: str) -> str | None:
    """The hash to look a feed up by, or None when ``text`` cannot be a token (so
    garbage in a URL never reaches the database)."""
    return feed_token_hash(text) if _TOKEN.match(text) else None


def check_feed_token(token: str, stored_hash: str) -> bool:
    """Whether ``token`` is the one ``stored_hash`` was made from (constant time)."""
    candidate = lookup_hash(token)
    return candidate is not None and hmac.compare_digest(candidate, stored_hash)
