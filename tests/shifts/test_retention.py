"""Debriefs are purged with the organisation's period; a person's shift data is exported
and erased (kuulolla/core/retention.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulolla.core.db import Database
from kuulolla.core.retention import PurgeContext, StaffContext
from kuulolla.shifts import notices, roster
from kuulolla.shifts.models import CalendarFeedRow, ShiftDebrief, ShiftRow
from kuulolla.shifts.retention import erase_shifts, export_shifts, purge_debriefs
from tests.conftest import make_settings
from tests.shifts.world import NOW, build, weekly_template

pytestmark = pytest.mark.asyncio


async def debrief_count(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(ShiftDebrief)) or 0)


async def test_debriefs_are_purged_and_erased(db: Database, db_url: str) -> None:
    """A debrief older than the period is deleted (a dry run only counts it); erasing the
    person deletes their notes and feed, and their export lists the shift."""
    world = await build(db)
    await weekly_template(db, world)
    async with db.read_session() as session:
        shift = await session.scalar(select(ShiftRow).order_by(ShiftRow.starts_at).limit(1))
    assert shift is not None
    me = world.people["host1"]
    assignment = await roster.do_sign_up(
        db, organisation_id=world.org_id, shift_id=shift.id, person_id=me, role="volunteer", now=NOW
    )
    await notices.do_debrief(
        db,
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=me,
        text="Hyvä ilta.",
        wants_talk=False,
        now=shift.ends_at,
    )
    settings = make_settings(db_url)

    def ctx(days_later: int, dry_run: bool) -> PurgeContext:
        return PurgeContext(
            db=db,
            organisation_id=world.org_id,
            before=shift.ends_at + timedelta(days=days_later),
            now=shift.ends_at,
            dry_run=dry_run,
            settings=settings,
        )

    assert await purge_debriefs(ctx(-1, False)) == 0
    assert await purge_debriefs(ctx(1, True)) == 1 and await debrief_count(db) == 1
    exported = await export_shifts(StaffContext(db=db, user_id=me, now=NOW, settings=settings))
    assert len(exported["shifts"]) == 1 and exported["debriefs"][0]["text"] == "Hyvä ilta."
    await notices.do_new_feed_token(db, person_id=me, now=NOW)
    assert await erase_shifts(StaffContext(db=db, user_id=me, now=NOW, settings=settings)) == 2
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(CalendarFeedRow)) == 0
    assert await debrief_count(db) == 0
