"""Votes on published answers: one "was this helpful" per visitor, and the score the
archive's "most helpful" order uses.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.questions import logic
from kuulolla.questions.logic import State
from kuulolla.questions.models import Question, QuestionVote


async def do_vote(db: Database, *, question_id: int, voter_key: bytes, helpful: bool) -> bool:
    """Record one visitor's "was this helpful" vote; False when they voted already."""
    async with db.session() as session:
        question = await session.scalar(
            select(Question).where(Question.id == question_id).with_for_update()
        )
        if question is None or question.state != State.PUBLISHED:
            raise NotFound(
                N_("There is no such question in the archive."), code="question_not_found"
            )
        voted = await session.scalar(
            select(func.count())
            .select_from(QuestionVote)
            .where(QuestionVote.question_id == question_id, QuestionVote.voter_key == voter_key)
        )
        if not logic.may_vote(state=State(question.state), already_voted=bool(voted)):
            return False
        await session.execute(
            insert(QuestionVote).values(
                question_id=question_id, voter_key=voter_key, helpful=helpful
            )
        )
        yes = question.helpful + (1 if helpful else 0)
        no = question.not_helpful + (0 if helpful else 1)
        await session.execute(
            update(Question)
            .where(Question.id == question_id)
            .values(
                helpful=yes,
                not_helpful=no,
                helpful_score=logic.helpfulness(helpful=yes, not_helpful=no),
            )
        )
        return True


async def has_voted(db: Database, *, question_id: int, voter_key: bytes) -> bool:
    async with db.read_session() as session:
        return bool(
            await session.scalar(
                select(func.count())
                .select_from(QuestionVote)
                .where(QuestionVote.question_id == question_id, QuestionVote.voter_key == voter_key)
            )
        )
