"""The demo archive: enough content, well-formed, seeded once."""

from __future__ import annotations

from collections import Counter

import pytest

from kuulolla import demo
from kuulolla.core.db import Database
from kuulolla.questions import asking_rules, logic, reading
from kuulolla.questions.demo import load_items
from tests.helpers import NOW


def test_demo_content_covers_every_category() -> None:
    """At least 150 Finnish items across the six categories, some Swedish, unique ids."""
    items = load_items()
    keys = [i.key for i in items]
    assert len(keys) == len(set(keys))
    finnish = [i for i in items if i.language == "fi"]
    assert len(finnish) >= 150
    assert sum(i.language == "sv" for i in items) >= 10
    per_category = Counter(i.category for i in finnish)
    assert set(per_category) == set(logic.CATEGORIES)
    assert min(per_category.values()) >= 20
    for item in items:
        logic.check_tags(item.tags)
        assert 20 <= len(item.question) <= logic.MAX_BODY_CHARS
        assert asking_rules.screen(item.question).masked == ()


@pytest.mark.asyncio
async def test_seeding_is_idempotent(db: Database) -> None:
    """`kuulolla demo` seeds the archive once; running it again adds nothing."""
    await demo.seed(db, now=NOW)
    await demo.seed(db, now=NOW)
    counts = await reading.count_by_category(db)
    assert sum(counts.values()) == len(load_items())
    newest, more = await reading.list_published(db, limit=5)
    assert more and len(newest) == 5
    assert newest[0].published_at > newest[-1].published_at
