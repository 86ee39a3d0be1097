"""Other domains record their statistics as things happen: the queue (entered,
answered with the wait, abandoned, ended with the duration, feedback) and moderation
actions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.core.events import SPECS, Kind
from kuulolla.core.models import ReportEvent
from kuulolla.moderation import service as moderation
from kuulolla.queue import conversation, feedback, waiting
from tests.helpers import NOW, make_room
from tests.queue.helpers import accept, build, enter, visitor

pytestmark = pytest.mark.asyncio


async def events(db: Database) -> list[dict[str, Any]]:
    async with db.read() as conn:
        rows = (await conn.execute(select(ReportEvent.__table__))).all()
    return [dict(r._mapping) for r in rows]


async def test_the_queue_records_waits_and_outcomes(db: Database) -> None:
    """Two visitors enter; one is answered after 3 minutes and chats for 20, then rates
    the chat 4; the other leaves after 5 minutes unanswered."""
    world = await build(db)
    await enter(db, world, 1)
    await enter(db, world, 2)
    taken = await accept(db, world, "vol1", when=NOW + timedelta(minutes=3))
    await conversation.do_end(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        now=NOW + timedelta(minutes=23),
    )
    await feedback.do_feedback(
        db,
        visitor_key=visitor(1),
        entry_id=taken.entry_id,
        helped="yes",
        rating="4",
        text="",
        now=NOW + timedelta(minutes=24),
    )
    await waiting.do_leave(db, visitor_key=visitor(2), now=NOW + timedelta(minutes=5))
    found = sorted(
        (r["kind"], r["count"], r["value"], r["topic_id"], r["organisation_id"])
        for r in await events(db)
    )
    topic, org = world.topic.id, world.org_id
    assert found == sorted(
        [
            ("queue.entered", 1, None, topic, org),
            ("queue.entered", 1, None, topic, org),
            ("queue.answered", 1, 180.0, topic, org),
            ("queue.ended", 1, 1200.0, topic, org),
            ("feedback", 1, 4.0, topic, org),
            ("feedback.helped", 1, None, topic, org),
            ("queue.abandoned", 1, 300.0, topic, org),
        ]
    )


async def test_a_requeued_chat_is_not_answered_twice(db: Database) -> None:
    """A visitor whose helper dropped is taken again without a second 'answered'."""
    world = await build(db, on_duty=("vol1", "vol2"))
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1", when=NOW + timedelta(minutes=1))
    await conversation.do_transfer(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        to_topic=world.topic.slug,
        note="",
        staff_key=world.key("vol1"),
        now=NOW + timedelta(minutes=2),
    )
    await accept(db, world, "vol2", when=NOW + timedelta(minutes=4))
    answered = [r for r in await events(db) if r["kind"] == "queue.answered"]
    assert [r["value"] for r in answered] == [60.0]


async def test_moderation_actions_are_counted_by_code_only(db: Database) -> None:
    """A moderator's action becomes a count with its code; settings changes do not."""
    room_id = await make_room(db, "huone")
    from kuulolla.rooms.models import Room

    async with db.read_session() as session:
        room = await session.get(Room, room_id)
    assert room is not None
    async with db.session() as session:
        for action in ("redact", "report.dismissed", "settings.links", "words.set"):
            moderation.audit(
                session,
                organisation_id=room.organisation_id,
                room_id=room_id,
                actor_id=None,
                action=action,
                target="Aino",
                reason="kiroili",
                now=NOW,
            )
    rows = await events(db)
    assert sorted(r["label"] for r in rows) == ["redact", "report_dismissed"]
    for r in rows:
        assert r["kind"] == Kind.MODERATION_ACTION and r["room_id"] is None
        assert SPECS[Kind.MODERATION_ACTION].labels is None


async def test_a_persons_shift_hours_are_theirs_to_export_and_erase(db: Database) -> None:
    """Staff data rights: the export lists the person's hours; erasing unlinks them and
    keeps the organisation's total."""
    from kuulolla.core import events as report_events
    from kuulolla.core.retention import StaffContext
    from kuulolla.reports import retention
    from tests.conftest import make_settings

    world = await build(db)
    person = world.helpers["vol1"]
    await report_events.write(
        db,
        [
            report_events.row(
                Kind.SHIFT_HOURS,
                organisation_id=world.org_id,
                staff_id=person,
                at=NOW,
                topic_id=world.topic.id,
                value=3.5,
            )
        ],
    )
    ctx = StaffContext(db=db, user_id=person, now=NOW, settings=make_settings("sqlite://"))
    exported = await retention.export_hours(ctx)
    assert [e["hours"] for e in exported] == [3.5]
    assert await retention.erase_hours(ctx) == 1
    rows = await events(db)
    assert [(r["staff_id"], r["value"]) for r in rows] == [(None, 3.5)]
    assert await retention.export_hours(ctx) == []
