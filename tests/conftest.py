"""Shared fixtures: real SQLite and PostgreSQL databases, real Redis, a frozen clock.

Every test that takes ``db_url`` runs twice, on SQLite and on PostgreSQL. Each run
gets a database of its own, cloned from a template migrated once per session with
Alembic (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL).

When a server is missing, its tests are skipped, except under ``CI=true``, where a
missing component fails the run instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings

POSTGRES_URL = os.environ.get(
    "KUULOLLA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("KUULOLLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI") == "true"
TEST_SECRET = "test-secret-" + "x" * 40
T = TypeVar("T")


def unavailable(what: str) -> None:
    """Skip (or, in CI, fail) a test whose component is missing."""
    if IN_CI:
        pytest.fail(f"{what} is not available (CI=true: components are required)")
    pytest.skip(f"{what} is not available")


def _pg_admin_dsn(database: str | None = None) -> str:
    base = POSTGRES_URL.replace("+asyncpg", "")
    if database is None:
        return base
    return base.rsplit("/", 1)[0] + "/" + database


def _pg_url(database: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + database


async def _pg_execute(*statements: str, timeout: float | None = None) -> None:
    """Run ``statements`` as the administrator; each is cancelled after ``timeout``
    seconds (``TimeoutError``)."""
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_dsn(), timeout=3)
    try:
        for statement in statements:
            await conn.execute(statement, timeout=timeout)
    finally:
        await conn.close(timeout=10)


async def _pg_activity() -> str:
    """What every other session of the server is doing, for an error message."""
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_dsn(), timeout=3)
    try:
        rows = await conn.fetch(
            "SELECT pid, datname, state, wait_event_type, wait_event, left(query, 120) AS query"
            " FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await conn.close(timeout=10)
    return "; ".join(
        f"{r['pid']} {r['datname']} {r['state']} {r['wait_event_type']}/{r['wait_event']}:"
        f" {r['query']}"
        for r in rows
    )


def pg_execute(*statements: str) -> None:
    from tests.helpers import run_async

    run_async(lambda: _pg_execute(*statements))


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        pg_execute("SELECT 1")
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kuulolla.migrations import upgrade

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_available: bool) -> Iterator[str | None]:
    if not postgres_available:
        yield None
        return
    from kuulolla.migrations import upgrade

    name = f"kuulolla_tpl_{os.getpid()}_{secrets.token_hex(3)}"
    pg_execute(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    upgrade(_pg_url(name))
    try:
        yield name
    finally:
        clones = _CLONES.pop(name, None)
        if clones is not None:
            clones.close()
        pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Clones:
    """Copies of one PostgreSQL template, made and dropped by threads of their own.

    ``CREATE DATABASE … TEMPLATE`` and ``DROP DATABASE`` take the server a good part of a
    second each, about as long as many tests themselves. The next copies are made while
    tests run, and a used one is dropped after its test, so a test waits for neither.
    Every copy is still fresh: each is made from the template and handed out once."""

    AHEAD = 2  # copies made ahead
    # A copy takes the server well under a second, seconds on a loaded machine. One
    # that takes longer is cancelled and made again, and a test waits a bounded time
    # for its copy, so a stalled server fails the test with what the server was doing
    # instead of holding it until the run's timeout.
    STATEMENT_TIMEOUT = 60.0
    ATTEMPTS = 2
    WAIT = ATTEMPTS * (STATEMENT_TIMEOUT + 15)

    def __init__(self, template: str) -> None:
        import collections
        import concurrent.futures

        self.template = template
        self.makers = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pg-make")
        self.droppers = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pg-drop")
        self.ahead: collections.deque[concurrent.futures.Future[str]] = collections.deque()
        self.errors: list[BaseException] = []

    def _create(self) -> str:
        import asyncio
        import contextlib

        failures: list[str] = []
        for _ in range(self.ATTEMPTS):
            name = f"kuulolla_t_{secrets.token_hex(5)}"
            statement = f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'
            try:
                asyncio.run(_pg_execute(statement, timeout=self.STATEMENT_TIMEOUT))
                return name
            except Exception as error:
                failures.append(f"{type(error).__name__}: {error}")
                with contextlib.suppress(Exception):
                    failures.append("the server: " + asyncio.run(_pg_activity()))
                self._drop(name)  # cancelled: most likely never made
        raise RuntimeError(f"no copy of {self.template} could be made: " + " | ".join(failures))

    def _drop(self, name: str) -> None:
        import asyncio

        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        for attempt in range(self.ATTEMPTS):
            try:
                asyncio.run(_pg_execute(statement, timeout=self.STATEMENT_TIMEOUT))
                return
            except Exception as error:  # reported when the session ends
                if attempt == self.ATTEMPTS - 1:
                    self.errors.append(error)

    def take(self) -> str:
        """A fresh copy (the oldest made ahead); more are started."""
        import concurrent.futures

        from tests.helpers import run_async

        while len(self.ahead) < self.AHEAD + 1:
            self.ahead.append(self.makers.submit(self._create))
        try:
            return self.ahead.popleft().result(timeout=self.WAIT)
        except concurrent.futures.TimeoutError:
            raise RuntimeError(
                f"no copy of {self.template} in {self.WAIT:.0f} s; the server: "
                + run_async(_pg_activity)
            ) from None

    def drop(self, name: str) -> None:
        self.droppers.submit(self._drop, name)

    def close(self) -> None:
        """Drop the copies made ahead and wait until every dropped copy is gone."""
        while self.ahead:
            try:
                self.drop(self.ahead.popleft().result())
            except Exception as error:
                self.errors.append(error)
        self.makers.shutdown(wait=True)
        self.droppers.shutdown(wait=True)
        if self.errors:
            raise self.errors[0]


_CLONES: dict[str, _Clones] = {}


def make_database_url(
    kind: str, tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> tuple[str, object]:
    """A fresh migrated database of ``kind``; returns its URL and a cleanup token."""
    if kind == "sqlite":
        path = tmp_path / f"db-{secrets.token_hex(3)}.sqlite3"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}", None
    if postgres_template is None:
        unavailable("PostgreSQL")
    clones = _CLONES.get(postgres_template)
    if clones is None:
        clones = _CLONES[postgres_template] = _Clones(postgres_template)
    name = clones.take()
    return _pg_url(name), (clones, name)


def drop_database(token: object) -> None:
    """Drop a copy :func:`make_database_url` made (in the background while the session
    runs); its connections must be closed."""
    if not token:
        return
    clones, name = token  # type: ignore[misc]
    if _CLONES.get(clones.template) is clones:
        clones.drop(name)
    else:
        pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_template: str | None,
) -> Iterator[str]:
    url, token = make_database_url(request.param, tmp_path, sqlite_template, postgres_template)
    yield url
    drop_database(token)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    url, _ = make_database_url("sqlite", tmp_path, sqlite_template, None)
    return url


@pytest.fixture
def postgres_url(
    tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> Iterator[str]:
    url, token = make_database_url("postgresql", tmp_path, sqlite_template, postgres_template)
    yield url
    drop_database(token)


def seeded_template(
    folder: Path, sqlite_template: Path, seed: Callable[[Database], Awaitable[T]]
) -> tuple[Path, T]:
    """A SQLite file migrated and then filled by ``seed`` (its write-ahead log folded in,
    so the file can be copied), and what ``seed`` returned."""
    from kuulolla.core.db import compact_sqlite
    from tests.helpers import run_async

    url, _ = make_database_url("sqlite", folder, sqlite_template, None)

    async def work() -> T:
        database = Database.from_url(url)
        try:
            result = await seed(database)
            await compact_sqlite(database, vacuum=False)
            return result
        finally:
            await database.dispose()

    return Path(url.split("///", 1)[1]), run_async(work)


def copy_of(template: Path, folder: Path) -> str:
    """The URL of a fresh copy of the SQLite file ``template`` in ``folder``."""
    path = folder / f"copy-{secrets.token_hex(3)}.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def world_template(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> tuple[Path, Any]:
    """A SQLite database with the accounts' two-organisation world
    (tests/accounts/helpers.py), built once for the session; each ``env`` runs on a copy
    of its own (the world's rows and ids are the same every time it is built)."""
    from tests.accounts.helpers import build_world

    return seeded_template(tmp_path_factory.mktemp("world"), sqlite_template, build_world)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A SQLite database with the demo site (``kuulolla.demo.seed``) on tests.helpers.NOW,
    seeded once for the session (its staff's password hashes take seconds); use a copy
    (:func:`copy_of`)."""
    from kuulolla import demo
    from tests.helpers import NOW

    async def seed(database: Database) -> None:
        await demo.seed(database, now=NOW)

    return seeded_template(tmp_path_factory.mktemp("demo"), sqlite_template, seed)[0]


@pytest_asyncio.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(db_url, pool_size=5)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.fixture
def redis_url(redis_available: bool) -> str:
    if not redis_available:
        unavailable("Redis")
    return REDIS_URL


@pytest.fixture
def broker_prefix() -> str:
    """A channel prefix of this test's own, so tests never hear each other."""
    return f"kt{secrets.token_hex(4)}"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "secret_key": TEST_SECRET,
        "database_url": database_url,
        "log_format": "text",
        "quick_exit_url": "about:blank",
        # Most tests send quickly right after joining; tests of the flood rules turn
        # them on.
        "flood_rules": False,
        # Tests join, report and queue faster than people; tests/security tests these.
        "joins_per_socket": 10_000,
        "moderator_messages_per_socket": 10_000,
        "queue_entries_per_token": 10_000,
    }
    values.update(overrides)
    return Settings(**values).replace()  # type: ignore[arg-type]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last. Playwright's synchronous API keeps an event loop running
    in the main thread from the first browser test to the end of the session, and no
    asyncio test can run after that. Each test that drives Chromium is marked
    ``browser`` (whatever its module declares), so that ``-m browser`` and
    ``-m "not browser"`` split the suite in two (scripts/test runs the halves side by
    side)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _print_pending_tasks() -> None:
    """Every pending asyncio task of the process, with the line it waits on."""
    import asyncio
    import gc
    import io
    import sys

    out = io.StringIO()
    out.write("\n+++ pending asyncio tasks, shortly before the timeout +++\n")
    for task in [o for o in gc.get_objects() if isinstance(o, asyncio.Task)]:
        if not task.done():
            out.write(f"--- {task.get_name()}\n")
            try:
                task.print_stack(limit=20, file=out)
            except Exception as error:  # a frame changing under the reader
                out.write(f"    ({error!r})\n")
    sys.stderr.write(out.getvalue())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Ten seconds before pytest-timeout ends a test, print the pending asyncio tasks'
    stacks: the timeout's own report shows the threads, where a coroutine waiting for
    good shows only as the event loop's select (a broker's close() waiting for a task
    that had lost its cancellation was found so)."""
    import threading

    marker = item.get_closest_marker("timeout")
    seconds = float(
        (marker.args[0] if marker and marker.args else None)
        or item.config.getoption("timeout", None)
        or item.config.getini("timeout")
        or 0
    )
    timer = threading.Timer(max(1.0, seconds - 10), _print_pending_tasks) if seconds else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
