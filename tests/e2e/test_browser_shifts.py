"""Shifts in real headless Chromium: a coordinator creates a shift template, a volunteer
signs up for one of its shifts, and the coordinator's calendar shows it filled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from kuulolla.accounts import links
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.db import Database
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "vuorojen pitkä salasana"


@pytest.fixture
def staffed(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server with the room "huone" of "jarjesto", a coordinator and a volunteer."""
    seed_rooms(sqlite_url)

    async def work() -> None:
        db = Database.from_url(sqlite_url)
        try:
            for username, role in (("kaisa", "coordinator"), ("ville", "volunteer")):
                await links.do_create_staff(
                    db,
                    passwords=Passwords(),
                    username=username,
                    display_name=username.title(),
                    password=PASSWORD,
                    is_admin=False,
                    organisation="jarjesto",
                    role=role,
                    now=NOW,
                )
            async with db.session() as session:  # second factors have tests of their own
                await session.execute(
                    update(Organisation)
                    .where(Organisation.slug == "jarjesto")
                    .values(require_totp="none")
                )
        finally:
            await db.dispose()

    run_async(work)
    server = ServerProcess(
        server_env(sqlite_url, KUULOLLA_ENV="development"),
        tmp_path / "server.log",
    )
    try:
        yield server.start()
    finally:
        server.stop()


def sign_in(page: Any, server: ServerProcess, username: str) -> None:
    page.goto(f"{server.http}/sign-in")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.get_by_role("heading", name=f"Hei, {username.title()}").wait_for()


def test_coordinator_creates_a_template_and_a_volunteer_signs_up(
    browser: Any, staffed: ServerProcess
) -> None:
    """Template form → shifts on the calendar → the volunteer signs up → 1/1 on the calendar."""
    server = staffed
    problems: list[str] = []

    def check(page: Any, name: str) -> None:
        problems.extend(f"{name}: {v['id']} {v['nodes']}" for v in axe_violations(page))

    coordinator = new_page(browser)
    volunteer = new_page(browser)
    try:
        foreign = watch_requests(coordinator, server.http)
        sign_in(coordinator, server, "kaisa")
        coordinator.get_by_role("link", name="Vuorokalenteri").click()
        coordinator.get_by_role("link", name="Vuoropohjat").click()
        coordinator.get_by_role("heading", name="Uusi vuoropohja").wait_for()
        check(coordinator, "templates")
        for day in (
            "Maanantai",
            "Tiistai",
            "Keskiviikko",
            "Torstai",
            "Perjantai",
            "Lauantai",
            "Sunnuntai",
        ):
            coordinator.get_by_label(day, exact=True).check()
        coordinator.get_by_label("Alkaa").fill("23:00")
        coordinator.get_by_label("Päättyy").fill("23:30")
        coordinator.get_by_label("Vapaaehtoisia tarvitaan").fill("1")
        coordinator.get_by_role("button", name="Tallenna vuoropohja").click()
        coordinator.get_by_text("Tallennettu.").wait_for()
        check(coordinator, "templates saved")
        coordinator.get_by_role("link", name="Kalenteri").click()
        coordinator.get_by_text("tarvitaan lisää").first.wait_for()
        check(coordinator, "calendar")

        sign_in(volunteer, server, "ville")
        volunteer.get_by_role("link", name="Omat vuoroni").click()
        volunteer.get_by_role("heading", name="Avoimet vuorot, jotka voit ottaa").wait_for()
        check(volunteer, "my shifts")
        volunteer.get_by_role("button", name="Ilmoittaudu: vapaaehtoinen").first.click()
        volunteer.get_by_text("Olet ilmoittautunut vuoroon.").wait_for()
        check(volunteer, "signed up")
        assert volunteer.locator("#mine-heading + p + ul li").count() >= 1

        coordinator.reload()
        coordinator.get_by_text("Vapaaehtoinen: 1/1").first.wait_for()
        assert foreign == []
        assert problems == []
    finally:
        # Open pages keep sockets to the server, whose graceful stop would wait for them.
        coordinator.context.close()
        volunteer.context.close()
