"""What the sitemap reads of the archive, against real SQLite and PostgreSQL: exactly
the published answers, each with when it last changed, and the lists they are in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from kuulolla.core.db import Database
from kuulolla.questions import asking, reading
from kuulolla.questions.models import Answer
from kuulolla.questions.routes import SITEMAP
from tests.helpers import NOW
from tests.questions.conftest import Orgs, answer_and_publish, ask

pytestmark = pytest.mark.asyncio


async def test_sitemap_lists_exactly_the_published_answers(db: Database, orgs: Orgs) -> None:
    """Published answers are listed; waiting, private and withdrawn questions are not."""
    published = [await ask(db, f"Kysymys numero {n}: miten jaksan arjessa?") for n in range(3)]
    for receipt in published:
        await answer_and_publish(db, receipt.question_id, orgs.a)
    waiting = await ask(db, "Kukaan ei ole vielä vastannut tähän kysymykseen.")
    private = await ask(db, "Tämän vastauksen saan vain itse luettavaksi.", visibility="private")
    await answer_and_publish(db, private.question_id, orgs.a)
    withdrawn = await ask(db, "Julkaistiin, mutta perun suostumukseni myöhemmin.")
    await answer_and_publish(db, withdrawn.question_id, orgs.a)
    await asking.do_withdraw_consent(db, code=withdrawn.claim_code, now=NOW)

    answers = next(section for section in SITEMAP if section.name == "answers")
    entries = await answers.entries(db, 0, 100)
    assert [e.path for e in entries] == [f"/questions/{r.question_id}" for r in published]
    assert await answers.count(db) == 3
    assert waiting.question_id not in {int(e.path.rsplit("/", 1)[1]) for e in entries}


async def test_sitemap_pages_through_the_answers(db: Database, orgs: Orgs) -> None:
    """Offset and limit page through the answers in a stable order, none twice."""
    ids = []
    for n in range(5):
        receipt = await ask(db, f"Sivutettava kysymys {n}: mitä teen, kun väsyttää?")
        await answer_and_publish(db, receipt.question_id, orgs.a)
        ids.append(receipt.question_id)
    answers = next(section for section in SITEMAP if section.name == "answers")
    pages = [await answers.entries(db, offset, 2) for offset in (0, 2, 4)]
    assert [[e.path for e in page] for page in pages] == [
        [f"/questions/{i}" for i in ids[0:2]],
        [f"/questions/{i}" for i in ids[2:4]],
        [f"/questions/{ids[4]}"],
    ]


async def test_last_modified_is_the_later_of_publishing_and_the_answer(
    db: Database, orgs: Orgs
) -> None:
    """An answer edited after publishing is dated by the edit, others by publishing."""
    first = await ask(db, "Ensimmäinen kysymys, jonka vastaus pysyy ennallaan.")
    second = await ask(db, "Toinen kysymys, jonka vastausta korjataan myöhemmin.")
    for receipt in (first, second):
        await answer_and_publish(db, receipt.question_id, orgs.a)
    edited = NOW + timedelta(days=3)
    async with db.session() as session:
        await session.execute(
            update(Answer).where(Answer.question_id == second.question_id).values(updated_at=edited)
        )
    changes = {
        c.key: c.changed for c in await reading.list_published_changes(db, offset=0, limit=10)
    }
    assert changes == {str(first.question_id): NOW, str(second.question_id): edited}


async def test_archive_lists_are_dated_by_their_newest_answer(db: Database, orgs: Orgs) -> None:
    """Each category and tag with published answers is listed with its newest one."""
    receipt = await ask(db, "Riitelemme usein. Miten voisimme sopia asioista?")
    await answer_and_publish(db, receipt.question_id, orgs.a, tags=("riidat",))
    await ask(db, "Vastaamaton kysymys omaishoidosta.", category="carers")
    archive = next(section for section in SITEMAP if section.name == "archive")
    entries = await archive.entries(db, 0, 100)
    assert [(e.path, e.query, e.lastmod) for e in entries] == [
        ("/questions", (), NOW),
        ("/questions", (("category", "relationships"),), NOW),
        ("/questions", (("tag", "riidat"),), NOW),
        ("/questions/ask", (), None),
    ]
