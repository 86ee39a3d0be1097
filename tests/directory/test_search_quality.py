"""Recall of the directory search on inflected queries, over the demo directory.

``search_queries.jsonl`` holds queries as visitors write them (inflected Finnish, some
Swedish and English, some with a region chosen) and the services a helper would accept
as answers. Recall@5 of a query is the share of its relevant services in the first five
results (out of at most five); the mean over the set must be at least 0.9.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuulolla.core.db import Database
from kuulolla.directory import logic, service
from tests.helpers import NOW

pytestmark = pytest.mark.asyncio

QUERIES = [
    json.loads(line)
    for line in (Path(__file__).parent / "search_queries.jsonl").read_text().splitlines()
    if line.strip()
]


async def test_recall_at_5_on_inflected_queries_is_at_least_0_9(
    db: Database, demo_directory: int
) -> None:
    """Visitors' own words find the services a helper would point them to."""
    scores, misses = [], []
    for row in QUERIES:
        found = await service.find_services(
            db,
            filters=logic.Filters(query=row["query"], region=row.get("region", "")),
            now=NOW,
            limit=5,
        )
        top = [f"{f.service.organisation_slug}/{f.service.key}" for f in found.items]
        relevant = set(row["relevant"])
        score = len(relevant & set(top)) / min(len(relevant), 5)
        scores.append(score)
        if score < 1:
            misses.append((row["query"], top))
    recall = sum(scores) / len(scores)
    assert len(QUERIES) >= 30
    assert recall >= 0.9, (recall, misses)
