"""The demo year of statistics: written once per organisation, never twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulolla.core.db import Database
from kuulolla.core.events import CRISIS_CATEGORIES
from kuulolla.core.models import ReportEvent
from kuulolla.reports import demo
from tests.helpers import NOW, make_room

pytestmark = pytest.mark.asyncio


async def test_demo_statistics_are_seeded_once(sqlite_url: str) -> None:
    """A second run adds nothing; every organisation with rooms has a year of records."""
    db = Database.from_url(sqlite_url)
    try:
        await make_room(db, "ilta", org="yksi")
        await make_room(db, "toinen", org="kaksi")
        first = await demo.seed(db, now=NOW)
        assert first > 1000
        assert await demo.seed(db, now=NOW) == 0
        async with db.read_session() as session:
            orgs = await session.scalar(
                select(func.count(func.distinct(ReportEvent.organisation_id)))
            )
            oldest = await session.scalar(select(func.min(ReportEvent.hour)))
        assert orgs == 2
        assert oldest is not None and (NOW - oldest).days >= 360
    finally:
        await db.dispose()


async def test_demo_year_has_every_crisis_category(sqlite_url: str) -> None:
    """Crisis alerts of the demo year come in every category, overdose and eating too."""
    db = Database.from_url(sqlite_url)
    try:
        await make_room(db, "ilta", org="yksi")
        await demo.seed(db, now=NOW)
        async with db.read_session() as session:
            labels = set(
                await session.scalars(
                    select(ReportEvent.label).where(ReportEvent.kind == "crisis.alert").distinct()
                )
            )
        assert labels == set(CRISIS_CATEGORIES)
    finally:
        await db.dispose()
