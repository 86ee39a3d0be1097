"""Journeys of the visitor's chat in real Chromium, in a group room and in a one-to-one
conversation each: first words right after joining, a reload, a cut connection, a silent
outage, crisis help, a held link approved, and a host arriving and leaving.

One server with the demo's organisations and queue topics per database (SQLite, then PostgreSQL), the flood rules on
with a 4 s newcomer wait, shared by every journey; each group-room journey has a room of
its own, and each one-to-one journey ends its conversation. A page under test may reach
the server through a socket proxy (tests/e2e/proxy.py) that cuts or stalls the network.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from kuulolla import demo
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.queue import console
from kuulolla.queue import demo as queue_demo
from kuulolla.rooms import service as rooms
from tests.accounts.helpers import add_person, make_session
from tests.conftest import drop_database, make_database_url
from tests.e2e import addresses
from tests.e2e.browser import new_page
from tests.e2e.proxy import proxied
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_SECONDS = 3
ROOMS = (
    "eka",
    "lataus",
    "katko",
    "kriisi",
    "yksin",
    "linkki",
    "hiljaa",
    "ohjaaja",
    "nimi",
    "toisto",
)
HELPER = "vapaaehtoinen.arki"  # Ville, who answers the topic "parisuhde"
MODERATOR = "koordinaattori.arki"  # Kaisa, who moderates Arjen Tuki's rooms at any time
CRISIS_NUMBER = "09 2525 0111"  # the demo organisations' crisis helpline
LOST = "Yhteys katkesi"
CONNECTED = "Yhteys toimii"


@dataclass
class ChatSite:
    server: ServerProcess
    sessions: dict[str, str]

    @property
    def http(self) -> str:
        return self.server.http

    def staff(self, browser: Any, who: str) -> Any:
        """A page of a staff member signed in (a session made in the database)."""
        page = new_page(browser)
        page.context.add_cookies(
            [{"name": "kuulolla_session", "value": self.sessions[who], "url": self.http}]
        )
        return page


async def _seed(db: Database) -> dict[str, str]:
    """The demo's organisations (with their crisis numbers) and queue topics, a room per
    group-room journey, and the two staff members the journeys need: Kaisa, who
    moderates Arjen Tuki's rooms, and Ville, on duty for its one-to-one chats."""
    now = datetime.now(UTC)
    for slug, name in demo.ORGANISATIONS:
        await do_create_organisation(db, slug=slug, name=name, now=now)
    await queue_demo.seed(db, now=now)
    for name in ROOMS:
        await rooms.do_create_room(
            db,
            organisation="arjen-tuki",
            slug=f"matka-{name}",
            names={"fi": f"Matka {name}"},
            now=now,
        )
    async with db.session() as session:
        await session.execute(
            update(Organisation).values(require_totp="none", crisis_numbers=demo.CRISIS_NUMBERS)
        )
        org_id = await session.scalar(
            select(Organisation.id).where(Organisation.slug == "arjen-tuki")
        )
    assert org_id is not None
    users = {
        username: await add_person(
            db, username, display_name=display_name, org_id=org_id, role=role
        )
        for username, display_name, org, role, _admin in demo.STAFF
        if username in (HELPER, MODERATOR)
    }
    await console.do_set_duty(
        db, organisation_id=org_id, user_id=users[HELPER], available=True, max_chats=10, now=now
    )
    return {who: await make_session(db, user_id, now=now) for who, user_id in users.items()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def chat_site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_template: str | None,
) -> Iterator[ChatSite]:
    """The journeys' server on the database of the parameter."""
    folder = tmp_path_factory.mktemp(f"journeys-{request.param}")
    url, token = make_database_url(request.param, folder, sqlite_template, postgres_template)
    try:

        async def work() -> dict[str, str]:
            db = Database.from_url(url)
            try:
                return await _seed(db)
            finally:
                await db.dispose()

        sessions = run_async(work)
        env = server_env(
            url,
            KUULOLLA_ENV="development",
            KUULOLLA_FLOOD_RULES="true",
            KUULOLLA_JOIN_COOLDOWN=str(WAIT_SECONDS),
            # A helper who closes the page keeps the conversation (the grace has tests of
            # its own): the presence journey closes the helper's page.
            KUULOLLA_QUEUE_GRACE_SECONDS="600",
        )
        server = ServerProcess(env, folder / f"journeys-{request.param}.log")
        try:
            yield ChatSite(server.start(), sessions)
        finally:
            server.stop()
        if token and addresses.ARTIFACTS is not None:
            addresses.ARTIFACTS.keep_postgres(url)
    finally:
        drop_database(token)


# ------------------------------------------------------------------ people and pages


def close(*pages: Any) -> None:
    for page in pages:
        page.context.close()


def enter_room(page: Any, base: str, room: str, nick: str) -> None:
    page.goto(f"{base}/rooms/matka-{room}")
    page.get_by_label("Nimimerkki").fill(nick)
    page.get_by_role("button", name="Liity huoneeseen").click()
    page.locator("#chat").wait_for(state="visible")


def moderate_room(chat_site: ChatSite, browser: Any, room: str) -> Any:
    """Kaisa in the room with the moderator tools showing."""
    mod = chat_site.staff(browser, MODERATOR)
    mod.goto(f"{chat_site.http}/rooms/matka-{room}")
    mod.get_by_role("button", name="Liity huoneeseen").click()
    mod.locator("#modpanel").wait_for(state="visible")
    return mod


def say(page: Any, text: str) -> None:
    page.get_by_label("Viestisi").fill(text)
    page.get_by_label("Viestisi").press("Enter")


def texts(page: Any, text: str) -> list[str]:
    """The shown messages (not notes) that say ``text``."""
    return page.locator(
        "#messages .message:not(.message--system) .message__text", has_text=text
    ).all_inner_texts()


def seen(page: Any, text: str, timeout: float = 15_000) -> None:
    page.locator(
        "#messages .message:not(.message--pending):not(.message--held) .message__text",
        has_text=text,
    ).first.wait_for(timeout=timeout)


def wait_ended(page: Any) -> None:
    """The newcomer wait is over: the send button says "Lähetä" again."""
    page.locator("#send-form button[type=submit]").filter(
        has_text=re.compile(r"^Lähetä$")
    ).wait_for(timeout=WAIT_SECONDS * 1000 + 5000)


def reload_with_words_in_flight(page: Any, chat: str, *, sent: str, draft: str) -> None:
    """Send ``sent``, type ``draft`` and reload at once; the chat (``chat``) is back with
    the draft still in the box."""
    say(page, sent)
    page.get_by_label("Viestisi").fill(draft)
    page.reload()
    page.locator(chat).wait_for(state="visible")
    assert page.get_by_label("Viestisi").input_value() == draft


def crisis_help_shown(writer: Any) -> str:
    """The writer sends a crisis message: the crisis numbers are highlighted on their
    page; returns what the note under the message says."""
    say(writer, "en jaksa enää, haluan kuolla")
    writer.locator("#crisis.crisis--highlight").wait_for()
    assert CRISIS_NUMBER in writer.locator("#crisis").inner_text()
    note = writer.locator(".message--crisis")
    note.wait_for()
    return str(note.inner_text())


LINK = "katso www.mielenterveystalo.fi"


def held_link_approved(
    writer: Any, approver: Any, held_list: str, waiting: str, reader: Any
) -> None:
    """The writer sends a link: it waits (its time says ``waiting``) and the reader does
    not see it until the approver approves it in ``held_list``; then both see it once,
    the writer's waiting copy gone and the list empty."""
    say(writer, LINK)
    held = writer.locator(".message--held", has_text="mielenterveystalo")
    held.wait_for()
    assert held.locator("time").inner_text() == waiting
    item = approver.locator(f"{held_list} li", has_text="mielenterveystalo")
    item.wait_for()
    assert texts(reader, "mielenterveystalo") == []
    item.get_by_role("button", name="Hyväksy").click()
    seen(reader, LINK)
    seen(writer, LINK)
    held.wait_for(state="detached")
    assert texts(writer, "mielenterveystalo") == [LINK]
    assert writer.locator(".message--mine", has_text="mielenterveystalo").count() == 1
    approver.locator(f"{held_list} li").first.wait_for(state="detached")


def start_conversation(
    chat_site: ChatSite, browser: Any, base: str | None = None
) -> tuple[Any, Any]:
    """A visitor (at ``base``, the server or a proxy in front of it) queues for the topic
    "parisuhde" and Ville takes them; returns the visitor's page and Ville's."""
    visitor = new_page(browser)
    visitor.goto(f"{base or chat_site.http}/chat/parisuhde")
    visitor.fill("#q-subject", f"Keskustelu {secrets.token_hex(3)}")
    if visitor.locator("#q-consent").count():
        visitor.check("#q-consent")
    visitor.locator("#enter-form button[type=submit]").click()
    visitor.locator("#wait-status").filter(has_text="jonossa").wait_for()
    helper = chat_site.staff(browser, HELPER)
    helper.goto(f"{chat_site.http}/staff/queue/arjen-tuki")
    helper.locator("form[action$='/take'] button").first.click()
    helper.locator("#conv-status", has_text=CONNECTED).wait_for()
    visitor.locator("#conversation").wait_for(state="visible", timeout=15_000)
    visitor.locator("#conv-status", has_text=CONNECTED).wait_for()
    # Both are in the conversation (the helper's page may join a moment later).
    visitor.locator("#helper-presence", has_text="Auttaja on paikalla").wait_for()
    return visitor, helper


def end_conversation(visitor: Any) -> None:
    visitor.locator("#end").click()
    visitor.locator("#after").wait_for(state="visible")


# ------------------------------------------------------------------ group rooms


def test_room_first_words_after_joining_reach_the_others(browser: Any, chat_site: ChatSite) -> None:
    """The send button counts the newcomer wait down before anyone types; a message sent
    at once waits and then reaches the other visitor, once."""
    b = new_page(browser)
    enter_room(b, chat_site.http, "eka", "Bertta")
    a = new_page(browser)
    enter_room(a, chat_site.http, "eka", "Aino")
    button = a.locator("#send-form button[type=submit]")
    assert re.fullmatch(r"Lähetä \([1-3] s\)", button.inner_text())
    assert "Voit lähettää" in a.locator("#send-wait").inner_text()
    say(a, "moi kaikki")
    assert a.locator(".message--pending time").inner_text() == "Odottaa lähettämistä"
    seen(b, "moi kaikki")
    seen(a, "moi kaikki")
    assert texts(b, "moi kaikki") == ["moi kaikki"]
    assert texts(a, "moi kaikki") == ["moi kaikki"]
    assert button.inner_text() == "Lähetä"
    close(a, b)


def test_room_join_refusal_is_shown_next_to_the_nickname(browser: Any, chat_site: ChatSite) -> None:
    """A nickname the server refuses (a staff member's name) is not joined with; the
    translated reason shows next to the nickname field."""
    page = new_page(browser)
    page.goto(f"{chat_site.http}/rooms/matka-nimi")
    page.get_by_label("Nimimerkki").fill("Kaisa")
    page.get_by_role("button", name="Liity huoneeseen").click()
    error = page.locator("#nick-error")
    error.filter(has_text=re.compile(r"\w")).wait_for()
    assert page.locator("#nick").get_attribute("aria-invalid") == "true"
    assert page.locator("#chat").is_hidden()
    assert "nimimerk" in error.inner_text().lower()
    close(page)


def test_room_refused_message_comes_back_into_the_box_with_the_reason(
    browser: Any, chat_site: ChatSite
) -> None:
    """A message the server refuses (the same longer text a third time) is not lost: it
    is back in the box, ready to send again, with the translated reason beside it."""
    b = new_page(browser)
    enter_room(b, chat_site.http, "toisto", "Bertta")
    a = new_page(browser)
    enter_room(a, chat_site.http, "toisto", "Aino")
    wait_ended(a)
    text = "Tämä on vähän pidempi viesti"
    for shown in (1, 2):
        say(a, text)
        a.locator("#messages .message:not(.message--pending)", has_text=text).nth(
            shown - 1
        ).wait_for()
    say(a, text)
    a.locator("#send-error", has_text="lähetit jo saman tekstin").wait_for()
    assert a.get_by_label("Viestisi").input_value() == text
    assert a.locator(".message--pending").count() == 0
    time.sleep(0.5)
    assert texts(b, text) == [text, text]
    close(a, b)


def test_room_reload_during_the_wait_loses_nothing(browser: Any, chat_site: ChatSite) -> None:
    """A message sent and a draft typed during the newcomer wait survive a reload: the
    message reaches the other visitor once and the draft is still in the box."""
    b = new_page(browser)
    enter_room(b, chat_site.http, "lataus", "Bertta")
    a = new_page(browser)
    enter_room(a, chat_site.http, "lataus", "Aino")
    reload_with_words_in_flight(a, "#chat", sent="ennen latausta", draft="luonnos jää talteen")
    seen(b, "ennen latausta")
    seen(a, "ennen latausta")
    time.sleep(0.5)  # a second copy would come right after the first
    assert texts(b, "ennen latausta") == ["ennen latausta"]
    assert texts(a, "ennen latausta") == ["ennen latausta"]
    assert a.locator(".message--pending").count() == 0
    close(a, b)


def test_room_messages_written_during_a_cut_arrive_once(browser: Any, chat_site: ChatSite) -> None:
    """A visitor whose network is cut writes six lines; when the connection returns they
    reach the room once each and in order, the one over the burst limit a moment later."""
    b = new_page(browser)
    enter_room(b, chat_site.http, "katko", "Bertta")
    lines = [f"katkon aikana {n}" for n in range(1, 7)]
    with proxied(chat_site.server.port) as proxy:
        a = new_page(browser)
        enter_room(a, proxy.http, "katko", "Aino")
        wait_ended(a)
        proxy.drop()
        a.locator("#connection", has_text=LOST).wait_for()
        for line in lines:
            say(a, line)
        assert a.locator(".message--pending", has_text="katkon aikana").count() == 6
        proxy.restore()
        seen(b, lines[-1], timeout=40_000)
        seen(a, lines[-1])
        a.locator("#connection", has_text=CONNECTED).wait_for()
        time.sleep(0.5)
        assert texts(b, "katkon aikana") == lines
        assert texts(a, "katkon aikana") == lines
        assert a.locator(".message--pending").count() == 0
        close(a)
    close(b)


def test_room_crisis_message_shows_help_and_alerts_the_moderator(
    browser: Any, chat_site: ChatSite
) -> None:
    """A crisis message shows the writer the crisis numbers and that the hosts were told,
    and the moderator in the room an alert."""
    mod = moderate_room(chat_site, browser, "kriisi")
    a = new_page(browser)
    enter_room(a, chat_site.http, "kriisi", "Aino")
    wait_ended(a)
    assert "huoneen ohjaajat tietävät viestistäsi" in crisis_help_shown(a)
    alert = mod.locator("#mod-alerts .alert--crisis")
    alert.wait_for()
    assert "Aino" in alert.inner_text()
    seen(mod, "haluan kuolla")  # delivered: nothing is blocked for it
    close(a, mod)


def test_room_crisis_help_without_a_host_points_to_the_numbers_and_what_is_open(
    browser: Any, chat_site: ChatSite
) -> None:
    """With no host in the room, crisis help does not claim anyone was told: it points to
    the numbers and to what is open now."""
    a = new_page(browser)
    enter_room(a, chat_site.http, "yksin", "Aino")
    assert a.locator("#host").inner_text() == "Ohjaaja ei ole nyt paikalla"
    wait_ended(a)
    say(a, "en jaksa enää, haluan kuolla")
    note = a.locator(".message--crisis")
    note.wait_for()
    assert "Ohjaaja ei ole juuri nyt paikalla" in note.inner_text()
    assert "tietävät" not in note.inner_text()
    link = note.get_by_role("link", name="Katso, mikä on nyt auki")
    assert link.get_attribute("href") == "/#open-heading"
    assert CRISIS_NUMBER in a.locator("#crisis").inner_text()
    close(a)


def test_room_held_link_is_approved_by_the_moderator_and_shown(
    browser: Any, chat_site: ChatSite
) -> None:
    """A link waits for a moderator; once approved it shows to the room, and the writer's
    waiting copy becomes the message."""
    mod = moderate_room(chat_site, browser, "linkki")
    b = new_page(browser)
    enter_room(b, chat_site.http, "linkki", "Bertta")
    a = new_page(browser)
    enter_room(a, chat_site.http, "linkki", "Aino")
    wait_ended(a)
    held_link_approved(a, mod, "#mod-held", "Odottaa moderaattoria", reader=b)
    close(a, b, mod)


def test_room_presence_shows_a_host_arriving_and_leaving(browser: Any, chat_site: ChatSite) -> None:
    """A visitor sees "Ohjaaja paikalla" when a moderator comes in, and that no host is
    here when they leave; never who."""
    a = new_page(browser)
    enter_room(a, chat_site.http, "ohjaaja", "Aino")
    host = a.locator("#host")
    assert host.inner_text() == "Ohjaaja ei ole nyt paikalla"
    mod = moderate_room(chat_site, browser, "ohjaaja")
    a.locator("#host", has_text="Ohjaaja paikalla").wait_for()
    assert "Kaisa" not in a.locator(".room__status").inner_text()
    close(mod)
    a.locator("#host", has_text="Ohjaaja ei ole nyt paikalla").wait_for()
    close(a)


def test_silent_outage_shows_connection_lost_within_15_seconds(
    browser: Any, chat_site: ChatSite
) -> None:
    """When the network goes silent, a room page and a one-to-one conversation both say
    the connection is lost within 15 s, and connected again when it returns."""
    with proxied(chat_site.server.port) as proxy:
        visitor, helper = start_conversation(chat_site, browser, proxy.http)
        a = new_page(browser)
        enter_room(a, proxy.http, "hiljaa", "Aino")
        a.locator("#connection", has_text=CONNECTED).wait_for()
        proxy.stall()
        started = time.monotonic()
        a.locator("#connection", has_text=LOST).wait_for(timeout=15_000)
        visitor.locator("#conv-status", has_text=LOST).wait_for(timeout=15_000)
        assert time.monotonic() - started < 15
        proxy.restore()
        a.locator("#connection", has_text=CONNECTED).wait_for(timeout=40_000)
        visitor.locator("#conv-status", has_text=CONNECTED).wait_for(timeout=40_000)
        end_conversation(visitor)
        close(a, visitor, helper)


# ------------------------------------------------------------------ one-to-one conversations


def test_conversation_first_words_reach_the_helper(browser: Any, chat_site: ChatSite) -> None:
    """In a one-to-one chat there is no newcomer wait: the visitor's first words, sent
    at once, reach the helper."""
    visitor, helper = start_conversation(chat_site, browser)
    assert visitor.locator("#send-form button[type=submit]").inner_text() == "Lähetä"
    say(visitor, "Hei, tarvitsen apua")
    seen(helper, "Hei, tarvitsen apua")
    seen(visitor, "Hei, tarvitsen apua")
    assert texts(helper, "tarvitsen apua") == ["Hei, tarvitsen apua"]
    end_conversation(visitor)
    close(visitor, helper)


def test_conversation_reload_loses_nothing(browser: Any, chat_site: ChatSite) -> None:
    """A message sent and a draft typed just before a reload survive it: the helper gets
    the message once, and the visitor sees it as their own with the draft in the box."""
    visitor, helper = start_conversation(chat_site, browser)
    reload_with_words_in_flight(
        visitor, "#conversation", sent="ennen latausta", draft="kesken jäänyt ajatus"
    )
    seen(helper, "ennen latausta")
    seen(visitor, "ennen latausta")
    time.sleep(0.5)
    assert texts(helper, "ennen latausta") == ["ennen latausta"]
    assert visitor.locator(".message--mine", has_text="ennen latausta").count() == 1
    assert visitor.locator(".message--mine .message__nick").first.inner_text() == "sinä"
    end_conversation(visitor)
    close(visitor, helper)


def test_conversation_message_written_during_a_cut_arrives_once(
    browser: Any, chat_site: ChatSite
) -> None:
    """A visitor whose network is cut writes to the helper; it arrives once when the
    connection returns."""
    with proxied(chat_site.server.port) as proxy:
        visitor, helper = start_conversation(chat_site, browser, proxy.http)
        proxy.drop()
        visitor.locator("#conv-status", has_text=LOST).wait_for()
        say(visitor, "katkon aikana kirjoitettu")
        proxy.restore()
        seen(helper, "katkon aikana kirjoitettu", timeout=40_000)
        seen(visitor, "katkon aikana kirjoitettu")
        time.sleep(0.5)
        assert texts(helper, "katkon aikana") == ["katkon aikana kirjoitettu"]
        assert texts(visitor, "katkon aikana") == ["katkon aikana kirjoitettu"]
        end_conversation(visitor)
        close(visitor, helper)


def test_conversation_masked_phone_number_reads_as_words_on_both_sides(
    browser: Any, chat_site: ChatSite
) -> None:
    """A phone number in a one-to-one chat is hidden: both sides read "[puhelinnumero
    piilotettu]" (never the raw token), and the visitor is told why."""
    visitor, helper = start_conversation(chat_site, browser)
    say(visitor, "soita mulle 040 123 4567")
    seen(helper, "puhelinnumero piilotettu")
    seen(visitor, "puhelinnumero piilotettu")
    for page in (visitor, helper):
        shown = texts(page, "soita mulle")
        assert shown == ["soita mulle [puhelinnumero piilotettu]"], shown
    note = visitor.locator(".message--system", has_text="Piilotimme viestistäsi puhelinnumeron")
    assert note.count() == 1
    end_conversation(visitor)
    close(visitor, helper)


def test_conversation_crisis_message_shows_help_and_alerts_the_helper(
    browser: Any, chat_site: ChatSite
) -> None:
    """A crisis message in a one-to-one chat shows the visitor the crisis numbers and
    that the helper sees it, and the helper an alert."""
    visitor, helper = start_conversation(chat_site, browser)
    assert "auttajasi näkee viestisi" in crisis_help_shown(visitor)
    alert = helper.locator("#alerts .alert--crisis")
    alert.wait_for()
    assert helper.locator("#safety").is_visible()
    seen(helper, "haluan kuolla")
    end_conversation(visitor)
    close(visitor, helper)


def test_conversation_held_link_is_approved_by_the_helper_and_shown(
    browser: Any, chat_site: ChatSite
) -> None:
    """A link waits for the helper's approval; approved, it shows in the conversation on
    both sides, the visitor's waiting copy replaced by it."""
    visitor, helper = start_conversation(chat_site, browser)
    held_link_approved(visitor, helper, "#held", "Odottaa auttajan hyväksyntää", reader=helper)
    end_conversation(visitor)
    close(visitor, helper)


def test_conversation_presence_shows_the_helper_leaving_and_coming_back(
    browser: Any, chat_site: ChatSite
) -> None:
    """The visitor sees their helper present, their connection lost when the helper's page
    closes, and present again when the helper comes back."""
    visitor, helper = start_conversation(chat_site, browser)
    presence = visitor.locator("#helper-presence")
    presence.filter(has_text="Auttaja on paikalla").wait_for()
    chat_url = helper.url
    close(helper)
    presence.filter(has_text="Auttajan yhteys on hetkeksi poikki").wait_for()
    helper = chat_site.staff(browser, HELPER)
    helper.goto(chat_url)
    presence.filter(has_text="Auttaja on paikalla").wait_for()
    end_conversation(visitor)
    close(visitor, helper)


def test_client_ignores_garbage_and_survives_a_failing_handler(browser: Any, site: Any) -> None:
    """The shared client drops frames that are not JSON objects with a type, and one
    page handler that throws does not keep the next from running."""
    page = new_page(browser)
    page.goto(f"{site.server.http}/rooms/{site.samples['open_room']}")
    heard = page.evaluate(
        """async () => {
            const { ChatClient, FRAME_TYPES } = await import("/static/js/chat-client.js");
            const client = new ChatClient({ lang: "fi", strings: {} });
            const heard = [];
            client.on("presence", () => { throw new Error("a page's bug"); });
            client.on("presence", (f) => heard.push(f.count));
            for (const data of ["not json", "[1, 2]", "null", '{"no": "type"}',
                                '{"type": "no_such_frame"}', '{"type": "presence", "count": 3}']) {
                client.receive(data);
            }
            return { heard, types: FRAME_TYPES.length };
        }"""
    )
    assert heard["heard"] == [3]
    assert heard["types"] >= 22
    close(page)
