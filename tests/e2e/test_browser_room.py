"""Group chat in real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kuulolla.core.db import Database
from tests.conftest import make_database_url
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import make_room, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# A room of its own for each test (the server is the module's), so that each sees only
# its own messages and nicknames.
ROOMS = ("vaihto", "poistu", "vaihto-pois", "katko", "saavu-fi", "saavu-sv", "saavu-en")


@pytest.fixture(scope="module")
def single(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[ServerProcess]:
    """One server process on the embedded default (SQLite and the in-process broker) for
    the module's tests, with their rooms."""
    folder = tmp_path_factory.mktemp("rooms")
    url, _ = make_database_url("sqlite", folder, sqlite_template, None)

    async def seed() -> None:
        db = Database.from_url(url)
        try:
            for slug in ROOMS:
                await make_room(db, slug, history_limit=30)
        finally:
            await db.dispose()

    run_async(seed)
    server = ServerProcess(server_env(url), folder / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()


def enter_room(page: Any, server: ServerProcess, nick: str, room: str = "huone") -> None:
    page.goto(f"{server.http}/rooms/{room}")
    page.get_by_label("Nimimerkki").fill(nick)
    page.get_by_role("button", name="Liity huoneeseen").click()
    page.locator("#chat").wait_for(state="visible")


def say(page: Any, text: str) -> None:
    page.get_by_label("Viestisi").fill(text)
    page.get_by_label("Viestisi").press("Enter")


def message_texts(page: Any) -> list[str]:
    return page.locator("#messages .message:not(.message--system) .message__text").all_inner_texts()


def test_two_pages_exchange_messages(browser: Any, single: ServerProcess) -> None:
    """Two browser windows in the same room see each other's messages."""
    a = new_page(browser)
    b = new_page(browser)
    foreign = watch_requests(a, single.http)
    enter_room(a, single, "Aino", "vaihto")
    enter_room(b, single, "Bertta", "vaihto")
    say(a, "Hei Bertta!")
    b.locator("#messages .message__text", has_text="Hei Bertta!").wait_for()
    say(b, "Moi Aino")
    a.locator("#messages .message__text", has_text="Moi Aino").wait_for()
    assert message_texts(a) == ["Hei Bertta!", "Moi Aino"]
    assert message_texts(b) == ["Hei Bertta!", "Moi Aino"]
    assert b.locator(".message__nick", has_text="Aino").count() == 1
    assert foreign == []
    a.context.close()
    b.context.close()


def test_quick_exit_button_leaves_no_storage(browser: Any, single: ServerProcess) -> None:
    """The quick-exit button clears the tab's storage and leaves the page."""
    page = new_page(browser)
    enter_room(page, single, "Aino", "poistu")
    assert page.evaluate("sessionStorage.length") > 0
    origin_page = page
    page.get_by_role("button", name="Poistu nopeasti").click()
    page.wait_for_url("about:blank")
    # Back in the service's origin, nothing of the visit remains.
    check = new_page_in_context(origin_page, single)
    assert check.evaluate("[sessionStorage.length, localStorage.length]") == [0, 0]
    page.context.close()


def test_shift_three_times_exits_and_clears_remembered_token(
    browser: Any, single: ServerProcess
) -> None:
    """Shift pressed three times exits and clears even a token kept with 'remember me'."""
    page = new_page(browser)
    page.goto(f"{single.http}/rooms/vaihto-pois")
    page.get_by_label("Nimimerkki").fill("Aino")
    page.get_by_label("Muista minut tällä laitteella").check()
    page.get_by_role("button", name="Liity huoneeseen").click()
    page.locator("#chat").wait_for(state="visible")
    assert page.evaluate("localStorage.length") > 0
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("about:blank")
    check = new_page_in_context(page, single)
    assert check.evaluate("[sessionStorage.length, localStorage.length]") == [0, 0]
    page.context.close()


def new_page_in_context(page: Any, server: ServerProcess) -> Any:
    """Reopen the service in the same tab (same session storage) to inspect storage."""
    page.goto(f"{server.http}/healthz")
    return page


def test_reconnect_resumes_without_loss_or_doubles(browser: Any, single: ServerProcess) -> None:
    """After the server restarts, pages reconnect, resend what was pending and show each message once."""
    a = new_page(browser)
    b = new_page(browser)
    enter_room(a, single, "Aino", "katko")
    enter_room(b, single, "Bertta", "katko")
    say(a, "ennen katkoa")
    b.locator("#messages .message__text", has_text="ennen katkoa").wait_for()
    single.stop()
    a.locator("#connection", has_text="Yhdistetään uudelleen").wait_for()
    say(a, "katkon aikana")  # pending until the connection returns
    single.start()
    b.locator("#messages .message__text", has_text="katkon aikana").wait_for(timeout=40_000)
    say(b, "katkon jälkeen")
    a.locator("#messages .message__text", has_text="katkon jälkeen").wait_for(timeout=20_000)
    expected = ["ennen katkoa", "katkon aikana", "katkon jälkeen"]
    assert message_texts(a) == expected
    assert message_texts(b) == expected
    assert a.locator(".message--pending").count() == 0
    a.context.close()
    b.context.close()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_pages_have_no_axe_violations(browser: Any, single: ServerProcess, lang: str) -> None:
    """The room list and a room with messages pass axe-core's WCAG 2.1 AA rules."""
    page = new_page(browser)
    page.goto(f"{single.http}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    page.goto(f"{single.http}/rooms/saavu-{lang}")
    assert axe_violations(page) == []
    page.locator("#nick").fill("Aino")
    page.locator("#nick-form button[type=submit]").click()
    page.locator("#chat").wait_for(state="visible")
    page.locator("#text").fill("Tervehdys")
    page.locator("#text").press("Enter")
    page.locator("#messages .message__text", has_text="Tervehdys").wait_for()
    assert axe_violations(page) == []
    page.context.close()
