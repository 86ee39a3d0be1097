"""The retention registry, periods and the purge on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulolla.chat.models import Message
from kuulolla.core import retention as registry
from kuulolla.core.db import Database
from kuulolla.core.retention import DataKind, PurgeContext, RegistryError
from kuulolla.core.settings import Settings
from kuulolla.privacy import service
from kuulolla.rooms.models import Room, RoomStream
from tests.helpers import NOW, make_room


async def _nothing(ctx: PurgeContext) -> int:
    return 0


async def add_messages(db: Database, room_id: int, ages_days: list[float]) -> None:
    """Messages in the room, one per age (days before NOW), in sequence order."""
    async with db.session() as session:
        for seq, age in enumerate(ages_days, start=1):
            session.add(
                Message(
                    room_id=room_id,
                    seq=seq,
                    kind=0,
                    created_at=NOW - timedelta(days=age),
                    nick=f"nick{seq}",
                    role="visitor",
                    text=f"text {seq}",
                )
            )
        stream = await session.get(RoomStream, room_id)
        assert stream is not None
        stream.last_seq = len(ages_days)


async def remaining(db: Database, room_id: int) -> list[int]:
    async with db.read_session() as session:
        return list(
            (
                await session.execute(
                    select(Message.seq).where(Message.room_id == room_id).order_by(Message.seq)
                )
            ).scalars()
        )


async def org_of(db: Database, room_id: int) -> int:
    async with db.read_session() as session:
        room = await session.get(Room, room_id)
        assert room is not None
        return room.organisation_id


def test_a_key_cannot_be_registered_twice() -> None:
    """Registering another kind under a taken key is refused."""
    registry.load()
    with pytest.raises(RegistryError):
        registry.register(
            DataKind(
                key="room_messages",
                label="x",
                contents="x",
                seen_by="x",
                default_days=1,
                purge=_nothing,
            )
        )


def test_domains_register_their_kinds() -> None:
    """Loading the registry finds the kinds declared in the domains' retention modules."""
    keys = {kind.key for kind in registry.kinds()}
    assert {"room_messages", "unpublished_questions", "audit_events"} <= keys
    assert {"conversation_messages", "queue_entries", "queue_notes", "queue_feedback"} <= keys


@pytest.mark.asyncio
async def test_periods_fall_back_from_organisation_to_platform_to_default(db: Database) -> None:
    """An organisation's own period wins over the platform's, which wins over the default."""
    org = await org_of(db, await make_room(db))
    default = registry.get_kind("room_messages")
    assert default is not None
    assert (await service.get_periods(db, organisation_id=org))["room_messages"] == (
        default.default_days
    )
    await service.do_set_period(db, organisation_id=None, kind="room_messages", days=14, now=NOW)
    assert (await service.get_periods(db, organisation_id=org))["room_messages"] == 14
    await service.do_set_period(db, organisation_id=org, kind="room_messages", days="7", now=NOW)
    await service.do_set_period(db, organisation_id=org, kind="room_messages", days=8, now=NOW)
    assert (await service.get_periods(db, organisation_id=org))["room_messages"] == 8
    assert (await service.get_periods(db, organisation_id=None))["room_messages"] == 14


@pytest.mark.parametrize("days", ["abc", "", 0, -3, 100000, "7.5", None])
@pytest.mark.asyncio
async def test_invalid_periods_are_refused_and_change_nothing(db: Database, days: object) -> None:
    """A period that is not a whole number within the kind's limits is refused."""
    org = await org_of(db, await make_room(db))
    with pytest.raises(service.InvalidPeriod):
        await service.do_set_period(
            db, organisation_id=org, kind="room_messages", days=days, now=NOW
        )
    kind = registry.get_kind("room_messages")
    assert kind is not None
    assert (await service.get_periods(db, organisation_id=org))["room_messages"] == (
        kind.default_days
    )


@pytest.mark.asyncio
async def test_purge_deletes_old_room_messages_for_real(db: Database, settings: Settings) -> None:
    """Messages older than the period are deleted, newer ones stay, and the stream's
    purged sequence moves past the deleted ones."""
    room = await make_room(db)
    org = await org_of(db, room)
    await service.do_set_period(db, organisation_id=org, kind="room_messages", days=10, now=NOW)
    await add_messages(db, room, [20, 15, 11, 9, 1])
    results = await service.do_purge(db, settings=settings, now=NOW)
    assert await remaining(db, room) == [4, 5]
    assert {(r.kind, r.organisation_id): r.count for r in results}[("room_messages", org)] == 3
    async with db.read_session() as session:
        stream = await session.get(RoomStream, room)
        assert stream is not None and stream.purged_seq == 3
        texts = (
            await session.execute(select(func.count()).where(Message.text == "text 1"))
        ).scalar()
        assert texts == 0


@pytest.mark.asyncio
async def test_purge_in_batches_deletes_every_old_message_of_every_room(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A purge larger than one batch deletes all that is past the period in several
    transactions, keeps the rest, and moves each room's purged sequence past its own
    deleted messages."""
    from kuulolla.chat import retention

    monkeypatch.setattr(retention, "BATCH", 3)
    first = await make_room(db, "eka")
    second = await make_room(db, "toka")
    await add_messages(db, first, [40, 39, 38, 37, 36, 35, 34, 1])
    await add_messages(db, second, [33, 32, 2, 1])
    results = await service.do_purge(db, settings=settings, now=NOW)
    assert sum(r.count for r in results if r.kind == "room_messages") == 9
    assert await remaining(db, first) == [8]
    assert await remaining(db, second) == [3, 4]
    async with db.read_session() as session:
        purged = {
            room: (await session.get(RoomStream, room)).purged_seq  # type: ignore[union-attr]
            for room in (first, second)
        }
    assert purged == {first: 7, second: 2}


@pytest.mark.asyncio
async def test_dry_run_counts_and_changes_nothing(db: Database, settings: Settings) -> None:
    """A dry run reports what would go and deletes nothing."""
    room = await make_room(db)
    await add_messages(db, room, [40, 35, 1])
    results = await service.do_purge(db, settings=settings, now=NOW, dry_run=True)
    assert sum(r.count for r in results if r.kind == "room_messages") == 2
    assert await remaining(db, room) == [1, 2, 3]


@pytest.mark.asyncio
async def test_each_organisation_has_its_own_period(db: Database, settings: Settings) -> None:
    """One organisation's shorter period does not shorten another's."""
    short = await make_room(db, "lyhyt", org="lyhyt-ry")
    long = await make_room(db, "pitka", org="pitka-ry")
    await service.do_set_period(
        db, organisation_id=await org_of(db, short), kind="room_messages", days=2, now=NOW
    )
    await service.do_set_period(
        db, organisation_id=await org_of(db, long), kind="room_messages", days=60, now=NOW
    )
    await add_messages(db, short, [5, 1])
    await add_messages(db, long, [5, 1])
    await service.do_purge(db, settings=settings, now=NOW)
    assert await remaining(db, short) == [2]
    assert await remaining(db, long) == [1, 2]


def test_the_server_purges_on_its_own(sqlite_url: str) -> None:
    """A running server deletes data past retention without `kuulolla purge`."""
    import time

    from starlette.testclient import TestClient

    from kuulolla.core.clock import FrozenClock
    from kuulolla.web.app import create_app
    from tests.conftest import make_settings
    from tests.helpers import run_async

    async def plant() -> int:
        db = Database.from_url(sqlite_url)
        room = await make_room(db)
        await add_messages(db, room, [40, 1])
        await db.dispose()
        return room

    async def left(room: int) -> list[int]:
        db = Database.from_url(sqlite_url)
        try:
            return await remaining(db, room)
        finally:
            await db.dispose()

    room = run_async(plant)
    settings = make_settings(sqlite_url, purge_interval=0.01)
    with TestClient(create_app(settings, clock=FrozenClock(NOW))):
        deadline = time.monotonic() + 10
        while run_async(lambda: left(room)) != [2] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert run_async(lambda: left(room)) == [2]


@pytest.mark.asyncio
async def test_conversation_messages_have_their_own_period(
    db: Database, settings: Settings
) -> None:
    """Messages of one-to-one conversation rooms follow their own kind's period, not the
    group rooms'."""
    from sqlalchemy import update as sql_update

    group = await make_room(db, "ryhma")
    private = await make_room(db, "kahden")
    async with db.session() as session:
        await session.execute(sql_update(Room).where(Room.id == private).values(kind="private"))
    org = await org_of(db, group)
    await service.do_set_period(db, organisation_id=org, kind="room_messages", days=60, now=NOW)
    await service.do_set_period(
        db, organisation_id=org, kind="conversation_messages", days=7, now=NOW
    )
    await add_messages(db, group, [20, 1])
    await add_messages(db, private, [20, 1])
    await service.do_purge(db, settings=settings, now=NOW)
    assert await remaining(db, group) == [1, 2]
    assert await remaining(db, private) == [2]


async def _queue_rows(db: Database) -> tuple[list[int], list[str], list[str]]:
    from kuulolla.queue.models import QueueEntry, QueueFeedback, QueueNote

    async with db.read_session() as session:
        entries = list(await session.scalars(select(QueueEntry.id).order_by(QueueEntry.id)))
        notes = list(await session.scalars(select(QueueNote.text).order_by(QueueNote.id)))
        feedback = list(
            await session.scalars(select(QueueFeedback.text).order_by(QueueFeedback.id))
        )
    return entries, notes, feedback


@pytest.mark.asyncio
async def test_queue_records_are_purged_after_their_periods(
    db: Database, settings: Settings
) -> None:
    """Ended queue entries (with their answers and notes), notes and feedback go after
    the organisation's periods; a visitor still waiting stays however long ago they came."""
    from kuulolla.queue import conversation
    from kuulolla.queue import feedback as queue_feedback
    from tests.queue.helpers import accept, build, enter, visitor

    world = await build(db)
    old = NOW - timedelta(days=40)
    first = await enter(db, world, 1, when=old)
    await accept(db, world, "vol1", when=old)
    await conversation.do_note(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=first,
        text="vanha muistiinpano",
        now=old,
    )
    await conversation.do_end(
        db, organisation_id=world.org_id, user_id=world.helpers["vol1"], entry_id=first, now=old
    )
    await queue_feedback.do_feedback(
        db,
        visitor_key=visitor(1),
        entry_id=first,
        helped="yes",
        rating="4",
        text="vanha palaute",
        now=old,
    )
    second = await enter(db, world, 2, when=NOW - timedelta(days=1))
    await accept(db, world, "vol1", when=NOW - timedelta(days=1))
    await conversation.do_note(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=second,
        text="uusi muistiinpano",
        now=NOW - timedelta(days=1),
    )
    waiting = await enter(db, world, 3, when=old)
    for kind in ("queue_entries", "queue_notes", "queue_feedback"):
        await service.do_set_period(db, organisation_id=world.org_id, kind=kind, days=30, now=NOW)
    assert await _queue_rows(db) == (
        [first, second, waiting],
        ["vanha muistiinpano", "uusi muistiinpano"],
        ["vanha palaute"],
    )
    await service.do_purge(db, settings=settings, now=NOW)
    assert await _queue_rows(db) == ([second, waiting], ["uusi muistiinpano"], [])


@pytest.mark.asyncio
async def test_a_question_deleted_by_its_asker_leaves_no_bytes_in_the_sqlite_files(
    sqlite_url: str,
) -> None:
    """After "delete my question" its text is in neither the SQLite file nor its WAL."""
    from pathlib import Path

    from kuulolla.questions.retention import do_delete_by_claim
    from tests.questions.conftest import ask

    body = "Kanarialintu7Q kysyy jotain aivan omaa tänään illalla."
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    db = Database.from_url(sqlite_url)
    try:
        receipt = await ask(db, body=body)
        await do_delete_by_claim(db, code=receipt.claim_code)
        # Read while the database is open: closing the last connection would fold the
        # log into the file anyway.
        stored = b"".join(f.read_bytes() for f in files if f.exists())
    finally:
        await db.dispose()
    assert b"Kanarialintu7Q" not in stored


@pytest.mark.asyncio
async def test_a_conversation_deleted_by_its_visitor_leaves_no_bytes_in_the_sqlite_files(
    sqlite_url: str,
) -> None:
    """After "delete this conversation now" a helper's note is in neither the SQLite file nor its WAL."""
    from pathlib import Path

    from kuulolla.queue import conversation
    from kuulolla.queue import service as queue
    from tests.queue.helpers import accept, build, enter, visitor

    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    db = Database.from_url(sqlite_url)
    try:
        world = await build(db)
        entry = await enter(db, world, 1)
        await accept(db, world, "vol1")
        helper = world.helpers["vol1"]
        await conversation.do_note(
            db,
            organisation_id=world.org_id,
            user_id=helper,
            entry_id=entry,
            text="Kanarialintu8R muistiinpano",
            now=NOW,
        )
        await conversation.do_end(
            db, organisation_id=world.org_id, user_id=helper, entry_id=entry, now=NOW
        )
        await queue.do_delete_conversation(db, visitor_key=visitor(1), entry_id=entry, now=NOW)
        stored = b"".join(f.read_bytes() for f in files if f.exists())
    finally:
        await db.dispose()
    assert b"Kanarialintu8R" not in stored


@pytest.mark.asyncio
async def test_purge_clears_ban_digests_once_their_day_key_is_gone(
    db: Database, settings: Settings
) -> None:
    """A ban keeps its network digest for 48 hours, then only its token hash, however
    long the ban and the period run."""
    from kuulolla.moderation.models import Restriction

    org = await org_of(db, await make_room(db))
    async with db.session() as session:
        for hours in (49, 47):
            session.add(
                Restriction(
                    organisation_id=org,
                    kind="ban",
                    author_key=bytes(16),
                    ban_key=bytes([hours]) * 32,
                    created_at=NOW - timedelta(hours=hours),
                    expires_at=NOW + timedelta(days=300),
                )
            )
    await service.do_purge(db, settings=settings, now=NOW)
    async with db.read_session() as session:
        rows = (
            await session.execute(select(Restriction.ban_key).order_by(Restriction.created_at))
        ).scalars()
        assert list(rows) == [None, bytes([47]) * 32]


@pytest.mark.asyncio
async def test_purge_deletes_crisis_alerts_with_their_nicknames_after_the_safety_period(
    db: Database, settings: Settings
) -> None:
    """A crisis alert, which holds the writer's nickname, is deleted once older than the
    moderation_safety period; a newer one stays."""
    from kuulolla.moderation.desk import do_record_alert
    from kuulolla.moderation.models import CrisisAlert

    room = await make_room(db)
    org = await org_of(db, room)
    await service.do_set_period(db, organisation_id=org, kind="moderation_safety", days=10, now=NOW)
    for days, nick in ((11, "Vanha"), (9, "Uusi")):
        await do_record_alert(
            db,
            room_id=room,
            seq=1,
            held_id=None,
            category="suicide",
            source="lexicon",
            nick=nick,
            now=NOW - timedelta(days=days),
        )
    await service.do_purge(db, settings=settings, now=NOW)
    async with db.read_session() as session:
        assert list((await session.execute(select(CrisisAlert.nick))).scalars()) == ["Uusi"]
