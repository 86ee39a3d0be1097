"""Who may choose the sites that embed an organisation's chat."""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, define

MANAGE_EMBEDDING = define(
    "manage_embedding",
    scope="organisation",
    roles=COORDINATORS,
    description="choose the sites allowed to embed the organisation's chat and get the snippets",
)
