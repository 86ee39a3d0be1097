"""What visitors are told about a room's opening: the one text for every page.

The front page, the room page and the error a visitor gets on joining a closed room
all say when it is open until or when it opens next. They used to word it three ways
from the same state and disagreed; now each of them asks :func:`availability` for the
room's roster state (shifts/rooms.py, cached per process) and shows
:meth:`Availability.text`. Pure: the state carries the time it was computed for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from kuulolla.core import times
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_, gettext
from kuulolla.shifts.duty import RoomState

Status = Literal["open", "waiting_for_host", "closed", "archived"]

OPEN = N_("Open now.")
OPEN_UNTIL = N_("Open now, until {time}.")
WAITING = N_("Opens as soon as a host arrives (scheduled until {time}).")
WAITING_ANY_TIME = N_("The room opens as soon as a host arrives.")
CLOSED_NEXT = N_("Closed now. Opens next {when}.")
CLOSED_PLANNED = N_("Closed now. Next planned opening {when}, once a host signs up for it.")
CLOSED_NO_TIMES = N_("Closed now. No opening times are set.")
ARCHIVED = N_("This room is closed for good.")


@dataclass(frozen=True, slots=True)
class Availability:
    """A room's opening as visitors are told it. ``until``: open, when it closes;
    waiting for a host, the end of the scheduled window. ``next_opening``: the next
    window with a host signed up; ``next_planned``: the next window at all. ``at``:
    the time the state is for."""

    status: Status
    until: datetime | None = None
    next_opening: datetime | None = None
    next_planned: datetime | None = None
    at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status == "open"

    def message(self) -> tuple[str, dict[str, datetime]]:
        """The message id and its times (still to be written in a language)."""
        if self.status == "archived":
            return ARCHIVED, {}
        if self.status == "open":
            return (OPEN_UNTIL, {"time": self.until}) if self.until else (OPEN, {})
        if self.status == "waiting_for_host":
            return (WAITING, {"time": self.until}) if self.until else (WAITING_ANY_TIME, {})
        if self.next_opening is not None:
            return CLOSED_NEXT, {"when": self.next_opening}
        if self.next_planned is not None:
            return CLOSED_PLANNED, {"when": self.next_planned}
        return CLOSED_NO_TIMES, {}

    def text(self, locale: str) -> str:
        message, moments = self.message()
        return gettext(
            locale,
            message,
            **{k: times.moment_text(v, locale, now=self.at) for k, v in moments.items()},
        )


ALWAYS_OPEN = Availability("open")
# An open room's end further away than this is not told (a round-the-clock roster).
FAR = timedelta(hours=24)


def availability(state: RoomState | None, *, archived: bool = False) -> Availability:
    """What to tell visitors about a room with roster ``state`` (None: the room has no
    roster and is open whenever the service is)."""
    if archived:
        return Availability("archived")
    if state is None:
        return ALWAYS_OPEN
    if state.open:
        until = state.closes_at
        if until is not None and state.at is not None and until - state.at > FAR:
            until = None  # "open until Tuesday in February" helps nobody: open, round the clock
        return Availability("open", until=until, at=state.at)
    return Availability(
        state.status,
        until=state.closes_at if state.status == "waiting_for_host" else None,
        next_opening=state.next_opening,
        next_planned=state.next_planned,
        at=state.at,
    )


class RoomNotOpen(AppError):
    """A visitor tried to join or write in a room its roster keeps closed now. The
    message is the room's opening as every page tells it (shifts/availability.py)."""

    code = "room_not_open"
    status = 409
    default_message = N_("The room is closed now.")

    def __init__(self, state: RoomState) -> None:
        super().__init__()
        self.state = state
        self.availability = availability(state)

    def translated(self, locale: str) -> str:
        return self.availability.text(locale)
