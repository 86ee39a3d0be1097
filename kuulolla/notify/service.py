"""E-mail notifications: each person's choice, the outbox, and sending what is due.

Without ``KUULOLLA_SMTP_URL`` people can still make their choice and nothing is sent;
nothing else depends on it. A message is claimed (``sent_at`` set) before it is sent,
so two processes never send it twice; a send that fails gives it back for the next
round.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from kuulolla.accounts.models import StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import LOCALES, N_
from kuulolla.notify.mailer import Mail, SmtpServer, send
from kuulolla.notify.models import NotifySettings, OutboxMessage

log = logging.getLogger(__name__)

MODES = ("off", "immediate", "digest")
# What a person may ask to be told of: a crisis alert nobody took in time; a visitor
# waiting in the chat queue while no helper has the console open; a question routed to
# them or an answer waiting for their review; a call for volunteers sent to them; for
# coordinators, a debrief asked for or a shift swap waiting for approval.
EVENTS = ("escalation", "queue", "questions", "calls", "roster")
# Sent e-mails are kept this long, so each thing is told once (notify_outbox.event_key).
KEPT = timedelta(days=30)
_EMAIL = re.compile(r"[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,189}\.[^@\s<>\"',;.]{2,63}")


@dataclass(frozen=True, slots=True)
class Choice:
    email: str = ""
    mode: str = "off"
    events: frozenset[str] = frozenset({"escalation"})


def _events(stored: str) -> frozenset[str]:
    return frozenset(e for e in stored.split(",") if e in EVENTS)


def check_choice(*, email: str, mode: str, events: Iterable[str] = ("escalation",)) -> Choice:
    """A valid choice, or a translated error naming the field (``bad_email``,
    ``bad_mode``, ``bad_events``)."""
    email = email.strip()
    chosen = frozenset(events)
    if mode not in MODES:
        raise BadRequest(N_("Choose how you want to be told."), code="bad_mode")
    if not chosen <= set(EVENTS):
        raise BadRequest(N_("Choose from the list."), code="bad_events")
    if mode != "off" and not chosen:
        raise BadRequest(N_("Choose what you want to be told of."), code="bad_events")
    if email and not _EMAIL.fullmatch(email):
        raise BadRequest(N_("Write an e-mail address like name@example.fi."), code="bad_email")
    if mode != "off" and not email:
        raise BadRequest(N_("Write the address to send to."), code="bad_email")
    return Choice(email, mode, chosen)


async def get_choice(db: Database, *, user_id: int) -> Choice:
    async with db.read_session() as session:
        row = await session.get(NotifySettings, user_id)
    return Choice(row.email, row.mode, _events(row.events)) if row else Choice()


async def do_set_choice(
    db: Database,
    *,
    user_id: int,
    email: str,
    mode: str,
    events: Iterable[str] = ("escalation",),
    now: datetime,
) -> Choice:
    choice = check_choice(email=email, mode=mode, events=events)
    async with db.session() as session:
        row = await session.get(NotifySettings, user_id)
        if row is None:
            row = NotifySettings(user_id=user_id)
            session.add(row)
        row.email = choice.email
        row.mode = choice.mode
        row.events = ",".join(e for e in EVENTS if e in choice.events)
        row.updated_at = now
    return choice


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A person who chose e-mail for some kinds of events, and since when."""

    user_id: int
    events: frozenset[str]
    since: datetime


async def list_subscribers(db: Database, *, event: str | None = None) -> list[Subscriber]:
    """The active people who chose e-mail (for ``event``, when given)."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(NotifySettings.user_id, NotifySettings.events, NotifySettings.updated_at)
            .join(StaffUser, StaffUser.id == NotifySettings.user_id)
            .where(
                StaffUser.active.is_(True),
                NotifySettings.mode != "off",
                NotifySettings.email != "",
            )
        )
        out = [Subscriber(int(u), _events(e), at) for u, e, at in rows]
    return [s for s in out if event is None or event in s.events]


async def do_enqueue(
    db: Database,
    *,
    user_ids: Iterable[int],
    message: Callable[[str], tuple[str, str]],
    event: str = "escalation",
    key: str | None = None,
    now: datetime,
) -> int:
    """Queue ``message(locale)`` (subject, body) for each of the people who chose
    e-mail for ``event``, in their first language; with ``key`` (what it is about),
    not for those it was queued for already. Returns how many were queued."""
    ids = set(user_ids)
    if not ids:
        return 0
    async with db.session() as session:
        rows = list(
            await session.execute(
                select(StaffUser.id, StaffUser.languages, NotifySettings.events)
                .join(NotifySettings, NotifySettings.user_id == StaffUser.id)
                .where(
                    StaffUser.id.in_(ids),
                    StaffUser.active.is_(True),
                    NotifySettings.mode != "off",
                    NotifySettings.email != "",
                )
            )
        )
        told: set[int] = set()
        if key is not None:
            told = set(
                await session.scalars(
                    select(OutboxMessage.user_id).where(
                        OutboxMessage.user_id.in_(ids), OutboxMessage.event_key == key
                    )
                )
            )
        count = 0
        for user_id, languages, events in rows:
            if event not in _events(events) or user_id in told:
                continue
            locale = next((lang for lang in languages or [] if lang in LOCALES), "fi")
            subject, body = message(locale)
            session.add(
                OutboxMessage(
                    user_id=user_id,
                    subject=subject[:200],
                    body=body,
                    created_at=now,
                    event_key=key,
                )
            )
            count += 1
    return count


async def do_forget_sent(db: Database, *, now: datetime) -> None:
    """Delete the e-mails sent longer than :data:`KEPT` ago."""
    async with db.session() as session:
        await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < now - KEPT
            )
        )


async def do_send_due(
    db: Database,
    *,
    smtp_url: str,
    sender: str,
    digest_every: timedelta,
    now: datetime,
) -> int:
    """Send what is due: every waiting message of people who chose "immediate", and one
    digest of everything waiting for those who chose "digest" once their oldest has
    waited ``digest_every``. Returns how many messages went. Without SMTP, nothing."""
    if not smtp_url:
        return 0
    server = SmtpServer.from_url(smtp_url)
    async with db.session() as session:
        waiting = list(
            await session.execute(
                select(OutboxMessage, NotifySettings.email, NotifySettings.mode)
                .join(NotifySettings, NotifySettings.user_id == OutboxMessage.user_id)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
            )
        )
        by_person: dict[int, list[tuple[OutboxMessage, str, str]]] = {}
        for row, email, mode in waiting:
            by_person.setdefault(row.user_id, []).append((row, email, mode))
        claimed: list[int] = []
        mails: list[Mail] = []
        for rows in by_person.values():
            email, mode = rows[0][1], rows[0][2]
            if mode == "off" or not email:
                continue
            if mode == "immediate":
                mails.extend(Mail(email, r.subject, r.body) for r, _, _ in rows)
            elif now - rows[0][0].created_at >= digest_every:
                mails.append(
                    Mail(
                        email,
                        rows[-1][0].subject if len(rows) == 1 else f"Kuulolla ({len(rows)})",
                        "\n\n".join(f"{r.subject}\n{r.body}" for r, _, _ in rows),
                    )
                )
            else:
                continue
            claimed.extend(r.id for r, _, _ in rows)
        if claimed:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(claimed), OutboxMessage.sent_at.is_(None))
                .values(sent_at=now)
            )
            if int(getattr(result, "rowcount", 0) or 0) != len(
                claimed
            ):  # another process took some: next round
                await session.rollback()
                return 0
    if not mails:
        return 0
    try:
        await send(server, sender, mails)
    except Exception:
        log.warning("notify.send_failed", exc_info=True, extra={"event": "notify.send_failed"})
        async with db.session() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(claimed)).values(sent_at=None)
            )
        return 0
    return len(mails)
