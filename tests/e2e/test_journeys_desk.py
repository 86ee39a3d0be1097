"""Journeys of the staff desk in real Chromium, several people at once: a crisis in a
one-to-one chat seen and heard by its helper and on the duty desks of a coordinator
and a professional who are not in it, taken ("on it") by one and shown so to the
other; an alert nobody takes escalating to the professional on duty; a new visitor
in the queue reaching the helper's console without a reload.

One server (SQLite) with the chat journeys' seed (tests/e2e/test_journeys_chat.py) and
Anu, a professional on duty in the queue, shared by every journey; tones are counted
where the page starts them (OscillatorNode.start).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from kuulolla.accounts.models import Organisation, StaffUser
from kuulolla.core.db import Database
from kuulolla.moderation.models import CrisisAlert
from kuulolla.queue import console
from kuulolla.queue.models import QueueFeedback, QueueHelper, QueueTopic
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftDebrief, ShiftRow
from tests.accounts.helpers import add_person, make_session
from tests.conftest import drop_database, make_database_url
from tests.e2e.browser import axe_violations, new_page
from tests.e2e.servers import ServerProcess, server_env
from tests.e2e.test_browser_modtools import shoot
from tests.e2e.test_journeys_chat import (
    CONNECTED,
    ChatSite,
    _seed,
    close,
    crisis_help_shown,
    end_conversation,
    enter_room,
    say,
    seen,
    start_conversation,
)
from tests.helpers import run_async
from tests.ports import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HELPER = "vapaaehtoinen.arki"  # Ville, who answers the topic "parisuhde"
COORDINATOR = "koordinaattori.arki"  # Kaisa
PROFESSIONAL = "ammattilainen.arki"  # Anu, on duty in the queue
SECOND = "koordinaattori.toinen"  # Tuula, a second coordinator
DESK = "/orgs/arjen-tuki/desk"

# Counts the tones a page starts (staff-notify.js and the chat's own alert tone).
TONES = """
window.__tones = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


@dataclass
class DeskSite(ChatSite):
    url: str = ""
    mail: list[Any] = field(default_factory=list)  # what the local SMTP server received


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepts."""

    def __init__(self, kept: list[Any]) -> None:
        self.kept = kept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.kept.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture(scope="module")
def desk_site(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, postgres_template: str | None
) -> Iterator[DeskSite]:
    folder = tmp_path_factory.mktemp("desk")
    url, token = make_database_url("sqlite", folder, sqlite_template, postgres_template)
    try:

        async def work() -> dict[str, str]:
            db = Database.from_url(url)
            try:
                sessions = await _seed(db)
                now = datetime.now(UTC)
                async with db.session() as session:
                    org_id = await session.scalar(
                        select(Organisation.id).where(Organisation.slug == "arjen-tuki")
                    )
                assert org_id is not None
                anu = await add_person(
                    db, PROFESSIONAL, display_name="Anu", org_id=org_id, role="professional"
                )
                await console.do_set_duty(
                    db, organisation_id=org_id, user_id=anu, available=True, max_chats=2, now=now
                )
                sessions[PROFESSIONAL] = await make_session(db, anu, now=now)
                tuula = await add_person(
                    db, SECOND, display_name="Tuula", org_id=org_id, role="coordinator"
                )
                sessions[SECOND] = await make_session(db, tuula, now=now)
                return sessions
            finally:
                await db.dispose()

        sessions = run_async(work)
        mail: list[Any] = []
        smtp = Controller(Inbox(mail), hostname="127.0.0.1", port=free_port())
        smtp.start()
        env = server_env(
            url,
            KUULOLLA_ENV="development",
            KUULOLLA_QUEUE_GRACE_SECONDS="600",
            KUULOLLA_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
            KUULOLLA_NOTIFY_INTERVAL="1",
        )
        server = ServerProcess(env, folder / "desk.log")
        try:
            yield DeskSite(server.start(), sessions, url, mail)
        finally:
            server.stop()
            smtp.stop()
    finally:
        drop_database(token)


def desk(site: DeskSite, browser: Any, who: str) -> Any:
    page = site.staff(browser, who)
    page.add_init_script(TONES)
    page.goto(site.http + DESK)
    page.locator("#desk-items-heading").wait_for()
    return page


def tones(page: Any) -> int:
    return int(page.evaluate("window.__tones"))


def alert_item(page: Any, text: str) -> Any:
    item = page.locator(".desk-item--crisis", has_text=text)
    item.wait_for()
    return item


def backdate_alerts(url: str, minutes: int) -> None:
    async def work() -> None:
        db = Database.from_url(url)
        async with db.session() as session:
            await session.execute(
                update(CrisisAlert).values(
                    created_at=datetime.now(UTC) - timedelta(minutes=minutes)
                )
            )
        await db.dispose()

    run_async(work)


def test_crisis_in_a_conversation_is_heard_by_the_helper_and_taken_on_the_desk(
    browser: Any, desk_site: DeskSite
) -> None:
    """A crisis in a one-to-one chat: its helper sees and hears the alert, which quotes
    the message and brings it into view; the desks of
    Kaisa and Anu, who are not in the conversation, show its text and its helper with a
    tone and a count in the tab title; Kaisa takes it and Anu sees that Kaisa is on it."""
    kaisa = desk(desk_site, browser, COORDINATOR)
    anu = desk(desk_site, browser, PROFESSIONAL)
    visitor, helper = start_conversation(desk_site, browser)
    helper.add_init_script(TONES)
    helper.reload()
    helper.locator("#conv-status", has_text=CONNECTED).wait_for()
    visitor.locator("#helper-presence", has_text="Auttaja on paikalla").wait_for()

    assert "auttajasi näkee viestisi" in crisis_help_shown(visitor)
    alert = helper.locator("#alerts .alert--crisis")
    alert.locator(".alert__text", has_text="haluan kuolla").wait_for()
    assert "Viesti " not in alert.inner_text()  # words, not a number
    assert tones(helper) >= 1
    alert.get_by_role("button", name="Näytä viesti").click()
    assert helper.locator("#messages .message--reported", has_text="haluan kuolla").evaluate(
        "el => el === document.activeElement"
    )
    seen(helper, "haluan kuolla")

    for page in (kaisa, anu):
        item = alert_item(page, "haluan kuolla")
        assert "Itsemurha" in item.inner_text()
        assert "Kahdenkeskinen chat" in item.inner_text()
        assert "auttaja: Ville" in item.inner_text()
        page.wait_for_function("window.__tones >= 1")
        assert re.match(r"^\(1\) ", page.title())
        assert "Kriisihälytys" in page.locator("#desk-status").inner_text()
    assert axe_violations(kaisa) == []

    alert_item(kaisa, "haluan kuolla").get_by_role("button", name="Hoidan tämän").click()
    alert_item(anu, "haluan kuolla").locator(
        ".desk-item__taken", has_text="Kaisa hoitaa tämän"
    ).wait_for()
    alert_item(kaisa, "haluan kuolla").locator(
        ".desk-item__taken", has_text="Kaisa hoitaa tämän"
    ).wait_for()
    assert not re.match(r"^\(\d+\) ", anu.title())
    end_conversation(visitor)
    close(visitor, helper, kaisa, anu)


def test_alert_nobody_takes_escalates_to_the_professional_on_duty(
    browser: Any, desk_site: DeskSite
) -> None:
    """A crisis in a group room reaches Kaisa's desk; Anu, on duty in the queue only,
    does not see it until nobody has taken it in time: then it is on her desk too,
    marked escalated, with a tone."""
    kaisa = desk(desk_site, browser, COORDINATOR)
    anu = desk(desk_site, browser, PROFESSIONAL)
    visitor = new_page(browser)
    enter_room(visitor, desk_site.http, "kriisi", "Aino")
    say(visitor, "en jaksa enää, haluan kuolla ihan oikeasti")
    alert_item(kaisa, "ihan oikeasti")
    assert anu.locator(".desk-item", has_text="ihan oikeasti").count() == 0
    heard = tones(anu)

    backdate_alerts(desk_site.url, minutes=10)
    item = alert_item(anu, "ihan oikeasti")
    assert "Eskaloitu" in item.inner_text()
    assert item.get_attribute("class") and "desk-item--escalated" in str(
        item.get_attribute("class")
    )
    anu.wait_for_function(f"window.__tones > {heard}")
    alert_item(kaisa, "ihan oikeasti").locator(".badge--escalated", has_text="Eskaloitu").wait_for()
    item.get_by_role("button", name="Hoidan tämän").click()
    alert_item(kaisa, "ihan oikeasti").locator(
        ".desk-item__taken", has_text="Anu hoitaa tämän"
    ).wait_for()
    close(visitor, kaisa, anu)


def backdate_consoles(url: str) -> None:
    """Every helper's console last heard from ten minutes ago: none counts as open."""

    async def work() -> None:
        db = Database.from_url(url)
        async with db.session() as session:
            await session.execute(
                update(QueueHelper).values(seen_at=datetime.now(UTC) - timedelta(minutes=10))
            )
        await db.dispose()

    run_async(work)


def queue_visitor(site: DeskSite, browser: Any, subject: str) -> Any:
    """A visitor in the queue of "parisuhde" with ``subject`` as their first answer."""
    visitor = new_page(browser)
    visitor.goto(f"{site.http}/chat/parisuhde")
    visitor.fill("#q-subject", subject)
    if visitor.locator("#q-consent").count():
        visitor.check("#q-consent")
    visitor.locator("#enter-form button[type=submit]").click()
    visitor.locator("#wait-status").filter(has_text="jonossa").wait_for()
    return visitor


def leave_queue(visitor: Any) -> None:
    """The visitor leaves the queue, and the server has heard it before the page is
    closed: a leave cut off by closing would leave them waiting ahead of the next
    journey's visitors for the whole grace period (600 s here)."""
    visitor.locator("#leave").click()
    visitor.locator("#entry").wait_for(state="visible")


def test_escalation_reaches_by_email_who_asked_for_it(browser: Any, desk_site: DeskSite) -> None:
    """Anu asks for e-mail at once on her notifications page; a crisis alert in a room
    that nobody takes in time reaches the local SMTP server as an e-mail to her that
    names the room and the kind of crisis, without what was written."""
    anu = desk_site.staff(browser, PROFESSIONAL)
    anu.goto(f"{desk_site.http}/account/notifications")
    assert axe_violations(anu) == []
    anu.get_by_label("Sähköpostiosoite").fill("anu@example.fi")
    anu.get_by_label("Heti").check()
    anu.get_by_role("button", name="Tallenna").click()
    anu.get_by_role("status").filter(has_text="Tallennettu").wait_for()
    kaisa = desk(desk_site, browser, COORDINATOR)
    visitor = new_page(browser)
    enter_room(visitor, desk_site.http, "yksin", "Aino")
    say(visitor, "en jaksa enää, haluan kuolla, kukaan ei kuule")
    alert_item(kaisa, "kukaan ei kuule")
    backdate_alerts(desk_site.url, minutes=10)
    for _ in range(100):
        if any(m["To"] == "anu@example.fi" for m in desk_site.mail):
            break
        anu.wait_for_timeout(200)
    mails = [m for m in desk_site.mail if m["To"] == "anu@example.fi"]
    assert len(mails) == 1
    body = mails[0].get_content()
    assert "kriisihälytystä ei ole otettu" in mails[0]["Subject"]
    assert "Matka yksin" in body and "Itsemurha" in body
    assert "/orgs/arjen-tuki/desk" in body
    assert "kuolla" not in body and "Aino" not in body
    close(anu, kaisa, visitor)


def test_new_visitor_shows_in_the_console_at_once_without_a_reload(
    browser: Any, desk_site: DeskSite
) -> None:
    """Ville's console shows a visitor who just entered the queue within 2 s, with a
    tone and the status line, and the page was not loaded again."""
    helper = desk_site.staff(browser, HELPER)
    helper.add_init_script(TONES)
    helper.goto(f"{desk_site.http}/staff/queue/arjen-tuki")
    helper.locator("#console-live").wait_for()
    helper.evaluate("window.__same_page = true")
    visitor = queue_visitor(desk_site, browser, "Uusi jonossa heti")
    helper.locator("#console-live", has_text="Uusi jonossa heti").wait_for(timeout=2_000)
    assert helper.evaluate("window.__same_page") is True
    helper.locator("#console-status", has_text="Uusi kävijä odottaa jonossa").wait_for()
    assert tones(helper) >= 1
    assert axe_violations(helper) == []
    leave_queue(visitor)
    close(visitor, helper)


def test_two_conversations_in_tabs_with_unread_marks_and_an_inline_limit(
    browser: Any, desk_site: DeskSite
) -> None:
    """Ville takes a visitor, then the next one from the conversation's tabs without
    leaving the first: the new conversation opens in a tab of its own, and a message
    there marks that tab unread with a tone while he stays in the first; at his limit a
    third is refused on the console in words; he switches to the second tab and ends
    that conversation, which asks for confirmation first."""
    first = queue_visitor(desk_site, browser, "Ensimmäinen välilehti")
    helper = desk_site.staff(browser, HELPER)
    helper.add_init_script(TONES)
    helper.goto(f"{desk_site.http}/staff/queue/arjen-tuki")
    helper.locator("#max-chats").fill("2")
    helper.locator("form[action$='/duty'] button").click()
    helper.locator("form[action$='/take'] button").first.click()
    helper.locator("#conv-status", has_text=CONNECTED).wait_for()
    first_url = helper.url
    second = queue_visitor(desk_site, browser, "Toinen välilehti")
    take_next = helper.get_by_role("button", name=re.compile("Ota seuraava kävijä"))
    take_next.wait_for()
    take_next.click()
    helper.locator("#console-status", has_text="Otit uuden kävijän").wait_for()
    assert helper.url.startswith(first_url + "&taken=")  # still in the first conversation
    helper.locator("#conv-status", has_text=CONNECTED).wait_for()
    tabs = helper.locator(".conv-tabs a[data-room]")
    assert tabs.count() == 2
    assert axe_violations(helper) == []
    second.locator("#conversation").wait_for(state="visible", timeout=15_000)
    second.locator("#helper-presence", has_text="Auttaja on paikalla").wait_for()

    heard = tones(helper)
    say(second, "Viesti toisesta keskustelusta")
    unread = helper.locator(".conv-tabs a:not([aria-current]) .conv-tabs__unread")
    unread.filter(has_text="1 uusi viesti").wait_for()
    helper.wait_for_function(f"window.__tones > {heard}")
    assert re.match(r"^\(1\) ", helper.title())
    assert "Viesti toisesta" not in helper.locator("#messages").inner_text()
    shoot(helper, "console-two-tabs")

    third = queue_visitor(desk_site, browser, "Kolmas jonossa")
    helper.goto(f"{desk_site.http}/staff/queue/arjen-tuki")
    helper.locator("#console-live", has_text="Kolmas jonossa").wait_for()
    helper.locator("form[action$='/take'] button").first.click()
    problem = helper.get_by_role("alert").filter(has_text="rajasi")
    problem.wait_for()
    assert helper.locator("#console-live", has_text="Kolmas jonossa").count() == 1

    helper.goto(first_url)
    helper.locator(".conv-tabs a[data-room]:not([aria-current])").click()
    seen(helper, "Viesti toisesta keskustelusta")
    end = helper.locator("#end-confirm")
    assert not end.is_visible()
    helper.get_by_text("Lopeta keskustelu", exact=True).click()
    end.click()
    second.locator("#after").wait_for(state="visible")
    helper.locator("#max-chats").fill("10")
    helper.locator("form[action$='/duty'] button").click()
    end_conversation(first)
    leave_queue(third)
    close(first, second, third, helper)


def test_waiting_for_you_counts_new_items_in_the_header(browser: Any, site: Any) -> None:
    """Kaisa's staff header counts what waits for her (an answer to review); the page
    lists it marked new with a link to it, and once seen the header no longer counts it."""
    page = new_page(browser)
    page.context.add_cookies(
        [
            {
                "name": site.cookie_name,
                "value": site.session_for("coordinator"),
                "url": site.server.http,
            }
        ]
    )
    page.goto(site.server.http + "/staff")
    count = page.locator("#waiting-count")
    count.filter(has_text=re.compile(r"^[1-9]")).wait_for()
    assert re.fullmatch(r"[1-9]\d* uutta", count.text_content() or "")
    assert axe_violations(page) == []
    page.locator("#waiting-link").click()
    item = page.locator("#waiting-list li", has_text="Vastaus odottaa tarkistusta")
    item.first.wait_for()
    assert item.first.locator(".waiting__new").is_visible()
    assert item.first.get_by_role("link").get_attribute("href", timeout=1000).startswith("/orgs/")
    assert axe_violations(page) == []
    page.goto(site.server.http + "/staff")
    page.wait_for_load_state("networkidle")
    assert count.is_hidden()
    page.context.close()


def mail_to(site: DeskSite, page: Any, address: str) -> list[Any]:
    """The e-mails the local SMTP server received for ``address``, after waiting (up to
    20 s, the notification round runs every second) for the first."""
    for _ in range(100):
        if any(m["To"] == address for m in site.mail):
            break
        page.wait_for_timeout(200)
    return [m for m in site.mail if m["To"] == address]


def test_desk_counts_follow_people_and_a_lone_queue_is_e_mailed(
    browser: Any, desk_site: DeskSite
) -> None:
    """Kaisa's desk counts the visitors in a room as one comes and goes, the visitors
    waiting in a queue topic and the helpers on the console, without a reload; a visitor
    waiting while no helper has the console open reaches her by e-mail (she chose it),
    which names the topic but not what the visitor wrote; Ville opening his console
    shows on her desk at once."""
    kaisa = desk_site.staff(browser, COORDINATOR)
    kaisa.goto(f"{desk_site.http}/account/notifications")
    kaisa.get_by_label("Sähköpostiosoite").fill("kaisa@example.fi")
    kaisa.get_by_label("Heti").check()
    kaisa.get_by_label("Kriisihälytys, jota kukaan ei ole ottanut ajoissa").uncheck()
    kaisa.get_by_label("Kävijä odottaa chat-jonossa").check()
    shoot(kaisa, "desk-notify-settings")
    assert axe_violations(kaisa) == []
    kaisa.get_by_role("button", name="Tallenna").click()
    kaisa.get_by_role("status").filter(has_text="Tallennettu").wait_for()
    kaisa.context.close()

    backdate_consoles(desk_site.url)
    kaisa = desk(desk_site, browser, COORDINATOR)
    kaisa.evaluate("window.__same_page = true")
    serving = kaisa.locator("#desk-serving")
    room = serving.locator("li[data-room='matka-nimi']")
    room.locator("[data-count=present]", has_text="0 paikalla").wait_for()
    on_console = serving.locator("[data-count=on-console]")
    on_console.filter(has_text="Kenelläkään auttajalla ei ole konsolia auki").wait_for()
    topic = serving.locator("li[data-topic]", has_text="Parisuhde").locator("[data-count=waiting]")
    before = int((topic.text_content() or "").split()[0])

    visitor = new_page(browser)
    enter_room(visitor, desk_site.http, "nimi", "Paikalla")
    room.locator("[data-count=present]", has_text="1 paikalla").wait_for()
    waiting = queue_visitor(desk_site, browser, "Kukaan ei vastaa minulle")
    topic.filter(has_text=f"{before + 1} odottaa").wait_for()
    shoot(kaisa, "desk-counts")
    assert axe_violations(kaisa) == []

    mails = mail_to(desk_site, kaisa, "kaisa@example.fi")
    assert len(mails) == 1
    assert "kävijä odottaa chat-jonossa" in mails[0]["Subject"]
    body = mails[0].get_content()
    assert "Parisuhde" in body and "/staff/queue/arjen-tuki" in body
    assert "Kukaan ei vastaa" not in body

    helper = desk_site.staff(browser, HELPER)
    helper.goto(f"{desk_site.http}/staff/queue/arjen-tuki")
    on_console.filter(has_text="Auttajia konsolilla: 1").wait_for()
    visitor.context.close()
    room.locator("[data-count=present]", has_text="0 paikalla").wait_for()
    assert kaisa.evaluate("window.__same_page") is True
    waiting.locator("#leave").click()
    topic.filter(has_text=f"{before} odottaa").wait_for()
    close(waiting, helper, kaisa)


def test_a_report_and_a_held_message_are_decided_on_the_desk_and_every_desk_shows_it(
    browser: Any, desk_site: DeskSite
) -> None:
    """On her desk Kaisa removes a reported message (a reason is asked first) and Tuula,
    on hers, lets a held link through: the room follows at once, each item leaves both
    desks, each desk lists who did what and why, and the moderation log has it."""
    kaisa = desk(desk_site, browser, COORDINATOR)
    tuula = desk(desk_site, browser, SECOND)
    writer = new_page(browser)
    enter_room(writer, desk_site.http, "toisto", "Kirjoittaja")
    reporter = new_page(browser)
    enter_room(reporter, desk_site.http, "toisto", "Ilmoittaja")
    say(writer, "tämä viesti on ilkeä ja ilmoitetaan")
    seen(reporter, "ilkeä ja ilmoitetaan")
    reported = reporter.locator("#messages .message", has_text="ilkeä ja ilmoitetaan").first
    reported.locator("summary").click()
    reported.locator("select").select_option("abuse")
    reported.locator("button").click()

    item = kaisa.locator(".desk-item--report", has_text="ilkeä ja ilmoitetaan")
    item.get_by_text("Käsittele ilmoitus").click()
    item.get_by_label("Poista viesti").check()
    item.get_by_role("button", name="Tallenna päätös").click()
    item.get_by_role("alert").filter(has_text="Valitse syy tai kirjoita se.").wait_for()
    item.get_by_label("Syy").select_option(label="Loukkaava tai satuttava kielenkäyttö")
    item.get_by_label("Omin sanoin").fill("haukkui toista")
    shoot(kaisa, "desk-decide-report")
    item.get_by_role("button", name="Tallenna päätös").click()
    reporter.locator("#messages .message__text", has_text="ilkeä ja ilmoitetaan").wait_for(
        state="detached"
    )
    for page in (kaisa, tuula):
        page.locator(".desk-item--report", has_text="ilkeä").wait_for(state="detached")
        done = page.locator(".desk-handled li", has_text="Kaisa puuttui ilmoitettuun viestiin")
        done.filter(has_text="Loukkaava tai satuttava kielenkäyttö: haukkui toista").wait_for()

    say(writer, "katso lisää osoitteesta www.mielenterveystalo.fi")
    held = tuula.locator(".desk-item--held", has_text="mielenterveystalo")
    held.get_by_role("button", name="Päästä läpi").click()
    seen(reporter, "katso lisää osoitteesta")
    for page in (kaisa, tuula):
        page.locator(".desk-item--held", has_text="mielenterveystalo").wait_for(state="detached")
        page.locator(".desk-handled li", has_text="Tuula päästi odottavan viestin läpi").wait_for()
    shoot(tuula, "desk-handled")
    assert axe_violations(tuula) == []

    kaisa.goto(f"{desk_site.http}/orgs/arjen-tuki/moderation/audit")
    kaisa.locator("tbody tr", has_text="haukkui toista").first.wait_for()
    close(kaisa, tuula, writer, reporter)


def moderate(site: DeskSite, browser: Any, who: str, room: str) -> Any:
    """``who`` in the room with the moderator tools showing."""
    page = site.staff(browser, who)
    page.goto(f"{site.http}/rooms/matka-{room}")
    page.get_by_role("button", name="Liity huoneeseen").click()
    page.locator("#modpanel").wait_for(state="visible")
    return page


def test_a_moderators_private_reply_is_in_every_moderators_thread(
    browser: Any, desk_site: DeskSite
) -> None:
    """A visitor writes to the moderators; Kaisa replies in the visitor's thread, and
    Tuula, moderating the same room, sees Kaisa's reply there under Kaisa's name (Kaisa
    sees it once, as her own), so two moderators do not answer past each other."""
    kaisa = moderate(desk_site, browser, COORDINATOR, "hiljaa")
    tuula = moderate(desk_site, browser, SECOND, "hiljaa")
    visitor = new_page(browser)
    enter_room(visitor, desk_site.http, "hiljaa", "Kysyjä")
    visitor.locator("#to-mods summary").click()
    visitor.get_by_label("Viesti moderaattoreille").fill("saako täällä puhua kaikesta?")
    visitor.get_by_role("button", name="Lähetä moderaattoreille").click()
    threads = [page.locator("#mod-private .thread", has_text="Kysyjä") for page in (kaisa, tuula)]
    for thread in threads:
        thread.locator(".thread__line", has_text="saako täällä").wait_for()
    threads[0].get_by_label("Vastaa henkilölle Kysyjä").fill("Saa, kerro vain.")
    threads[0].get_by_role("button", name="Lähetä yksityisesti").click()
    visitor.locator("#to-mods-thread .thread__line", has_text="Saa, kerro vain.").wait_for()
    threads[1].locator(".thread__line", has_text="Kaisa: Saa, kerro vain.").wait_for()
    for page in (kaisa, tuula):  # a reply to the visitor, not a message to the moderator
        assert "Saa, kerro vain." not in page.locator("#messages").inner_text()
    assert threads[0].locator(".thread__line").all_inner_texts() == [
        "Kysyjä: saako täällä puhua kaikesta?",
        "Sinä: Saa, kerro vain.",
    ]
    shoot(tuula, "desk-shared-thread")
    assert axe_violations(tuula) == []
    close(kaisa, tuula, visitor)


def add_feedback(url: str, count: int) -> None:
    """``count`` feedback answers for the topic "parisuhde", one a minute back from now,
    the newest saying "Palaute 1"."""

    async def work() -> None:
        db = Database.from_url(url)
        async with db.session() as session:
            topic = await session.scalar(
                select(QueueTopic.id).where(QueueTopic.slug == "parisuhde")
            )
            now = datetime.now(UTC)
            for n in range(1, count + 1):
                session.add(
                    QueueFeedback(
                        topic_id=topic,
                        helped=True,
                        rating=4,
                        text=f"Palaute {n}",
                        created_at=now - timedelta(minutes=n),
                    )
                )
        await db.dispose()

    run_async(work)


def test_feedback_is_read_a_hundred_at_a_time_back_to_the_oldest(
    browser: Any, desk_site: DeskSite
) -> None:
    """With 130 answers the feedback page shows the newest hundred and a link to older
    feedback, whose page has the rest and a link back; a page that does not exist is
    refused in words."""
    add_feedback(desk_site.url, 130)
    kaisa = desk_site.staff(browser, COORDINATOR)
    kaisa.goto(f"{desk_site.http}/orgs/arjen-tuki/feedback")
    rows = kaisa.locator("tbody tr")
    assert rows.count() == 100
    assert rows.first.locator(".feedback__text").inner_text() == "Palaute 1"
    assert kaisa.get_by_role("link", name="Uudempi palaute").count() == 0
    kaisa.get_by_role("link", name="Vanhempi palaute").click()
    kaisa.wait_for_url("**/feedback?page=2")
    assert rows.first.locator(".feedback__text").inner_text() == "Palaute 101"
    assert "Palaute 130" in rows.last.inner_text()
    assert "(sivu 2)" in kaisa.locator("caption").inner_text()
    assert kaisa.get_by_role("link", name="Vanhempi palaute").count() == 0
    shoot(kaisa, "feedback-page-2")
    assert axe_violations(kaisa) == []
    kaisa.get_by_role("link", name="Uudempi palaute").click()
    kaisa.wait_for_url("**/feedback")
    assert rows.count() == 100
    refused = kaisa.goto(f"{desk_site.http}/orgs/arjen-tuki/feedback?page=nolla")
    assert refused is not None and refused.status == 400
    assert "Sellaista sivua ei ole." in kaisa.locator("main").inner_text()
    close(kaisa)


# The page as in a tab in the background (headless pages are always in view).
HIDDEN = """
Object.defineProperty(document, "hidden", { get: () => true });
Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
"""


def test_a_report_in_the_room_is_told_to_its_moderator_in_the_background(
    browser: Any, desk_site: DeskSite
) -> None:
    """Kaisa moderates a room from a tab in the background: a visitor's report sounds a
    tone and puts a count in the tab's title, beside the report in her panel."""
    kaisa = desk_site.staff(browser, COORDINATOR)
    kaisa.add_init_script(TONES)
    kaisa.add_init_script(HIDDEN)
    kaisa.goto(f"{desk_site.http}/rooms/matka-eka")
    kaisa.get_by_role("button", name="Liity huoneeseen").click()
    kaisa.locator("#modpanel").wait_for(state="visible")
    writer = new_page(browser)
    enter_room(writer, desk_site.http, "eka", "Kirjoittaja")
    reporter = new_page(browser)
    enter_room(reporter, desk_site.http, "eka", "Ilmoittaja")
    say(writer, "tästä viestistä ilmoitetaan taustalle")
    seen(reporter, "ilmoitetaan taustalle")
    reported = reporter.locator("#messages .message", has_text="ilmoitetaan taustalle").first
    reported.locator("summary").click()
    reported.locator("select").select_option("abuse")
    reported.locator("button").click()
    kaisa.locator("#mod-reports li", has_text="ilmoitetaan taustalle").wait_for()
    kaisa.wait_for_function("window.__tones >= 1")
    assert re.match(r"^\(1\) ", kaisa.title())
    close(kaisa, writer, reporter)


def ask_debrief(url: str, who: str) -> None:
    """``who`` (a username) asks for a debrief after a shift that ended an hour ago."""

    async def work() -> None:
        db = Database.from_url(url)
        now = datetime.now(UTC)
        async with db.session() as session:
            org = await session.scalar(
                select(Organisation.id).where(Organisation.slug == "arjen-tuki")
            )
            person = await session.scalar(select(StaffUser.id).where(StaffUser.username == who))
            assert org is not None and person is not None
            shift = ShiftRow(
                organisation_id=org,
                day=(now - timedelta(hours=4)).date(),
                starts_at=now - timedelta(hours=4),
                ends_at=now - timedelta(hours=1),
            )
            session.add(shift)
            await session.flush()
            assignment = ShiftAssignmentRow(
                shift_id=shift.id, person_id=person, role="volunteer", created_at=now
            )
            session.add(assignment)
            await session.flush()
            session.add(ShiftDebrief(assignment_id=assignment.id, created_at=now, wants_talk=True))
        await db.dispose()

    run_async(work)


def test_the_headers_count_follows_what_comes_in_while_the_desk_is_open(
    browser: Any, desk_site: DeskSite
) -> None:
    """Tuula keeps her desk open; Ville asks for a debrief: when she comes back to the
    tab, the staff header counts it as new without a reload, and the notification
    centre lists it."""
    tuula = desk(desk_site, browser, SECOND)
    tuula.evaluate("window.__same_page = true")
    count = tuula.locator("#waiting-count")
    tuula.wait_for_load_state("networkidle")
    before = int((count.text_content() or "0").split()[0] or 0) if count.is_visible() else 0
    ask_debrief(desk_site.url, HELPER)
    tuula.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    count.filter(has_text=re.compile(rf"^{before + 1}")).wait_for()
    assert tuula.evaluate("window.__same_page") is True
    tuula.locator("#waiting-link").click()
    tuula.locator("#waiting-list li", has_text="Purku").first.wait_for()
    close(tuula)


def test_a_crisis_alert_in_the_room_panel_quotes_the_message_and_shows_it(
    browser: Any, desk_site: DeskSite
) -> None:
    """Kaisa moderates a room: a visitor's crisis message raises an alert in her panel
    that quotes the message's words (not a number) and brings the message into view."""
    kaisa = moderate(desk_site, browser, COORDINATOR, "katko")
    visitor = new_page(browser)
    enter_room(visitor, desk_site.http, "katko", "Huolestunut")
    say(visitor, "en jaksa enää, haluan kuolla tänä yönä")
    alert = kaisa.locator("#mod-alerts .alert--crisis")
    alert.locator(".alert__text", has_text="haluan kuolla tänä yönä").wait_for()
    assert "Huolestunut" in alert.inner_text()
    assert "Viesti " not in alert.inner_text()
    alert.get_by_role("button", name="Näytä viesti").click()
    assert kaisa.locator("#messages .message--reported", has_text="tänä yönä").evaluate(
        "el => el === document.activeElement"
    )
    shoot(kaisa, "room-alert")
    close(kaisa, visitor)
