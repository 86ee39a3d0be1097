"""Alembic migrations build the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kuulolla.core.db import Base
from kuulolla.migrations import downgrade, upgrade
from kuulolla.migrations.full_text import include_object
from kuulolla.models import load_all


def schema_diff(url: str) -> list[object]:
    from kuulolla.core.db import make_engine

    load_all()

    async def work() -> list[object]:
        engine = make_engine(url, pool_size=1)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"include_object": include_object}),
                    Base.metadata,
                )
            )
        await engine.dispose()
        return list(diff)

    from tests.helpers import run_async

    return run_async(work)


def test_migrated_schema_matches_models(db_url: str) -> None:
    """The migrated database has exactly the tables, columns and indexes of the models."""
    assert schema_diff(db_url) == []


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    """Every migration can be undone and redone."""
    downgrade(db_url, "base")
    upgrade(db_url)
    assert schema_diff(db_url) == []
