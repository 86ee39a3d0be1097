"""The question archive in real headless Chromium: ask, answer as staff, find by an
inflected word; similar answers while typing; accessibility in every language."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from kuulolla import demo
from kuulolla.core.db import Database
from tests.conftest import make_database_url, make_settings
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

QUESTION = (
    "Pelkään mehiläisiä niin paljon, etten uskalla mennä kesällä pihalle. "
    "Sydän hakkaa, kun kuulen surinaa. Miten tästä pelosta pääsee eroon?"
)
ANSWER = (
    "Voimakas pelko on tavallista, ja siitä voi päästä eroon pienin askelin. "
    "Altistaminen vähitellen auttaa monia, ja terapeutti voi auttaa siinä."
)


@dataclass
class Archive:
    server: ServerProcess
    passwords: dict[str, str]  # demo username -> password

    @property
    def http(self) -> str:
        return self.server.http


@pytest.fixture(scope="module")
def archive_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Archive]:
    """One server in development mode (plain http, as `kuulolla demo`) on SQLite with the
    demo organisations, rooms, staff and archive, for the module's tests (one of them
    publishes an answer; the others find the archive with one answer more)."""
    tmp_path = tmp_path_factory.mktemp("archive")
    sqlite_url, _ = make_database_url("sqlite", tmp_path, sqlite_template, None)

    async def seed() -> dict[str, str]:
        db = Database.from_url(sqlite_url)
        try:
            sign_ins = await demo.seed(db, now=NOW, settings=make_settings(sqlite_url))
        finally:
            await db.dispose()
        return {username: password for username, password, _ in sign_ins}

    passwords = run_async(seed)
    server = ServerProcess(
        server_env(sqlite_url, KUULOLLA_ENV="development"), tmp_path / "server.log"
    )
    try:
        yield Archive(server.start(), passwords)
    finally:
        server.stop()


def answer_as_staff(page: Any, archive: Archive, title: str) -> None:
    """A professional of the organisation signs in, finds the question in the inbox,
    accepts it, writes the answer and publishes it, all through the staff pages."""
    page.goto(f"{archive.http}/sign-in")
    page.locator("#f-username").fill("ammattilainen.arki")
    page.locator("#f-password").fill(archive.passwords["ammattilainen.arki"])
    page.locator("main form button[type=submit]").click()
    page.get_by_role("heading", name="Hei, Anu").wait_for()
    page.get_by_role("link", name="Kävijöiden kysymykset").first.click()
    page.get_by_role("heading", name="Arjen Tuki ry: kysymykset").wait_for()
    assert axe_violations(page) == []
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ota vastattavaksi").click()
    page.get_by_text("Kysymys on otettu vastattavaksi.").wait_for()
    page.get_by_label("Vastauksesi").fill(ANSWER)
    page.get_by_label("Tunnisteet (valinnainen)").fill("pelot")
    page.get_by_role("button", name="Tallenna luonnos").click()
    page.get_by_text("Luonnos on tallennettu.").wait_for()
    signature = page.locator("form[action$='/publish'] strong").inner_text()
    assert signature == "Anu, Ammattilainen, Arjen Tuki ry"
    assert axe_violations(page) == []
    page.get_by_role("button", name="Julkaise vastaus").click()
    page.get_by_text("Vastaus on julkaistu arkistossa.").wait_for()
    assert "Julkaistu" in page.locator(".facts").inner_text()
    assert axe_violations(page) == []


def test_ask_answer_publish_and_find_by_inflected_word(
    browser: Any, archive_server: Archive
) -> None:
    """A visitor asks; staff answer and publish it through the staff pages; a search in
    another word form finds it, and so does a search engine through the sitemap."""
    page = new_page(browser)
    foreign = watch_requests(page, archive_server.http)
    page.goto(f"{archive_server.http}/questions/ask")
    assert axe_violations(page) == []
    page.get_by_label("Aihe").select_option("mental-health")
    page.get_by_label("Otsikko").fill("Mehiläispelko")
    page.get_by_label("Kysymyksesi").fill(QUESTION)
    page.get_by_label("Kaikki: kysymyksen ja vastauksen saa julkaista arkistossa").check()
    page.get_by_label("Annan luvan julkaista kysymykseni").check()
    page.get_by_role("button", name="Lähetä kysymys").click()
    page.get_by_role("heading", name="Kysymyksesi on lähetetty").wait_for()
    assert axe_violations(page) == []
    code = page.locator(".claim-code__value strong").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", code)

    # The asker's page says the question waits for an answer; the code stays out of
    # the address.
    page.get_by_role("button", name="Avaa kysymykseni").click()
    page.get_by_text("Kysymyksesi odottaa vastausta.").wait_for()
    assert code not in page.url
    assert axe_violations(page) == []

    staff_page = new_page(browser)
    answer_as_staff(staff_page, archive_server, "Mehiläispelko")
    staff_page.context.close()

    # Search with forms that the text does not contain: "mehiläisten" (plural genitive)
    # and "pelkoon" (illative) find "mehiläisiä" and "Mehiläispelko".
    page.goto(f"{archive_server.http}/questions/search")
    page.get_by_label("Hakusanat").fill("mehiläisten pelkoon")
    page.get_by_role("button", name="Hae", exact=True).click()
    result = page.locator(".results .qa-card").first
    result.wait_for()
    assert "Mehiläispelko" in result.inner_text()
    assert result.locator("mark").count() >= 1
    assert axe_violations(page) == []
    result.get_by_role("link").click()
    page.get_by_text("Altistaminen vähitellen auttaa monia").wait_for()
    assert "Anu, Ammattilainen, Arjen Tuki ry" in page.locator(".qa__signature").inner_text()
    assert axe_violations(page) == []

    # A search engine finds it through the sitemap, with the question and its answer as
    # schema.org QAPage data.
    answer_url = page.url.split("?")[0]
    listed = []
    index = page.goto(f"{archive_server.http}/sitemap.xml")
    assert index is not None
    for part in re.findall(r"<loc>([^<]+)</loc>", index.text()):
        response = page.goto(part)
        assert response is not None
        listed.extend(re.findall(r"<loc>([^<]+)</loc>", response.text()))
    assert f"{answer_url}?lang=fi" in listed
    page.goto(f"{answer_url}?lang=fi")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "QAPage"
    assert data["mainEntity"]["name"] == "Mehiläispelko"
    assert "Altistaminen vähitellen" in data["mainEntity"]["acceptedAnswer"]["text"]

    # The asker sees the answer through the code, sent in the form's body: the address
    # holds no code, and after leaving, Back does not show the question again.
    page.goto(f"{archive_server.http}/questions/claim")
    page.get_by_label("Koodisi").fill(code)
    page.get_by_role("button", name="Avaa kysymykseni").click()
    page.get_by_text("Kysymykseesi on vastattu.").wait_for()
    assert code not in page.url
    page.goto(f"{archive_server.http}/questions")
    with contextlib.suppress(PlaywrightError):  # Chromium's "resend the form?" page
        page.go_back()
    assert page.get_by_text("Kysymykseesi on vastattu.").count() == 0
    assert foreign == []
    page.context.close()


def test_similar_answers_appear_while_typing(browser: Any, archive_server: Archive) -> None:
    """Typing a question shows published answers to similar questions."""
    page = new_page(browser)
    page.goto(f"{archive_server.http}/questions/ask")
    page.get_by_label("Kysymyksesi").press_sequentially(
        "Olen omaishoitaja ja mietin, miten saisin pidettyä vapaapäiviä", delay=5
    )
    panel = page.locator("#similar-live")
    panel.wait_for(state="visible")
    assert panel.locator("a").count() >= 1
    assert "vapaapäiv" in panel.inner_text().lower()
    assert axe_violations(page) == []
    page.context.close()


def test_ask_form_errors_by_keyboard(browser: Any, archive_server: Archive) -> None:
    """Sending an empty form shows an error summary whose links lead to the fields."""
    page = new_page(browser)
    page.goto(f"{archive_server.http}/questions/ask")
    page.get_by_role("button", name="Lähetä kysymys").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") in ("#category", "#body")
    page.context.close()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_archive_pages_have_no_axe_violations(
    browser: Any, archive_server: Archive, lang: str
) -> None:
    """Archive, search, question, ask and claim pages pass axe-core in every language."""
    page = new_page(browser)
    page.goto(f"{archive_server.http}/questions?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    href = page.locator(".qa-card a").first.get_attribute("href")
    for path in (
        href,
        "/questions/search",
        "/questions/ask",
        "/questions/claim",
        "/questions?order=helpful&category=carers",
    ):
        page.goto(f"{archive_server.http}{path}")
        violations = axe_violations(page)
        assert violations == [], (path, violations)
    page.goto(f"{archive_server.http}/questions/search")
    page.locator("#q").fill("yksinäisyys")
    page.locator("main form.search-form button[type=submit]").click()
    page.locator("#results-heading").wait_for()
    assert axe_violations(page) == [], "search results"
    page.context.close()
