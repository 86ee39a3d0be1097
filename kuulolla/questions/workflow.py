"""The archive's workflow steps, as service functions: triage (accept, refuse), routing,
drafting, review, publishing and redaction.

Every step takes the acting staff member as a :class:`logic.Actor` (user id, role,
organisation). The workflow rules themselves (which step from which state, by whom)
are logic.py's :func:`~kuulolla.questions.logic.transition`; this module loads,
applies and records. What staff see is questions/staff.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core import events as report_events
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.questions import logic, search
from kuulolla.questions.history import add_event
from kuulolla.questions.logic import Action, Actor, State
from kuulolla.questions.models import (
    Answer,
    Question,
    QuestionTag,
)
from kuulolla.questions.staff import (
    NOT_FOUND,
    Answerer,
    get_settings,
    is_member,
    may_see,
    situation_of,
)


async def _load(
    session: AsyncSession, question_id: int, actor: Actor
) -> tuple[Question, Answer | None]:
    question = await session.scalar(
        select(Question).where(Question.id == question_id).with_for_update()
    )
    if question is None or not may_see(actor, question):
        raise NotFound(NOT_FOUND, code="question_not_found")
    return question, await session.get(Answer, question_id)


async def _step(
    session: AsyncSession, *, question_id: int, actor: Actor, action: Action
) -> tuple[Question, Answer | None, State, State]:
    question, answer = await _load(session, question_id, actor)
    before = State(question.state)
    after = logic.transition(action, before, actor, await situation_of(session, question, answer))
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
        if assignee_user_id is not None and not await is_member(
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
