"""The duty desk's rules, pure: whose desk shows a room's alerts, and when an
unacknowledged crisis alert escalates. The service (moderation/desk.py) reads the
facts and asks here; time is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Duty:
    """What a person is doing now in one organisation.

    ``any_time``: they moderate every room of it without a shift (coordinators,
    admins). ``rooms``: the group rooms they are checked in on now. ``queue``: they are
    available in its one-to-one queue. ``helping``: the one-to-one conversations
    (rooms) they are the helper of. ``professional``: their role is professional.
    """

    any_time: bool = False
    rooms: frozenset[int] = frozenset()
    queue: bool = False
    helping: frozenset[int] = frozenset()
    professional: bool = False

    @property
    def on_duty(self) -> bool:
        return self.any_time or bool(self.rooms) or self.queue or bool(self.helping)


def serves(duty: Duty, *, room_id: int, private: bool) -> bool:
    """Whether the person's desk shows the room's alerts, reports and held messages:
    coordinators every room; others the group rooms they are checked in on, and the
    one-to-one conversations while they are on duty in the queue (or are the helper)."""
    if duty.any_time:
        return True
    if private:
        return duty.queue or room_id in duty.helping
    return room_id in duty.rooms


def escalated(
    *, created_at: datetime, acked_at: datetime | None, now: datetime, after: timedelta
) -> bool:
    """An alert nobody acknowledged within ``after`` is escalated."""
    return acked_at is None and now - created_at >= after


def sees_escalated(duty: Duty) -> bool:
    """Escalated alerts of every room reach the professionals on duty anywhere in the
    organisation (and coordinators, who see every room anyway)."""
    return duty.any_time or (duty.professional and duty.on_duty)


def shown(duty: Duty, *, room_id: int, private: bool, is_escalated: bool) -> bool:
    """Whether an alert of the room is on the person's desk."""
    return serves(duty, room_id=room_id, private=private) or (is_escalated and sees_escalated(duty))
