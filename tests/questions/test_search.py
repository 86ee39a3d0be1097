"""Finnish search: analysis of inflected words and compounds, Swedish and English
stems, ranking, filters and safe highlighting, on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kuulolla.core.db import Database
from kuulolla.core.finnish import Finnish
from kuulolla.questions import asking, importing, reading
from kuulolla.questions.search import Analyser, Mode, highlight, snippet
from tests.helpers import NOW
from tests.questions.conftest import SIGNATURE, Orgs


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    fi = Finnish()
    if not fi.available:
        from tests.conftest import unavailable

        unavailable("Voikko (libvoikko1, voikko-fi)")
    return Analyser(Mode.BASE_FORMS, fi)


# ------------------------------------------------------------------ analysis


@pytest.mark.parametrize("word", ["parisuhteessa", "parisuhteesta", "parisuhde", "Parisuhteeseen"])
def test_inflected_forms_give_one_term(analyser: Analyser, word: str) -> None:
    """Inflected forms of a word index to the same base form."""
    assert "parisuhde" in analyser.terms(word, "fi")


def test_compound_parts_are_terms(analyser: Analyser) -> None:
    """'koulukiusaamisesta' yields 'kiusata', which 'kiusaaminen' also yields."""
    compound = set(analyser.terms("koulukiusaamisesta", "fi"))
    assert {"koulukiusata", "koulu", "kiusata"} <= compound
    assert set(analyser.terms("kiusaaminen", "fi")) & compound == {"kiusata"}


def test_stop_words_are_dropped(analyser: Analyser) -> None:
    """Words like 'olen', 'ja', 'minulla' carry no topic and are left out."""
    assert analyser.terms("Minulla on ja olen", "fi") == []
    assert analyser.terms("Jag är ensam", "sv") == ["ensam"]


def test_hyphenated_words_are_one_term(analyser: Analyser) -> None:
    """A hyphenated base form becomes one token for both databases' tokenisers."""
    assert "teiniikäinen" in analyser.terms("teini-ikäisen", "fi")


def test_swedish_and_english_are_stemmed() -> None:
    """Swedish and English words are stemmed with Snowball, not Voikko."""
    plain = Analyser(Mode.BASE_FORMS)
    assert plain.terms("ensamheten", "sv") == plain.terms("ensamhet", "sv")
    assert plain.terms("loneliness", "en") == plain.terms("lonely", "en") or plain.terms(
        "worried", "en"
    ) == plain.terms("worry", "en")


def test_comparison_modes_differ(analyser: Analyser) -> None:
    """The bench's baselines: plain words keep the inflection, Snowball cuts it short."""
    plain = Analyser(Mode.PLAIN, analyser.finnish)
    snow = Analyser(Mode.SNOWBALL, analyser.finnish)
    assert plain.terms("parisuhteessa", "fi") == ["parisuhteessa"]
    assert snow.terms("parisuhteessa", "fi") == ["parisuht"]
    assert snow.terms("parisuhde", "fi") == ["parisuhd"]


def test_highlight_marks_inflected_matches_and_escapes_the_rest(analyser: Analyser) -> None:
    """Matched words are wrapped in <mark>; markup in the text is escaped."""
    html = highlight("<b>Parisuhteessa</b> & riidat", ["parisuhde"], "fi", analyser)
    assert str(html) == "&lt;b&gt;<mark>Parisuhteessa</mark>&lt;/b&gt; &amp; riidat"


def test_snippet_centres_on_the_first_match(analyser: Analyser) -> None:
    """A long text is cut around the first match at word boundaries."""
    text = "alku " * 100 + "koulukiusaamisesta puhuttiin " + "loppu " * 100
    html = str(snippet(text, ["kiusata"], "fi", analyser, width=120))
    assert "<mark>koulukiusaamisesta</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 200


# ------------------------------------------------------------------ querying

DOCS = [
    # (category, language, title, body, answer)
    (
        "relationships",
        "fi",
        "Riitelemme jatkuvasti",
        "Parisuhteessa riidellään joka päivä pienistä asioista.",
        "Sopikaa yhteinen aikalisä.",
    ),
    (
        "youth",
        "fi",
        "Kiusaaminen",
        "Lastani kiusataan koulussa välitunnilla.",
        "Ottakaa yhteys opettajaan ja rehtoriin.",
    ),
    (
        "youth",
        "fi",
        "Koulu ahdistaa",
        "En halua mennä kouluun, koska pelkään koetta.",
        "Koulukiusaamisesta kannattaa kertoa aikuiselle.",
    ),
    (
        "loneliness",
        "sv",
        "Ensam på kvällarna",
        "Jag känner mig ensam efter skilsmässan.",
        "Ensamheten lättar när man hittar en grupp.",
    ),
    (
        "mental-health",
        "en",
        "Worried all the time",
        "I keep worrying about everything.",
        "Worrying is common; talk to someone.",
    ),
]


async def import_docs(db: Database, analyser: Analyser) -> list[int]:
    items = [
        importing.ImportItem(
            category=c,
            language=lang,
            title=t,
            body=b,
            answer=a,
            answerer=SIGNATURE,
            organisation_id=None,
            published_at=NOW - timedelta(days=i),
        )
        for i, (c, lang, t, b, a) in enumerate(DOCS)
    ]
    return await importing.do_import_published(db, items=items, analyser=analyser)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("query", "expected_first", "must_include"),
    [
        ("parisuhde", 0, {0}),
        ("riitoja parisuhteissa", 0, {0}),
        ("kiusaaminen", 1, {1, 2}),  # the answer of 2 says "koulukiusaamisesta"
        ("koulukiusaamisesta", 2, {1, 2}),  # the whole compound ranks first
        ("ensamhet", 3, {3}),
        ("worries", 4, {4}),
    ],
)
async def test_queries_find_inflected_and_compound_forms(
    db: Database,
    orgs: Orgs,
    analyser: Analyser,
    query: str,
    expected_first: int,
    must_include: set[int],
) -> None:
    """Queries in other forms than the text find it, best match first."""
    ids = await import_docs(db, analyser)
    page = await reading.do_search(db, query=query, analyser=analyser)
    found = [r.id for r in page.results]
    assert found and found[0] == ids[expected_first]
    assert {ids[i] for i in must_include} <= set(found)


@pytest.mark.asyncio
async def test_filters_and_empty_queries(db: Database, orgs: Orgs, analyser: Analyser) -> None:
    """Category and language filters apply; stop words alone and FTS syntax find nothing and break nothing."""
    ids = await import_docs(db, analyser)
    page = await reading.do_search(
        db, query="koulu kiusaaminen", category="youth", analyser=analyser
    )
    assert {r.id for r in page.results} == {ids[1], ids[2]}
    page = await reading.do_search(db, query="koulu", category="relationships", analyser=analyser)
    assert page.results == []
    page = await reading.do_search(db, query="ensam parisuhde", languages=["sv"], analyser=analyser)
    assert [r.id for r in page.results] == [ids[3]]
    assert (await reading.do_search(db, query="minä olen ja se", analyser=analyser)).results == []
    for hostile in ('" OR * NEAR(', "a' | !b & (", 'parisuhde" OR "x', "*", "NOT"):
        await reading.do_search(db, query=hostile, analyser=analyser)


@pytest.mark.asyncio
async def test_results_are_highlighted(db: Database, orgs: Orgs, analyser: Analyser) -> None:
    """Result titles and snippets mark the words that matched."""
    await import_docs(db, analyser)
    page = await reading.do_search(db, query="riitelevät", analyser=analyser)
    assert "<mark>riidellään</mark>" in page.results[0].snippet
    assert "<mark>Riitelemme</mark>" in page.results[0].title


@pytest.mark.asyncio
async def test_related_questions(db: Database, orgs: Orgs, analyser: Analyser) -> None:
    """Related questions share words with the question and never include it."""
    ids = await import_docs(db, analyser)
    related = await reading.related(db, question_id=ids[1])
    assert ids[1] not in [r.id for r in related]
    assert related and related[0].id == ids[2]


# ------------------------------------------------------------------ candidate pruning


@pytest.mark.parametrize(
    ("counts", "budget", "match", "window"),
    [
        # Few matches in all: every term selects.
        ({"a": 10, "b": 20, "c": 30}, 100, ["a", "b", "c"], 0),
        # Too many: the rarest terms select, up to the budget.
        ({"a": 10, "b": 2000, "c": 30}, 100, ["a", "c"], 0),
        # Only common terms: all of them select, among the newest documents, as many as
        # hold about the budget of matches (the terms cover 2500 of 10,000 documents).
        ({"a": 500, "b": 2000, "": 10_000}, 100, ["a", "b"], 400),
        # Terms nobody used are dropped.
        ({"a": 0, "b": 5}, 100, ["b"], 0),
        ({}, 100, [], 0),
    ],
)
def test_candidate_plan(counts: dict[str, int], budget: int, match: list[str], window: int) -> None:
    """Rare terms select candidates when common ones would match too much."""
    from kuulolla.questions.search import plan

    result = plan(["a", "b", "c"], counts, budget=budget)
    assert (result.match, result.window) == (match, window)


@pytest.mark.asyncio
async def test_term_counts_follow_the_index(db: Database, orgs: Orgs, analyser: Analyser) -> None:
    """Publishing counts a question's terms once each; leaving the archive uncounts them."""
    from sqlalchemy import select

    from kuulolla.questions import search
    from kuulolla.questions.models import QuestionTerm
    from tests.questions.conftest import answer_and_publish, ask

    async def counts() -> dict[str, int]:
        async with db.read_session() as session:
            return dict((await session.execute(select(QuestionTerm.term, QuestionTerm.docs))).all())

    ids = await import_docs(db, analyser)
    assert (await counts())["koulu"] == 2  # in two documents, however many times
    assert (await counts())[""] == len(DOCS)  # the number of documents
    receipt = await ask(db)
    await answer_and_publish(db, receipt.question_id, orgs.a)
    before = await counts()
    await asking.do_withdraw_consent(db, code=receipt.claim_code, now=NOW)
    after = await counts()
    assert before["parisuhde"] == after.get("parisuhde", 0) + 1
    async with db.session() as session:
        await search.rebuild_term_counts(session)
    assert await counts() == after
    assert ids


@pytest.mark.asyncio
async def test_reindex_rebuilds_with_the_current_analysis(
    db: Database, orgs: Orgs, analyser: Analyser
) -> None:
    """An index built without base forms finds inflected words once rebuilt."""
    await import_docs(db, Analyser(Mode.PLAIN, analyser.finnish))
    assert (await reading.do_search(db, query="parisuhde", analyser=analyser)).results == []
    assert await importing.do_reindex(db, analyser=analyser) == len(DOCS)
    assert (await reading.do_search(db, query="parisuhde", analyser=analyser)).results
