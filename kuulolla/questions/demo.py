"""Demo archive: questions and answers written for the project, in plain Finnish across
the six categories plus some in Swedish (``data/demo_*.json``). The organisations are
the fictional ones of kuulolla/demo.py; answerers are first names and roles only.

Every item has a stable ``id`` (``rel-01``…) that the search benchmark's relevance
judgements refer to (scripts/bench/search_data/queries.json).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.questions import importing, search, staff
from kuulolla.questions.logic import State
from kuulolla.questions.models import Question

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class DemoItem:
    key: str  # stable id, e.g. "rel-01"
    category: str
    language: str
    organisation: str  # slug
    title: str
    question: str
    answer: str
    tags: tuple[str, ...]
    answerer_name: str
    answerer_role: str


def load_items() -> list[DemoItem]:
    """Every demo item, in file order."""
    items: list[DemoItem] = []
    for path in sorted(DATA.glob("demo_*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        answerers = spec["answerers"]
        for i, raw in enumerate(spec["items"]):
            name, role = answerers[i % len(answerers)]
            items.append(
                DemoItem(
                    key=raw["id"],
                    category=raw.get("category", spec["category"]),
                    language=spec["language"],
                    organisation=spec["organisation"],
                    title=raw["title"],
                    question=raw["question"],
                    answer=raw["answer"],
                    tags=tuple(raw.get("tags", ())),
                    answerer_name=name,
                    answerer_role=role,
                )
            )
    return items


def _stable(key: str, modulo: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % modulo


def import_items(
    items: list[DemoItem], *, organisations: dict[str, tuple[int, str]], now: datetime
) -> list[importing.ImportItem]:
    """Demo items as import rows, published over the past two years (newest first)."""
    out = []
    for index, item in enumerate(items):
        org_id, org_name = organisations.get(item.organisation, (None, ""))
        published = now - timedelta(days=3 * index + 1, hours=_stable(item.key, 20))
        votes = _stable(item.key + "votes", 40)
        out.append(
            importing.ImportItem(
                category=item.category,
                language=item.language,
                title=item.title,
                body=item.question,
                answer=item.answer,
                answerer=staff.Answerer(item.answerer_name, item.answerer_role, org_name),
                organisation_id=org_id,
                published_at=published,
                tags=item.tags,
                helpful=votes,
                not_helpful=_stable(item.key + "no", max(2, votes // 4 + 1)),
            )
        )
    return out


async def seed(
    db: Database, *, now: datetime, analyser: search.Analyser | None = None
) -> list[int]:
    """Import the demo archive unless published questions exist already (idempotent)."""
    async with db.read_session() as session:
        published = await session.scalar(
            select(func.count()).select_from(Question).where(Question.state == State.PUBLISHED)
        )
        orgs = {
            slug: (oid, name)
            for oid, slug, name in await session.execute(
                select(Organisation.id, Organisation.slug, Organisation.name)
            )
        }
    if published:
        return []
    rows = import_items(load_items(), organisations=orgs, now=now)
    return await importing.do_import_published(db, items=rows, analyser=analyser)
