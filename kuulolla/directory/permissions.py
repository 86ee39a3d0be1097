"""Who may change the directory. Visitors read it without an account."""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, define

MANAGE_DIRECTORY = define(
    "manage_directory",
    scope="organisation",
    roles=COORDINATORS,
    description="publish, edit, check and import the organisation's services in the directory",
)
CURATE_DIRECTORY = define(
    "curate_directory",
    scope="platform",
    description="curate the directory's shared topics and choose the licence of its open data",
)
