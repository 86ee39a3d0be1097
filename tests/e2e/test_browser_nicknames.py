"""Nicknames that cannot impersonate, as visitors see it in real headless Chromium: the
reason next to the nickname field, and one "Aino" per room across server processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kuulolla.accounts.service import add_staff_user
from kuulolla.core.db import Database
from tests.e2e.browser import new_page
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = os.environ.get("KUULOLLA_SCREENSHOTS")  # a folder for screenshots, when set

TAKEN = "Tämä nimimerkki tai hyvin samalta näyttävä on jo käytössä."


def add_staff(database_url: str, display_name: str) -> None:
    async def work() -> None:
        db = Database.from_url(database_url)
        async with db.session() as session:
            await add_staff_user(
                session,
                username=display_name.lower(),
                display_name=display_name,
                password_hash=None,
                is_admin=False,
                now=NOW,
            )
        await db.dispose()

    run_async(work)


def try_nick(page: Any, nick: str) -> str:
    """Submit ``nick`` on the room page; "joined", or the reason shown beside the field."""
    page.locator("#nick-error").evaluate("el => { el.textContent = '' }")
    page.locator("#nick").fill(nick)
    page.locator("#nick").press("Enter")
    page.wait_for_function(
        "() => !document.getElementById('chat').hidden"
        " || document.getElementById('nick-error').textContent !== ''"
    )
    if page.locator("#chat").is_visible():
        return "joined"
    return str(page.locator("#nick-error").inner_text())


@pytest.fixture
def single(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """One server on SQLite whose staff includes Kaisa from the start (a server reads
    the staff's names when it starts and keeps them for a while; a member added
    through the service is known at once, one written into the database behind its
    back only when the copy expires)."""
    seed_rooms(sqlite_url)
    add_staff(sqlite_url, "Kaisa")
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()


def test_impersonating_nicknames_are_refused_next_to_the_field(
    browser: Any, single: ServerProcess
) -> None:
    """A staff member's name with a Cyrillic letter and helper titles are refused; the
    visitor reads why beside the field, in their language, and the field is marked."""
    page = new_page(browser)
    page.goto(f"{single.http}/rooms/huone")
    expected = {
        "K\u0430isa": TAKEN,
        "Paivystaja": "Nimimerkissä ei voi olla sanaa ”päivystäjä”",
        "M0deraattori": "Nimimerkissä ei voi olla sanaa ”moderaattori”",
        "Kriisityöntekijä": "Nimimerkissä ei voi olla sanaa ”työntekijä”",
        "Psykologi": "Nimimerkissä ei voi olla sanaa ”psykologi”",
    }
    for nick, reason in expected.items():
        assert try_nick(page, nick).startswith(reason), nick
        assert page.locator("#nick").get_attribute("aria-invalid") == "true"
        assert page.locator("#chat").is_hidden()
    if SHOTS:
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=f"{SHOTS}/nick-refused-{width}.png", full_page=True)
    assert try_nick(page, "Kaisa 2") == "joined"
    assert page.locator("#nick").get_attribute("aria-invalid") is None

    swedish = new_page(browser)
    swedish.goto(f"{single.http}/rooms/huone?lang=sv")
    reason = try_nick(swedish, "Handledare Eva")
    assert reason.startswith("Ett smeknamn kan inte innehålla ”handledare”")
    page.context.close()
    swedish.context.close()


def test_one_aino_per_room_across_processes(browser: Any, cluster: list[ServerProcess]) -> None:
    """While Aino is in the room, a visitor on another server process cannot be "aino"
    or "Aïno" there; "Aino 2" can, and sees Aino's messages under her name. When Aino
    leaves, her nickname is free again."""
    first, second = cluster
    aino, other = new_page(browser), new_page(browser)
    aino.goto(f"{first.http}/rooms/huone")
    assert try_nick(aino, "Aino") == "joined"

    other.goto(f"{second.http}/rooms/huone")
    for nick in ("aino", "Aïno"):
        assert try_nick(other, nick).startswith(TAKEN), nick
    assert try_nick(other, "Aino 2") == "joined"
    aino.get_by_label("Viestisi").fill("Moi kaikki")
    aino.get_by_label("Viestisi").press("Enter")
    line = other.locator("#messages .message", has_text="Moi kaikki")
    line.wait_for()
    assert line.locator(".message__nick").inner_text() == "Aino"

    aino.context.close()  # her socket closes; the process lets her nickname go
    later = new_page(browser)
    later.goto(f"{second.http}/rooms/huone")
    outcomes = [try_nick(later, "Aino")]
    while outcomes[-1] != "joined" and len(outcomes) < 20:  # released in the background
        later.wait_for_timeout(250)
        outcomes.append(try_nick(later, "Aino"))
    assert outcomes[-1] == "joined"
    other.context.close()
    later.context.close()
