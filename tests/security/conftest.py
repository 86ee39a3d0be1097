"""Fixtures of the abuse suite: a live server with staff to sign in as, and the anonymous
form token every POST needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from kuulolla.accounts import crypto, totp
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.web.app import create_app
from tests.accounts.helpers import (
    World,
    add_person,
    anonymous_headers,
    build_world,
    make_session,
    session_csrf,
    session_headers,
)
from tests.conftest import make_database_url, make_settings
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, make_room, run_async

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# The live server's limit of sign-ins per network (the default, 20, would cost 20
# password hashes to reach; the count is what is tested).
NETWORK_SIGNINS = 8


@dataclass
class Live:
    """A server process on SQLite with a room (``huone``), a volunteer (``uhri``), a
    volunteer with a second factor (``kaksi``, :data:`TOTP_SECRET`) and a coordinator
    (``koordi``), all with the shared password."""

    server: ServerProcess
    settings: Settings
    database_url: str

    def form_token(self) -> tuple[dict[str, str], str]:
        """The cookie header and form token of a browser without a session."""
        return anonymous_headers(self.settings)


def seed_staff(database_url: str, settings: Settings) -> None:
    async def work() -> None:
        from sqlalchemy import select, update

        from kuulolla.accounts.models import Organisation, StaffUser

        db = Database.from_url(database_url)
        try:
            await make_room(db, "huone")
            async with db.session() as session:
                org = await session.scalar(
                    select(Organisation).where(Organisation.slug == "jarjesto")
                )
                assert org is not None
                org.require_totp = "none"
                org_id = org.id
            await add_person(db, "uhri", org_id=org_id, role="volunteer")
            await add_person(
                db, "koordi", display_name="Koordinaattori", org_id=org_id, role="coordinator"
            )
            user_id = await add_person(db, "kaksi", org_id=org_id, role="volunteer")
            async with db.session() as session:
                await session.execute(
                    update(StaffUser)
                    .where(StaffUser.id == user_id)
                    .values(
                        totp_secret=crypto.encrypt_totp_secret(
                            settings.secret_key, user_id, TOTP_SECRET
                        ),
                        totp_enabled_at=NOW,
                        totp_last_step=totp.step_at(NOW),
                    )
                )
        finally:
            await db.dispose()

    run_async(work)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Live]:
    """One server for a module's tests; each test uses accounts and client addresses
    (127.0.0.x) of its own, so their counts do not meet."""
    folder = tmp_path_factory.mktemp("live")
    url, _ = make_database_url("sqlite", folder, sqlite_template, None)
    settings = make_settings(url)
    seed_staff(url, settings)
    server = ServerProcess(
        server_env(url, KUULOLLA_SIGNIN_CLIENT_FREE_FAILURES=str(NETWORK_SIGNINS)),
        folder / "server.log",
    )
    try:
        yield Live(server.start(), settings, url)
    finally:
        server.stop()


# The accounts' world behind Starlette's TestClient (two organisations, people in every role).
from tests.accounts.conftest import env  # noqa: E402, F401

# ------------------------------------------------------------------ the fuzzer's site

# Routes that end the fuzzer's own session are left out: they succeed (303), which is
# not what is checked, and later inputs would lose their principal.
FUZZ_SKIP = {"sign_out"}


@dataclass
class FuzzSite:
    """The accounts' world (tests/accounts/helpers.py) behind one TestClient for a
    module's fuzzing, with its SQLite file to compare before and after each input."""

    client: TestClient
    settings: Settings
    world: World
    db_path: Path
    url: str
    routes: list[tuple[str, Route]]

    def session(self, who: str) -> tuple[dict[str, str], str]:
        """Headers and form token of a fresh browser: ``anonymous`` or a world's person."""
        if who == "anonymous":
            return anonymous_headers(self.settings)

        async def work() -> str:
            db = Database.from_url(self.url)
            try:
                return await make_session(db, self.world.users[who], now=NOW)
            finally:
                await db.dispose()

        token = run_async(work)
        return session_headers(self.settings, token), session_csrf(self.settings, token)


@pytest.fixture(scope="module")
def fuzz_site(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[FuzzSite]:
    folder = tmp_path_factory.mktemp("fuzz")
    url, _ = make_database_url("sqlite", folder, sqlite_template, None)

    async def seed() -> World:
        db = Database.from_url(url)
        try:
            return await build_world(db)
        finally:
            await db.dispose()

    world = run_async(seed)
    settings = make_settings(url, admin_require_totp=False)
    app = create_app(settings, clock=FrozenClock(NOW))
    routes = [
        (method, route)
        for route in app.routes
        if isinstance(route, Route) and route.name not in FUZZ_SKIP
        for method in sorted(route.methods or ())
        if method in ("GET", "POST")
    ]
    with TestClient(app, base_url="https://testserver") as client:
        yield FuzzSite(client, settings, world, Path(url.split("///", 1)[1]), url, routes)
