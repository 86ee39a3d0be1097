"""Pure rules of moderator actions: room settings, restrictions, slow mode, reports.

No I/O; time is passed in. The service (moderation/service.py) stores what these
functions decide, and the chat endpoint applies them to frames.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from kuulolla.core.errors import BadRequest, Forbidden
from kuulolla.core.i18n import N_
from kuulolla.moderation.flood import FloodPolicy
from kuulolla.moderation.links import LinkMode, LinkPolicy
from kuulolla.moderation.logic import Policy
from kuulolla.moderation.wordlists import EMPTY, WordList

RestrictionKind = Literal["mute", "remove", "ban"]
RESTRICTIONS: tuple[RestrictionKind, ...] = ("mute", "remove", "ban")
# Which restriction wins when several apply: a ban keeps someone out of every room.
SEVERITY: dict[str, int] = {"mute": 1, "remove": 2, "ban": 3}
LINK_MODES: tuple[LinkMode, ...] = ("allow", "hold", "block")
REPORT_REASONS: dict[str, str] = {
    "abuse": N_("Abusive or hurtful"),
    "personal_data": N_("Reveals someone's personal data"),
    "spam": N_("Spam or advertising"),
    "worry": N_("I am worried about the writer"),
    "other": N_("Something else"),
}
RESOLUTIONS = ("action", "dismissed")
# Why a moderator acted, offered as choices beside free text; the audit log shows the
# label in the reader's language.
REASON_PRESETS: dict[str, str] = {
    "abuse": N_("Abusive or hurtful language"),
    "harassment": N_("Harassing another person"),
    "personal_data": N_("Personal data"),
    "spam": N_("Spam or advertising"),
    "disruption": N_("Disrupting the conversation"),
    "safety": N_("For the writer's own safety"),
    "other": N_("Other reason"),
}
# The durations a moderator picks from (seconds); any other between a minute and a
# year can be typed.
DURATION_PRESETS: tuple[int, ...] = (600, 3600, 86400, 7 * 86400)

MAX_RESTRICTION_SECONDS = 366 * 24 * 3600
MAX_SLOW_MODE = 3600
MAX_PINNED_CHARS = 1000
MAX_REASON_CHARS = 500
MAX_PRIVATE_CHARS = 2000
MAX_ALLOWED_LINKS = 100


@dataclass(frozen=True, slots=True)
class RoomSettings:
    """A room's moderation settings (the defaults when it has no row)."""

    slow_mode: int = 0
    premoderated: bool = False
    locked: bool = False
    pinned: str = ""
    link_mode: LinkMode = "hold"
    allowed_links: tuple[str, ...] = ()


DEFAULT_SETTINGS = RoomSettings()
DEFAULT_FLOOD = FloodPolicy()


@dataclass(frozen=True, slots=True)
class ActiveRestriction:
    kind: RestrictionKind
    expires_at: datetime
    room_id: int | None
    id: int = 0


@dataclass(slots=True)
class RoomPolicyCache:
    """The screening policy of a room, built once from its settings and word list."""

    settings: RoomSettings = DEFAULT_SETTINGS
    policy: Policy = field(default_factory=Policy)


def policy_for(
    settings: RoomSettings,
    *,
    words: WordList = EMPTY,
    flood: FloodPolicy | None = DEFAULT_FLOOD,
    public_numbers: frozenset[str] = frozenset(),
) -> Policy:
    """The screening :class:`Policy` of a room with ``settings`` (``flood`` None: no
    flood rules)."""
    return Policy(
        words=words,
        links=LinkPolicy(settings.link_mode, frozenset(settings.allowed_links)),
        flood=flood,
        public_numbers=public_numbers,
        premoderate=settings.premoderated,
    )


@dataclass(frozen=True, slots=True)
class StoredRestriction:
    """An active restriction row of an organisation, as the send path keeps them."""

    kind: RestrictionKind
    expires_at: datetime
    room_id: int | None
    author_key: bytes
    ban_key: bytes | None


def applicable(
    rows: Iterable[StoredRestriction],
    *,
    room_id: int,
    author_key: bytes,
    ban_keys: Iterable[bytes] = (),
    now: datetime,
) -> ActiveRestriction | None:
    """The restriction of ``rows`` that applies to a visitor in a room at ``now`` (the
    same rule as ``service.get_restriction``: theirs by token in this room or across
    the organisation, or one made against their network's digest)."""
    keys = frozenset(ban_keys)
    found = [
        ActiveRestriction(row.kind, row.expires_at, row.room_id)
        for row in rows
        if (row.room_id is None or row.room_id == room_id)
        and row.expires_at > now
        and (row.author_key == author_key or (row.ban_key is not None and row.ban_key in keys))
    ]
    return worst(found)


def worst(restrictions: list[ActiveRestriction]) -> ActiveRestriction | None:
    """The restriction that decides: the most severe, then the longest."""
    if not restrictions:
        return None
    return max(restrictions, key=lambda r: (SEVERITY[r.kind], r.expires_at))


def slow_mode_wait(*, seconds: int, last_sent: float | None, now: float) -> int:
    """Whole seconds until a person may write again in slow mode (0: now)."""
    if seconds <= 0 or last_sent is None:
        return 0
    left = last_sent + seconds - now
    return int(left) + (1 if left > int(left) else 0) if left > 0 else 0


# ------------------------------------------------------------------ checks


def check_kind(kind: str) -> RestrictionKind:
    for known in RESTRICTIONS:
        if kind == known:
            return known
    raise BadRequest(N_("Unknown kind of restriction."), code="bad_restriction")


def check_duration(seconds: int) -> int:
    if not 60 <= seconds <= MAX_RESTRICTION_SECONDS:
        raise BadRequest(
            N_("Choose a duration between one minute and one year."), code="bad_duration"
        )
    return seconds


def check_slow_mode(seconds: int) -> int:
    if not 0 <= seconds <= MAX_SLOW_MODE:
        raise BadRequest(
            N_("Slow mode is between 0 and {max} seconds."), code="bad_slow_mode", max=MAX_SLOW_MODE
        )
    return seconds


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()


def check_reason(reason: str | None) -> str:
    reason = _clean(reason or "")
    if len(reason) > MAX_REASON_CHARS:
        raise BadRequest(
            N_("The reason can have at most {max} characters."),
            code="too_long",
            max=MAX_REASON_CHARS,
        )
    return reason


def check_preset(preset: str | None) -> str:
    """A key of :data:`REASON_PRESETS`, or "" for none."""
    if not preset:
        return ""
    if preset not in REASON_PRESETS:
        raise BadRequest(N_("Choose a reason from the list."), code="bad_reason_preset")
    return preset


def check_pinned(text: str) -> str:
    text = _clean(text)
    if len(text) > MAX_PINNED_CHARS:
        raise BadRequest(
            N_("The pinned message can have at most {max} characters."),
            code="too_long",
            max=MAX_PINNED_CHARS,
        )
    return text


def check_private(text: str) -> str:
    text = _clean(text)
    if not text:
        raise BadRequest(N_("The message is empty."), code="empty")
    if len(text) > MAX_PRIVATE_CHARS:
        raise BadRequest(
            N_("The message is too long (at most {max} characters)."),
            code="too_long",
            max=MAX_PRIVATE_CHARS,
        )
    return text


def check_link_mode(mode: str) -> LinkMode:
    for known in LINK_MODES:
        if mode == known:
            return known
    raise BadRequest(N_("Unknown link policy."), code="bad_link_mode")


def check_allowed_links(lines: str) -> tuple[str, ...]:
    """Domains, one a line (or separated by spaces or commas), lowercase, no scheme."""
    out: list[str] = []
    for part in lines.replace(",", " ").split():
        domain = part.strip().lower().removeprefix("https://").removeprefix("http://")
        domain = domain.removeprefix("www.").split("/", 1)[0]
        if not domain or "." not in domain or len(domain) > 200:
            raise BadRequest(
                N_("“{domain}” is not a domain name."), code="bad_domain", domain=part[:50]
            )
        if domain not in out:
            out.append(domain)
    if len(out) > MAX_ALLOWED_LINKS:
        raise BadRequest(N_("Too many allowed domains."), code="too_many_domains")
    return tuple(out)


def check_report_reason(reason: str) -> str:
    if reason not in REPORT_REASONS:
        raise BadRequest(N_("Choose a reason for the report."), code="bad_report_reason")
    return reason


def check_resolution(resolution: str) -> str:
    if resolution not in RESOLUTIONS:
        raise BadRequest(N_("Unknown resolution."), code="bad_resolution")
    return resolution


class Restricted(Forbidden):
    """The visitor is muted, removed or banned."""

    code = "restricted"
    default_message = N_("You cannot write here right now.")


RESTRICTED_MESSAGES: dict[str, str] = {
    "mute": N_("A moderator has muted you in this room until {until}."),
    "remove": N_("A moderator has removed you from this room until {until}."),
    "ban": N_("A moderator has banned you from this organisation's rooms until {until}."),
}


def restricted(restriction: ActiveRestriction, *, until: str) -> Restricted:
    """The error a restricted visitor gets; ``until`` is the end time, formatted."""
    return Restricted(
        RESTRICTED_MESSAGES[restriction.kind], code=f"restricted_{restriction.kind}", until=until
    )


class RoomLocked(Forbidden):
    code = "room_locked"
    default_message = N_("The room is locked: only moderators can write now.")


class SlowMode(Forbidden):
    code = "slow_mode"
    default_message = N_("Slow mode is on: you can write again in {seconds} seconds.")
