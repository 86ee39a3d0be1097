"""Pure rules of the one-to-one queue: order, position, wait estimate, opening hours,
soft close, capacity, fairness and disconnect grace.

Nothing here does I/O; time is always the ``now`` parameter. The services
(queue/service.py, queue/waiting.py, queue/console.py and their neighbours) read the
state, call these rules and apply what they decide.
"""

from __future__ import annotations

import heapq
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest, Conflict
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_slug


class State(StrEnum):
    WAITING = "waiting"  # in the queue
    ACTIVE = "active"  # in a conversation with a helper
    ENDED = "ended"  # the conversation ended
    LEFT = "left"  # the visitor left the queue (or dropped past the grace period)


# Priority: a conversation whose helper dropped, or that was transferred to a topic,
# goes before everyone who is merely waiting (the visitor has waited once already).
PRIORITY_RETURNED = 0
PRIORITY_NORMAL = 1

# Fixed paths beside topic slugs: /chat/<name> (queue/routes.py) and the coordinator's
# /orgs/<org>/queue/topics/new (queue/routes_manage.py), which would hide the edit page
# of a topic called "new". No topic may take one; migration 0011 renamed any that had.
# tests/queue/test_slugs.py checks the list against the application's routes.
RESERVED_SLUGS = frozenset({"status", "leave", "feedback", "return-code", "delete", "enter", "new"})

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUESTIONS = ("age_group", "subject", "first_time")
AGE_GROUPS = ("under_13", "13_17", "18_29", "30_64", "65_plus")
MAX_SUBJECT_CHARS = 200
MAX_NOTE_CHARS = 2000
MAX_FEEDBACK_CHARS = 2000
MAX_REASON_CHARS = 300


# ------------------------------------------------------------------ order and position


@dataclass(frozen=True, slots=True)
class Entry:
    """A waiting visitor as the rules see it."""

    id: int
    queued_at: datetime
    priority: int = PRIORITY_NORMAL


def order_key(entry: Entry) -> tuple[int, datetime, int]:
    return (entry.priority, entry.queued_at, entry.id)


def queue_order(entries: Iterable[Entry]) -> list[Entry]:
    """First come, first served within a topic; returned conversations first."""
    return sorted(entries, key=order_key)


def position(entries: Iterable[Entry], entry_id: int) -> int | None:
    """1-based place of ``entry_id`` in the queue, or None when it is not waiting."""
    for index, entry in enumerate(queue_order(entries), start=1):
        if entry.id == entry_id:
            return index
    return None


class ReasonRequired(BadRequest):
    code = "reason_required"
    default_message = N_("Taking someone out of turn needs a reason. Write it in the reason field.")


def check_take(entries: Iterable[Entry], entry_id: int, reason: str | None) -> str | None:
    """Whether a helper may take ``entry_id`` now. Taking the first in line needs no
    reason; anyone else only with one (it is recorded). Returns the cleaned reason."""
    ordered = queue_order(entries)
    if not ordered or all(e.id != entry_id for e in ordered):
        raise Conflict(N_("This visitor is no longer waiting."), code="not_waiting")
    cleaned = " ".join((reason or "").split())[:MAX_REASON_CHARS]
    if ordered[0].id == entry_id:
        return cleaned or None
    if not cleaned:
        raise ReasonRequired()
    return cleaned


# ------------------------------------------------------------------ capacity


@dataclass(frozen=True, slots=True)
class Helper:
    """A helper as capacity sees them: on duty (available), their limit and load."""

    user_id: int
    available: bool
    max_chats: int
    active: int = 0


def capacity(helpers: Iterable[Helper]) -> int:
    """How many conversations the topic's helpers on duty hold at once."""
    return sum(max(0, h.max_chats) for h in helpers if h.available)


def free_slots(helpers: Iterable[Helper]) -> int:
    return sum(max(0, h.max_chats - h.active) for h in helpers if h.available)


class LimitReached(Conflict):
    code = "chat_limit_reached"
    default_message = N_(
        "You already have as many conversations as your limit allows. End one first."
    )


def check_helper_limit(*, active: int, max_chats: int) -> None:
    if active >= max_chats:
        raise LimitReached()


# ------------------------------------------------------------------ wait estimate


@dataclass(frozen=True, slots=True)
class Load:
    """What the estimate needs: the slots on duty, how long the conversations in them
    have lasted so far, and recent handling times (seconds, accept to end)."""

    capacity: int
    active_elapsed: Sequence[float] = ()
    recent_handling: Sequence[float] = ()
    default_handling: float = 15 * 60.0
    # Seconds a helper takes to pick up once a slot is free (clicking "take next").
    pickup: float = 30.0
    # Seconds a free slot and a waiting visitor have met with nobody taken: since the
    # last take, the last end or the first visitor's arrival, whichever came last
    # (see :func:`stalled`). Zero when every slot is busy.
    stalled: float = 0.0


# Past this long with a free slot and nobody taken, a number would promise what nobody
# backs: the helpers on duty are not taking, for whatever reason.
STALL_LIMIT = 10 * 60.0


def stalled(
    *,
    free: int,
    waiting: int,
    last_take: float | None,
    first_end: float | None,
    first_arrival: float | None,
) -> float:
    """Seconds the queue has had a free slot and a waiting visitor with nobody taken,
    or 0 when no slot is free or nobody waits.

    ``last_take``: seconds since the last take; ``first_end``: since the first
    conversation that ended after it (None when none has); ``first_arrival``: since
    the first waiting visitor came. A slot has been free since the first end after
    the last take (or since the take itself when none ended: the take left one free),
    and the stall counts from that or the first arrival, whichever came later. Later
    ends do not restart it: a second slot freeing up is no sign that anyone takes.
    """
    if free <= 0 or waiting <= 0:
        return 0.0
    freed = first_end if first_end is not None else last_take
    spans = [s for s in (freed, first_arrival) if s is not None]
    return max(0.0, min(spans)) if spans else 0.0


def typical_handling(load: Load) -> float:
    """Mean of recent handling times (the last conversations of the topic), else the
    topic's default. A wait is a sum of handling times, whose expectation is the sum
    of means; on the recorded trace the mean's median error is 21 % of the median
    wait, the median's 23 % (scripts/bench/queue)."""
    if load.recent_handling:
        return max(60.0, statistics.mean(load.recent_handling))
    return load.default_handling


def estimate_wait(place: int, load: Load) -> float | None:
    """Expected seconds until the visitor at 1-based ``place`` is taken, or None when
    nobody is on duty or the helpers on duty have left a free slot untaken for longer
    than ``STALL_LIMIT`` (we cannot estimate). See :func:`estimate_waits`."""
    waits = estimate_waits(place, load)
    return waits[-1] if waits else None


def estimate_waits(places: int, load: Load) -> list[float | None]:
    """The estimates of places 1 to ``places`` (each as :func:`estimate_wait`).

    Each slot on duty frees up when its conversation ends: a conversation that has
    lasted ``e`` seconds is expected to need about ``max(h - e, h / 4)`` more, where
    ``h`` is the typical handling time (one that has outlasted the typical still
    ends some time). Free slots are free now. The visitor ahead of each takes the
    next slot to free and holds it for ``h``; the visitor at a place gets the
    place-th slot to free in that sequence, plus the time a helper takes to pick up
    (``pickup``).

    While a free slot stays untaken (``stalled``), nobody is taken sooner than that
    long again from now: the estimate grows with the time nobody takes anyone, and a
    wait that has stalled the longest expected is expected to go on as long.
    """
    if places <= 0:
        return []
    if load.capacity <= 0 or load.stalled > STALL_LIMIT:
        return [None] * places
    h = typical_handling(load)
    busy = sorted(load.active_elapsed)[: load.capacity]
    frees = [max(h - e, h / 4) for e in busy]
    frees += [0.0] * (load.capacity - len(frees))
    heapq.heapify(frees)
    floor = max(load.pickup, load.stalled)
    out: list[float | None] = []
    for _ in range(places):
        at = heapq.heappop(frees)
        # The slot is taken after the pick-up (not before the stall says) and then
        # held for the typical time.
        taken = max(at + load.pickup, floor)
        out.append(taken)
        heapq.heappush(frees, taken + h)
    return out


def wait_minutes(seconds: float | None) -> int | None:
    """The estimate as shown: whole minutes, rounded up to five above a quarter hour
    (a precise-looking figure would promise more than it knows)."""
    if seconds is None:
        return None
    minutes = max(1, round(seconds / 60))
    if minutes > 15:
        minutes = (minutes + 4) // 5 * 5
    return minutes


# ------------------------------------------------------------------ opening hours

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

Hours = Mapping[str, Sequence[Sequence[str]]]


class InvalidHours(BadRequest):
    code = "invalid_hours"
    default_message = N_(
        "Opening hours must be given as weekday, start and end, for example “mon 16:00-21:00”."
    )


def _parse_time(value: str) -> time | None:
    if not _TIME.match(value):
        raise InvalidHours()
    if value == "24:00":
        return None
    hh, mm = value.split(":")
    return time(int(hh), int(mm))


def check_hours(hours: object) -> dict[str, list[list[str]]]:
    """Validate opening hours: ``{"mon": [["16:00", "21:00"], …], …}`` in Helsinki
    wall time; each window ends after it starts, on the same day ("24:00" is midnight)."""
    if not isinstance(hours, Mapping):
        raise InvalidHours()
    clean: dict[str, list[list[str]]] = {}
    for day, windows in hours.items():
        if day not in WEEKDAYS or not isinstance(windows, (list, tuple)):
            raise InvalidHours()
        rows = []
        for window in windows:
            if (
                not isinstance(window, (list, tuple))
                or len(window) != 2
                or not all(isinstance(v, str) for v in window)
            ):
                raise InvalidHours()
            start, end = _parse_time(window[0]), _parse_time(window[1])
            if start is None or (end is not None and end <= start):
                raise InvalidHours()
            rows.append([window[0], window[1]])
        if rows:
            clean[day] = sorted(rows)
    return clean


def parse_hours_text(text: str) -> dict[str, list[list[str]]]:
    """Opening hours from lines like ``mon 16:00-21:00`` (one window a line)."""
    hours: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or "-" not in parts[1]:
            raise InvalidHours()
        start, _, end = parts[1].partition("-")
        hours.setdefault(parts[0].lower(), []).append([start, end])
    return check_hours(hours)


def _windows_on(hours: Hours, day: date) -> list[tuple[datetime, datetime]]:
    out = []
    for start_s, end_s in hours.get(WEEKDAYS[day.weekday()], ()):
        start = _parse_time(start_s)
        end = _parse_time(end_s)
        assert start is not None
        begin = datetime.combine(day, start, HELSINKI)
        finish = (
            datetime.combine(day + timedelta(days=1), time(0), HELSINKI)
            if end is None
            else datetime.combine(day, end, HELSINKI)
        )
        out.append((begin, finish))
    return out


def open_window(hours: Hours, now: datetime) -> tuple[datetime, datetime] | None:
    """The opening window ``now`` is in (Helsinki wall time), or None when closed.
    Adjoining windows (Sunday to 24:00, Monday from 00:00) count as one."""
    local = now.astimezone(HELSINKI)
    for begin, finish in _windows_on(hours, local.date()):
        if begin <= now < finish:
            for _ in range(7):  # merge with windows that start exactly where this ends
                day = finish.astimezone(HELSINKI).date()
                nxt = [w for w in _windows_on(hours, day) if w[0] == finish]
                if not nxt:
                    break
                finish = nxt[0][1]
            return begin, finish
    return None


def next_opening(hours: Hours, now: datetime) -> datetime | None:
    """When the topic opens next (None when it never does)."""
    local = now.astimezone(HELSINKI).date()
    for offset in range(8):
        for begin, _ in sorted(_windows_on(hours, local + timedelta(days=offset))):
            if begin > now:
                return begin
    return None


# ------------------------------------------------------------------ admission


class Admission(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # outside opening hours
    NO_HELPERS = "no_helpers"  # inside opening hours, nobody on duty
    SOFT_CLOSED = "soft_closed"  # the expected wait runs past closing time


@dataclass(frozen=True, slots=True)
class TopicStatus:
    admission: Admission
    waiting: int
    estimate: float | None  # seconds a newcomer would wait (None: cannot estimate)
    closes_at: datetime | None
    opens_at: datetime | None

    @property
    def admits(self) -> bool:
        return self.admission is Admission.OPEN


def topic_status(
    *, hours: Hours, active: bool, waiting: int, load: Load, now: datetime
) -> TopicStatus:
    """Whether a topic takes newcomers now, and what a newcomer would wait.

    Soft close: when the wait of the next newcomer would run past closing time, the
    topic stops admitting (those already waiting keep their place), so nobody is
    left waiting for a chat that cannot happen today.
    """
    window = open_window(hours, now) if active else None
    if window is None:
        return TopicStatus(
            Admission.CLOSED, waiting, None, None, next_opening(hours, now) if active else None
        )
    closes_at = window[1]
    if load.capacity <= 0:
        return TopicStatus(Admission.NO_HELPERS, waiting, None, closes_at, None)
    # With helpers on duty who have not taken anyone for long, the estimate is None
    # (we cannot estimate): newcomers may still queue, and are told so.
    estimate = estimate_wait(waiting + 1, load)
    if estimate is not None and now + timedelta(seconds=estimate) >= closes_at:
        return TopicStatus(
            Admission.SOFT_CLOSED, waiting, estimate, closes_at, next_opening(hours, closes_at)
        )
    return TopicStatus(Admission.OPEN, waiting, estimate, closes_at, None)


# ------------------------------------------------------------------ disconnect grace


class Sweep(StrEnum):
    KEEP = "keep"
    VISITOR_GONE = "visitor_gone"  # waiting: leaves the queue; active: conversation ends
    HELPER_GONE = "helper_gone"  # active: back to the front of the queue


def sweep(
    *,
    state: State,
    visitor_seen: datetime,
    helper_seen: datetime | None,
    grace: timedelta,
    now: datetime,
) -> Sweep:
    """What to do with an entry whose visitor or helper has not been heard from.
    The visitor's presence counts first: with both gone there is nobody to requeue."""
    if state not in (State.WAITING, State.ACTIVE):
        return Sweep.KEEP
    if now - visitor_seen > grace:
        return Sweep.VISITOR_GONE
    if state is State.ACTIVE and helper_seen is not None and now - helper_seen > grace:
        return Sweep.HELPER_GONE
    return Sweep.KEEP


# ------------------------------------------------------------------ input checks


def check_answers(questions: Sequence[str], given: Mapping[str, str]) -> dict[str, str]:
    """Pre-chat answers: only the topic's questions, each optional; unknown values are
    refused rather than stored."""
    out: dict[str, str] = {}
    for key in questions:
        value = " ".join((given.get(key) or "").split())
        if not value:
            continue
        if key == "age_group" and value not in AGE_GROUPS:
            raise BadRequest(N_("Choose an age group from the list."), code="invalid_answer")
        if key == "first_time" and value not in ("yes", "no"):
            raise BadRequest(N_("Answer yes or no, or leave it empty."), code="invalid_answer")
        if key == "subject" and len(value) > MAX_SUBJECT_CHARS:
            raise BadRequest(
                N_("Write at most {max} characters."), code="too_long", max=MAX_SUBJECT_CHARS
            )
        out[key] = value
    return out


def check_text(text: str, *, max_chars: int, required: bool = True) -> str:
    cleaned = text.strip()
    if required and not cleaned:
        raise BadRequest(N_("Write something first."), code="empty")
    if len(cleaned) > max_chars:
        raise BadRequest(N_("Write at most {max} characters."), code="too_long", max=max_chars)
    return cleaned


def check_rating(value: str | None) -> int | None:
    if not value:
        return None
    if value not in ("1", "2", "3", "4", "5"):
        raise BadRequest(N_("Choose a rating from 1 to 5."), code="invalid_rating")
    return int(value)


def check_topic_slug(slug: str) -> str:
    """A topic's slug: a valid slug (core/names.py) that is not a reserved path name."""
    slug = check_slug(slug)
    if slug in RESERVED_SLUGS:
        raise BadRequest(N_("That address is taken. Choose another."), code="slug_taken")
    return slug
