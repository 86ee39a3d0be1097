"""Visitor pages over HTTP: content, languages, headers, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from kuulolla.core.db import Database
from kuulolla.web.app import create_app
from tests.conftest import make_settings
from tests.helpers import make_room, run_async


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    async def seed() -> None:
        db = Database.from_url(sqlite_url)
        await make_room(db, "vanhemmuus")
        await db.dispose()

    run_async(seed)
    # https, as in production: the language cookie is Secure outside development.
    with TestClient(create_app(make_settings(sqlite_url)), base_url="https://testserver") as c:
        yield c


def test_front_page_lists_rooms_in_finnish(client: TestClient) -> None:
    """The front page is Finnish by default and links every room."""
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fi">' in response.text
    assert 'href="/rooms/vanhemmuus"' in response.text
    assert "Huone vanhemmuus" in response.text


@pytest.mark.parametrize(
    ("lang", "name", "heading"),
    [("sv", "Rum vanhemmuus", "Öppet nu"), ("en", "Room vanhemmuus", "Open now")],
)
def test_language_switch(client: TestClient, lang: str, name: str, heading: str) -> None:
    """?lang= switches the page language and room names, and is remembered in a cookie."""
    response = client.get(f"/?lang={lang}")
    assert f'<html lang="{lang}">' in response.text
    assert name in response.text
    assert f">{heading}</h2>" in response.text
    assert response.cookies.get("lang") == lang
    again = client.get("/")
    assert f'<html lang="{lang}">' in again.text


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("/about", "fi", "Tietoa Kuulollasta"),
        ("/about/plain", "fi", "Kuulolla selkokielellä"),
        ("/about/plain", "sv", "Kuulolla på lättläst svenska"),
        ("/about/plain", "en", "Kuulolla in plain language"),
    ],
)
def test_about_pages(client: TestClient, path: str, lang: str, heading: str) -> None:
    """The pages that explain the service, anonymity and house rules exist in plain
    language too, in every language."""
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert f"<h1>{heading}</h1>" in response.text


def test_front_page_says_what_the_service_is(client: TestClient) -> None:
    """The front page explains who answers, anonymity, what is stored and the quick exit,
    and links the plain-language version."""
    text = client.get("/?lang=en").text
    for phrase in ("Who answers:", "Anonymous:", "What is stored:", "Leaving quickly:"):
        assert phrase in text
    assert 'href="/about/plain"' in text


def test_accept_language_is_honoured(client: TestClient) -> None:
    """A Swedish browser gets Swedish pages when no language was chosen."""
    response = client.get("/", headers={"accept-language": "sv-FI,sv;q=0.9,en;q=0.5"})
    assert '<html lang="sv">' in response.text


def test_room_page(client: TestClient) -> None:
    """A room page has the nickname form, the message log and the room script."""
    response = client.get("/rooms/vanhemmuus")
    assert response.status_code == 200
    assert 'data-room="vanhemmuus"' in response.text
    assert 'role="log"' in response.text
    assert 'src="/static/js/room.js"' in response.text


def test_unknown_room_is_404_in_finnish(client: TestClient) -> None:
    """An unknown room gives a translated 404 page, no stack trace."""
    response = client.get("/rooms/ei-ole")
    assert response.status_code == 404
    assert "Huonetta ei löytynyt." in response.text
    assert "Traceback" not in response.text


def test_unknown_path_is_404(client: TestClient) -> None:
    """Unknown addresses give the 404 page."""
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.text


def test_security_headers(client: TestClient) -> None:
    """Pages carry a strict CSP, no-referrer, no-store and framing protection."""
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_scripts_or_foreign_urls(client: TestClient) -> None:
    """No inline script code and nothing loaded from other origins."""
    for path in ("/", "/rooms/vanhemmuus", "/?lang=sv"):
        html = client.get(path).text
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            # Data blocks (JSON for scripts, JSON-LD for search engines) are never run.
            assert "src=" in attrs or re.search(r'type="application/(ld\+)?json"', attrs)
            assert "src=" in attrs or body.strip().startswith("{")
        # Absolute addresses only to this service (canonical and language versions).
        assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', html)
        assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_health_and_ready(client: TestClient) -> None:
    """/healthz answers while running; /readyz checks the database and broker."""
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_static_files_are_served(client: TestClient) -> None:
    """The room script and stylesheet are served from our own origin."""
    assert client.get("/static/js/room.js").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200


def test_front_page_shows_what_is_open_and_when_the_rest_opens(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rooms open by their roster are under "Open now" with their closing time; the
    others under "Opening later" with the next opening in Helsinki time, soonest first."""
    from datetime import UTC, datetime

    from kuulolla.shifts.duty import RoomState
    from kuulolla.shifts.rooms import RoomStates

    async def seed() -> dict[str, int]:
        db = Database.from_url(sqlite_url)
        ids = {slug: await make_room(db, slug) for slug in ("auki", "odottaa", "kiinni")}
        await db.dispose()
        return ids

    ids = run_async(seed)
    at = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    states = {
        ids["auki"]: RoomState("open", closes_at=datetime(2026, 5, 4, 18, 0, tzinfo=UTC), at=at),
        ids["odottaa"]: RoomState(
            "waiting_for_host", closes_at=datetime(2026, 5, 4, 19, 0, tzinfo=UTC), at=at
        ),
        ids["kiinni"]: RoomState(
            "closed", next_opening=datetime(2026, 5, 5, 15, 0, tzinfo=UTC), at=at
        ),
    }

    async def state_of(self: RoomStates, room_id: int) -> RoomState | None:
        return states[room_id]

    monkeypatch.setattr(RoomStates, "get", state_of)
    with TestClient(create_app(make_settings(sqlite_url)), base_url="https://testserver") as c:
        text = c.get("/?lang=en").text
    open_part, later = text.split(">Opening later</h2>")
    assert "Room auki" in open_part and "Open now, until 21:00." in open_part
    assert later.index("Room odottaa") < later.index("Room kiinni")
    assert "Opens as soon as a host arrives (scheduled until 22:00)." in later
    assert "Closed now. Opens next tomorrow at 18:00." in later


def test_language_links_keep_the_query(client: TestClient) -> None:
    """The language switcher links the same page in each language with the rest of the
    query kept (a list's topic is not lost), each link marked with its own language."""
    text = client.get("/questions?category=carers&lang=sv").text
    switch = text.split('class="lang-switch"')[1].split("</nav>")[0]
    assert 'href="/questions?category=carers&amp;lang=fi" lang="fi"' in switch
    assert 'lang="en" hreflang="en">English</a>' in switch
    assert 'lang="sv" hreflang="sv" aria-current="true">Svenska</a>' in switch


def test_finnish_fallback_texts_are_marked_finnish(sqlite_url: str) -> None:
    """A room with no Swedish description shows the Finnish one marked lang="fi" on a
    Swedish page, so a screen reader reads it in Finnish."""

    async def seed() -> None:
        db = Database.from_url(sqlite_url)
        await make_room(db, "vanhemmuus")  # names in fi/sv/en, description only in Finnish
        await db.dispose()

    run_async(seed)
    with TestClient(create_app(make_settings(sqlite_url)), base_url="https://testserver") as c:
        room = c.get("/rooms/vanhemmuus?lang=sv").text
        front = c.get("/?lang=sv").text
        # Inside the block: a request after it would run outside the app's lifespan,
        # on its disposed database, and leave a connection open.
        finnish = c.get("/rooms/vanhemmuus?lang=fi").text
    assert "<h1>Rum vanhemmuus</h1>" in room
    assert '<p class="room__description" lang="fi">Kuvaus</p>' in room
    assert '<p lang="fi">Kuvaus</p>' in front
    assert '<p class="room__description">Kuvaus</p>' in finnish


def test_front_page_lists_chat_topics_with_waits_and_next_openings(sqlite_url: str) -> None:
    """A topic taking visitors is under "Open now" with its wait; one outside its hours
    under "Opening later" with its next opening; one without helpers says so; a topic a
    coordinator closed is not shown."""
    from kuulolla.core.clock import FrozenClock
    from kuulolla.queue import topics
    from tests.helpers import NOW
    from tests.queue.helpers import build, enter

    async def seed() -> None:
        db = Database.from_url(sqlite_url)
        world = await build(db)  # nuorten-chat: a helper on duty; parisuhde: nobody
        await enter(db, world, 1)
        for slug, hours in (("perjantai", {"fri": [["09:00", "12:00"]]}), ("suljettu", {})):
            await topics.do_create_topic(
                db,
                organisation_id=world.org_id,
                slug=slug,
                names={"fi": f"Aihe {slug}", "en": f"Topic {slug}"},
                hours=hours,
                now=NOW,
            )
        from kuulolla.queue import forms, manage

        await manage.do_update_topic(
            db,
            organisation_id=world.org_id,
            slug="suljettu",
            given=forms.TopicInput(names={"fi": "Aihe suljettu"}, active=False),
        )
        await db.dispose()

    run_async(seed)
    app = create_app(make_settings(sqlite_url), clock=FrozenClock(NOW))
    with TestClient(app, base_url="https://testserver") as c:
        text = c.get("/?lang=en").text
    open_part, later = text.split(">Opening later</h2>")
    assert "Youth chat" in open_part and "1 waiting, estimated wait about 1 min." in open_part
    assert "Youth chat" not in later and "Topic perjantai" not in open_part
    assert "Topic perjantai" in later and "Opens 16/01/2026, 09:00" in later
    assert 'lang="fi">Parisuhde</a>' in later and "Nobody is on duty right now" in later
    assert "suljettu" not in text
