"""Retention in plain words, for the pages visitors read."""

from __future__ import annotations

from kuulolla.core import i18n
from kuulolla.core.i18n import N_


def period(locale: str, days: int) -> str:
    """ "30 days", "1 year" and so on, in the page's language."""
    if days % 365 == 0:
        return i18n.ngettext(locale, "{n} year", "{n} years", days // 365)
    if days % 30 == 0 and days >= 60:
        return i18n.ngettext(locale, "{n} month", "{n} months", days // 30)
    if days % 7 == 0 and days >= 14:
        return i18n.ngettext(locale, "{n} week", "{n} weeks", days // 7)
    return i18n.ngettext(locale, "{n} day", "{n} days", days)


ROOM_NOTE = N_(
    "Messages in this room are kept for {period} and then deleted for good. "
    "Your IP address is not stored. Do not write your name, address or other details "
    "that could identify you."
)
QUESTION_NOTE = N_(
    "If your question is not published, it is deleted for good with its answer {period} "
    "after it was last handled. Your IP address is not stored. With your claim code you "
    "can delete your question yourself at any time."
)
PRIVACY_LINK = N_("How we handle data (privacy notice)")


def room_note(locale: str, days: int) -> str:
    return i18n.gettext(locale, ROOM_NOTE, period=period(locale, days))


def question_note(locale: str, days: int) -> str:
    return i18n.gettext(locale, QUESTION_NOTE, period=period(locale, days))


def privacy_link(locale: str) -> str:
    return i18n.gettext(locale, PRIVACY_LINK)
