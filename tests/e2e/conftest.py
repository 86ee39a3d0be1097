"""Fixtures that start real server processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuulolla.core.db import Database
from tests.e2e.browser import browser  # noqa: F401  (fixture)
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import make_room, run_async


def seed_rooms(database_url: str) -> None:
    async def work() -> None:
        db = Database.from_url(database_url)
        await make_room(db, "huone", history_limit=30)
        await make_room(db, "hiljainen", history_limit=0)
        await db.dispose()

    run_async(work)


@pytest.fixture
def cluster(
    postgres_url: str, redis_url: str, broker_prefix: str, tmp_path: Path
) -> Iterator[list[ServerProcess]]:
    """Two server processes sharing PostgreSQL and Redis, as behind a load balancer."""
    seed_rooms(postgres_url)
    env = server_env(postgres_url, redis_url=redis_url, prefix=broker_prefix)
    servers = [ServerProcess(env, tmp_path / f"server{i}.log") for i in range(2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def single(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """One server process on the embedded default: SQLite and the in-process broker."""
    seed_rooms(sqlite_url)
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()
