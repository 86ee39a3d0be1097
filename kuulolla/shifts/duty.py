"""On duty: check-in and -out, when a room is open, and a queue topic's capacity.

- A person checks in from ``check_in_early`` before their shift's start until its end,
  and checks out any time after checking in. A check-out more than
  ``check_out_grace`` after the end is recorded at the end, and
  :func:`due_check_outs` finds the forgotten ones for the service to close.
- A group room is open iff ``now`` is inside its schedule (the union of its shifts;
  shifts that touch or overlap make one window) *and* at least one host is on duty
  who holds their shift's qualification (and the room's) today. It stays open until
  the last such host's shift ends (or a signed-up host's who takes over), at most to
  the end of the window: that is what "open until" says. Otherwise visitors see the
  next window that has a host signed up, or failing that the next planned one.
- ``closing_notice`` (10 minutes) before an open room's window ends, its visitors are
  told once: :func:`closing_announcement_due`.
- A queue topic takes as many parallel chats as the helpers on duty allow together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from kuulolla.shifts.refusals import Refusal, refuse
from kuulolla.shifts.values import Assignment, Person, Shift, ShiftSettings, day_start, local_date

# ------------------------------------------------------------------ check-in/out


def check_check_in(
    assignment: Assignment, *, settings: ShiftSettings, now: datetime
) -> Refusal | None:
    """May the holder of ``assignment`` check in now?"""
    shift = assignment.shift
    if shift.cancelled:
        return refuse("shift_cancelled")
    if assignment.checked_in is not None:
        return refuse("already_checked_in")
    opens = shift.start - settings.check_in_early
    if now < opens:
        return refuse("check_in_too_early", opens=opens)
    if now >= shift.end:
        return refuse("shift_ended")
    return None


def check_check_out(assignment: Assignment) -> Refusal | None:
    """May the holder of ``assignment`` check out? (Leaving early is allowed.)"""
    if assignment.checked_in is None:
        return refuse("not_checked_in")
    if assignment.checked_out is not None:
        return refuse("already_checked_out")
    return None


def check_out_time(assignment: Assignment, *, settings: ShiftSettings, now: datetime) -> datetime:
    """The check-out time to record now: ``now``, or the shift's end when ``now`` is
    more than ``check_out_grace`` past it (never before the check-in)."""
    shift = assignment.shift
    at = shift.end if now > shift.end + settings.check_out_grace else now
    if assignment.checked_in is not None:
        at = max(at, assignment.checked_in)
    return at


def due_check_outs(
    assignments: Iterable[Assignment], *, settings: ShiftSettings, now: datetime
) -> list[Assignment]:
    """Checked-in assignments nobody checked out within the grace after the end; the
    service records their check-out at :func:`check_out_time`."""
    return [
        a
        for a in assignments
        if a.checked_in is not None
        and a.checked_out is None
        and now > a.shift.end + settings.check_out_grace
    ]


# ------------------------------------------------------------------ schedule


@dataclass(frozen=True, slots=True)
class Window:
    """A scheduled opening ``[start, end)``."""

    start: datetime
    end: datetime


def windows(shifts: Iterable[Shift]) -> list[Window]:
    """The schedule of a room or topic: its shifts' times, cancelled ones left out,
    overlapping and touching ones merged, in order."""
    out: list[Window] = []
    for shift in sorted((s for s in shifts if not s.cancelled), key=lambda s: s.start):
        if out and shift.start <= out[-1].end:
            if shift.end > out[-1].end:
                out[-1] = Window(out[-1].start, shift.end)
        else:
            out.append(Window(shift.start, shift.end))
    return out


def next_opening(shifts: Iterable[Shift], *, now: datetime) -> datetime | None:
    """The start of the first scheduled window that begins after ``now``."""
    return next((w.start for w in windows(shifts) if w.start > now), None)


# ------------------------------------------------------------------ rooms


@dataclass(frozen=True, slots=True)
class Host:
    """Someone assigned to one of the room's (or topic's) shifts."""

    assignment: Assignment
    person: Person


RoomStatus = Literal["open", "waiting_for_host", "closed"]


@dataclass(frozen=True, slots=True)
class RoomState:
    """``open``; ``waiting_for_host`` (scheduled now, no qualified host checked in);
    or ``closed`` (not scheduled now).

    ``closes_at``: open, when it closes as far as the roster knows: when the last
    qualified host on duty (or signed up to take over before then) is gone, at the
    latest at the end of the scheduled window; waiting, the end of the window.
    ``next_opening``: the start of the next scheduled window that has a qualified host
    signed up; ``next_planned``: the start of the next scheduled window, host or not.
    ``closing_soon``: open and within the notice before ``closes_at``. ``at``: the time
    the state is for (texts say "today" relative to it)."""

    status: RoomStatus
    closes_at: datetime | None = None
    next_opening: datetime | None = None
    closing_soon: bool = False
    next_planned: datetime | None = None
    at: datetime | None = field(default=None, compare=False)

    @property
    def open(self) -> bool:
        return self.status == "open"


def _qualified_until(person: Person, key: str | None, first: date) -> datetime | bool | None:
    """Until when ``person`` holds qualification ``key`` from ``first`` on without a
    break: None for no end, False when they do not hold it on ``first``."""
    if key is None:
        return None
    held = [q for q in person.qualifications if q.key == key and q.valid_on(first)]
    if not held:
        return False
    if any(q.valid_until is None for q in held):
        return None
    last = max(q.valid_until for q in held if q.valid_until is not None)
    return day_start(last + timedelta(days=1))


def _host_until(host: Host, *, required: str | None, now: datetime) -> datetime | None:
    """Until when ``host`` keeps the room open, counting from ``now`` (or from their
    shift's start, if later): the end of their shift, their check-out, the end of the
    qualifications it and the room require; None when they do not qualify at all."""
    assignment = host.assignment
    shift = assignment.shift
    if shift.cancelled:
        return None
    begin = max(now, shift.start)
    until = shift.end
    if assignment.checked_out is not None:
        until = min(until, assignment.checked_out)
    for key in (shift.qualification, required):
        valid = _qualified_until(host.person, key, local_date(begin))
        if valid is False:
            return None
        if isinstance(valid, datetime):
            until = min(until, valid)
    return until if until > begin else None


def qualified_on_duty(host: Host, *, now: datetime, required: str | None = None) -> bool:
    """Checked in now, their shift begun and not over, and holding its qualification
    (and the room's, ``required``) today."""
    shift = host.assignment.shift
    today = local_date(now)
    return (
        not shift.cancelled
        and shift.start <= now
        and host.assignment.on_duty(now)
        and host.person.qualification_status(shift.qualification, today, today) == "valid"
        and host.person.qualification_status(required, today, today) == "valid"
    )


def room_state(
    *,
    shifts: Sequence[Shift],
    hosts: Sequence[Host],
    now: datetime,
    notice: timedelta = timedelta(minutes=10),
    required: str | None = None,
) -> RoomState:
    """Whether a group room is open now, until when, and when it opens next.

    ``shifts``: the room's shifts around ``now`` (at least those overlapping it and the
    coming ones); ``hosts``: people assigned to them (of the coming shifts too, so the
    next opening with a host and a host taking over can be found); ``required``: the
    qualification the room itself requires of its hosts, if any.
    """
    plan = windows(shifts)
    current = next((w for w in plan if w.start <= now < w.end), None)
    future = [w for w in plan if w.start > now]
    planned = future[0].start if future else None
    hosted = next(
        (
            w.start
            for w in future
            if any(
                w.start <= h.assignment.shift.start < w.end
                and _host_until(h, required=required, now=now) is not None
                for h in hosts
            )
        ),
        None,
    )
    if current is None:
        return RoomState("closed", next_opening=hosted, next_planned=planned, at=now)
    on_duty = [h for h in hosts if qualified_on_duty(h, now=now, required=required)]
    if not on_duty:
        return RoomState(
            "waiting_for_host",
            closes_at=current.end,
            next_opening=hosted,
            next_planned=planned,
            at=now,
        )
    until = max(_host_until(h, required=required, now=now) or now for h in on_duty)
    # Hosts signed up for a shift that starts before then take over (touching counts).
    extended = True
    while extended and until < current.end:
        extended = False
        for h in hosts:
            if h.assignment.checked_out is not None or h.assignment.shift.start > until:
                continue
            end = _host_until(h, required=required, now=now)
            if end is not None and end > until:
                until, extended = end, True
    until = min(until, current.end)
    return RoomState("open", closes_at=until, closing_soon=until - now <= notice, at=now)


def closing_announcement_due(state: RoomState, *, announced_for: datetime | None) -> bool:
    """Should visitors be told now that the room closes? Once per window:
    ``announced_for`` is the ``closes_at`` of the last announcement made."""
    return state.closing_soon and state.closes_at != announced_for


# ------------------------------------------------------------------ queues


def queue_capacity(helpers: Iterable[Host], *, now: datetime) -> int:
    """How many chats a queue topic takes at once: the sum of ``max_chats`` of the
    qualified helpers on duty now (each person once)."""
    limits: dict[int, int] = {}
    for helper in helpers:
        if qualified_on_duty(helper, now=now):
            person = helper.person
            limits[person.id] = max(limits.get(person.id, 0), max(0, person.max_chats))
    return sum(limits.values())
