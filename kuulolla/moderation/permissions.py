"""Who may moderate, and who reads and changes an organisation's moderation records.

Moderating a room (removing messages, restricting visitors, approving held
messages, changing the room's settings) is allowed to a staff member of the room's
organisation who is on duty in that room: checked in on one of its shifts now
(shifts/rooms.py: :func:`~kuulolla.shifts.rooms.on_duty_in_room`). Coordinators
and admins moderate the organisation's rooms at any time.
"""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, STAFF_ROLES, define

MODERATE_ON_DUTY = define(
    "moderate_rooms",
    scope="organisation",
    roles=STAFF_ROLES,
    description="moderate a room of the organisation while checked in on its shift",
)
MODERATE_ANY_TIME = define(
    "moderate_any_time",
    scope="organisation",
    roles=COORDINATORS,
    description="moderate the organisation's rooms at any time, without a shift",
)
VIEW_MODERATION_AUDIT = define(
    "view_moderation_audit",
    scope="organisation",
    roles=COORDINATORS,
    description="read the organisation's moderation audit log",
)
MANAGE_WORD_LISTS = define(
    "manage_word_lists",
    scope="organisation",
    roles=COORDINATORS,
    description="change the organisation's word list (masked, held and refused words)",
)
USE_DESK = define(
    "use_desk",
    scope="organisation",
    roles=STAFF_ROLES,
    description=(
        "see the duty desk: the alerts, reports and held messages of the rooms and"
        " conversations one serves on duty, and take crisis alerts"
    ),
)
