"""Checks of the names and addresses every domain gives its things: slugs in URLs
(organisations, rooms, queue topics) and display names."""

from __future__ import annotations

import re

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def check_slug(slug: str) -> str:
    """A slug is 1–64 lowercase letters a–z, digits and inner hyphens (it appears in URLs)."""
    if not _SLUG.match(slug):
        raise BadRequest(
            N_("Use 1–64 lowercase letters a–z, digits and hyphens, not at either end."),
            code="invalid_slug",
        )
    return slug


def check_name(name: str, *, max_chars: int = 120) -> str:
    """A name with its runs of white space made one space: 1 to ``max_chars`` characters."""
    name = " ".join(name.split())
    if not name or len(name) > max_chars:
        raise BadRequest(
            N_("A name must have 1–{max} characters."), code="invalid_name", max=max_chars
        )
    return name
