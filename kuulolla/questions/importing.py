"""Bulk work on the archive: importing published questions whole (the demo archive,
benchmarks) and rebuilding the search index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select

from kuulolla.core.db import Database
from kuulolla.questions import claim_codes, logic, search
from kuulolla.questions.logic import State
from kuulolla.questions.models import (
    Answer,
    Question,
    QuestionEvent,
    QuestionSearch,
    QuestionTag,
)
from kuulolla.questions.staff import Answerer


@dataclass(frozen=True, slots=True)
class ImportItem:
    """A published question and answer brought in whole (demo content, benchmarks)."""

    category: str
    language: str
    title: str | None
    body: str
    answer: str
    answerer: Answerer
    organisation_id: int | None
    published_at: datetime
    tags: tuple[str, ...] = ()
    helpful: int = 0
    not_helpful: int = 0


async def do_import_published(
    db: Database,
    *,
    items: Sequence[ImportItem],
    analyser: search.Analyser | None = None,
) -> list[int]:
    """Insert published questions with consent, answered and indexed, in one
    transaction. Nobody holds their claim codes."""
    analyser = analyser or search.default_analyser()
    if not items:
        return []
    question_rows = []
    for item in items:
        _, key = claim_codes.new_claim()
        question_rows.append(
            {
                "claim_key": key,
                "state": State.PUBLISHED.value,
                "category": item.category,
                "language": item.language,
                "title": item.title,
                "body": item.body,
                "masked": "",
                "age_group": None,
                "gender": None,
                "wants_public": True,
                "consent": True,
                "organisation_id": item.organisation_id,
                "assignee_user_id": None,
                "refusal": None,
                "duplicate_of_id": None,
                "created_at": item.published_at,
                "updated_at": item.published_at,
                "deadline_at": item.published_at,
                "answered_at": item.published_at,
                "published_at": item.published_at,
                "helpful": item.helpful,
                "not_helpful": item.not_helpful,
                "helpful_score": logic.helpfulness(
                    helpful=item.helpful, not_helpful=item.not_helpful
                ),
            }
        )
    async with db.session() as session:
        result = await session.execute(
            insert(Question).returning(Question.id, sort_by_parameter_order=True),
            question_rows,
        )
        ids = [int(i) for i in result.scalars()]
        await session.execute(
            insert(Answer),
            [
                {
                    "question_id": qid,
                    "body": item.answer,
                    "answerer_name": item.answerer.display_name,
                    "answerer_role": item.answerer.role_title,
                    "answerer_organisation": item.answerer.organisation_name,
                    "updated_at": item.published_at,
                }
                for qid, item in zip(ids, items, strict=True)
            ],
        )
        tag_rows = [
            {"question_id": qid, "tag": tag}
            for qid, item in zip(ids, items, strict=True)
            for tag in logic.check_tags(item.tags)
        ]
        if tag_rows:
            await session.execute(insert(QuestionTag), tag_rows)
        await search.put(
            session,
            [
                search.index_row(
                    search.Document(
                        question_id=qid,
                        language=item.language,
                        category=item.category,
                        title=item.title or "",
                        body=item.body,
                        answer=item.answer,
                        tags=logic.check_tags(item.tags),
                    ),
                    analyser,
                )
                for qid, item in zip(ids, items, strict=True)
            ],
        )
        await session.execute(
            insert(QuestionEvent),
            [
                {
                    "question_id": qid,
                    "at": item.published_at,
                    "actor_user_id": None,
                    "actor_role": None,
                    "action": "import",
                    "from_state": None,
                    "to_state": State.PUBLISHED.value,
                    "detail": "{}",
                }
                for qid, item in zip(ids, items, strict=True)
            ],
        )
    return ids


async def do_reindex(
    db: Database, *, analyser: search.Analyser | None = None, batch: int = 500
) -> int:
    """Analyse every published question again and rebuild the index and term counts:
    after Voikko was installed or upgraded, or the analysis changed. Returns how many
    questions are in the index."""
    analyser = analyser or search.default_analyser()
    async with db.session() as session:
        ids = list(
            await session.scalars(
                select(Question.id)
                .where(
                    Question.state == State.PUBLISHED,
                    Question.consent.is_(True),
                    Question.wants_public.is_(True),
                )
                .order_by(Question.id)
            )
        )
        await session.execute(delete(QuestionSearch))
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            questions = {
                q.id: q
                for q in await session.scalars(select(Question).where(Question.id.in_(chunk)))
            }
            answers = {
                a.question_id: a
                for a in await session.scalars(select(Answer).where(Answer.question_id.in_(chunk)))
            }
            tags: dict[int, list[str]] = {}
            for qid, tag in await session.execute(
                select(QuestionTag.question_id, QuestionTag.tag).where(
                    QuestionTag.question_id.in_(chunk)
                )
            ):
                tags.setdefault(qid, []).append(tag)
            rows = [
                search.index_row(
                    search.Document(
                        question_id=qid,
                        language=questions[qid].language,
                        category=questions[qid].category,
                        title=questions[qid].title or "",
                        body=questions[qid].body,
                        answer=answers[qid].body,
                        tags=sorted(tags.get(qid, [])),
                    ),
                    analyser,
                )
                for qid in chunk
                if qid in answers
            ]
            if rows:
                await session.execute(insert(QuestionSearch), rows)
        await search.rebuild_term_counts(session)
        return len(ids)
