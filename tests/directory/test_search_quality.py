"""Recall of the directory search on inflected queries, over the demo directory.

``search_queries.jsonl`` holds queries as visitors write them (inflected Finnish, some
Swedish and English, some with a region chosen) and the services a helper would accept
as answers. Recall@5 of a query is the share of its relevant services in the first five
results (out of at most five); the mean over the set must be at least 0.9.
"""

from __future__ import annotations

import pytest

from kuulolla.core.db import Database
from tests.directory.search_eval import QUERIES, recall_at_5
from tests.helpers import NOW

pytestmark = pytest.mark.asyncio


async def test_recall_at_5_on_inflected_queries_is_at_least_0_9(
    db: Database, demo_directory: int
) -> None:
    """Visitors' own words find the services a helper would point them to."""
    recall, misses = await recall_at_5(db, now=NOW)
    assert len(QUERIES) >= 30
    assert recall >= 0.9, (recall, misses)
