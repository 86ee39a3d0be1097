"""Asking a question and following it with its claim code: storing a checked question
(asking_rules.py checks it), the asker's view through the code, and withdrawing
consent to publish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from kuulolla.core import events as report_events
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.questions import asking_rules, claim_codes, logic, search
from kuulolla.questions.history import add_event
from kuulolla.questions.logic import State
from kuulolla.questions.models import Answer, Question
from kuulolla.questions.reading import (
    AnswerView,
    ArchiveItem,
    answer_view,
    archive_items,
    display_title,
)

# ------------------------------------------------------------------ views


@dataclass(frozen=True, slots=True)
class ClaimView:
    """What the asker sees through their claim code."""

    id: int
    state: State
    title: str
    body: str
    category: str
    wants_public: bool
    consent: bool
    created_at: datetime
    deadline_at: datetime
    refusal: str | None
    duplicate: ArchiveItem | None
    answer: AnswerView | None  # only once answered (published or private)

    @property
    def published(self) -> bool:
        return self.state is State.PUBLISHED

    @property
    def answered(self) -> bool:
        return self.state in logic.ANSWERED_STATES


@dataclass(frozen=True, slots=True)
class AskReceipt:
    question_id: int
    claim_code: str  # shown once to the asker; only its hash is stored
    masked: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------ asking


async def do_ask(
    db: Database, *, ask: asking_rules.Ask, deadline_days: int, now: datetime
) -> AskReceipt:
    """Store a checked question (``asking_rules.check_ask``) and return its claim code."""
    code, key = claim_codes.new_claim()
    async with db.session() as session:
        question = Question(
            claim_key=key,
            state=State.RECEIVED,
            category=ask.category,
            language=ask.language,
            title=ask.title,
            body=ask.body,
            masked=",".join(ask.masked),
            crisis=ask.crisis,
            age_group=ask.age_group,
            gender=ask.gender,
            wants_public=ask.wants_public,
            consent=ask.consent,
            created_at=now,
            updated_at=now,
            deadline_at=logic.deadline(now, deadline_days),
            helpful=0,
            not_helpful=0,
            helpful_score=0.0,
        )
        session.add(question)
        await session.flush()
        add_event(session, question_id=question.id, action="ask", to_state=State.RECEIVED, now=now)
        report_events.add(
            session, Kind.QUESTION_ASKED, organisation_id=None, at=now, label=ask.category
        )
        return AskReceipt(question.id, code, ask.masked)


# ------------------------------------------------------------------ claim codes


CLAIM_NOT_FOUND = N_("No question was found with that code. Check the code and try again.")


async def get_claim_or_raise(db: Database, *, code: str) -> ClaimView:
    """The asker's view of their question. A malformed code and an unknown code give
    the same error, so a caller learns nothing from the difference."""
    key = claim_codes.claim_key(code)
    if key is None:
        raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
    async with db.read_session() as session:
        question = await session.scalar(select(Question).where(Question.claim_key == key))
        if question is None:
            raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
        state = State(question.state)
        answer = None
        if state in logic.ANSWERED_STATES:
            row = await session.get(Answer, question.id)
            if row is not None:
                answer = answer_view(row, question)
        duplicate = None
        if question.duplicate_of_id is not None:
            items = await archive_items(session, [question.duplicate_of_id])
            duplicate = items[0] if items else None
        return ClaimView(
            id=question.id,
            state=state,
            title=display_title(question.title, question.body),
            body=question.body,
            category=question.category,
            wants_public=question.wants_public,
            consent=question.consent,
            created_at=question.created_at,
            deadline_at=question.deadline_at,
            refusal=question.refusal,
            duplicate=duplicate,
            answer=answer,
        )


async def do_withdraw_consent(db: Database, *, code: str, now: datetime) -> ClaimView:
    """The asker withdraws consent: the answer leaves the archive at once (it stays
    readable to them through the code)."""
    key = claim_codes.claim_key(code)
    if key is None:
        raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
    async with db.session() as session:
        question = await session.scalar(
            select(Question).where(Question.claim_key == key).with_for_update()
        )
        if question is None:
            raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
        before = State(question.state)
        after = logic.withdraw(before)
        question.consent = False
        question.wants_public = False
        question.state = after
        question.updated_at = now
        await search.remove(session, [question.id])
        add_event(
            session,
            question_id=question.id,
            action="withdraw",
            from_state=before,
            to_state=after,
            now=now,
        )
    return await get_claim_or_raise(db, code=code)
