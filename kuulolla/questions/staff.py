"""The staff side of the archive: what staff see (the queue, a question with its
history) and each organisation's archive settings. The workflow's steps (triage,
routing, drafting, redaction, review, publishing) are questions/workflow.py.

Every step takes the acting staff member as a :class:`logic.Actor` (user id, role,
organisation). Staff accounts and sessions belong to the accounts domain; its pages
will build the Actor from the signed-in user and call these functions. The workflow
rules themselves (which step from which state, by whom) are logic.py's
:func:`~kuulolla.questions.logic.transition`; this module loads, applies and records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, Organisation, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound
from kuulolla.core.i18n import N_
from kuulolla.questions import logic
from kuulolla.questions.logic import Action, Actor, Role, State
from kuulolla.questions.models import (
    Answer,
    Question,
    QuestionEvent,
    QuestionSettings,
    QuestionTag,
)
from kuulolla.questions.reading import display_title

# ------------------------------------------------------------------ views


@dataclass(frozen=True, slots=True)
class Answerer:
    """How a published answer is signed: a snapshot taken when it is published."""

    display_name: str
    role_title: str
    organisation_name: str


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    title: str
    category: str
    state: State
    organisation_id: int | None
    assignee_user_id: int | None
    created_at: datetime
    deadline_at: datetime
    overdue: bool
    working_days_left: int
    crisis: str | None = None


@dataclass(frozen=True, slots=True)
class StaffQuestion:
    id: int
    state: State
    title: str | None
    body: str
    category: str
    language: str
    age_group: str | None
    gender: str | None
    masked: tuple[str, ...]
    crisis: str | None  # crisis category the screening found on arrival
    wants_public: bool
    consent: bool
    organisation_id: int | None
    assignee_user_id: int | None
    created_at: datetime
    deadline_at: datetime
    overdue: bool
    draft: str | None
    drafter_user_id: int | None
    review_note: str | None
    reviewer_user_id: int | None
    refusal: str | None
    duplicate_of_id: int | None
    tags: tuple[str, ...]
    allowed: frozenset[Action]  # the steps this actor may take now
    review_required: bool  # the organisation's setting


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor_user_id: int | None
    actor_role: str | None
    action: str
    from_state: str | None
    to_state: str
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class Settings:
    deadline_working_days: int
    review_required: bool


NOT_FOUND = N_("There is no such question.")


# ------------------------------------------------------------------ settings


async def get_settings(
    session: AsyncSession, *, organisation_id: int | None, default_days: int
) -> Settings:
    row = await session.get(QuestionSettings, organisation_id) if organisation_id else None
    if row is None:
        return Settings(deadline_working_days=default_days, review_required=False)
    return Settings(row.deadline_working_days, row.review_required)


async def do_set_settings(
    db: Database,
    *,
    actor: Actor,
    organisation_id: int,
    deadline_working_days: int,
    review_required: bool,
) -> None:
    """Set an organisation's answer deadline (1–60 working days) and whether answers
    need a second person's review. Coordinators of the organisation and admins only."""
    if actor.role not in logic.LEAD_ROLES or (
        actor.role is not Role.ADMIN and actor.organisation_id != organisation_id
    ):
        raise Forbidden(N_("Your role does not allow this step."), code="workflow_forbidden")
    if not 1 <= deadline_working_days <= 60:
        raise BadRequest(N_("The deadline must be 1–60 working days."), code="invalid_deadline")
    async with db.session() as session:
        row = await session.get(QuestionSettings, organisation_id)
        if row is None:
            session.add(
                QuestionSettings(
                    organisation_id=organisation_id,
                    deadline_working_days=deadline_working_days,
                    review_required=review_required,
                )
            )
        else:
            row.deadline_working_days = deadline_working_days
            row.review_required = review_required


# ------------------------------------------------------------------ reading


def _visible_to(actor: Actor) -> object:
    """Questions an actor may see: their organisation's, plus unrouted ones for triage.
    An admin acting through an organisation's pages sees what its triage sees; an admin
    with no organisation sees everything."""
    if actor.role is Role.ADMIN and actor.organisation_id is None:
        return True
    mine = Question.organisation_id == actor.organisation_id
    if actor.role in logic.TRIAGE_ROLES:
        return or_(mine, Question.organisation_id.is_(None))
    return mine


async def list_queue(
    db: Database,
    *,
    actor: Actor,
    now: datetime,
    states: Sequence[State] = tuple(logic.OPEN_STATES),
    latest_first: bool = False,
    limit: int = 200,
) -> list[QueueItem]:
    """Open questions the actor may work on: those with crisis signs first, then nearest
    deadline first; overdue ones carry ``overdue`` so the page can make them stand out.
    With ``latest_first`` (for closed questions) the most recently changed come first."""
    # Questions with crisis signs come first: the asker may need help now.
    order = (
        (Question.updated_at.desc(), Question.id.desc())
        if latest_first
        else (Question.crisis.is_(None), Question.deadline_at, Question.id)
    )
    stmt = (
        select(Question)
        .where(Question.state.in_([str(s) for s in states]), _visible_to(actor))  # type: ignore[arg-type]
        .order_by(*order)
        .limit(limit)
    )
    async with db.read_session() as session:
        rows = list(await session.scalars(stmt))
    return [
        QueueItem(
            id=q.id,
            title=display_title(q.title, q.body),
            category=q.category,
            state=State(q.state),
            organisation_id=q.organisation_id,
            assignee_user_id=q.assignee_user_id,
            created_at=q.created_at,
            deadline_at=q.deadline_at,
            overdue=logic.is_overdue(state=State(q.state), deadline_at=q.deadline_at, now=now),
            working_days_left=logic.working_days_left(deadline_at=q.deadline_at, now=now),
            crisis=q.crisis,
        )
        for q in rows
    ]


async def situation_of(
    session: AsyncSession, question: Question, answer: Answer | None
) -> logic.Situation:
    settings = await get_settings(session, organisation_id=question.organisation_id, default_days=0)
    return logic.Situation(
        organisation_id=question.organisation_id,
        assignee_id=question.assignee_user_id,
        drafter_id=answer.drafter_user_id if answer else None,
        review_required=settings.review_required,
        public=question.wants_public and question.consent,
    )


def may_see(actor: Actor, question: Question) -> bool:
    """The rule of :func:`_visible_to` for one question."""
    if actor.role is Role.ADMIN and actor.organisation_id is None:
        return True
    if question.organisation_id == actor.organisation_id:
        return True
    return question.organisation_id is None and actor.role in logic.TRIAGE_ROLES


async def access_question(
    db: Database, *, question_id: int, actor: Actor, now: datetime
) -> StaffQuestion:
    """A question with its draft, for a staff member allowed to see it."""
    async with db.read_session() as session:
        question = await session.get(Question, question_id)
        if question is None or not may_see(actor, question):
            raise NotFound(NOT_FOUND, code="question_not_found")
        answer = await session.get(Answer, question_id)
        situation = await situation_of(session, question, answer)
        tags = tuple(
            await session.scalars(
                select(QuestionTag.tag).where(QuestionTag.question_id == question_id)
            )
        )
    state = State(question.state)
    allowed = frozenset(a for a in Action if logic.may(a, state, actor, situation))
    return StaffQuestion(
        id=question.id,
        state=state,
        title=question.title,
        body=question.body,
        category=question.category,
        language=question.language,
        age_group=question.age_group,
        gender=question.gender,
        masked=tuple(k for k in question.masked.split(",") if k),
        crisis=question.crisis,
        wants_public=question.wants_public,
        consent=question.consent,
        organisation_id=question.organisation_id,
        assignee_user_id=question.assignee_user_id,
        created_at=question.created_at,
        deadline_at=question.deadline_at,
        overdue=logic.is_overdue(state=state, deadline_at=question.deadline_at, now=now),
        draft=answer.body if answer else None,
        drafter_user_id=answer.drafter_user_id if answer else None,
        review_note=answer.review_note if answer else None,
        reviewer_user_id=answer.reviewer_user_id if answer else None,
        refusal=question.refusal,
        duplicate_of_id=question.duplicate_of_id,
        tags=tuple(sorted(tags)),
        allowed=allowed,
        review_required=situation.review_required,
    )


async def get_history(db: Database, *, question_id: int, actor: Actor) -> list[Event]:
    """The audit trail of a question, oldest first."""
    async with db.read_session() as session:
        question = await session.get(Question, question_id)
        if question is None or not may_see(actor, question):
            raise NotFound(NOT_FOUND, code="question_not_found")
        rows = await session.scalars(
            select(QuestionEvent)
            .where(QuestionEvent.question_id == question_id)
            .order_by(QuestionEvent.id)
        )
        return [
            Event(
                e.at,
                e.actor_user_id,
                e.actor_role,
                e.action,
                e.from_state,
                e.to_state,
                json.loads(e.detail or "{}"),
            )
            for e in rows
        ]


# ------------------------------------------------------------------ people


async def is_member(session: AsyncSession, *, user_id: int, organisation_id: int) -> bool:
    found = await session.scalar(
        select(Membership.user_id)
        .join(StaffUser, StaffUser.id == Membership.user_id)
        .where(
            Membership.user_id == user_id,
            Membership.organisation_id == organisation_id,
            StaffUser.active.is_(True),
        )
    )
    return found is not None


async def organisation_names(db: Database) -> dict[int, str]:
    async with db.read_session() as session:
        return {i: n for i, n in await session.execute(select(Organisation.id, Organisation.name))}
