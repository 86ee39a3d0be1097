"""The demo year of statistics: written once per organisation, never twice, with
referral cards the directory can name."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kuulolla.core.db import Database
from kuulolla.core.events import CRISIS_CATEGORIES, Kind
from kuulolla.core.models import ReportEvent
from kuulolla.directory import vocabulary
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


async def test_demo_referrals_name_the_directorys_kinds_and_topics(sqlite_url: str) -> None:
    """The demo year has referral cards, by kinds and topics the directory knows."""
    db = Database.from_url(sqlite_url)
    try:
        await make_room(db, "ilta", org="yksi")
        await demo.seed(db, now=NOW)
        async with db.read_session() as session:
            rows = (
                await session.execute(
                    select(ReportEvent.kind, ReportEvent.label).where(
                        ReportEvent.kind.in_([Kind.REFERRAL_SENT, Kind.REFERRAL_TOPIC])
                    )
                )
            ).all()
    finally:
        await db.dispose()
    kinds = {label for kind, label in rows if kind == Kind.REFERRAL_SENT}
    topics = {label for kind, label in rows if kind == Kind.REFERRAL_TOPIC}
    assert len([r for r in rows if r[0] == Kind.REFERRAL_SENT]) > 50
    assert kinds <= set(vocabulary.KINDS) and len(kinds) >= 4
    assert topics <= {t.key for t in vocabulary.shipped_topics()} and len(topics) >= 6
