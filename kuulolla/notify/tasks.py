"""The notification round each process runs every ``KUULOLLA_NOTIFY_INTERVAL``
seconds: escalate the crisis alerts nobody took in time (moderation/desk.py) and queue
an e-mail about each for the people it escalates to; queue an e-mail about each
visitor waiting in a chat queue nobody is watching, and about each new thing in a
person's notification centre (notify/events.py), for the people who chose those
kinds; then send what is due. Each person is told of each thing once. An e-mail names
the kind of thing and where, never what anyone wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kuulolla.core.db import Database
from kuulolla.core.i18n import N_, gettext, time_text
from kuulolla.core.settings import Settings
from kuulolla.moderation import desk
from kuulolla.moderation.crisis_help import LABELS as CRISIS_LABELS
from kuulolla.notify import events, service

SUBJECT = N_("Kuulolla: a crisis alert has not been taken")
BODY = N_(
    "A crisis alert ({category}) in {where} at {time} has waited {minutes} min and nobody"
    " has taken it yet. Open the duty desk: {url}"
)
CONVERSATION = N_("a one-to-one chat")
QUEUE_SUBJECT = N_("Kuulolla: a visitor is waiting in the chat queue")
QUEUE_BODY = N_(
    "A visitor has waited in the chat queue {topic} since {time}, and no helper has the"
    " console open. Open the chat queue: {url}"
)
WAITING_SUBJECTS = {
    "question": N_("Kuulolla: a question was routed to you"),
    "review": N_("Kuulolla: an answer is waiting for your review"),
    "call": N_("Kuulolla: a call for volunteers"),
    "debrief": N_("Kuulolla: a debrief was asked for"),
    "swap": N_("Kuulolla: a shift swap is waiting for your approval"),
}
WAITING_BODY = N_("In {organisation}. Open it: {url}\nEverything waiting for you: {centre}")


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


def queue_message(alone: events.QueueAlone, *, base_url: str) -> Callable[[str], tuple[str, str]]:
    """The e-mail about a visitor waiting alone in a queue: locale -> (subject, body)."""

    def message(locale: str) -> tuple[str, str]:
        names = alone.topic_names
        body = gettext(
            locale,
            QUEUE_BODY,
            topic=names.get(locale) or names.get("fi", ""),
            time=time_text(alone.queued_at, locale),
            url=f"{base_url.rstrip('/')}/staff/queue/{alone.organisation_slug}",
        )
        return gettext(locale, QUEUE_SUBJECT), body

    return message


def waiting_message(item: events.Waiting, *, base_url: str) -> Callable[[str], tuple[str, str]]:
    """The e-mail about a thing in the person's notification centre."""

    def message(locale: str) -> tuple[str, str]:
        base = base_url.rstrip("/")
        subject = WAITING_SUBJECTS[item.key.split("-", 1)[0]]
        body = gettext(
            locale,
            WAITING_BODY,
            organisation=item.organisation,
            url=f"{base}{item.link}",
            centre=f"{base}/staff/waiting",
        )
        return gettext(locale, subject), body

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
    for alone in await events.list_queue_alone(db, now=now):
        await service.do_enqueue(
            db,
            user_ids=alone.staff,
            message=queue_message(alone, base_url=base_url),
            event="queue",
            key=alone.key,
            now=now,
        )
    for person in await service.list_subscribers(db):
        chosen = person.events & set(events.CENTRE_EVENTS.values())
        if not chosen:
            continue
        for item in await events.list_waiting_for(
            db, user_id=person.user_id, events=frozenset(chosen), since=person.since, now=now
        ):
            await service.do_enqueue(
                db,
                user_ids=[person.user_id],
                message=waiting_message(item, base_url=base_url),
                event=item.event,
                key=item.key,
                now=now,
            )
    await service.do_forget_sent(db, now=now)
    return await service.do_send_due(
        db,
        smtp_url=settings.smtp_url,
        sender=settings.smtp_from,
        digest_every=timedelta(minutes=settings.notify_digest_minutes),
        now=now,
    )
