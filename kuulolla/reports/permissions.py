"""Who may read reports: an organisation's coordinators its own; admins all."""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, define

VIEW_REPORTS = define(
    "view_reports",
    scope="organisation",
    roles=COORDINATORS,
    description="read the organisation's statistics and download them",
)
VIEW_ALL_REPORTS = define(
    "view_all_reports",
    scope="platform",
    description="read statistics across every organisation",
)
