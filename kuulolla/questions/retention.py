"""Retention of questions: what is no longer needed is deleted for real.

A question's text is personal data even when screened. Questions that will never be
published, refused ones and those answered privately (or whose asker withdrew consent),
are deleted with their answers, audit trail, tags and votes once they have been
untouched since ``before``; the asker's claim code then opens nothing. Published
questions stay while the asker's consent stands. A scheduled ``kuulolla purge`` with
per-organisation periods is to call this (docs/operations.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from kuulolla.core.db import Database
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
