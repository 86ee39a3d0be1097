"""The duty desk's counts against real SQLite and PostgreSQL: visitors present in a
room (their nickname claims, lapsed ones not), people checked in, and per queue topic
the visitors waiting and talking with the helpers whose console is open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.moderation import desk_presence
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueTopic
from kuulolla.rooms.models import RoomNick
from tests.accounts.helpers import add_person
from tests.helpers import NOW, make_room

pytestmark = pytest.mark.asyncio


async def test_counts_follow_who_is_there(db: Database) -> None:
    """Two visitors hold nicknames in the room (a third's claim lapsed); one visitor
    waits and one talks in the topic; one helper's console beat a moment ago, another's
    a minute ago, so one counts as on the console."""
    room = await make_room(db)
    async with db.session() as session:
        org = await session.scalar(select(Organisation.id))
        assert org is not None
        for i, left in ((1, 60), (2, 60), (3, -1)):
            session.add(
                RoomNick(
                    room_id=room,
                    nick_key=bytes([i]) * 16,
                    author_key=bytes([i + 10]) * 16,
                    expires_at=NOW + timedelta(seconds=left),
                )
            )
        topic = QueueTopic(
            organisation_id=org, slug="nuoret", name_fi="Nuoret", name_en="Youth", created_at=NOW
        )
        session.add(topic)
        await session.flush()
        for i, state in enumerate(("waiting", "active", "ended")):
            session.add(
                QueueEntry(
                    topic_id=topic.id,
                    visitor_key=bytes([i]) * 16,
                    state=state,
                    queued_at=NOW,
                    visitor_seen_at=NOW,
                )
            )
    anu = await add_person(db, "anu", org_id=org, role="volunteer")
    ville = await add_person(db, "ville", org_id=org, role="volunteer")
    async with db.session() as session:
        for user, seen in ((anu, NOW - timedelta(seconds=5)), (ville, NOW - timedelta(minutes=1))):
            session.add(
                QueueHelper(user_id=user, organisation_id=org, available=True, seen_at=seen)
            )
    counts = await desk_presence.get_presence(
        db, organisation_id=org, room_ids=[room], queue=True, now=NOW
    )
    assert counts.rooms[room] == desk_presence.RoomCount(room, present=2, on_shift=0)
    assert [(t.name("en"), t.waiting, t.talking) for t in counts.topics] == [("Youth", 1, 1)]
    assert counts.on_console == 1
    assert counts.waiting == 1
