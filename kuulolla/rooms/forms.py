"""Pure checks of the coordinators' room form: names and descriptions in fi/sv/en, the
history newcomers see, screening (pre-moderation, slow mode), the link policy with its
allow-list and the training hosts must hold.

The form is checked as a whole and every field's problem is reported at once
(:class:`InvalidForm`, errors by field name), so the page shows each next to its
field and nothing is stored. Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.forms import InvalidForm
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.moderation import actions
from kuulolla.rooms import logic

LOCALES = ("fi", "sv", "en")
MAX_DESCRIPTION_CHARS = 1000
LINK_MODES = actions.LINK_MODES
# The history choices offered (any whole number up to the limit is accepted).
HISTORY_CHOICES = (0, 10, 30, 50, 100)


@dataclass(frozen=True, slots=True)
class RoomFields:
    """A checked room form, ready to store. ``qualification_id`` None: no training
    required beyond what each shift asks."""

    names: dict[str, str]
    descriptions: dict[str, str]
    history_limit: int
    premoderated: bool
    slow_mode: int
    link_mode: str
    allowed_links: tuple[str, ...]
    qualification_id: int | None
    slug: str = ""


def suggest_slug(name: str) -> str:
    """An address for a room called ``name``: "Nuorten ilta" → "nuorten-ilta"
    ("ä", "ö" and "å" lose their dots, other letters their accents)."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug[:64].rstrip("-")


def _whole(value: str, *, low: int, high: int, code: str, message: str) -> int:
    text = value.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadRequest(message, code=code, low=low, high=high)
    return int(text)


def check_room_form(
    form: Mapping[str, str], *, qualifications: Collection[int], new: bool
) -> RoomFields:
    """Check every field of the room form (``new``: the address too); raises
    :class:`InvalidForm` with all problems. ``qualifications``: the ids of the
    organisation's trainings (any other is refused)."""
    errors: dict[str, AppError] = {}
    names: dict[str, str] = {}
    for loc in LOCALES:
        value = form.get(f"name_{loc}", "")
        if not value.strip():
            if loc == "fi":
                errors["name_fi"] = BadRequest(
                    N_("A room needs a Finnish name."), code="invalid_name"
                )
            continue
        try:
            names[loc] = check_name(value)
        except AppError as exc:
            errors[f"name_{loc}"] = exc
    descriptions: dict[str, str] = {}
    for loc in LOCALES:
        text = form.get(f"description_{loc}", "").strip()
        if len(text) > MAX_DESCRIPTION_CHARS:
            errors[f"description_{loc}"] = BadRequest(
                N_("Write at most {max} characters."), code="too_long", max=MAX_DESCRIPTION_CHARS
            )
        elif text:
            descriptions[loc] = text
    slug = ""
    if new:
        given = form.get("slug", "").strip() or suggest_slug(form.get("name_fi", ""))
        try:
            slug = logic.check_room_slug(given)
        except AppError as exc:
            errors["slug"] = exc
    history = 0
    try:
        history = _whole(
            form.get("history_limit", ""),
            low=0,
            high=logic.MAX_HISTORY_LIMIT,
            code="invalid_history_limit",
            message=N_("Give a whole number from {low} to {high}."),
        )
    except AppError as exc:
        errors["history_limit"] = exc
    slow_mode = 0
    try:
        slow_mode = _whole(
            form.get("slow_mode", "0") or "0",
            low=0,
            high=actions.MAX_SLOW_MODE,
            code="invalid_slow_mode",
            message=N_("Give a whole number of seconds from {low} to {high}."),
        )
    except AppError as exc:
        errors["slow_mode"] = exc
    link_mode = form.get("link_mode", "")
    if link_mode not in LINK_MODES:
        errors["link_mode"] = BadRequest(
            N_("Choose what happens to links."), code="invalid_link_mode"
        )
    allowed: tuple[str, ...] = ()
    try:
        allowed = tuple(actions.check_allowed_links(form.get("allowed_links", "")))
    except AppError as exc:
        errors["allowed_links"] = exc
    qualification: int | None = None
    chosen = form.get("qualification_id", "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) not in qualifications:
            errors["qualification_id"] = BadRequest(
                N_("Choose one of the organisation's trainings."), code="invalid_qualification"
            )
        else:
            qualification = int(chosen)
    if errors:
        raise InvalidForm(errors)
    return RoomFields(
        names=names,
        descriptions=descriptions,
        history_limit=history,
        premoderated=form.get("premoderated") == "1",
        slow_mode=slow_mode,
        link_mode=link_mode,
        allowed_links=allowed,
        qualification_id=qualification,
        slug=slug,
    )
