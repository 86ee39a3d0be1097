"""The question archive in real headless Chromium: ask, answer as staff, find by an
inflected word; similar answers while typing; accessibility in every language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kuulolla import demo
from kuulolla.core.db import Database
from kuulolla.questions import service, staff
from kuulolla.questions.logic import Actor, Role
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


@pytest.fixture
def archive_server(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """One server on SQLite with the demo organisations, rooms and archive."""

    async def seed() -> None:
        db = Database.from_url(sqlite_url)
        await demo.seed(db, now=NOW)
        await db.dispose()

    run_async(seed)
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield server.start()
    finally:
        server.stop()


def answer_as_staff(database_url: str, code: str) -> None:
    """What the staff pages will do: accept, draft and publish, as an organisation's
    professional (staff accounts are not merged yet, so the services are called directly)."""

    async def work() -> None:
        db = Database.from_url(database_url)
        try:
            question_id = (await service.get_claim_or_raise(db, code=code)).id
            names = await service.organisation_names(db)
            org_id, org_name = next(iter(names.items()))
            actor = Actor(user_id=5, role=Role.PROFESSIONAL, organisation_id=org_id)
            await staff.do_accept(
                db, question_id=question_id, actor=actor, default_days=10, now=NOW
            )
            await staff.do_save_draft(
                db, question_id=question_id, actor=actor, text=ANSWER, tags=["pelot"], now=NOW
            )
            await staff.do_publish(
                db,
                question_id=question_id,
                actor=actor,
                answerer=staff.Answerer("Antti", "psykologi", org_name),
                now=NOW,
            )
        finally:
            await db.dispose()

    run_async(work)


def test_ask_answer_publish_and_find_by_inflected_word(
    browser: Any, archive_server: ServerProcess, sqlite_url: str
) -> None:
    """A visitor asks; staff answer and publish; a search in another word form finds it."""
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

    # The asker's page says the question waits for an answer.
    page.get_by_role("link", name="Seuraa kysymystäsi tällä linkillä").click()
    page.get_by_text("Kysymyksesi odottaa vastausta.").wait_for()
    assert axe_violations(page) == []

    answer_as_staff(sqlite_url, code)

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
    assert "Antti, psykologi" in page.locator(".qa__signature").inner_text()
    assert axe_violations(page) == []

    # The asker sees the answer through the code, and can vote once.
    page.goto(f"{archive_server.http}/questions/claim/{code}")
    page.get_by_text("Kysymykseesi on vastattu.").wait_for()
    assert foreign == []
    page.context.close()


def test_similar_answers_appear_while_typing(browser: Any, archive_server: ServerProcess) -> None:
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


def test_ask_form_errors_by_keyboard(browser: Any, archive_server: ServerProcess) -> None:
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
    browser: Any, archive_server: ServerProcess, lang: str
) -> None:
    """Archive, search, question, ask and claim pages pass axe-core in every language."""
    page = new_page(browser)
    page.goto(f"{archive_server.http}/questions?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    href = page.locator(".qa-card a").first.get_attribute("href")
    for path in (
        href,
        "/questions/search?q=yksinäisyys",
        "/questions/ask",
        "/questions/claim",
        "/questions?order=helpful&category=carers",
    ):
        page.goto(f"{archive_server.http}{path}")
        violations = axe_violations(page)
        assert violations == [], (path, violations)
    page.context.close()
