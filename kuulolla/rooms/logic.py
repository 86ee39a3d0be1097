"""Pure rules for rooms (slugs and names in general: core/names.py)."""

from __future__ import annotations

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_slug

MAX_HISTORY_LIMIT = 500


# Names of the fixed paths beside room addresses on the coordinators' pages
# (/orgs/<org>/rooms/new); no room may take them.
RESERVED_SLUGS = frozenset({"new"})


def check_room_slug(slug: str) -> str:
    """A room's address: a slug (:func:`check_slug`) that is not a reserved name."""
    slug = check_slug(slug)
    if slug in RESERVED_SLUGS:
        raise BadRequest(N_("That address is reserved; choose another."), code="reserved_slug")
    return slug


def check_history_limit(limit: int) -> int:
    if not 0 <= limit <= MAX_HISTORY_LIMIT:
        raise BadRequest(
            N_("The history limit must be between 0 and {max}."),
            code="invalid_history_limit",
            max=MAX_HISTORY_LIMIT,
        )
    return limit
