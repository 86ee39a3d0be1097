"""``kuulolla shifts generate`` fills the horizon and is idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from kuulolla.core.db import Database
from kuulolla.shifts.models import ShiftRow
from tests.helpers import run_async
from tests.shifts.world import build, weekly_template
from tests.test_cli import run


def test_shifts_generate_is_idempotent(sqlite_url: str) -> None:
    """A second run of the command creates nothing and says so."""

    async def seed() -> int:
        db = Database.from_url(sqlite_url)
        try:
            world = await build(db)
            await weekly_template(db, world)
            async with db.session() as session:
                await session.execute(ShiftRow.__table__.delete())  # type: ignore[attr-defined]
            return world.org_id
        finally:
            await db.dispose()

    async def count() -> int:
        db = Database.from_url(sqlite_url)
        try:
            async with db.read_session() as session:
                return int(await session.scalar(select(func.count()).select_from(ShiftRow)) or 0)
        finally:
            await db.dispose()

    run_async(seed)
    first = run("shifts", "generate", "--org", "jarjesto", database_url=sqlite_url)
    assert first.returncode == 0, first.stderr
    made = run_async(count)
    assert made > 0 and f"{made} created" in first.stdout
    second = run("shifts", "generate", database_url=sqlite_url)
    assert second.returncode == 0 and "0 created" in second.stdout
    assert run_async(count) == made
