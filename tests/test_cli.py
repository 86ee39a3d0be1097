"""The kuulolla command line."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import TEST_SECRET


def run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KUULOLLA_ENV": "test",
        "KUULOLLA_SECRET_KEY": TEST_SECRET,
        "KUULOLLA_DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "kuulolla", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_create_org_and_room(db_url: str) -> None:
    """create-org and create-room make a room that the front page lists."""
    assert (
        run("create-org", "--slug", "tuki", "--name", "Tuki ry", database_url=db_url).returncode
        == 0
    )
    result = run(
        "create-room",
        "--org",
        "tuki",
        "--slug",
        "ilta",
        "--name-fi",
        "Ilta",
        "--history",
        "0",
        database_url=db_url,
    )
    assert result.returncode == 0, result.stderr
    assert "/rooms/ilta" in result.stdout

    from kuulolla.core.db import Database
    from kuulolla.rooms.service import get_room
    from tests.helpers import run_async

    async def fetch():  # type: ignore[no-untyped-def]
        db = Database.from_url(db_url)
        room = await get_room(db, slug="ilta")
        await db.dispose()
        return room

    room = run_async(fetch)
    assert room is not None and room.history_limit == 0 and room.organisation_name == "Tuki ry"


def test_errors_are_reported_without_traceback(sqlite_url: str) -> None:
    """A room for an unknown organisation is refused with a message and exit status 1."""
    result = run(
        "create-room", "--org", "ei-ole", "--slug", "x", "--name-fi", "X", database_url=sqlite_url
    )
    assert result.returncode == 1
    assert "There is no such organisation." in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_is_idempotent(sqlite_url: str) -> None:
    """migrate on an up-to-date database succeeds and changes nothing."""
    result = run("migrate", database_url=sqlite_url)
    assert result.returncode == 0 and "up to date" in result.stdout


def test_every_command_has_help() -> None:
    """Every command answers --help."""
    from kuulolla.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        result = subprocess.run(
            [sys.executable, "-m", "kuulolla", name, "--help"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0 and "usage:" in result.stdout


def test_reindex_questions(db_url: str) -> None:
    """reindex-questions rebuilds the archive's search index."""
    result = run("reindex-questions", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "0 published questions" in result.stdout
