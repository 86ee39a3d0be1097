"""The demo roster: a room is open at any hour, the evening roster has full and short shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulolla import demo
from kuulolla.core.db import Database
from kuulolla.rooms.models import Room
from kuulolla.shifts import rooms
from kuulolla.shifts.models import ShiftTemplateRow
from kuulolla.shifts.views import calendar
from tests.conftest import make_settings
from tests.shifts.make import hki


async def room_id(db: Database, slug: str) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(Room.id).where(Room.slug == slug)) or 0)


@pytest.mark.asyncio
async def test_demo_room_is_open_at_any_hour(sqlite_url: str) -> None:
    """After seeding, "Vanhemmuus" is open and the queue topic has capacity at every hour of
    the next days; seeding again adds nothing."""
    db = Database.from_url(sqlite_url)
    now = hki(2026, 3, 27, 15, 20)  # the Friday before the spring DST change
    try:
        settings = make_settings(sqlite_url)
        await demo.seed(db, now=now, settings=settings)
        await demo.seed(db, now=now, settings=settings)
        async with db.read_session() as session:
            templates = await session.scalar(select(func.count()).select_from(ShiftTemplateRow))
        # Evenings of "Omaishoitajat", round the clock "Vanhemmuus" and the first queue topic.
        assert templates == 3
        async with db.read_session() as session:
            topic = await session.scalar(
                select(ShiftTemplateRow.topic_id).where(ShiftTemplateRow.topic_id.is_not(None))
            )
        assert topic is not None
        for hour in (0, 5, 13, 30):
            at = now + timedelta(hours=hour)
            assert (await rooms.topic_capacity(db, topic_id=topic, now=at) or 0) > 0
        open_room = await room_id(db, "vanhemmuus")
        closed = []
        for hour in range(0, 24 * 4):
            at = now + timedelta(hours=hour, minutes=7)
            state = await rooms.room_state(db, room_id=open_room, now=at)
            if state is None or not state.open:
                closed.append(at)
        assert closed == []
        evening = await room_id(db, "omaishoitajat")
        state = await rooms.room_state(db, room_id=evening, now=now)
        assert state is not None and state.status == "closed" and state.next_opening is not None
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_demo_calendar_has_full_and_understaffed_shifts(sqlite_url: str) -> None:
    """The evening shifts of the coming weeks are partly staffed: some understaffed, some filled."""
    db = Database.from_url(sqlite_url)
    now = hki(2026, 5, 4, 9)
    try:
        await demo.seed(db, now=now, settings=make_settings(sqlite_url))
        async with db.read_session() as session:
            from kuulolla.accounts.models import Organisation

            org = int(
                await session.scalar(
                    select(Organisation.id).where(Organisation.slug == "arjen-tuki")
                )
                or 0
            )
        page = await calendar(db, organisation_id=org, locale="fi", week_of=now.date())
        evenings = [
            c
            for week in page.view.weeks
            for day in week.days
            for c in day.shifts
            if c.shift.target.id == await room_id(db, "omaishoitajat")
        ]
        assert len(evenings) == 3
        assert any(c.understaffed for c in evenings)
        assert any(c.filled > 0 for c in evenings)
    finally:
        await db.dispose()
