"""Fixtures that start real server processes, and the address scan of the whole run.

The scan (tests/e2e/addresses.py): every server of the run logs as in production to a
file in the session's folder; before a test's PostgreSQL database is dropped and when
its Redis prefix is done, a server-used database is dumped with ``pg_dump`` and the
prefix's keys are written out; at the end of the session the logs, SQLite files and
dumps are searched for IPv4 and IPv6 addresses, and any found fail the run with where
they are (as an error in the last test's teardown).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kuulolla.core.db import Database
from tests.conftest import REDIS_URL, drop_database, make_database_url, unavailable
from tests.e2e import addresses
from tests.e2e.browser import browser  # noqa: F401  (fixture)
from tests.e2e.servers import ServerProcess, server_env, start_all, stop_all
from tests.helpers import make_room, run_async


@pytest.fixture(scope="session", autouse=True)
def address_scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[addresses.Artifacts]:
    """Collects what the run's servers write; fails the run if any address is in it."""
    artifacts = addresses.Artifacts(tmp_path_factory.mktemp("e2e-artifacts"))
    addresses.ARTIFACTS = artifacts
    try:
        yield artifacts
    finally:
        addresses.ARTIFACTS = None
    findings = artifacts.scan()
    if findings:
        shown = "\n".join(str(f) for f in findings[:50])
        pytest.fail(
            f"{len(findings)} IP address(es) in what the servers wrote "
            f"({artifacts.folder}):\n{shown}",
            pytrace=False,
        )


@pytest.fixture
def postgres_url(
    tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> Iterator[str]:
    """As tests/conftest.py's, but a database a server used is dumped before it is dropped."""
    url, token = make_database_url("postgresql", tmp_path, sqlite_template, postgres_template)
    try:
        yield url
        if addresses.ARTIFACTS is not None:
            addresses.ARTIFACTS.keep_postgres(url)
    finally:
        drop_database(token)


@pytest.fixture
def broker_prefix(redis_available: bool) -> Iterator[str]:
    """As tests/conftest.py's, but the keys a server left under it are dumped afterwards."""
    prefix = f"kt{secrets.token_hex(4)}"
    yield prefix
    if addresses.ARTIFACTS is not None and redis_available:
        addresses.ARTIFACTS.keep_redis(REDIS_URL, prefix)


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
        start_all(servers)
        yield servers
    finally:
        stop_all(servers)


@pytest.fixture(scope="module")
def shared_cluster(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_template: str | None,
    redis_available: bool,
) -> Iterator[list[ServerProcess]]:
    """Like ``cluster``, but started once for a module's tests that leave the servers
    running and the rooms usable (each uses tokens of its own and reads only what it
    sent or joined to see)."""
    if not redis_available:
        unavailable("Redis")
    folder = tmp_path_factory.mktemp("cluster")
    url, token = make_database_url("postgresql", folder, sqlite_template, postgres_template)
    prefix = f"kt{secrets.token_hex(4)}"
    try:
        seed_rooms(url)
        env = server_env(url, redis_url=REDIS_URL, prefix=prefix)
        servers = [ServerProcess(env, folder / f"shared{i}.log") for i in range(2)]
        try:
            start_all(servers)
            yield servers
        finally:
            stop_all(servers)
        if addresses.ARTIFACTS is not None:
            addresses.ARTIFACTS.keep_postgres(url)
            addresses.ARTIFACTS.keep_redis(REDIS_URL, prefix)
    finally:
        drop_database(token)


@pytest.fixture
def single(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """One server process on the embedded default: SQLite and the in-process broker."""
    seed_rooms(sqlite_url)
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Any]:
    """The accessibility walks' server with the demo data and every page's samples
    (tests/e2e/test_accessibility.py), started once for all their modules."""
    from tests.e2e.test_accessibility import start_site

    with start_site(tmp_path_factory, sqlite_template) as started:
        yield started


@pytest.fixture(scope="session")
def other_walks_started(site: Any) -> Any:
    """The Swedish and English axe walks, started in threads of their own (each with
    its own Chromium) to run beside the Finnish walk; what waits for their checks."""
    from functools import cache

    from tests.e2e.test_accessibility import start_other_walks

    return cache(start_other_walks(site))


@pytest.fixture(scope="session")
def finnish_walk(browser: Any, site: Any, other_walks_started: Any) -> Any:  # noqa: F811
    """The checks that walk every page in Finnish (axe, weight, reflow, keyboard), run
    together on one load of each stop, once for all their modules; each check's test
    reads its own findings (tests/e2e/test_accessibility.py, ``finnish_walk``). The
    Swedish and English walks run beside it. Takes ``browser`` by name so that its
    tests count as browser tests and run last."""
    from tests.e2e.test_accessibility import finnish_walk as walk

    return walk(browser, site)


@pytest.fixture(scope="session")
def other_walks(browser: Any, other_walks_started: Any) -> Any:  # noqa: F811
    """The Swedish and English axe walks' checks, once they are done
    (tests/e2e/test_accessibility.py, ``start_other_walks``)."""
    return other_walks_started()
