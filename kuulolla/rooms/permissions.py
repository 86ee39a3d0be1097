"""Who may set up an organisation's rooms (accounts/permissions.py draws the model)."""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, define

MANAGE_ROOMS = define(
    "manage_rooms",
    scope="organisation",
    roles=COORDINATORS,
    description="create the organisation's group rooms, change their names, history, "
    "screening, link policy, required training and schedule, and close them for good",
)
