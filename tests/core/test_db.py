"""Transactions of core/db.py on real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kuulolla.core.db import Database


@pytest.mark.asyncio
async def test_a_transaction_not_durable_skips_only_its_own_flush(db: Database) -> None:
    """durable=False turns PostgreSQL's synchronous commit off for that transaction only."""
    if db.is_sqlite:
        pytest.skip("SQLite's WAL with synchronous=NORMAL does not flush per commit")
    async with db.transaction(durable=False) as conn:
        relaxed = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
    async with db.transaction() as conn:
        durable = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
    assert (relaxed, durable) == ("off", "on")
