"""The notification round each process runs every ``KUULOLLA_NOTIFY_INTERVAL``
seconds: escalate the crisis alerts nobody took in time (moderation/desk.py), queue
an e-mail about each for the people it escalates to who chose e-mail, and send what
is due. The e-mail names the room and the kind of crisis, never what anyone wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kuulolla.core.db import Database
from kuulolla.core.i18n import N_, gettext, time_text
from kuulolla.core.settings import Settings
from kuulolla.moderation import desk
from kuulolla.moderation.crisis_help import LABELS as CRISIS_LABELS
from kuulolla.notify import service

SUBJECT = N_("Kuulolla: a crisis alert has not been taken")
BODY = N_(
    "A crisis alert ({category}) in {where} at {time} has waited {minutes} min and nobody"
    " has taken it yet. Open the duty desk: {url}"
)
CONVERSATION = N_("a one-to-one chat")


def escalation_message(
    escalation: desk.Escalation, *, base_url: str, after: timedelta
) -> Callable[[str], tuple[str, str]]:
    """The e-mail about ``escalation`` in a reader's language: locale -> (subject, body)."""

    def message(locale: str) -> tuple[str, str]:
        names = escalation.room_names
        where = (
            (names.get(locale) or names.get("fi", "")) if names else gettext(locale, CONVERSATION)
        )
        category = CRISIS_LABELS.get(escalation.category)
        body = gettext(
            locale,
            BODY,
            category=gettext(locale, category) if category else escalation.category,
            where=where,
            time=time_text(escalation.created_at, locale),
            minutes=max(1, round(after.total_seconds() / 60)),
            url=f"{base_url.rstrip('/')}/orgs/{escalation.organisation_slug}/desk",
        )
        return gettext(locale, SUBJECT), body

    return message


async def do_notify_round(db: Database, *, settings: Settings, now: datetime) -> int:
    """One round: escalations queued for e-mail, then what is due sent. Returns how
    many e-mails went."""
    after = timedelta(seconds=settings.alert_escalation_seconds)
    # The service's public address (KUULOLLA_PUBLIC_URL) makes the link whole; without
    # it the e-mail names the desk's path.
    base_url = settings.public_url
    for escalation in await desk.do_escalate_due(db, after=after, now=now):
        await service.do_enqueue(
            db,
            user_ids=escalation.recipients,
            message=escalation_message(escalation, base_url=base_url, after=after),
            now=now,
        )
    return await service.do_send_due(
        db,
        smtp_url=settings.smtp_url,
        sender=settings.smtp_from,
        digest_every=timedelta(minutes=settings.notify_digest_minutes),
        now=now,
    )
