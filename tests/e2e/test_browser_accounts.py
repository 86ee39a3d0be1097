"""Staff accounts in real headless Chromium: an invitation, a second factor, a badge in
a room, and every staff page checked with axe-core in three languages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import update

from kuulolla.accounts import links, second_factor
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.db import Database
from tests.conftest import make_settings
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

COORDINATOR_PASSWORD = "koordinaattorin pitkä salasana"
VOLUNTEER_PASSWORD = "vapaaehtoisen oma salasana"


@pytest.fixture
def staffed(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """One server in development mode (plain http on localhost, as `kuulolla demo`), with
    a room whose organisation requires a second factor of everyone, and a coordinator
    with TOTP set up. Yields the server and the coordinator's TOTP secret."""
    seed_rooms(sqlite_url)
    settings = make_settings(sqlite_url)

    async def work() -> str:
        db = Database.from_url(sqlite_url)
        try:
            user_id = await links.do_create_staff(
                db,
                passwords=Passwords(),
                username="kaisa",
                display_name="Kaisa",
                password=COORDINATOR_PASSWORD,
                is_admin=False,
                organisation="jarjesto",
                role="coordinator",
                now=NOW,
            )
            setup = second_factor.new_setup(user_id=user_id, username="kaisa", settings=settings)
            await second_factor.do_confirm_totp(
                db,
                user_id=user_id,
                sealed=setup.sealed,
                code=pyotp.TOTP(setup.secret).at(NOW),
                settings=settings,
                now=NOW,
            )
            async with db.session() as session:
                await session.execute(
                    update(Organisation)
                    .where(Organisation.slug == "jarjesto")
                    .values(require_totp="all")
                )
            return setup.secret
        finally:
            await db.dispose()

    secret = run_async(work)
    server = ServerProcess(
        server_env(sqlite_url, KUULOLLA_ENV="development"), tmp_path / "server.log"
    )
    try:
        yield server.start(), secret
    finally:
        server.stop()


def future_code(secret: str) -> str:
    """The authenticator's next code: valid now (one step of drift) and never used before."""
    return str(pyotp.TOTP(secret).at(time.time() + 30))


def check(page: Any, problems: list[str], name: str) -> None:
    found = axe_violations(page)
    problems.extend(f"{name}: {v['id']} {v['nodes']}" for v in found)


def test_invited_volunteer_sets_password_uses_totp_and_appears_with_badge(
    browser: Any, staffed: tuple[ServerProcess, str]
) -> None:
    """A coordinator invites a volunteer; the volunteer sets a password, sets up and signs in
    with TOTP, joins a room and is shown there with the badge "Vapaaehtoinen"."""
    server, coordinator_secret = staffed
    problems: list[str] = []

    # The coordinator signs in with a password and a code, and invites Ville.
    coordinator = new_page(browser)
    foreign = watch_requests(coordinator, server.http)
    coordinator.goto(f"{server.http}/sign-in")
    check(coordinator, problems, "sign-in")
    coordinator.get_by_label("Käyttäjätunnus").fill("kaisa")
    coordinator.get_by_label("Salasana").fill(COORDINATOR_PASSWORD)
    coordinator.get_by_role("button", name="Kirjaudu sisään").click()
    coordinator.get_by_label("Koodi").wait_for()
    check(coordinator, problems, "second factor")
    coordinator.get_by_label("Koodi").fill(future_code(coordinator_secret))
    coordinator.get_by_role("button", name="Jatka").click()
    coordinator.get_by_role("heading", name="Hei, Kaisa").wait_for()
    check(coordinator, problems, "staff home")
    coordinator.get_by_role("link", name="Henkilöt").first.click()
    coordinator.get_by_role("heading", name="Kutsu uusi henkilö").wait_for()
    check(coordinator, problems, "people")
    coordinator.get_by_label("Käyttäjätunnus").fill("ville")
    coordinator.get_by_label("Näyttönimi").fill("Ville")
    coordinator.get_by_label("Rooli").select_option("volunteer")
    coordinator.get_by_role("button", name="Luo kutsu").click()
    link = coordinator.get_by_label("Linkki").input_value()
    check(coordinator, problems, "one-time link")
    assert link.startswith(f"{server.http}/welcome/")

    # Ville opens the link in a browser of his own and sets a password.
    volunteer = new_page(browser)
    volunteer.goto(link)
    volunteer.get_by_role("heading", name="Tervetuloa Kuulollaan").wait_for()
    check(volunteer, problems, "welcome")
    volunteer.get_by_label("Uusi salasana").fill("salasana1234")
    volunteer.get_by_label("Sama salasana uudelleen").fill("salasana1234")
    volunteer.get_by_role("button", name="Tallenna salasana").click()
    volunteer.locator("#f-password-error").wait_for()
    assert volunteer.get_by_label("Uusi salasana").get_attribute("aria-invalid") == "true"
    check(volunteer, problems, "welcome with an error")
    volunteer.get_by_label("Uusi salasana").fill(VOLUNTEER_PASSWORD)
    volunteer.get_by_label("Sama salasana uudelleen").fill(VOLUNTEER_PASSWORD)
    volunteer.get_by_role("button", name="Tallenna salasana").click()
    # Signed in at once; the organisation requires a second factor, so he sets it up.
    volunteer.get_by_text("Salasanasi on asetettu ja olet kirjautunut sisään.").wait_for()
    volunteer.get_by_role("link", name="Ota kaksivaiheinen tunnistautuminen käyttöön").click()
    secret = volunteer.locator("#totp-secret").inner_text().replace(" ", "")
    assert volunteer.get_by_role(
        "img", name="QR-koodi, jonka luet tunnistautumissovelluksella"
    ).is_visible()
    check(volunteer, problems, "second factor set-up")
    volunteer.get_by_label("Koodi sovelluksesta").fill(pyotp.TOTP(secret).now())
    volunteer.get_by_role("button", name="Ota kaksivaiheinen tunnistautuminen käyttöön").click()
    volunteer.get_by_role("heading", name="Varakoodisi").wait_for()
    assert volunteer.locator(".codes li").count() == 10
    check(volunteer, problems, "recovery codes")
    volunteer.get_by_role("link", name="Olen tallentanut koodit, jatka").click()
    volunteer.get_by_role("link", name="Omat tiedot").click()
    check(volunteer, problems, "account")
    volunteer.get_by_role("button", name="Kirjaudu ulos").first.click()
    volunteer.get_by_text("Olet kirjautunut ulos.").wait_for()

    # Signing in now takes the password and a code from the app.
    volunteer.get_by_label("Käyttäjätunnus").fill("ville")
    volunteer.get_by_label("Salasana").fill(VOLUNTEER_PASSWORD)
    volunteer.get_by_role("button", name="Kirjaudu sisään").click()
    volunteer.get_by_label("Koodi").fill(future_code(secret))
    volunteer.get_by_role("button", name="Jatka").click()
    volunteer.get_by_role("heading", name="Hei, Ville").wait_for()

    # In the room he takes part under his own name with the volunteer badge.
    visitor = new_page(browser)
    visitor.goto(f"{server.http}/rooms/huone")
    visitor.get_by_label("Nimimerkki").fill("Ville")
    visitor.get_by_role("button", name="Liity huoneeseen").click()
    visitor.locator("#nick-error", has_text="Tämä nimimerkki tai hyvin samalta näyttävä").wait_for()
    visitor.get_by_label("Nimimerkki").fill("Aino")
    visitor.get_by_role("button", name="Liity huoneeseen").click()
    visitor.locator("#chat").wait_for(state="visible")

    volunteer.goto(f"{server.http}/rooms/huone")
    volunteer.get_by_role("heading", name="Liity työntekijänä").wait_for()
    check(volunteer, problems, "room as staff")
    volunteer.get_by_role("button", name="Liity huoneeseen").click()
    volunteer.locator("#chat").wait_for(state="visible")
    volunteer.get_by_label("Viestisi").fill("Hei, olen vapaaehtoinen ja kuulolla.")
    volunteer.get_by_label("Viestisi").press("Enter")
    message = visitor.locator("#messages .message", has_text="Hei, olen vapaaehtoinen ja kuulolla.")
    message.wait_for()
    assert message.locator(".message__nick").inner_text() == "Ville"
    assert message.locator(".badge").inner_text() == "Vapaaehtoinen"

    # Signing out elsewhere ends the room session at once.
    coordinator.goto(f"{server.http}/staff")
    coordinator.get_by_role("link", name="Henkilöt").first.click()
    coordinator.get_by_role("link", name="Ville").click()
    check(coordinator, problems, "person")
    coordinator.get_by_role("button", name="Päätä hänen kaikki istuntonsa").click()
    volunteer.locator("#connection", has_text="Kirjautumisesi on päättynyt.").wait_for()

    assert problems == []
    assert foreign == []
    for page in (coordinator, volunteer, visitor):
        page.context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_staff_pages_pass_axe_in_swedish_and_english(
    browser: Any, staffed: tuple[ServerProcess, str], lang: str
) -> None:
    """The coordinator's pages pass axe-core's WCAG 2.1 AA rules in Swedish and English too."""
    server, secret = staffed
    page = new_page(browser, locale={"sv": "sv-FI", "en": "en-GB"}[lang])
    problems: list[str] = []
    page.goto(f"{server.http}/sign-in?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    check(page, problems, "sign-in")
    page.locator("#f-username").fill("kaisa")
    page.locator("#f-password").fill(COORDINATOR_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.locator("#f-code").fill(future_code(secret))
    page.locator("form.form button[type=submit]").first.click()
    page.wait_for_url(f"{server.http}/staff")
    for path in (
        "/staff",
        "/account",
        "/orgs/jarjesto/people",
        "/orgs/jarjesto/qualifications",
        "/orgs/jarjesto/settings",
        "/orgs/jarjesto/audit",
    ):
        page.goto(f"{server.http}{path}")
        check(page, problems, path)
    page.keyboard.press("Tab")  # the skip link comes first, for keyboard users
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert problems == []
    page.context.close()
