"""The SQLite message writer on a real database file: turns between processes and its
own checkpoints."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from kuulolla.chat import writers
from kuulolla.chat.writers import Draft, SqliteWriter, UnknownRoom
from kuulolla.core.db import Database
from tests.helpers import eventually, make_room

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def draft(room_id: int, text: str) -> Draft:
    return Draft(room_id, b"a" * 16, "Aino", "visitor", text, None)


@pytest_asyncio.fixture
async def room(sqlite_url: str) -> AsyncIterator[tuple[str, int]]:
    """The database file's path and a room in it."""
    db = Database.from_url(sqlite_url)
    room_id = await make_room(db)
    await db.dispose()
    yield sqlite_url.split("///", 1)[1], room_id


def rows_in_main_file(path: str, copy: Path) -> int:
    """Messages in the database file itself, without its write-ahead log."""
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    finally:
        conn.close()
        copy.unlink()


@pytest.mark.asyncio
async def test_committed_messages_are_checkpointed_into_the_file(
    room: tuple[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's own checkpointer copies committed messages from the log into the file."""
    monkeypatch.setattr(writers, "CHECKPOINT_INTERVAL", 0.05)
    path, room_id = room
    writer = SqliteWriter(path)
    try:
        written = await writer.write([draft(room_id, "yksi"), draft(room_id, "kaksi")], NOW)
        assert [w.seq for w in written] == [1, 2]
        await eventually(lambda: rows_in_main_file(path, tmp_path / "copy.sqlite3") == 2)
    finally:
        await writer.close()


@pytest.mark.asyncio
async def test_closing_the_writer_stops_its_checkpointer(room: tuple[str, int]) -> None:
    """After close() no checkpoint thread is left running."""
    path, room_id = room
    writer = SqliteWriter(path)
    await writer.write([draft(room_id, "yksi")], NOW)
    await writer.close()
    names = [t.name for t in threading.enumerate()]
    assert "kuulolla-sqlite-checkpoint" not in names


@pytest.mark.asyncio
async def test_closing_the_writer_stops_its_thread(room: tuple[str, int]) -> None:
    """After close() the writer's own thread has ended."""
    path, room_id = room
    writer = SqliteWriter(path)
    await writer.write([draft(room_id, "yksi")], NOW)
    assert "kuulolla-sqlite-writer" in [t.name for t in threading.enumerate()]
    await writer.close()
    assert "kuulolla-sqlite-writer" not in [t.name for t in threading.enumerate()]


@pytest.mark.asyncio
async def test_a_failed_write_raises_in_the_caller_and_the_next_one_works(
    room: tuple[str, int],
) -> None:
    """An error on the writer's thread reaches the awaiting caller; the thread goes on."""
    path, room_id = room
    writer = SqliteWriter(path)
    try:
        with pytest.raises(UnknownRoom):
            await writer.write([draft(room_id + 1000, "ei huonetta")], NOW)
        written = await writer.write([draft(room_id, "yksi")], NOW)
        assert [w.seq for w in written] == [1]
    finally:
        await writer.close()


@pytest.mark.asyncio
async def test_writers_take_turns_through_the_lock_file(room: tuple[str, int]) -> None:
    """A write waits while another process holds the writer lock and goes on when it is let go."""
    path, room_id = room
    writer = SqliteWriter(path)
    other = os.open(path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        pending = asyncio.ensure_future(writer.write([draft(room_id, "odottaa")], NOW))
        await asyncio.sleep(0.3)
        assert not pending.done()
        fcntl.flock(other, fcntl.LOCK_UN)
        written = await asyncio.wait_for(pending, 5)
        assert [w.seq for w in written] == [1]
    finally:
        os.close(other)
        await writer.close()
