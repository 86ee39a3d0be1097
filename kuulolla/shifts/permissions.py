"""Who may do what with shifts (accounts/permissions.py draws the model)."""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, STAFF_ROLES, define

TAKE_SHIFTS = define(
    "take_shifts",
    scope="organisation",
    roles=STAFF_ROLES,
    description="see the organisation's open shifts, sign up, cancel, swap, check in and out, "
    "leave a debrief",
)
MANAGE_SHIFTS = define(
    "manage_shifts",
    scope="organisation",
    roles=COORDINATORS,
    description="plan shift templates, assign people, post calls, read debriefs, export hours, "
    "set the organisation's shift rules",
)
