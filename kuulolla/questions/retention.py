"""Retention of questions: what is no longer needed is deleted for real.

A question's text is personal data even when screened. Questions that will never be
published, refused ones and those answered privately (or whose asker withdrew consent),
are deleted with their answers, audit trail, tags and votes once they have been
untouched since ``before``; the asker's claim code then opens nothing. Published
questions stay while the asker's consent stands. ``kuulolla purge`` and the server's
scheduled task call it with each organisation's period (the ``unpublished_questions``
data kind below, kuulolla/core/retention.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from kuulolla.core.db import Database, compact_sqlite
from kuulolla.core.i18n import N_
from kuulolla.core.retention import (
    DataKind,
    PurgeContext,
    StaffContext,
    StaffData,
    former_label,
    register,
    register_staff_data,
)
from kuulolla.questions.logic import State
from kuulolla.questions.models import Question

PURGEABLE = (State.REFUSED.value, State.ANSWERED_PRIVATE.value)


async def do_purge_unpublished(
    db: Database, *, before: datetime, organisation_id: int | None = None
) -> int:
    """Delete refused and privately answered questions last changed before ``before``
    (of one organisation, or all). Returns how many were deleted."""
    stmt = delete(Question).where(Question.state.in_(PURGEABLE), Question.updated_at < before)
    if organisation_id is not None:
        stmt = stmt.where(Question.organisation_id == organisation_id)
    async with db.session() as session:
        result = await session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)


async def purge_unpublished(ctx: PurgeContext) -> int:
    """The registry's purge: questions of ``ctx.organisation_id`` (None: not routed to
    any organisation) that are not in the archive and have been untouched since
    ``ctx.before``, whatever their state: refused, answered privately, or waiting so
    long that nobody will answer them any more. Published questions stay while the
    asker's consent stands."""
    where = [
        Question.state != State.PUBLISHED.value,
        Question.updated_at < ctx.before,
        Question.organisation_id.is_(None)
        if ctx.organisation_id is None
        else Question.organisation_id == ctx.organisation_id,
    ]
    if ctx.dry_run:
        async with ctx.db.read() as conn:
            return int((await conn.execute(select(func.count()).where(*where))).scalar_one())
    async with ctx.db.session() as session:
        result = await session.execute(delete(Question).where(*where))
        return int(getattr(result, "rowcount", 0) or 0)


UNPUBLISHED_QUESTIONS = register(
    DataKind(
        key="unpublished_questions",
        label=N_("Questions that are not published"),
        contents=N_(
            "A question that is not in the archive (waiting, refused or answered privately), "
            "its answer and the notes written while handling it. Personal details are masked "
            "when the question arrives."
        ),
        seen_by=N_("The organisation's volunteers and professionals who handle questions."),
        default_days=90,
        visitor=True,
        purge=purge_unpublished,
    )
)


async def do_delete_by_claim(db: Database, *, code: str) -> None:
    """The asker deletes their question now, whatever its state: the question, its
    answer, notes, tags, votes and search entry are deleted for real and the code opens
    nothing any more. An unknown or malformed code raises the same NotFound as the
    claim page."""
    from kuulolla.core.errors import NotFound
    from kuulolla.questions import claim_codes, search
    from kuulolla.questions.asking import CLAIM_NOT_FOUND

    key = claim_codes.claim_key(code)
    if key is None:
        raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
    async with db.session() as session:
        question_id = await session.scalar(select(Question.id).where(Question.claim_key == key))
        if question_id is None:
            raise NotFound(CLAIM_NOT_FOUND, code="claim_not_found")
        await search.remove(session, [question_id])
        await session.execute(delete(Question).where(Question.id == question_id))
    if db.is_sqlite:
        # The deleted rows' old pages stay in the write-ahead log until it is reset;
        # "at once" means those bytes go now, not at the next scheduled purge.
        await compact_sqlite(db, vacuum=False)


# ------------------------------------------------------------------ staff data


async def export_answers(ctx: StaffContext) -> list[dict[str, Any]]:
    """Answers the person drafted, reviewed or signed, with their part in each."""
    from sqlalchemy import or_

    from kuulolla.questions.models import Answer

    uid = ctx.user_id
    async with ctx.db.read_session() as session:
        rows = (
            await session.execute(
                select(Answer, Question.state)
                .join(Question, Question.id == Answer.question_id)
                .where(
                    or_(
                        Answer.drafter_user_id == uid,
                        Answer.reviewer_user_id == uid,
                        Answer.answerer_user_id == uid,
                    )
                )
                .order_by(Answer.question_id)
            )
        ).all()
    return [
        {
            "question": answer.question_id,
            "state": state,
            "drafted": answer.drafter_user_id == uid,
            "reviewed": answer.reviewer_user_id == uid,
            "signed": answer.answerer_user_id == uid,
            "signature": answer.answerer_name if answer.answerer_user_id == uid else None,
            "body": answer.body if answer.drafter_user_id == uid else None,
            "updated_at": answer.updated_at.isoformat(),
        }
        for answer, state in rows
    ]


async def erase_answers(ctx: StaffContext) -> int:
    """Answers stay (readers and askers rely on them), signed "former volunteer" with
    the role and organisation kept."""
    from sqlalchemy import update

    from kuulolla.questions.models import Answer

    async with ctx.db.session() as session:
        result = await session.execute(
            update(Answer)
            .where(Answer.answerer_user_id == ctx.user_id, Answer.answerer_name.is_not(None))
            .values(answerer_name=former_label(ctx.settings))
        )
        return int(getattr(result, "rowcount", 0) or 0)


QUESTION_DATA = register_staff_data(
    StaffData(key="question_answers", export=export_answers, erase=erase_answers)
)
