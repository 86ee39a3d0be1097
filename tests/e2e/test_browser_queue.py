"""The one-to-one chat in real headless Chromium: a visitor queues, a helper signs
in and takes them, they exchange messages, the visitor ends and gives feedback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kuulolla import demo
from kuulolla.core.db import Database
from kuulolla.queue.models import QueueFeedback
from tests.conftest import make_settings
from tests.e2e.browser import axe_violations, new_page
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def demo_server(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """One server on SQLite with the demo data; returns it and the demo passwords."""

    async def seed() -> dict[str, str]:
        db = Database.from_url(sqlite_url)
        # The server runs on the wall clock, and the demo roster's round-the-clock
        # shift (the topic's capacity) is planned from the seeding time.
        sign_ins = await demo.seed(db, now=datetime.now(UTC), settings=make_settings(sqlite_url))
        await db.dispose()
        return {username: password for username, password, *_ in sign_ins}

    passwords = run_async(seed)
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield server.start(), passwords
    finally:
        server.stop()


def feedback_count(url: str) -> int:
    from sqlalchemy import func, select

    async def count() -> int:
        db = Database.from_url(url)
        async with db.read_session() as session:
            n = await session.scalar(select(func.count()).select_from(QueueFeedback))
        await db.dispose()
        return int(n or 0)

    return run_async(count)


def test_visitor_queues_helper_takes_they_talk_and_visitor_gives_feedback(
    browser: Any, demo_server: tuple[ServerProcess, dict[str, str]], sqlite_url: str
) -> None:
    """The whole one-to-one path in two browser windows, with no axe violations on the way."""
    server, passwords = demo_server
    helper = new_page(browser)
    helper.goto(server.http + "/sign-in")
    helper.fill("#f-username", "vapaaehtoinen.arki")
    helper.fill("#f-password", passwords["vapaaehtoinen.arki"])
    helper.locator("main form button[type=submit]").click()
    helper.wait_for_url(re.compile(r"/staff"))
    helper.goto(server.http + "/staff/queue/arjen-tuki")
    helper.check("#duty-yes")
    helper.locator("form[action$='/duty'] button").click()
    helper.wait_for_load_state()

    visitor = new_page(browser, viewport={"width": 320, "height": 800})
    visitor.goto(server.http + "/chat/parisuhde")
    assert axe_violations(visitor) == []
    visitor.select_option("#q-age", "30_64")
    visitor.fill("#q-subject", "Riitelemme paljon")
    visitor.check("#q-consent")
    visitor.locator("#enter-form button[type=submit]").click()
    visitor.locator("#wait-status").filter(has_text="Olet jonossa numero 1.").wait_for()
    assert axe_violations(visitor) == []

    helper.reload()
    helper.locator("text=Riitelemme paljon").wait_for()
    helper.locator("form[action$='/take'] button").first.click()
    helper.locator("#conv-status", has_text="Yhteys toimii").wait_for()
    assert axe_violations(helper) == []

    visitor.locator("#conversation").wait_for(state="visible", timeout=15_000)
    visitor.locator("#text").fill("Hei, tarvitsen apua")
    visitor.locator("#text").press("Enter")
    helper.locator("#messages .message", has_text="Hei, tarvitsen apua").wait_for()
    helper.locator("button[data-canned]", has_text="Tervetuloa").click()
    assert "tervetuloa" in helper.locator("#text").input_value().lower()
    helper.locator("#text").press("Enter")
    visitor.locator("#messages .message", has_text="tervetuloa").wait_for()
    assert axe_violations(visitor) == []

    visitor.locator("#end").click()
    visitor.locator("#after").wait_for(state="visible")
    visitor.check("#f-yes")
    visitor.check("#f-r5")
    visitor.fill("#f-text", "Kiitos avusta")
    visitor.locator("#feedback-form button[type=submit]").click()
    visitor.locator("#after-status", has_text="Kiitos palautteestasi").wait_for()
    assert axe_violations(visitor) == []
    assert feedback_count(sqlite_url) == 1
