"""An application with the two-organisation world, driven through Starlette's TestClient
over https (so ``__Host-`` cookies behave as in production), with a frozen clock."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.web.app import create_app
from tests.accounts.helpers import PASSWORD, World, build_world, csrf_from
from tests.conftest import copy_of, make_settings
from tests.helpers import NOW, run_async

BASE = "https://testserver"


@dataclass
class Env:
    app: Any
    client: TestClient
    settings: Settings
    world: World
    clock: FrozenClock
    url: str

    def browser(self) -> Browser:
        """Another browser on the same running app: a cookie jar of its own."""
        return Browser(self.client)

    def db(self, work: Any) -> Any:
        """Run ``await work(db)`` on a connection of its own."""

        async def run() -> Any:
            database = Database.from_url(self.url)
            try:
                return await work(database)
            finally:
                await database.dispose()

        return run_async(run)


class Browser:
    """One browser's cookies over the shared TestClient (one app, one lifespan)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.jar = httpx.Cookies()

    def _use(self) -> TestClient:
        self.client.cookies = self.jar
        self.jar = self.client.cookies
        return self.client

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._use().get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("follow_redirects", False)
        return self._use().post(url, **kwargs)

    def websocket_connect(self, url: str = "wss://testserver/ws", **kwargs: Any) -> Any:
        return self._use().websocket_connect(url, **kwargs)

    def cookie(self, name: str) -> str | None:
        return self.jar.get(name)


def seed_world(url: str) -> World:
    async def work() -> World:
        database = Database.from_url(url)
        try:
            return await build_world(database)
        finally:
            await database.dispose()

    return run_async(work)


@pytest.fixture
def env(tmp_path: Path, world_template: tuple[Path, World]) -> Iterator[Env]:
    template, built = world_template
    url = copy_of(template, tmp_path)
    world = copy.deepcopy(built)
    clock = FrozenClock(NOW)
    # The world's admin has no authenticator; the requirement has tests of its own.
    settings = make_settings(url, admin_require_totp=False)
    app = create_app(settings, clock=clock)
    with TestClient(app, base_url=BASE) as client:
        yield Env(app, client, settings, world, clock, url)


def sign_in(
    client: Browser | TestClient, username: str, password: str = PASSWORD, **extra: str
) -> Any:
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(page.text),
            **extra,
        },
        follow_redirects=False,
    )


def post(
    client: Browser | TestClient,
    path: str,
    data: dict[str, str] | None = None,
    *,
    page: str | None = None,
) -> Any:
    """Submit a form as a browser would: with the CSRF token of a page of this session."""
    html = client.get(page or "/account").text
    return client.post(
        path, data={"csrf_token": csrf_from(html), **(data or {})}, follow_redirects=False
    )
