"""Recall of the directory search on the labelled queries (search_queries.jsonl), for
the test of its quality and for scripts/bench/directory."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from kuulolla.core.db import Database
from kuulolla.directory import finding, listing

QUERIES = [
    json.loads(line)
    for line in (Path(__file__).parent / "search_queries.jsonl").read_text().splitlines()
    if line.strip()
]


async def recall_at_5(db: Database, *, now: datetime) -> tuple[float, list[tuple[str, Any]]]:
    """The mean recall@5 over the queries (a query's relevant services in the first five,
    out of at most five), and the queries that miss with what they found."""
    scores, misses = [], []
    for row in QUERIES:
        found = await listing.find_services(
            db,
            filters=finding.Filters(query=row["query"], region=row.get("region", "")),
            now=now,
            limit=5,
        )
        top = [f"{f.service.organisation_slug}/{f.service.key}" for f in found.items]
        relevant = set(row["relevant"])
        score = len(relevant & set(top)) / min(len(relevant), 5)
        scores.append(score)
        if score < 1:
            misses.append((row["query"], top))
    return sum(scores) / len(scores), misses
