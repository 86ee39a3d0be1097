"""Finding services in the visitor's own words, with the question archive's analysis.

A published service is indexed as two strings of analysed words
(:class:`kuulolla.questions.search.Analyser`: Voikko base forms, compound parts and
derivation roots for Finnish, Snowball stems for Swedish and English): its names, and
everything else a visitor might say about it (summaries, descriptions, the names and
search words of its topics, its kind, the places it serves, its organisation). So
"yksinäisyyteen" finds a group described with "yksinäinen", "vertaisryhmiä Tampereella"
finds the peer groups in Tampere, and "omaishoitajan jaksaminen" the carers' services.

The database ranks matches (SQLite FTS5 ``bm25``, PostgreSQL ``ts_rank``), names above
the rest. A query matches any of its words; the filters (region, topic, kind, open
now) are applied to the matches by the caller. A directory holds thousands of
services, not millions, so every match is ranked; docs/performance.md has the
figures and tests/directory/test_search_quality.py the recall on inflected queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kuulolla.core.i18n import gettext
from kuulolla.directory import logic, regions, vocabulary
from kuulolla.directory.models import DirectorySearch
from kuulolla.questions.search import Analyser, default_analyser, fts5_query, tsquery

LANGUAGES = ("fi", "sv", "en")
# A service's names say what it is more surely than anything else about it; the rest
# (topics' search words, descriptions, places) is long and shared with many services.
# Names weigh five times the rest (tests/directory/test_search_quality.py).
NAME_WEIGHT, TEXT_WEIGHT = 5.0, 1.0
# ts_rank takes {D, C, B, A}: text is B, names A.
PG_RANK = "ts_rank('{0.1, 0.2, 0.2, 1.0}', s.vector, q, 1)"


@dataclass(frozen=True, slots=True)
class Hit:
    service_id: int
    score: float


def index_row(
    *,
    service_id: int,
    fields: logic.ServiceFields,
    organisation: str,
    topics: Iterable[vocabulary.Topic],
    analyser: Analyser | None = None,
) -> dict[str, object]:
    """The ``directory_search`` row of a published service."""
    analyser = analyser or default_analyser()
    names: list[str] = []
    for loc, value in fields.names.items():
        names.extend(analyser.terms(value, loc))
    words: list[str] = []
    for group in (fields.summaries, fields.descriptions, fields.hours_notes):
        for loc, value in group.items():
            words.extend(analyser.terms(value, loc))
    for loc in LANGUAGES:
        words.extend(analyser.terms(gettext(loc, vocabulary.KINDS[fields.kind]), loc))
        words.extend(analyser.terms(vocabulary.KIND_WORDS[fields.kind], loc))
    for topic in topics:
        if topic.key not in fields.topics:
            continue
        for loc in LANGUAGES:
            words.extend(analyser.terms(topic.name(loc), loc))
            # Search words are in any of the languages; Voikko knows the Finnish ones
            # and the others are stemmed, so both kinds of query meet them.
            words.extend(analyser.terms(topic.words, loc))
    for code in fields.area_codes:
        for loc in ("fi", "sv"):
            words.extend(analyser.terms(regions.name_of(code, loc), loc))
    if fields.address.post_office:
        words.extend(analyser.terms(fields.address.post_office, "fi"))
    words.extend(analyser.terms(organisation, "fi"))
    return {
        "service_id": service_id,
        "name_forms": " ".join(names),
        "text_forms": " ".join(words),
    }


async def put(session: AsyncSession, row: dict[str, object] | None, *, service_id: int) -> None:
    """Replace a service's index row (``None``: take it out of the index)."""
    await session.execute(delete(DirectorySearch).where(DirectorySearch.service_id == service_id))
    if row is not None:
        await session.execute(insert(DirectorySearch), [row])


def query_terms(query: str, analyser: Analyser | None = None) -> list[str]:
    """The distinct index terms of a visitor's query in all three languages at once.

    The archive reads a query as Finnish when Voikko knows most of its words; here a
    query mixes languages more often ("samtalsgrupp Vasa": Voikko knows "vasa", a calf),
    and a Swedish or English stem of a Finnish word rarely meets anything in a
    directory, so every language's terms are kept."""
    analyser = analyser or default_analyser()
    out: dict[str, None] = {}
    for language in LANGUAGES:
        for term in analyser.terms(query, language):
            out.setdefault(term, None)
    return list(out)


async def find(conn: AsyncConnection, terms: Sequence[str]) -> list[Hit]:
    """Every indexed service matching any of ``terms``, best first."""
    if not terms:
        return []
    if conn.dialect.name == "postgresql":
        sql = (
            f"SELECT s.service_id, {PG_RANK} AS score"
            " FROM directory_search s, to_tsquery('simple', :q) q"
            " WHERE s.vector @@ q ORDER BY score DESC, s.service_id"
        )
        rows = await conn.execute(text(sql), {"q": tsquery(terms)})
    else:
        sql = (
            f"SELECT rowid, -bm25(directory_fts, {NAME_WEIGHT}, {TEXT_WEIGHT}) AS score"
            " FROM directory_fts WHERE directory_fts MATCH :q ORDER BY score DESC, rowid"
        )
        rows = await conn.execute(text(sql), {"q": fts5_query(terms)})
    return [Hit(int(r[0]), float(r[1])) for r in rows]
