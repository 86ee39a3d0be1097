"""Who moderates a room now: its organisation's coordinators and admins at any time,
its other staff while checked in on one of its shifts, and the helper of a one-to-one
conversation."""

from __future__ import annotations

from datetime import datetime

from kuulolla.accounts.permissions import Principal, allows
from kuulolla.core.db import Database
from kuulolla.moderation.permissions import MODERATE_ANY_TIME, MODERATE_ON_DUTY
from kuulolla.shifts.rooms import on_duty_in_room


def moderates_any_time(principal: Principal, organisation_id: int) -> bool:
    """Coordinators of the organisation and admins moderate its rooms without a shift."""
    return principal.authenticated and allows(principal, MODERATE_ANY_TIME, organisation_id)


async def is_moderator(
    db: Database,
    principal: Principal,
    *,
    organisation_id: int,
    room_id: int,
    now: datetime,
    private: bool = False,
) -> bool:
    """Whether this person may moderate the room now: at any time (coordinators,
    admins), or while checked in on one of the room's shifts (any staff role of the
    room's organisation). In a one-to-one conversation (``private``) the staff member
    the endpoint let in is its helper and moderates it (crisis alerts included)."""
    if moderates_any_time(principal, organisation_id):
        return True
    if principal.user_id is None or not allows(principal, MODERATE_ON_DUTY, organisation_id):
        return False
    if private:
        return True
    return await on_duty_in_room(db, user_id=principal.user_id, room_id=room_id, now=now)
