"""The server frames moderation sends, in the reader's language: a room's moderation
state, a held message for the moderators, a restriction for its target, crisis help
for a writer, and the notes of a screening."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kuulolla.accounts import logic as accounts_logic
from kuulolla.chat.moderation_protocol import (
    CrisisHelp,
    CrisisNumber,
    ModerationState,
    Pending,
    RestrictedFrame,
)
from kuulolla.core.i18n import N_, datetime_text, gettext
from kuulolla.moderation import actions, crisis_help
from kuulolla.moderation.holds import Held
from kuulolla.moderation.logic import LINK_HELD, Note
from kuulolla.moderation.policies import RoomEntry

LIFTED = N_("A moderator lifted your restriction: you can write again.")

# In a one-to-one conversation a held message waits for the helper, and nobody else
# would see it: the notes about a hold say so.
PRIVATE_NOTES = {
    LINK_HELD: N_("Your message has a link, so your helper checks it before it is shown."),
    N_("Your message waits for a moderator to read it before others see it."): N_(
        "Your message waits for your helper to read it before it is shown."
    ),
}


def note_text(note: Note, locale: str, *, private: bool = False) -> str:
    """A screening note in ``locale``, in the words of a one-to-one conversation when
    ``private``."""
    msgid = PRIVATE_NOTES.get(note.msgid, note.msgid) if private else note.msgid
    return gettext(locale, msgid, **note.params)


def format_time(ts: datetime, locale: str) -> str:
    """A restriction's end as the visitor reads it: Helsinki date and time in the
    reader's language (core.i18n.datetime_text)."""
    return datetime_text(ts, locale)


def room_state(slug: str, entry: RoomEntry, *, moderator: bool | None = None) -> ModerationState:
    s = entry.settings
    return ModerationState(
        room=slug,
        locked=s.locked,
        slow_mode=s.slow_mode,
        premoderated=s.premoderated,
        pinned=s.pinned,
        moderator=moderator,
    )


def pending_frame(slug: str, held: Held, *, author: str | None) -> Pending:
    """A held message on the moderators' screens; ``author`` is the writer's pseudonym."""
    return Pending(
        room=slug,
        id=held.id,
        nick=held.nick,
        text=held.text,
        reasons=list(held.reasons),
        author=author,
        crisis=held.crisis or None,
    )


def restricted_frame(
    slug: str, restriction: actions.ActiveRestriction | None, locale: str
) -> RestrictedFrame:
    if restriction is None:
        return RestrictedFrame(room=slug, kind="lift", message=gettext(locale, LIFTED))
    until = format_time(restriction.expires_at, locale)
    return RestrictedFrame(
        room=slug,
        kind=restriction.kind,
        message=gettext(locale, actions.RESTRICTED_MESSAGES[restriction.kind], until=until),
        until=restriction.expires_at.isoformat(),
        id=restriction.id or None,
    )


def crisis_help_frame(
    slug: str,
    entry: RoomEntry,
    locale: str,
    *,
    told: bool = False,
    categories: Iterable[str] = (),
) -> CrisisHelp:
    """Help for the writer of a message with a crisis signal of ``categories``:
    the numbers in the order of :func:`crisis_help.help_numbers`, and the note."""
    categories = list(categories)
    note = crisis_help.note_for(categories)
    return CrisisHelp(
        room=slug,
        told=told,
        categories=categories,
        note=gettext(locale, note) if note else "",
        numbers=[
            CrisisNumber(
                number=str(row.get("number", "")),
                name=accounts_logic.localised(row.get("name", {}), locale),
                description=accounts_logic.localised(row.get("description", {}), locale),
            )
            for row in crisis_help.help_numbers(entry.crisis, categories)
        ],
    )
