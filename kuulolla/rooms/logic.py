"""Pure rules for rooms and organisations."""

from __future__ import annotations

import re

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_HISTORY_LIMIT = 500


def check_slug(slug: str) -> str:
    """A slug is 1–64 lowercase letters a–z, digits and inner hyphens (it appears in URLs)."""
    if not _SLUG.match(slug):
        raise BadRequest(
            N_("Use 1–64 lowercase letters a–z, digits and hyphens, not at either end."),
            code="invalid_slug",
        )
    return slug


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


def check_name(name: str, *, max_chars: int = 120) -> str:
    name = " ".join(name.split())
    if not name or len(name) > max_chars:
        raise BadRequest(
            N_("A name must have 1–{max} characters."), code="invalid_name", max=max_chars
        )
    return name
