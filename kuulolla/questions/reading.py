"""Reading the archive: published questions and their answers, lists by category and
tag, what the sitemap lists, and search in the visitor's own words (the index is
search.py).

Everything reads through a :class:`Database` passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.questions import logic, search
from kuulolla.questions.logic import State
from kuulolla.questions.models import Answer, Question, QuestionSearch, QuestionTag

# ------------------------------------------------------------------ views


def display_title(title: str | None, body: str, *, max_chars: int = 90) -> str:
    """The title, or the start of the question when the asker gave none."""
    if title:
        return title
    first = " ".join(body.split())
    if len(first) <= max_chars:
        return first
    cut = first.rfind(" ", 0, max_chars)
    return first[: cut if cut > 0 else max_chars] + "…"


@dataclass(frozen=True, slots=True)
class ArchiveItem:
    id: int
    title: str
    excerpt: Markup
    category: str
    language: str
    published_at: datetime
    helpful: int


@dataclass(frozen=True, slots=True)
class AnswerView:
    body: str
    answerer_name: str | None
    answerer_role: str | None
    answerer_organisation: str | None
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublishedQuestion:
    id: int
    title: str
    body: str
    category: str
    language: str
    age_group: str | None
    gender: str | None
    tags: tuple[str, ...]
    answer: AnswerView
    published_at: datetime
    helpful: int
    not_helpful: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    id: int
    title: Markup
    snippet: Markup
    category: str
    language: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class SearchPage:
    results: list[SearchResult]
    terms: list[str]
    has_more: bool
    offset: int = 0
    limit: int = 10


# ------------------------------------------------------------------ reading


def answer_view(answer: Answer, question: Question) -> AnswerView:
    return AnswerView(
        body=answer.body,
        answerer_name=answer.answerer_name,
        answerer_role=answer.answerer_role,
        answerer_organisation=answer.answerer_organisation,
        answered_at=question.answered_at,
    )


def _excerpt(body: str, max_chars: int = 200) -> Markup:
    text = " ".join(body.split())
    if len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > 0 else max_chars] + "…"
    return Markup.escape(text)


async def archive_items(session: AsyncSession, ids: Sequence[int]) -> list[ArchiveItem]:
    """Published questions by id, in the order of ``ids``."""
    if not ids:
        return []
    rows = await session.scalars(
        select(Question).where(Question.id.in_(ids), Question.state == State.PUBLISHED)
    )
    by_id = {q.id: q for q in rows}
    return [
        ArchiveItem(
            id=q.id,
            title=display_title(q.title, q.body),
            excerpt=_excerpt(q.body),
            category=q.category,
            language=q.language,
            published_at=q.published_at or q.updated_at,
            helpful=q.helpful,
        )
        for q in (by_id.get(i) for i in ids)
        if q is not None
    ]


async def get_archive_items(db: Database, *, ids: Sequence[int]) -> list[ArchiveItem]:
    """Published questions by id, in the order of ``ids`` (unpublished ones left out)."""
    async with db.read_session() as session:
        return await archive_items(session, ids)


ORDERS = ("newest", "helpful")


async def list_published(
    db: Database,
    *,
    category: str | None = None,
    tag: str | None = None,
    language: str | None = None,
    order: str = "newest",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[ArchiveItem], bool]:
    """A page of the archive and whether more follow."""
    stmt = select(Question.id).where(Question.state == State.PUBLISHED)
    if category:
        stmt = stmt.where(Question.category == category)
    if language:
        stmt = stmt.where(Question.language == language)
    if tag:
        stmt = stmt.join(QuestionTag, QuestionTag.question_id == Question.id).where(
            QuestionTag.tag == tag
        )
    if order == "helpful":
        stmt = stmt.order_by(Question.helpful_score.desc(), Question.published_at.desc())
    else:
        stmt = stmt.order_by(Question.published_at.desc(), Question.id.desc())
    stmt = stmt.limit(limit + 1).offset(offset)
    async with db.read_session() as session:
        ids = list(await session.scalars(stmt))
        items = await archive_items(session, ids[:limit])
    return items, len(ids) > limit


async def list_tags(db: Database, *, limit: int = 30) -> list[tuple[str, int]]:
    """The most used tags of published questions, with counts."""
    count = func.count().label("n")
    stmt = (
        select(QuestionTag.tag, count)
        .join(Question, Question.id == QuestionTag.question_id)
        .where(Question.state == State.PUBLISHED)
        .group_by(QuestionTag.tag)
        .order_by(count.desc(), QuestionTag.tag)
        .limit(limit)
    )
    async with db.read_session() as session:
        return [(tag, int(n)) for tag, n in await session.execute(stmt)]


async def count_by_category(db: Database) -> dict[str, int]:
    stmt = (
        select(Question.category, func.count())
        .where(Question.state == State.PUBLISHED)
        .group_by(Question.category)
    )
    async with db.read_session() as session:
        return {category: int(n) for category, n in await session.execute(stmt)}


async def get_published_or_raise(db: Database, *, question_id: int) -> PublishedQuestion:
    async with db.read_session() as session:
        question = await session.get(Question, question_id)
        if question is None or question.state != State.PUBLISHED:
            raise NotFound(
                N_("There is no such question in the archive."), code="question_not_found"
            )
        answer = await session.get(Answer, question_id)
        if answer is None:  # published questions always have an answer
            raise NotFound(
                N_("There is no such question in the archive."), code="question_not_found"
            )
        tags = tuple(
            await session.scalars(
                select(QuestionTag.tag)
                .where(QuestionTag.question_id == question_id)
                .order_by(QuestionTag.tag)
            )
        )
        return PublishedQuestion(
            id=question.id,
            title=display_title(question.title, question.body),
            body=question.body,
            category=question.category,
            language=question.language,
            age_group=question.age_group,
            gender=question.gender,
            tags=tags,
            answer=answer_view(answer, question),
            published_at=question.published_at or question.updated_at,
            helpful=question.helpful,
            not_helpful=question.not_helpful,
        )


def check_category(category: str | None) -> str | None:
    if category and category not in logic.CATEGORIES:
        raise BadRequest(N_("There is no such topic."), code="invalid_category")
    return category or None


# ------------------------------------------------------------------ the sitemap


@dataclass(frozen=True, slots=True)
class Changed:
    """A published question (or a list of them) and when what it shows last changed."""

    key: str
    changed: datetime


async def count_published(db: Database) -> int:
    async with db.read_session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Question).where(Question.state == State.PUBLISHED)
            )
            or 0
        )


async def list_published_changes(db: Database, *, offset: int, limit: int) -> list[Changed]:
    """Published questions by id, each with when it was published or its answer last
    changed, whichever is later."""
    stmt = (
        select(Question.id, Question.published_at, Question.updated_at, Answer.updated_at)
        .join(Answer, Answer.question_id == Question.id)
        .where(Question.state == State.PUBLISHED)
        .order_by(Question.id)
        .offset(offset)
        .limit(limit)
    )
    async with db.read_session() as session:
        rows = (await session.execute(stmt)).all()
    return [
        Changed(str(qid), max(published or updated, answered))
        for qid, published, updated, answered in rows
    ]


async def list_changes_by_list(db: Database) -> tuple[list[Changed], list[Changed]]:
    """The newest publication in each category and under each tag that has published
    questions: (categories, tags), each ordered by its key."""
    newest = func.max(Question.published_at)
    published = Question.state == State.PUBLISHED
    async with db.read_session() as session:
        categories = await session.execute(
            select(Question.category, newest)
            .where(published)
            .group_by(Question.category)
            .order_by(Question.category)
        )
        tags = await session.execute(
            select(QuestionTag.tag, newest)
            .join(Question, Question.id == QuestionTag.question_id)
            .where(published)
            .group_by(QuestionTag.tag)
            .order_by(QuestionTag.tag)
        )
        return (
            [Changed(key, at) for key, at in categories if at is not None],
            [Changed(key, at) for key, at in tags if at is not None],
        )


# ------------------------------------------------------------------ search

MAX_QUERY_CHARS = 300


async def do_search(
    db: Database,
    *,
    query: str,
    category: str | None = None,
    languages: Sequence[str] | None = None,
    limit: int = 10,
    offset: int = 0,
    analyser: search.Analyser | None = None,
) -> SearchPage:
    """Ranked archive questions for a query in the visitor's own words, with matches
    highlighted. ``languages`` limits the archive languages searched (default: all)."""
    analyser = analyser or search.default_analyser()
    query = query[:MAX_QUERY_CHARS]
    langs = list(languages or logic.LANGUAGES)
    terms = analyser.query_terms(query, langs)
    if not terms:
        return SearchPage([], [], False, offset, limit)
    async with db.read_session() as session:
        conn = await session.connection()
        hits = await search.find(
            conn,
            terms=terms,
            languages=languages,
            category=category,
            limit=limit + 1,
            offset=offset,
        )
        ids = [h.question_id for h in hits[:limit]]
        rows = {
            q.id: q for q in await session.scalars(select(Question).where(Question.id.in_(ids)))
        }
        answers = {
            a.question_id: a
            for a in await session.scalars(select(Answer).where(Answer.question_id.in_(ids)))
        }
    results = []
    for qid in ids:
        q = rows.get(qid)
        if q is None:
            continue
        title = display_title(q.title, q.body)
        # The snippet comes from the question, or from the answer when only it matched.
        snip = search.snippet(q.body, terms, q.language, analyser)
        if "<mark>" not in snip and qid in answers:
            answer_snip = search.snippet(answers[qid].body, terms, q.language, analyser)
            if "<mark>" in answer_snip:
                snip = answer_snip
        results.append(
            SearchResult(
                id=q.id,
                title=search.highlight(title, terms, q.language, analyser),
                snippet=snip,
                category=q.category,
                language=q.language,
                published_at=q.published_at or q.updated_at,
            )
        )
    return SearchPage(results, terms, len(hits) > limit, offset, limit)


async def similar(
    db: Database, *, text: str, limit: int = 5, analyser: search.Analyser | None = None
) -> list[SearchResult]:
    """Published answers similar to what a visitor is typing."""
    page = await do_search(db, query=text[:1000], limit=limit, analyser=analyser)
    return page.results


async def related(db: Database, *, question_id: int, limit: int = 5) -> list[ArchiveItem]:
    """Published questions that share the most telling words with this one."""
    async with db.read_session() as session:
        row = await session.get(QuestionSearch, question_id)
        if row is None:
            return []
        seen: dict[str, None] = {}
        for term in f"{row.title_forms} {row.body_forms}".split():
            seen.setdefault(term, None)
        conn = await session.connection()
        hits = await search.find(
            conn,
            terms=list(seen)[: search.MAX_QUERY_TERMS],
            languages=[row.language],
            exclude=question_id,
            limit=limit,
        )
        return await archive_items(session, [h.question_id for h in hits])
