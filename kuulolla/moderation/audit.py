"""The moderation audit log as coordinators read it: action labels, the filter form's
rules and pages. Pure: the service (moderation/service.py: ``find_audit``) runs the
query this builds, the route (moderation/routes.py) renders it.

Filters come from the query string: ``room`` (a room id of the organisation),
``action`` (a key of :data:`ACTION_GROUPS`), ``from`` and ``to`` (Helsinki dates,
both inclusive) and ``page`` (1-based). Bad values raise a translated
:class:`BadRequest` whose code names the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from kuulolla.core import times
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_, duration_text, gettext
from kuulolla.moderation.actions import REASON_PRESETS

PER_PAGE = 50
MAX_PAGE = 10_000

# What each recorded action means, for the "what" column.
ACTION_LABELS: dict[str, str] = {
    "redact": N_("Removed a message"),
    "mute": N_("Muted a visitor"),
    "remove": N_("Removed a visitor from the room"),
    "ban": N_("Banned a visitor"),
    "lift": N_("Lifted a visitor's restrictions"),
    "approve": N_("Approved a held message"),
    "reject": N_("Rejected a held message"),
    "alert.ack": N_("Took a crisis alert (on it)"),
    "report.action": N_("Resolved a report: action taken"),
    "report.dismissed": N_("Dismissed a report"),
    "settings.slow_mode": N_("Changed slow mode"),
    "settings.premoderated": N_("Changed pre-moderation"),
    "settings.locked": N_("Locked or unlocked the room"),
    "settings.pinned": N_("Changed the pinned message"),
    "settings.link_mode": N_("Changed the rule for links"),
    "settings.allowed_links": N_("Changed the allowed links"),
    "words.set": N_("Changed the word list"),
    "words.mask": N_("Word list: mask the word"),
    "words.hold": N_("Word list: hold messages with the word"),
    "words.refuse": N_("Word list: refuse messages with the word"),
    "words.remove": N_("Word list: removed the word"),
    "room.created": N_("Created the room"),
    "room.renamed": N_("Changed the room's names or descriptions"),
    "room.history": N_("Changed the history newcomers see"),
    "room.training": N_("Changed the training hosts need"),
    "room.archived": N_("Closed the room for good"),
}

# The filter's choices: key → (label, actions matched exactly or, ending in ".",
# as a prefix).
ACTION_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "redact": (N_("Removed messages"), ("redact",)),
    "mute": (N_("Mutes"), ("mute",)),
    "remove": (N_("Removals from a room"), ("remove",)),
    "ban": (N_("Bans"), ("ban",)),
    "lift": (N_("Lifted restrictions"), ("lift",)),
    "held": (N_("Held messages approved or rejected"), ("approve", "reject")),
    "report": (N_("Reports resolved"), ("report.",)),
    "settings": (N_("Room settings"), ("settings.",)),
    "words": (N_("Word list"), ("words.",)),
    "rooms": (N_("Rooms set up, changed or closed"), ("room.",)),
}


OTHER_ACTION = N_("Other moderation action")


def action_label(action: str) -> str:
    """The msgid describing ``action``; an action this version does not know (a newer
    one, read from a shared database) is "other", never its code."""
    return ACTION_LABELS.get(action, OTHER_ACTION)


# What the "concerning" column says for the values recorded as an entry's target.
TARGET_WORDS = {
    "on": N_("on"),
    "off": N_("off"),
    "allow": N_("links are shown"),
    "hold": N_("links wait for a moderator"),
    "block": N_("links are refused"),
}
_TARGET_PATTERNS = (
    (re.compile(r"message (\d+)"), N_("message {n}")),
    (re.compile(r"held (\d+)"), N_("waiting message {n}")),
    (re.compile(r"(\d+) chars"), N_("{n} characters")),
)


def target_text(action: str, target: str, locale: str) -> str:
    """An entry's target as the reader reads it: a visitor's room name or a word of the
    list as recorded; the recorded words of settings ("on", "hold", "message 12",
    "140 chars") in the reader's language; slow mode in seconds."""
    if action == "settings.slow_mode" and target.isdigit():
        if target == "0":
            return gettext(locale, TARGET_WORDS["off"])
        return gettext(locale, N_("{n} seconds"), n=target)
    if action == "room.history" and target.isdigit():
        if target == "0":
            return gettext(locale, N_("no earlier messages"))
        return gettext(locale, N_("the last {n} messages"), n=target)
    if action.startswith("settings.") and target in TARGET_WORDS:
        return gettext(locale, TARGET_WORDS[target])
    if not action.startswith("words."):
        for pattern, message in _TARGET_PATTERNS:
            found = pattern.fullmatch(target)
            if found:
                return gettext(locale, message, n=found[1])
    return target


# Before durations had a column of their own, a restriction's reason began "<seconds>s".
_OLD_DURATION = re.compile(r"(\d+)s(?:: (.*))?", re.DOTALL)


def duration_of(action: str, seconds: int | None, reason: str) -> int | None:
    """How long a mute, removal or ban was made for (None: not a restriction)."""
    if action not in ("mute", "remove", "ban"):
        return None
    if seconds is not None:
        return seconds
    old = _OLD_DURATION.fullmatch(reason)
    return int(old[1]) if old else None


def duration_words(action: str, seconds: int | None, reason: str, locale: str) -> str:
    """A restriction's length in the reader's words ("1 tunti"); "" for other actions."""
    found = duration_of(action, seconds, reason)
    return duration_text(found, locale) if found is not None else ""


def reason_words(action: str, preset: str, reason: str, locale: str) -> str:
    """Why the moderator acted: the chosen reason in the reader's language, then their
    own words ("Häiriköinti: toistuvia viestejä"); "" when none was given."""
    if action in ("mute", "remove", "ban"):
        old = _OLD_DURATION.fullmatch(reason)
        if old:
            reason = old[2] or ""
    label = gettext(locale, REASON_PRESETS[preset]) if preset in REASON_PRESETS else ""
    if label and reason:
        return f"{label}: {reason}"
    return label or reason


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A page of the audit log to read. ``since``/``until``: UTC instants, ``until``
    exclusive. ``actions``: exact actions and prefixes (ending in ".")."""

    room_id: int | None = None
    action: str = ""
    actions: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    first: date | None = None
    last: date | None = None
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PER_PAGE

    def params(self, **changes: object) -> dict[str, str]:
        """The query string of this filter (with ``changes``), for links to other pages."""
        values: dict[str, object] = {
            "room": self.room_id or "",
            "action": self.action,
            "from": self.first.isoformat() if self.first else "",
            "to": self.last.isoformat() if self.last else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None, 1)}


def _start_of(day: date) -> datetime:
    return times.midnight(day).astimezone(UTC)


def check_query(params: Mapping[str, str], *, rooms: Mapping[int, object]) -> AuditQuery:
    """The filter of a query string, or :class:`BadRequest` (code ``bad_audit_<field>``).
    ``rooms``: the organisation's rooms by id (a room of another one is refused)."""
    room_id: int | None = None
    room = params.get("room", "").strip()
    if room:
        if not room.isdigit() or int(room) not in rooms:
            raise BadRequest(N_("Choose a room from the list."), code="bad_audit_room")
        room_id = int(room)
    action = params.get("action", "").strip()
    actions: tuple[str, ...] = ()
    if action:
        if action not in ACTION_GROUPS:
            raise BadRequest(N_("Choose an action from the list."), code="bad_audit_action")
        actions = ACTION_GROUPS[action][1]
    first = times.parse_day(params.get("from", ""), code="bad_audit_from")
    last = times.parse_day(params.get("to", ""), code="bad_audit_to")
    if first and last and first > last:
        raise BadRequest(N_("The end date cannot be before the start date."), code="bad_audit_to")
    page_text = params.get("page", "").strip() or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadRequest(N_("There is no such page."), code="bad_audit_page")
    return AuditQuery(
        room_id=room_id,
        action=action,
        actions=actions,
        since=_start_of(first) if first else None,
        until=_start_of(last + timedelta(days=1)) if last else None,
        first=first,
        last=last,
        page=int(page_text),
    )
