"""A question's history: one ``question_events`` row for each step taken on it, by the
asker (asking, withdrawing consent) or by staff (the workflow's steps, workflow.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.questions import logic
from kuulolla.questions.logic import State
from kuulolla.questions.models import QuestionEvent


def add_event(
    session: AsyncSession,
    *,
    question_id: int,
    action: str,
    to_state: State,
    now: datetime,
    from_state: State | None = None,
    actor: logic.Actor | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    session.add(
        QuestionEvent(
            question_id=question_id,
            at=now,
            actor_user_id=actor.user_id if actor else None,
            actor_role=str(actor.role) if actor else None,
            action=action,
            from_state=from_state,
            to_state=to_state,
            detail=json.dumps(detail or {}, ensure_ascii=False),
        )
    )
