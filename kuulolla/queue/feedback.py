"""Visitors' feedback after one-to-one chats: given by the visitor once the conversation
ends (``do_feedback``), read by the organisation's coordinators (``list_feedback``):
each answer's day, topic, "did it help" and rating beside what the visitor wrote.

Feedback is not linked to a conversation: it is stored with the topic and the day
only. What a visitor wrote is shown with personal data masked
(moderation/personal_data.py: phone numbers, e-mail and street addresses, identity
codes, account numbers), the masks in the reader's words, and only while the
organisation's feedback retention period lasts (the purge deletes it after that; the
page never shows an older row the purge has not reached yet). The page is
queue/routes_feedback.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kuulolla.accounts.permissions import COORDINATORS, define
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import personal_data
from kuulolla.queue import logic
from kuulolla.queue.models import QueueFeedback, QueueTopic
from kuulolla.queue.service import ended_entry, report

READ_FEEDBACK = define(
    "read_feedback",
    scope="organisation",
    roles=COORDINATORS,
    description="read the feedback visitors wrote after one-to-one chats (personal data masked)",
)

PER_PAGE = 100  # feedback rows on one page; older ones on the next

# The masks' words (as the chat client shows them: web/chat_strings.py).
MASK_WORDS = {
    "phone": N_("[phone number hidden]"),
    "email": N_("[e-mail address hidden]"),
    "hetu": N_("[identity code hidden]"),
    "iban": N_("[account number hidden]"),
    "address": N_("[address hidden]"),
}


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    day: datetime
    topic: str
    helped: bool | None
    rating: int | None
    text: str  # personal data masked, in the reader's words


def masked(text: str, locale: str) -> str:
    """``text`` with its personal data replaced by words ("[puhelinnumero piilotettu]")."""
    found = personal_data.find(text)
    if not found:
        return text
    parts: list[str] = []
    position = 0
    for item in found:
        parts.append(text[position : item.start])
        parts.append(gettext(locale, MASK_WORDS[item.kind]))
        position = item.end
    parts.append(text[position:])
    return "".join(parts)


async def list_feedback(
    db: Database,
    *,
    organisation_id: int,
    since: datetime,
    locale: str,
    limit: int = PER_PAGE,
    offset: int = 0,
) -> list[FeedbackRow]:
    """The organisation's feedback given on or after ``since``, newest first, with
    personal data in the texts masked: ``limit`` rows after the first ``offset``."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(QueueFeedback, QueueTopic)
                .join(QueueTopic, QueueTopic.id == QueueFeedback.topic_id)
                .where(
                    QueueTopic.organisation_id == organisation_id,
                    QueueFeedback.created_at >= since,
                )
                .order_by(QueueFeedback.created_at.desc(), QueueFeedback.id.desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
    return [
        FeedbackRow(
            feedback.created_at,
            topic.text("name", locale),
            feedback.helped,
            feedback.rating,
            masked(feedback.text or "", locale),
        )
        for feedback, topic in rows
    ]


async def do_feedback(
    db: Database,
    *,
    visitor_key: bytes,
    entry_id: int,
    helped: str | None,
    rating: str | None,
    text: str,
    now: datetime,
) -> None:
    """Store the visitor's feedback for statistics, unlinked from the conversation
    (the time is kept to the day only)."""
    score = logic.check_rating(rating)
    words = logic.check_text(text, max_chars=logic.MAX_FEEDBACK_CHARS, required=False)
    if helped not in (None, "", "yes", "no"):
        raise BadRequest(N_("Answer yes or no, or leave it empty."), code="invalid_answer")
    async with db.session() as session:
        entry = await ended_entry(session, visitor_key, entry_id)
        if score is not None:
            await report(session, Kind.FEEDBACK, topic_id=entry.topic_id, now=now, value=score)
        if helped:
            await report(
                session, Kind.FEEDBACK_HELPED, topic_id=entry.topic_id, now=now, label=helped
            )
        session.add(
            QueueFeedback(
                topic_id=entry.topic_id,
                helped=None if not helped else helped == "yes",
                rating=score,
                text=words,
                created_at=now.replace(hour=0, minute=0, second=0, microsecond=0),
            )
        )
