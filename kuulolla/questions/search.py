"""Finnish full-text search over the archive: analysis, indexing, querying, highlighting.

Analysis turns text into index terms, the same way for documents and for queries:

- Finnish: every word's Voikko base forms, compound parts and derivation roots
  (core/finnish.py), so
  "parisuhteessa", "parisuhteesta" and "parisuhde" all become ``parisuhde`` (plus
  ``pari`` and ``suhde``), and "koulukiusaamisesta" becomes ``koulukiusata``,
  ``koulu`` and ``kiusata``, which "kiusaaminen" (``kiusata``) finds.
- Swedish and English: Snowball stems (snowballstemmer, pure Python).

Words whose base form is a stop word ("olla", "ja", "minä") are left out of both
documents and queries: they match everything and rank nothing.

The terms are stored space-separated in ``question_search`` and indexed by the
database: PostgreSQL keeps a generated ``tsvector`` (configuration ``simple``, no
stemming on top) with a GIN index and ranks with ``ts_rank``; SQLite keeps an FTS5
table and ranks with ``bm25``. A query matches any of its terms (OR); the ranking puts
documents with more and rarer terms, in titles above bodies above answers, first.

Highlighting maps matched terms back to the words of the original text through the
same analysis and wraps those words in ``<mark>``; everything else is escaped.

:class:`Analyser` has two other modes, used only by ``scripts/bench/search`` for
comparison: plain lowercased words and Snowball Finnish stems.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, cast

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kuulolla.core.finnish import Finnish, tokens
from kuulolla.core.finnish import analyser as finnish_analyser
from kuulolla.core.stopwords import ENGLISH_STOP, FINNISH_STOP, SWEDISH_STOP
from kuulolla.questions.models import QuestionSearch, QuestionTerm


class Mode(StrEnum):
    BASE_FORMS = "base_forms"  # Voikko base forms and compound parts: the service
    PLAIN = "plain"  # lowercased words (bench comparison only)
    SNOWBALL = "snowball"  # Snowball Finnish stems (bench comparison only)


_NOT_TERM = re.compile(r"[\W_]+")


def _term(form: str) -> str:
    """An index term: letters and digits only, so both FTS5's and PostgreSQL's
    tokenisers keep it as exactly one token ("teini-ikäinen" → "teiniikäinen"), of at
    most 64 characters (the length of ``question_terms.term``)."""
    return _NOT_TERM.sub("", form.lower())[:64]


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer({"fi": "finnish", "sv": "swedish", "en": "english"}[language])


class Analyser:
    """Text to index terms, per language. Cached; event loop thread only (Voikko)."""

    def __init__(self, mode: Mode = Mode.BASE_FORMS, finnish: Finnish | None = None) -> None:
        self.mode = mode
        self._finnish = finnish
        self.word_terms = lru_cache(maxsize=200_000)(self._word_terms)

    @property
    def finnish(self) -> Finnish:
        if self._finnish is None:
            self._finnish = finnish_analyser()
        return self._finnish

    def _word_terms(self, word: str, language: str) -> tuple[str, ...]:
        lowered = word.lower()
        if language in ("sv", "en"):
            stop = SWEDISH_STOP if language == "sv" else ENGLISH_STOP
            if lowered in stop:
                return ()
            term = _term(_stemmer(language).stemWord(lowered))
            return (term,) if len(term) > 1 else ()
        analysis = self.finnish.analyse(word)
        if analysis.bases[0] in FINNISH_STOP or lowered in FINNISH_STOP:
            return ()
        if self.mode is Mode.PLAIN:
            forms: Iterable[str] = (lowered,)
        elif self.mode is Mode.SNOWBALL:
            forms = (_stemmer("fi").stemWord(lowered),)
        else:
            forms = (*analysis.forms, *analysis.roots)
        out: dict[str, None] = {}
        for form in forms:
            term = _term(form)
            if len(term) > 1 and term not in FINNISH_STOP:
                out.setdefault(term, None)
        return tuple(out)

    def terms(self, content: str, language: str) -> list[str]:
        """Index terms of ``content`` in order (with repeats: they count in ranking)."""
        out: list[str] = []
        for token in tokens(content):
            out.extend(self.word_terms(token.text, language))
        return out

    def query_terms(self, query: str, languages: Sequence[str]) -> list[str]:
        """The distinct terms of a query, analysed for each language searched.

        A query that Voikko reads as Finnish (most of its words known) is analysed as
        Finnish only: Swedish or English stems of Finnish words would only add noise;
        one that it does not read as Finnish is analysed in the other languages.
        """
        langs = list(languages)
        if len(langs) > 1 and "fi" in langs:
            if self.looks_finnish(query):
                langs = ["fi"]
            elif self.finnish.available:
                langs.remove("fi")
        out: dict[str, None] = {}
        for language in langs:
            for term in self.terms(query, language):
                out.setdefault(term, None)
        return list(out)

    def looks_finnish(self, text: str) -> bool:
        words = [t.text for t in tokens(text) if not t.text.isdigit()]
        if not words or not self.finnish.available:
            return False
        known = sum(self.finnish.analyse(w).known for w in words)
        return known * 2 >= len(words)


@cache
def default_analyser() -> Analyser:
    return Analyser()


# ------------------------------------------------------------------ querying


@dataclass(frozen=True, slots=True)
class Hit:
    question_id: int
    score: float


MAX_QUERY_TERMS = 32


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: any of the terms. Terms are letters and digits only,
    and each is quoted, so nothing in them is FTS5 syntax."""
    return " OR ".join(f'"{t}"' for t in terms[:MAX_QUERY_TERMS])


def tsquery(terms: Sequence[str]) -> str:
    """A to_tsquery expression: any of the terms (letters and digits only, quoted)."""
    return " | ".join(f"'{t}'" for t in terms[:MAX_QUERY_TERMS])


# Relative weights of title, question and answer. FTS5's bm25 takes them per column;
# ts_rank takes {D, C, B, A} = {-, answer, question, title}.
WEIGHTS = (3.0, 1.5, 1.0)
PG_WEIGHTS = "{0.1, 0.33, 0.5, 1.0}"
# ts_rank, not ts_rank_cd: cover density rewards query terms that stand close together,
# which says little when the query is a disjunction of base forms, compound parts and
# roots; on the benchmark ts_rank finds 171 of 182 relevant results in the top 10 where
# ts_rank_cd finds 165. Normalisation 1 divides by 1 + log(document length).
PG_RANK = f"ts_rank('{PG_WEIGHTS}', s.vector, q, 1)"


# Ranking every document that shares one common word with the query ("lapsi" is in
# a quarter of the archive) costs time in proportion to the archive. So, as the MaxScore
# strategy of search engines does, the database is asked only for documents that hold
# the query's rarer terms, up to about MAX_CANDIDATES of them by document frequency
# (``question_terms``); documents that hold only its common terms could not outrank
# them anyway. PostgreSQL still ranks those candidates by every term of the query.
# When even the rarest term is too common, every term counts but only the newest
# documents are searched: as many as hold about MAX_CANDIDATES matches, judged from the
# terms' share of the archive. Below MAX_CANDIDATES matches in all, nothing is pruned.
MAX_CANDIDATES = 3000
ALL_DOCS = ""  # the question_terms row that counts documents (no real term is empty)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which terms select candidates and, for a query of common terms only, how many
    of the newest documents to search (``window``; 0 for all)."""

    match: list[str]
    window: int = 0


def plan(terms: Sequence[str], counts: dict[str, int], *, budget: int = MAX_CANDIDATES) -> Plan:
    """Choose the terms that select candidates (pure; ``counts`` are document frequencies,
    ``counts[ALL_DOCS]`` the number of documents)."""
    present = [t for t in terms if t != ALL_DOCS and counts.get(t, 0) > 0]
    every = sum(counts[t] for t in present)
    if every <= budget:
        return Plan(present)
    chosen: list[str] = []
    total = 0
    for term in sorted(present, key=lambda t: counts[t]):
        if total + counts[term] > budget:
            break
        chosen.append(term)
        total += counts[term]
    if chosen:
        return Plan(chosen)
    documents = max(counts.get(ALL_DOCS, 0), every)
    return Plan(present, window=max(budget, documents * budget // every))


async def term_counts(conn: AsyncConnection, terms: Sequence[str]) -> dict[str, int]:
    if not terms:
        return {}
    names = ", ".join(f":t{i}" for i in range(len(terms)))
    rows = await conn.execute(
        text(f"SELECT term, docs FROM question_terms WHERE term IN ({names})"),
        {f"t{i}": t for i, t in enumerate(terms)},
    )
    return {str(row[0]): int(row[1]) for row in rows}


async def find(
    conn: AsyncConnection,
    *,
    terms: Sequence[str],
    languages: Sequence[str] | None = None,
    category: str | None = None,
    exclude: int | None = None,
    limit: int = 10,
    offset: int = 0,
) -> list[Hit]:
    """Published questions matching any of ``terms``, best first."""
    terms = list(terms[:MAX_QUERY_TERMS])
    counts = await term_counts(conn, [*terms, ALL_DOCS])
    chosen = plan(terms, counts)
    if not chosen.match:
        return []
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    filters = []
    if languages:
        names = []
        for i, language in enumerate(languages):
            params[f"lang{i}"] = language
            names.append(f":lang{i}")
        filters.append(f"s.language IN ({', '.join(names)})")
    if category:
        params["category"] = category
        filters.append("s.category = :category")
    if exclude is not None:
        params["exclude"] = exclude
        filters.append("s.question_id <> :exclude")
    postgres = conn.dialect.name == "postgresql"
    if chosen.window:
        # The window's lower bound, estimated from the id range and the number of
        # documents: counting the newest ids exactly would read every row of the window
        # (SQLite keeps rows in its primary key's b-tree).
        # (Two subqueries: SQLite answers a lone min() or max() from the b-tree's ends,
        # but scans the table for both in one select.)
        bounds = (
            await conn.execute(
                text(
                    "SELECT (SELECT min(question_id) FROM question_search),"
                    " (SELECT max(question_id) FROM question_search)"
                )
            )
        ).one()
        documents = counts.get(ALL_DOCS, 0)
        if bounds[0] is not None and documents > chosen.window:
            low, high = int(bounds[0]), int(bounds[1])
            params["floor"] = high - (high - low + 1) * chosen.window // documents
            # On SQLite the bound goes on the FTS5 table's rowid, which FTS5 uses to
            # skip the older part of its posting lists.
            filters.append(("s.question_id" if postgres else "question_fts.rowid") + " >= :floor")
    if postgres:
        params["q"] = tsquery(terms)
        params["m"] = tsquery(chosen.match)
        where = "".join(f" AND {f}" for f in filters)
        sql = (
            f"SELECT s.question_id, {PG_RANK} AS score"
            " FROM question_search s, to_tsquery('simple', :q) q"
            f" WHERE s.vector @@ to_tsquery('simple', :m){where}"
            " ORDER BY score DESC, s.question_id DESC LIMIT :limit OFFSET :offset"
        )
        if "floor" in params:
            # Given an id window, the planner walks the primary key and tests every
            # row's tsvector; intersecting the GIN index with the key range (BitmapAnd)
            # is several times faster (scripts/bench/search).
            await conn.execute(text("SET LOCAL enable_indexscan = off"))
            hits = (await conn.execute(text(sql), params)).all()
            await conn.execute(text("SET LOCAL enable_indexscan = on"))
            return [Hit(int(row[0]), float(row[1])) for row in hits]
    else:
        params["m"] = fts5_query(chosen.match)
        where = "".join(f" AND {f}" for f in filters)
        w = ", ".join(str(x) for x in WEIGHTS)
        sql = (
            f"SELECT s.question_id, -bm25(question_fts, {w}) AS score"
            " FROM question_fts JOIN question_search s ON s.question_id = question_fts.rowid"
            f" WHERE question_fts MATCH :m{where}"
            " ORDER BY score DESC, s.question_id DESC LIMIT :limit OFFSET :offset"
        )
    rows = await conn.execute(text(sql), params)
    return [Hit(int(row[0]), float(row[1])) for row in rows]


# ------------------------------------------------------------------ indexing


@dataclass(frozen=True, slots=True)
class Document:
    question_id: int
    language: str
    category: str
    title: str
    body: str
    answer: str
    tags: Sequence[str] = ()


def index_row(doc: Document, analyser: Analyser) -> dict[str, Any]:
    """The ``question_search`` row of a published question. Tags count as title words."""
    title = " ".join([doc.title, *doc.tags])
    return {
        "question_id": doc.question_id,
        "language": doc.language,
        "category": doc.category,
        "title_forms": " ".join(analyser.terms(title, doc.language)),
        "body_forms": " ".join(analyser.terms(doc.body, doc.language)),
        "answer_forms": " ".join(analyser.terms(doc.answer, doc.language)),
    }


async def put(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Add rows (``index_row``) to the index and their terms to the counts. With
    :func:`remove`, the way into and out of ``question_search`` (importing.do_reindex
    rebuilds it wholesale and recounts)."""
    if not rows:
        return
    await session.execute(insert(QuestionSearch), list(rows))
    await _count(session, rows, +1)


async def remove(session: AsyncSession, question_ids: Sequence[int]) -> None:
    """Take questions out of the index and their terms out of the counts."""
    if not question_ids:
        return
    found = await session.execute(
        select(
            QuestionSearch.title_forms, QuestionSearch.body_forms, QuestionSearch.answer_forms
        ).where(QuestionSearch.question_id.in_(question_ids))
    )
    rows = [{"title_forms": t, "body_forms": b, "answer_forms": a} for t, b, a in found]
    await session.execute(
        delete(QuestionSearch).where(QuestionSearch.question_id.in_(question_ids))
    )
    await _count(session, rows, -1)


async def _count(session: AsyncSession, rows: Sequence[dict[str, Any]], sign: int) -> None:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(
            set(f"{row['title_forms']} {row['body_forms']} {row['answer_forms']}".split())
        )
    counts[ALL_DOCS] = len(rows)
    if not rows:
        return
    table = cast(Table, QuestionTerm.__table__)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["term"], set_={"docs": table.c.docs + stmt.excluded.docs}
    )
    # Sorted, so concurrent writers take the rows' locks in one order.
    await session.execute(
        stmt, [{"term": term, "docs": sign * n} for term, n in sorted(counts.items())]
    )
    if sign < 0:
        await session.execute(delete(table).where(table.c.docs <= 0, table.c.term != ALL_DOCS))


async def rebuild_term_counts(session: AsyncSession) -> None:
    """Recount every term from the index (after deletions that bypassed :func:`remove`)."""
    await session.execute(delete(QuestionTerm))
    result = await session.stream(
        select(QuestionSearch.title_forms, QuestionSearch.body_forms, QuestionSearch.answer_forms)
    )
    counts: Counter[str] = Counter()
    async for title, body, answer in result:
        counts.update(set(f"{title} {body} {answer}".split()))
        counts[ALL_DOCS] += 1
    if counts:
        await session.execute(
            insert(QuestionTerm), [{"term": t, "docs": n} for t, n in sorted(counts.items())]
        )


# ------------------------------------------------------------------ highlighting


def _marked_spans(
    content: str, terms: frozenset[str], language: str, analyser: Analyser
) -> list[tuple[int, int]]:
    spans = []
    for token in tokens(content):
        if terms.intersection(analyser.word_terms(token.text, language)):
            spans.append((token.start, token.end))
    return spans


def highlight(content: str, terms: Iterable[str], language: str, analyser: Analyser) -> Markup:
    """``content`` escaped, with the words that match ``terms`` wrapped in ``<mark>``."""
    spans = _marked_spans(content, frozenset(terms), language, analyser)
    return _render(content, spans, 0, len(content))


def snippet(
    content: str, terms: Iterable[str], language: str, analyser: Analyser, *, width: int = 240
) -> Markup:
    """About ``width`` characters of ``content`` around its first matched words, escaped,
    matches marked, with an ellipsis where text was cut."""
    spans = _marked_spans(content, frozenset(terms), language, analyser)
    if len(content) <= width:
        return _render(content, spans, 0, len(content))
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4)
    # Start and end at word boundaries.
    if start > 0:
        space = content.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else 0
    end = min(len(content), start + width)
    if end < len(content):
        space = content.rfind(" ", start, end)
        end = space if space > start else end
    return _render(content, spans, start, end)


def _render(content: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    parts: list[str] = ["…" if start > 0 else ""]
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        parts.append(str(escape(content[at:s])))
        parts.append(f"<mark>{escape(content[s:e])}</mark>")
        at = e
    parts.append(str(escape(content[at:end])))
    if end < len(content):
        parts.append("…")
    return Markup("".join(parts))
