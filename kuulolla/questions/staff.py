"""The staff side of the archive: triage, routing, drafting, redaction, review and
publishing, as service functions.

Every step takes the acting staff member as a :class:`logic.Actor` (user id, role,
organisation). Staff accounts and sessions belong to the accounts domain; its pages
will build the Actor from the signed-in user and call these functions. The workflow
rules themselves (which step from which state, by whom) are logic.py's
:func:`~kuulolla.questions.logic.transition`; this module loads, applies and records.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, Organisation, StaffUser
from kuulolla.core import events as report_events
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.questions import logic, search
from kuulolla.questions.logic import Action, Actor, Role, State
from kuulolla.questions.models import (
    Answer,
    Question,
    QuestionEvent,
    QuestionSettings,
    QuestionTag,
)
from kuulolla.questions.service import add_event, display_title

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


async def _situation(
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


def _may_see(actor: Actor, question: Question) -> bool:
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
        if question is None or not _may_see(actor, question):
            raise NotFound(NOT_FOUND, code="question_not_found")
        answer = await session.get(Answer, question_id)
        situation = await _situation(session, question, answer)
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
        if question is None or not _may_see(actor, question):
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


# ------------------------------------------------------------------ steps


async def _load(
    session: AsyncSession, question_id: int, actor: Actor
) -> tuple[Question, Answer | None]:
    question = await session.scalar(
        select(Question).where(Question.id == question_id).with_for_update()
    )
    if question is None or not _may_see(actor, question):
        raise NotFound(NOT_FOUND, code="question_not_found")
    return question, await session.get(Answer, question_id)


async def _step(
    session: AsyncSession, *, question_id: int, actor: Actor, action: Action
) -> tuple[Question, Answer | None, State, State]:
    question, answer = await _load(session, question_id, actor)
    before = State(question.state)
    after = logic.transition(action, before, actor, await _situation(session, question, answer))
    return question, answer, before, after


async def _deadline_for(
    session: AsyncSession, question: Question, organisation_id: int | None, default_days: int
) -> datetime:
    settings = await get_settings(
        session, organisation_id=organisation_id, default_days=default_days
    )
    return logic.deadline(question.created_at, settings.deadline_working_days)


async def do_accept(
    db: Database, *, question_id: int, actor: Actor, default_days: int, now: datetime
) -> State:
    """Accept a question for answering. Staff of an organisation take it for their own
    organisation (its deadline setting then applies)."""
    async with db.session() as session:
        question, _, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.ACCEPT
        )
        if question.organisation_id is None and actor.organisation_id is not None:
            question.organisation_id = actor.organisation_id
            question.deadline_at = await _deadline_for(
                session, question, actor.organisation_id, default_days
            )
            report_events.add(
                session,
                Kind.QUESTION_RECEIVED,
                organisation_id=actor.organisation_id,
                at=now,
                label=question.category,
            )
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.ACCEPT,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
        )
        return after


async def do_refuse(
    db: Database,
    *,
    question_id: int,
    actor: Actor,
    reason: logic.Refusal,
    duplicate_of: int | None = None,
    now: datetime,
) -> State:
    """Refuse a question with a reason the asker sees through their claim code. A
    duplicate names the published question that answers it already."""
    async with db.session() as session:
        question, _, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.REFUSE
        )
        if reason is logic.Refusal.DUPLICATE:
            target = await session.get(Question, duplicate_of) if duplicate_of else None
            if target is None or target.state != State.PUBLISHED:
                raise BadRequest(
                    N_("A duplicate must point to a published question."),
                    code="invalid_duplicate",
                )
            question.duplicate_of_id = target.id
        question.refusal = reason
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.REFUSE,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
            detail={"reason": str(reason), "duplicate_of": duplicate_of},
        )
        return after


async def do_route(
    db: Database,
    *,
    question_id: int,
    actor: Actor,
    organisation_id: int,
    assignee_user_id: int | None = None,
    default_days: int,
    now: datetime,
) -> State:
    """Route a question to an organisation, optionally to a named expert of it. The
    deadline follows the receiving organisation's setting, counted from arrival. The
    expert must be an active member of the receiving organisation."""
    async with db.session() as session:
        question, _, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.ROUTE
        )
        if await session.get(Organisation, organisation_id) is None:
            raise NotFound(N_("There is no such organisation."), code="organisation_not_found")
        if assignee_user_id is not None and not await _is_member(
            session, user_id=assignee_user_id, organisation_id=organisation_id
        ):
            raise BadRequest(
                N_("The expert is not an active member of that organisation."),
                code="invalid_assignee",
            )
        if question.organisation_id != organisation_id:
            report_events.add(
                session,
                Kind.QUESTION_RECEIVED,
                organisation_id=organisation_id,
                at=now,
                label=question.category,
            )
        question.organisation_id = organisation_id
        question.assignee_user_id = assignee_user_id
        question.deadline_at = await _deadline_for(session, question, organisation_id, default_days)
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.ROUTE,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
            detail={"organisation_id": organisation_id, "assignee_user_id": assignee_user_id},
        )
        return after


async def _set_tags(session: AsyncSession, question_id: int, tags: Sequence[str]) -> None:
    await session.execute(delete(QuestionTag).where(QuestionTag.question_id == question_id))
    if tags:
        await session.execute(
            insert(QuestionTag), [{"question_id": question_id, "tag": t} for t in tags]
        )


async def do_save_draft(
    db: Database,
    *,
    question_id: int,
    actor: Actor,
    text: str,
    tags: Sequence[str] = (),
    now: datetime,
) -> State:
    """Save the answer draft (and the question's tags)."""
    body = logic.check_answer(text)
    clean_tags = logic.check_tags(tags)
    async with db.session() as session:
        question, answer, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.DRAFT
        )
        if answer is None:
            answer = Answer(question_id=question_id, body=body, updated_at=now)
            session.add(answer)
        answer.body = body
        answer.drafter_user_id = actor.user_id
        answer.updated_at = now
        await _set_tags(session, question_id, clean_tags)
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.DRAFT,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
        )
        return after


async def do_submit_for_review(
    db: Database, *, question_id: int, actor: Actor, now: datetime
) -> State:
    """Send the draft to a second person for review."""
    async with db.session() as session:
        question, _, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.SUBMIT
        )
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.SUBMIT,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
        )
        return after


async def do_return_draft(
    db: Database, *, question_id: int, actor: Actor, note: str, now: datetime
) -> State:
    """The reviewer sends the draft back with a note for the drafter."""
    async with db.session() as session:
        question, answer, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.RETURN
        )
        if answer is not None:
            answer.review_note = logic.clean_text(note)[:2000] or None
            answer.reviewer_user_id = actor.user_id
        question.state = after
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.RETURN,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
        )
        return after


async def do_publish(
    db: Database,
    *,
    question_id: int,
    actor: Actor,
    answerer: Answerer,
    now: datetime,
    analyser: search.Analyser | None = None,
) -> State:
    """Publish the answer: into the archive when the asker wanted a public answer and
    consented, otherwise as a private answer readable only through the claim code.
    ``answerer`` signs the answer (the drafter's display name, role and organisation)."""
    async with db.session() as session:
        question, answer, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.PUBLISH
        )
        if answer is None:
            raise logic.WorkflowError()
        answer.answerer_user_id = answer.drafter_user_id or actor.user_id
        if before is State.IN_REVIEW:
            answer.reviewer_user_id = actor.user_id
        answer.answerer_name = answerer.display_name[:120]
        answer.answerer_role = answerer.role_title[:120]
        answer.answerer_organisation = answerer.organisation_name[:200]
        answer.review_note = None
        answer.updated_at = now
        question.state = after
        question.answered_at = now
        question.updated_at = now
        if after is State.PUBLISHED:
            question.published_at = now
        _report_answer(session, question, published=after is State.PUBLISHED, now=now)
        await session.flush()
        await _reindex(session, question, answer, analyser or search.default_analyser())
        add_event(
            session,
            question_id=question_id,
            action=Action.PUBLISH,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
        )
        return after


def _report_answer(
    session: AsyncSession, question: Question, *, published: bool, now: datetime
) -> None:
    """Statistics of an answer: time to answer, whether it was public, whether late."""
    org, label = question.organisation_id, question.category
    seconds = max(0.0, (now - question.created_at).total_seconds())
    report_events.add(
        session, Kind.QUESTION_ANSWERED, organisation_id=org, at=now, label=label, value=seconds
    )
    if published:
        report_events.add(
            session, Kind.QUESTION_PUBLISHED, organisation_id=org, at=now, label=label
        )
    if now > question.deadline_at:
        report_events.add(session, Kind.QUESTION_LATE, organisation_id=org, at=now, label=label)


async def _reindex(
    session: AsyncSession, question: Question, answer: Answer | None, analyser: search.Analyser
) -> None:
    """Put a question into the search index when it is published with consent, and
    take it out otherwise."""
    await search.remove(session, [question.id])
    public = question.state == State.PUBLISHED and question.consent and question.wants_public
    if not public or answer is None:
        return
    tags = list(
        await session.scalars(select(QuestionTag.tag).where(QuestionTag.question_id == question.id))
    )
    doc = search.Document(
        question_id=question.id,
        language=question.language,
        category=question.category,
        title=question.title or "",
        body=question.body,
        answer=answer.body,
        tags=tags,
    )
    await search.put(session, [search.index_row(doc, analyser)])


async def do_redact(
    db: Database,
    *,
    question_id: int,
    actor: Actor,
    title: str | None,
    body: str,
    now: datetime,
) -> list[logic.Change]:
    """Edit the question to remove identifying details. The audit trail records where
    text was replaced and with what, never the removed text."""
    async with db.session() as session:
        question, _, before, after = await _step(
            session, question_id=question_id, actor=actor, action=Action.REDACT
        )
        new_title = " ".join((title or "").split())[: logic.MAX_TITLE_CHARS] or None
        new_body = logic.clean_text(body)
        if not new_body:
            raise BadRequest(N_("The question cannot be empty."), code="empty_question")
        title_changes = logic.redaction_changes(question.title or "", new_title or "")
        body_changes = logic.redaction_changes(question.body, new_body)
        question.title = new_title
        question.body = new_body
        question.updated_at = now
        add_event(
            session,
            question_id=question_id,
            action=Action.REDACT,
            from_state=before,
            to_state=after,
            actor=actor,
            now=now,
            detail={
                "title": [asdict(c) for c in title_changes],
                "body": [asdict(c) for c in body_changes],
            },
        )
        return title_changes + body_changes


# ------------------------------------------------------------------ people


async def _is_member(session: AsyncSession, *, user_id: int, organisation_id: int) -> bool:
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
