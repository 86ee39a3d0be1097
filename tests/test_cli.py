"""The kuulolla command line."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

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

    commands = list(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr, arg-type]

    def helps(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kuulolla", name, "--help"],
            capture_output=True,
            text=True,
            timeout=30,
        )

    # A few processes at a time: each spends its time starting Python and importing.
    with ThreadPoolExecutor(4) as pool:
        results = dict(zip(commands, pool.map(helps, commands), strict=True))
    assert commands and len(results) == len(commands)
    for name, result in results.items():
        assert result.returncode == 0 and "usage:" in result.stdout, name


def test_reindex_questions(db_url: str) -> None:
    """reindex-questions rebuilds the archive's search index."""
    result = run("reindex-questions", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "0 published questions" in result.stdout


def test_create_staff_reads_the_password_from_stdin(db_url: str) -> None:
    """create-staff takes the password from a pipe and stores only an argon2id hash."""
    assert (
        run("create-org", "--slug", "tuki", "--name", "Tuki ry", database_url=db_url).returncode
        == 0
    )
    result = run_with_input(
        "kirahvi ajaa polkupyörällä\n",
        "create-staff",
        "--username",
        "Kaisa",
        "--display-name",
        "Kaisa",
        "--org",
        "tuki",
        "--role",
        "coordinator",
        database_url=db_url,
    )
    assert result.returncode == 0, result.stderr
    assert "kaisa" in result.stdout
    admin = run_with_input(
        "toinen pitkä salasana\n",
        "create-staff",
        "--username",
        "admin",
        "--display-name",
        "Ylläpito",
        "--admin",
        database_url=db_url,
    )
    assert admin.returncode == 0, admin.stderr

    from sqlalchemy import select

    from kuulolla.accounts.models import Membership, StaffUser
    from kuulolla.core.db import Database
    from tests.helpers import run_async

    async def fetch():  # type: ignore[no-untyped-def]
        db = Database.from_url(db_url)
        async with db.read_session() as session:
            users = list(await session.scalars(select(StaffUser).order_by(StaffUser.username)))
            roles = list(await session.scalars(select(Membership.role)))
        await db.dispose()
        return users, roles

    users, roles = run_async(fetch)
    assert [(u.username, u.is_admin) for u in users] == [("admin", True), ("kaisa", False)]
    assert roles == ["coordinator"]
    assert all(u.password_hash and u.password_hash.startswith("$argon2id$") for u in users)


def test_create_staff_refuses_weak_passwords(sqlite_url: str) -> None:
    """A common password is refused with the reason and no account is made."""
    result = run_with_input(
        "salasana1234\n",
        "create-staff",
        "--username",
        "x-admin",
        "--display-name",
        "Xena",
        "--admin",
        database_url=sqlite_url,
    )
    assert result.returncode == 1
    assert "too common" in result.stderr and "Traceback" not in result.stderr


def run_with_input(stdin: str, *args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KUULOLLA_ENV": "test",
        "KUULOLLA_SECRET_KEY": TEST_SECRET,
        "KUULOLLA_DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "kuulolla", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_purge_deletes_past_retention_and_dry_run_only_counts(db_url: str) -> None:
    """purge --dry-run counts old room messages without deleting; purge deletes them."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from kuulolla.chat.models import Message
    from kuulolla.core.clock import utcnow
    from kuulolla.core.db import Database
    from tests.helpers import make_room, run_async

    async def plant() -> None:
        db = Database.from_url(db_url)
        room = await make_room(db)
        async with db.session() as session:
            for seq, age in ((1, 400), (2, 0)):
                session.add(
                    Message(
                        room_id=room,
                        seq=seq,
                        created_at=utcnow() - timedelta(days=age),
                        nick="n",
                        role="visitor",
                        text="t",
                    )
                )
        await db.dispose()

    async def count() -> int:
        db = Database.from_url(db_url)
        async with db.read() as conn:
            n = int((await conn.execute(select(func.count()).select_from(Message))).scalar_one())
        await db.dispose()
        return n

    run_async(plant)
    result = run("purge", "--dry-run", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "would delete 1 items" in result.stdout
    assert run_async(count) == 2
    result = run("purge", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert "deleted 1 items" in result.stdout
    assert run_async(count) == 1


def test_directory_import_dry_run_then_import_then_export(sqlite_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`directory import --dry-run` says what would change and changes nothing; the import
    then applies it and the export holds it."""
    import json

    assert (
        run("create-org", "--slug", "tuki", "--name", "Tuki ry", database_url=sqlite_url).returncode
        == 0
    )
    data = tmp_path / "palvelut.json"
    records = [
        {"id": "linja", "organisation": "tuki", "kind": "helpline", "name": "Tukilinja",
         "topics": ["crisis"], "area": {"nationwide": True}, "contact": {"phone": "09 0000 500"}},
        {"id": "rikki", "organisation": "tuki", "kind": "party", "name": "Juhlat"},
    ]  # fmt: skip
    data.write_text(json.dumps(records), encoding="utf-8")
    dry = run("directory", "import", str(data), "--dry-run", database_url=sqlite_url)
    assert dry.returncode == 1  # a record had problems
    assert "+ tuki/linja: new" in dry.stdout and "! record 2 rikki: kind:" in dry.stdout
    assert "1 new, 0 changed, 0 removed would be; 0 unchanged; 1 with problems." in dry.stdout
    empty = run("directory", "export", database_url=sqlite_url)
    assert json.loads(empty.stdout)["services"] == []
    assert run("directory", "import", str(data), database_url=sqlite_url).returncode == 1
    exported = json.loads(run("directory", "export", database_url=sqlite_url).stdout)
    assert [s["id"] for s in exported["services"]] == ["linja"]
    again = run("directory", "import", str(data), "--dry-run", database_url=sqlite_url)
    assert "0 new, 0 changed, 0 removed would be; 1 unchanged" in again.stdout
