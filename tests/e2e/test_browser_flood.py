"""A flood of private messages in real headless Chromium (issue 26): the visitor is
stopped with a translated message and keeps their text; the coordinator sees the
flood as one item with a count and the crisis alert that follows at the top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from kuulolla import demo
from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from tests.accounts.helpers import add_person, make_session
from tests.conftest import make_settings
from tests.e2e.browser import axe_violations, new_page
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.e2e.test_browser_room import enter_room, say
from tests.helpers import run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CRISIS = [{"number": "09 2525 0111", "name": {"fi": "Kriisipuhelin"}, "description": {}}]
BURST = Settings().moderator_messages_per_socket


@pytest.fixture
def guarded(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """A development-mode server with the limits people meet; yields it and a
    coordinator's session token."""
    seed_rooms(sqlite_url)

    async def work() -> str:
        db = Database.from_url(sqlite_url)
        try:
            async with db.session() as session:
                org_id = await session.scalar(
                    select(Organisation.id).where(Organisation.slug == "jarjesto")
                )
                await session.execute(
                    update(Organisation)
                    .where(Organisation.slug == "jarjesto")
                    .values(require_totp="none", crisis_numbers=CRISIS)
                )
            user_id = await add_person(
                db, "valvoja", display_name="Valvoja", org_id=org_id, role="coordinator"
            )
            return await make_session(db, user_id, now=utcnow())
        finally:
            await db.dispose()

    token = run_async(work)
    server = ServerProcess(
        server_env(sqlite_url, people_limits=True, KUULOLLA_ENV="development"),
        tmp_path / "server.log",
    )
    try:
        yield server.start(), token
    finally:
        server.stop()


def write_to_moderators(page: Any, text: str) -> None:
    box = page.locator("#to-mods-text")
    box.fill(text)
    page.locator("#to-mods-form button[type=submit]").click()


def test_a_flood_to_the_moderators_is_stopped_and_collapsed(
    browser: Any, guarded: tuple[ServerProcess, str]
) -> None:
    """Past five private messages the visitor is told to wait (and sees the crisis
    numbers named) with the text back in the box; the coordinator's panel shows the
    five as one item and the crisis alert above it."""
    server, token = guarded
    mod = new_page(browser)
    mod.context.add_cookies([{"name": "kuulolla_session", "value": token, "url": server.http}])
    mod.goto(f"{server.http}/rooms/huone")
    mod.get_by_role("button", name="Liity huoneeseen").click()
    mod.locator("#modpanel").wait_for(state="visible")
    visitor = new_page(browser)
    enter_room(visitor, server, "Tulva")
    visitor.locator("#to-mods-form").locator("xpath=..").locator("summary").click()
    for i in range(BURST):
        write_to_moderators(visitor, f"Auttakaa, viesti {i + 1}")
        visitor.get_by_text("Viestisi lähetettiin moderaattoreille").nth(i).wait_for()
    write_to_moderators(visitor, "Vielä yksi viesti")
    refusal = visitor.get_by_text("Moderaattorit ovat saaneet viestisi")
    refusal.wait_for()
    assert "kriisinumeroista" in refusal.inner_text()
    assert visitor.locator("#to-mods-text").input_value() == "Vielä yksi viesti"

    group = mod.locator("#mod-private > li")
    group.first.get_by_text(f"Yksityisviestit: Tulva ({BURST} saapunutta)").wait_for()
    assert group.count() == 1
    assert group.first.locator(".thread__line").count() == BURST

    say(visitor, "en jaksa enää, haluan kuolla")
    alert = mod.locator("#mod-alerts .alert--crisis")
    alert.wait_for()
    assert "Tulva" in alert.inner_text()
    order = mod.evaluate(
        "() => document.querySelector('#mod-alerts').compareDocumentPosition("
        "document.querySelector('#mod-private')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert order, "the alerts come before the private messages"
    for width in (1280, 360):
        mod.set_viewport_size({"width": width, "height": 900})
        alert.scroll_into_view_if_needed()
        mod.screenshot(path=f"/tmp/flood-moderator-{width}.png", full_page=True)
        visitor.set_viewport_size({"width": width, "height": 900})
        visitor.screenshot(path=f"/tmp/flood-visitor-{width}.png", full_page=True)
    assert axe_violations(mod) == []
    assert axe_violations(visitor) == []
    mod.context.close()
    visitor.context.close()


def ask(page: Any, server: ServerProcess, title: str, body: str) -> None:
    page.goto(f"{server.http}/questions/ask")
    page.get_by_label("Aihe").select_option("mental-health")
    page.get_by_label("Otsikko").fill(title)
    page.get_by_label("Kysymyksesi").fill(body)
    page.get_by_label("Vain minä: luen vastauksen koodillani").check()
    page.get_by_role("button", name="Lähetä kysymys").click()


def test_a_flood_of_questions_from_one_network_is_refused_with_the_text_kept(
    browser: Any, guarded: tuple[ServerProcess, str]
) -> None:
    """Five questions an hour from one network reach the inbox; the sixth asker is told
    in words how long to wait, with their text still in the form to send later."""
    server, _ = guarded
    page = new_page(browser)
    limit = Settings().questions_per_network
    for i in range(limit):
        ask(page, server, f"Kysymys {i + 1}", f"Tämä on kysymys numero {i + 1} jaksamisesta.")
        page.get_by_role("heading", name="Kysymyksesi on lähetetty").wait_for()
    text = "Miten voin auttaa ystävää, joka ei jaksa enää mitään?"
    ask(page, server, "Ystävän jaksaminen", text)
    error = page.locator("#body-error")
    error.wait_for()
    assert "Verkostasi on lähetetty tunnin sisällä monta kysymystä" in error.inner_text()
    assert page.get_by_label("Kysymyksesi").input_value() == text
    assert page.get_by_label("Otsikko").input_value() == "Ystävän jaksaminen"
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/flood-questions-{width}.png", full_page=True)
    assert axe_violations(page) == []
    page.context.close()


@pytest.fixture
def queue_guarded(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server with the demo's round-the-clock chat and the limits people meet, two
    queue entries an hour per network (five by default) so the journey stays short."""

    async def seed() -> None:
        db = Database.from_url(sqlite_url)
        try:
            # The server runs on the wall clock; the demo's roster is planned from now.
            await demo.seed(db, now=utcnow(), settings=make_settings(sqlite_url))
        finally:
            await db.dispose()

    run_async(seed)
    server = ServerProcess(
        server_env(sqlite_url, people_limits=True, KUULOLLA_QUEUE_ENTRIES_PER_NETWORK="2"),
        tmp_path / "server.log",
    )
    try:
        yield server.start()
    finally:
        server.stop()


def enter_queue(browser: Any, server: ServerProcess, subject: str) -> Any:
    page = new_page(browser, viewport={"width": 360, "height": 800})
    page.goto(f"{server.http}/chat/parisuhde")
    page.select_option("#q-age", "30_64")
    page.fill("#q-subject", subject)
    page.check("#q-consent")
    page.locator("#enter-form button[type=submit]").click()
    return page


def test_fake_visitors_from_one_network_cannot_fill_the_queue(
    browser: Any, queue_guarded: ServerProcess
) -> None:
    """Past the network's entries of the hour, a new visitor from it is told in words
    when they can queue again, keeps what they wrote and sees the help open now (the
    directory of every organisation's services among it); the queue still holds only
    the entries allowed."""
    server = queue_guarded
    waiting = [enter_queue(browser, server, f"Jonottaja {i + 1}") for i in range(2)]
    for i, page in enumerate(waiting):
        page.locator("#wait-status").filter(has_text=f"Olet jonossa numero {i + 1}.").wait_for()
    third = enter_queue(browser, server, "Kolmas yritys")
    refusal = third.get_by_text("Tähän chattiin on tunnin sisällä tultu monta kertaa")
    refusal.wait_for()
    assert "Voit jonottaa uudelleen" in refusal.inner_text()
    assert third.locator("#q-subject").input_value() == "Kolmas yritys"
    assert third.locator("#wait-status").is_hidden()
    help_now = third.locator("aside.help-now")
    assert help_now.get_by_role("link", name="Vanhemmuus").count() == 1
    for width in (1280, 360):
        third.set_viewport_size({"width": width, "height": 900})
        third.screenshot(path=f"/tmp/flood-queue-{width}.png", full_page=True)
    assert axe_violations(third) == []
    # The help of every organisation is one step away.
    help_now.get_by_role("link", name="Löydä apua läheltäsi").click()
    third.get_by_role("heading", level=1, name="Löydä apua läheltäsi").wait_for()
    for page in (*waiting, third):
        page.context.close()
