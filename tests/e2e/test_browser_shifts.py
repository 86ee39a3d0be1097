"""Rooms and shifts in real headless Chromium, on one server for the module.

- A coordinator creates a shift template; a volunteer signs up; the calendar shows it
  filled.
- A coordinator creates a room and schedules it; a volunteer signs up and checks in; a
  visitor sees the room open and joins; the host checks out; the front page, the room
  page and a refused join say the same before, during and after. The calendar passes
  axe at 1280 and 360 px wide and lists the room's shift under "needs people".
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from kuulolla.accounts import links
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "vuorojen pitkä salasana"
STAFF = (("kaisa", "coordinator"), ("ville", "volunteer"), ("veera", "volunteer"))


@pytest.fixture(scope="module")
def staffed(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[ServerProcess]:
    """A server with the room "huone" of "jarjesto", a coordinator and two volunteers."""
    folder = tmp_path_factory.mktemp("shifts")
    path = folder / "db.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite+aiosqlite:///{path}"
    seed_rooms(url)

    async def work() -> None:
        db = Database.from_url(url)
        try:
            for username, role in STAFF:
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
    server = ServerProcess(server_env(url, KUULOLLA_ENV="development"), folder / "server.log")
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
    """Template form → shifts on the calendar → the volunteer signs up → full on the calendar."""
    server = staffed
    problems: list[str] = []

    def check(page: Any, name: str) -> None:
        problems.extend(f"{name}: {v['id']} {v['nodes']}" for v in axe_violations(page))

    coordinator = new_page(browser)
    volunteer = new_page(browser)
    try:
        foreign = watch_requests(coordinator, server.http)
        sign_in(coordinator, server, "kaisa")
        coordinator.get_by_role("link", name="Vuorokalenteri").first.click()
        coordinator.get_by_role("link", name="Vuoropohjat").click()
        coordinator.get_by_role("heading", name="Uusi vuoropohja").wait_for()
        check(coordinator, "templates")
        coordinator.get_by_label("Joka päivä").check()
        coordinator.get_by_label("Aika", exact=True).fill("23-23.30")
        coordinator.get_by_label("Vapaaehtoisia tarvitaan").fill("1")
        coordinator.get_by_role("button", name="Näytä seuraavat päivät").click()
        coordinator.get_by_text(
            "Vuoropohja olisi: joka päivä klo 23.00–23.30, 1 vapaaehtoinen"
        ).wait_for()
        coordinator.get_by_role("button", name="Tallenna vuoropohja").click()
        coordinator.get_by_text("Tallennettu.").wait_for()
        check(coordinator, "templates saved")
        coordinator.get_by_role("link", name="Kalenteri").click()
        coordinator.locator(".needs__item").first.wait_for()
        check(coordinator, "calendar")

        sign_in(volunteer, server, "ville")
        volunteer.get_by_role("link", name="Omat vuoroni").click()
        volunteer.get_by_role("heading", name="Avoimet vuorot, jotka voit ottaa").wait_for()
        check(volunteer, "my shifts")
        volunteer.get_by_role("button", name=re.compile("Ilmoittaudu: vapaaehtoinen")).first.click()
        volunteer.get_by_text("Olet ilmoittautunut vuoroon.").wait_for()
        check(volunteer, "signed up")
        assert volunteer.locator("#mine-heading + p + ul li").count() >= 1

        coordinator.reload()
        coordinator.locator(".shift.shift--full, .chip.shift--full").first.wait_for()
        assert foreign == []
        assert problems == []
    finally:
        # Open pages keep sockets to the server, whose graceful stop would wait for them.
        coordinator.context.close()
        volunteer.context.close()


# ------------------------------------------------------------------ a room's day


def start_minute(margin: float) -> datetime:
    """The first whole minute at least ``margin`` seconds from now, Helsinki time."""
    soon = datetime.now(HELSINKI) + timedelta(seconds=margin)
    return (soon + timedelta(minutes=1)).replace(second=0, microsecond=0)


def clock(at: datetime) -> str:
    """ "18.05" as the Finnish pages write a time of day."""
    return f"{at.hour}.{at.minute:02d}"


def front_says(page: Any, server: ServerProcess, name: str) -> str:
    page.goto(f"{server.http}/")
    card = page.locator("li.room-card", has=page.get_by_role("link", name=name, exact=True))
    return str(card.locator(".status").inner_text()).strip()


def room_says(page: Any, server: ServerProcess, slug: str) -> str:
    page.goto(f"{server.http}/rooms/{slug}")
    text = str(page.locator("#roster-state").inner_text())
    return text.replace("Katso avoimet huoneet", "").strip()


NICKS = iter(("Aino", "Eino", "Leena", "Oskari", "Pihla", "Sulo"))


def join_says(page: Any, server: ServerProcess, slug: str) -> str:
    """What a visitor is told on trying to join (empty when they got in); each try with
    a nickname of its own (two people present cannot share one)."""
    page.goto(f"{server.http}/rooms/{slug}")
    page.get_by_label("Nimimerkki").fill(next(NICKS))
    page.get_by_role("button", name="Liity huoneeseen").click()
    error = page.locator("#nick-error").filter(has_text=re.compile(r"\S"))
    chat = page.locator("#chat")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if error.count() and error.is_visible():
            return str(error.inner_text()).strip()
        if chat.is_visible():
            return ""
        page.wait_for_timeout(100)
    raise AssertionError("no answer to joining")


def test_a_room_from_creation_to_its_hosts_check_out(browser: Any, staffed: ServerProcess) -> None:
    """Create, schedule, sign up, check in, open for a visitor, check out: every page says
    the same about the opening at each step; the calendar passes axe at 1280 and 360 px."""
    server = staffed
    problems: list[str] = []

    def check(page: Any, name: str) -> None:
        problems.extend(f"{name}: {v['id']} {v['nodes']}" for v in axe_violations(page))

    coordinator = new_page(browser, viewport={"width": 1280, "height": 900})
    host = new_page(browser)
    visitor = new_page(browser)
    try:
        sign_in(coordinator, server, "kaisa")
        coordinator.get_by_role("link", name="Huoneet").first.click()
        coordinator.get_by_role("link", name="Uusi huone").click()
        coordinator.locator("#f-name_fi").fill("Iltakahvila")
        coordinator.locator("#f-name_sv").fill("Kvällskafé")
        coordinator.locator("#f-name_en").fill("Evening café")
        coordinator.locator("#f-description_fi").fill("Jutellaan illan päätteeksi.")
        coordinator.get_by_role("button", name="Perusta huone").click()
        coordinator.get_by_text("Huone on valmis.").wait_for()
        check(coordinator, "new room")

        # Opening times from the next whole minute a safe margin away, every day, two
        # volunteers: one signs up, so the shift still needs people.
        start = start_minute(60)
        end = start + timedelta(hours=2)
        coordinator.locator("#s-times").fill(f"{clock(start)}-{clock(end)}")
        coordinator.locator("#s-repeat-daily").check()
        coordinator.locator("#s-volunteers").fill("2")
        coordinator.get_by_role("button", name="Lisää aikatauluun").click()
        coordinator.get_by_text("Aikataulu on tallennettu").wait_for()
        words = f"joka päivä klo {clock(start)}–{clock(end)}, 2 vapaaehtoista"
        coordinator.get_by_text(words, exact=True).wait_for()

        sign_in(host, server, "veera")
        host.get_by_role("link", name="Omat vuoroni").click()
        card = host.locator("li.card", has=host.get_by_role("heading", name="Iltakahvila")).first
        card.get_by_role("button", name=re.compile("Ilmoittaudu: vapaaehtoinen")).click()
        host.get_by_text("Olet ilmoittautunut vuoroon.").wait_for()
        mine = host.locator("li.card", has=host.get_by_role("heading", name="Iltakahvila")).first
        mine.get_by_role("button", name="Kirjaudu vuoroon").click()  # from 15 min before
        host.get_by_text("Olet kirjautunut vuoroon. Kiitos!").wait_for()

        # While the minutes pass: the calendar, wide and narrow, with the shift that
        # still needs a volunteer in the "needs people" list.
        coordinator.goto(f"{server.http}/orgs/jarjesto/roster")
        needs = coordinator.locator(".needs__item", has_text="Iltakahvila").first
        assert "puuttuu: 1 vapaaehtoinen" in needs.inner_text()
        check(coordinator, "calendar at 1280 px")
        coordinator.set_viewport_size({"width": 360, "height": 800})
        coordinator.reload()
        assert coordinator.locator(".needs__item", has_text="Iltakahvila").first.is_visible()
        assert coordinator.locator(".time-axis").is_hidden()  # a day list on a phone
        check(coordinator, "calendar at 360 px")
        coordinator.set_viewport_size({"width": 1280, "height": 900})

        # Before the start: closed, opening at the start (a host is signed up).
        before = f"Suljettu nyt. Aukeaa seuraavaksi klo {clock(start)}."
        if start.date() != datetime.now(HELSINKI).date():
            before = f"Suljettu nyt. Aukeaa seuraavaksi huomenna klo {clock(start)}."
        said = (
            front_says(visitor, server, "Iltakahvila"),
            room_says(visitor, server, "iltakahvila"),
            join_says(visitor, server, "iltakahvila"),
        )
        assert said == (before,) * 3

        # At the start (the room's state is kept for 10 s per process): open until the
        # host's shift ends, and the visitor gets in.
        wait = (start - datetime.now(UTC)).total_seconds()
        visitor.wait_for_timeout(max(0, wait) * 1000 + 500)
        opened = f"Auki nyt, klo {clock(end)} asti."
        if end.date() != start.date():
            opened = "Auki nyt, klo 24.00 asti." if (end.hour, end.minute) == (0, 0) else None
        deadline = time.monotonic() + 20
        front = ""
        while time.monotonic() < deadline:
            front = front_says(visitor, server, "Iltakahvila")
            if front.startswith("Auki nyt"):
                break
            visitor.wait_for_timeout(1000)
        if opened is not None:
            assert front == opened
            assert room_says(visitor, server, "iltakahvila") == opened
        assert join_says(visitor, server, "iltakahvila") == ""
        visitor.locator("#chat").wait_for(state="visible")

        # The host checks out: every page says the room waits for a host until the end.
        host.goto(f"{server.http}/orgs/jarjesto/shifts")
        mine = host.locator("li.card", has=host.get_by_role("heading", name="Iltakahvila")).first
        mine.get_by_role("button", name="Kirjaudu ulos vuorosta").click()
        host.get_by_text("Olet kirjautunut ulos. Kiitos vuorostasi!").wait_for()
        late = new_page(browser)
        try:
            after = (
                front_says(late, server, "Iltakahvila"),
                room_says(late, server, "iltakahvila"),
                join_says(late, server, "iltakahvila"),
            )
        finally:
            late.context.close()
        assert after[0] == after[1] == after[2], after
        assert after[0].startswith("Aukeaa heti, kun ohjaaja saapuu (aikataulun mukaan klo ")
        assert problems == []
    finally:
        for page in (coordinator, host, visitor):
            page.context.close()
