"""The chat on an organisation's own site, in real Chromium: a coordinator allows a site
and copies the snippet; a page on that site (another origin, a second local server)
embeds a queue topic; a visitor chats through the frame with a helper, without any
cookie, the token in the frame's own tab storage; the quick exit replaces the whole
window. A site not on the list cannot frame the chat."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, axe_violations, new_page
from tests.e2e.servers import ServerProcess
from tests.e2e.test_browser_queue import demo_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


class Site:
    """An organisation's web site: a second local HTTP server serving pages set by the
    test. Reached as http://localhost:PORT (the allowed site) or http://127.0.0.1:PORT
    (the same server as another origin, not on the list)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, path: str, snippet: str) -> None:
        self.pages[path] = (
            '<!doctype html><html lang="fi"><head><meta charset="utf-8"><title>Arjen Tuki ry'
            f"</title></head><body><h1>Arjen Tuki ry</h1><p>Tervetuloa.</p>{snippet}</body></html>"
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# Playwright turns off Chromium's partitioning of third-party storage
# (microsoft/playwright#32230), which Chrome ships with on: without it a frame on
# another site may use no storage at all. This browser has Playwright's list of
# disabled features less that one (a later --disable-features replaces the earlier).
AS_SHIPPED = "--disable-features=" + ",".join(
    [
        "AvoidUnnecessaryBeforeUnloadCheckSync",
        "DestroyProfileOnBrowserClose",
        "HttpsUpgrades",
        "HttpsFirstBalancedModeAutoEnable",
        "LensOverlay",
        "MediaRouter",
        "PaintHolding",
        "AvoidCorsURLLoaderRestartOnRedirect",
        "OptimizationHints",
        "NetworkTimeServiceQuerying",
    ]
)


@pytest.fixture
def partitioned(browser: Any) -> Iterator[Any]:
    """Chromium with third-party storage partitioned, as Chrome ships."""
    instance = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, AS_SHIPPED], headless=True
    )
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def organisation_site() -> Iterator[Site]:
    site = Site()
    try:
        yield site
    finally:
        site.close()


def sign_in(page: Any, server: ServerProcess, username: str, password: str) -> None:
    page.goto(server.http + "/sign-in")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff"))


def test_visitor_chats_through_the_embedded_chat_and_leaves_the_whole_site(
    partitioned: Any,
    demo_server: tuple[ServerProcess, dict[str, str]],  # noqa: F811
    organisation_site: Site,
) -> None:
    """Coordinator allows the site and copies the snippet; a visitor on the site chats
    with a helper in the frame and the quick exit replaces the site's page; another
    origin cannot frame the chat; the plain <iframe> snippet leaves the same way."""
    server, passwords = demo_server
    browser = partitioned
    allowed = f"http://localhost:{organisation_site.port}"

    # The coordinator allows the organisation's site and copies the snippets.
    coordinator = new_page(browser)
    sign_in(coordinator, server, "koordinaattori.arki", passwords["koordinaattori.arki"])
    coordinator.goto(server.http + "/orgs/arjen-tuki/embed")
    coordinator.get_by_label("Sivuston osoite").fill("www.arjentuki.fi/chat")
    coordinator.get_by_role("button", name="Lisää sivusto").click()
    assert "Kirjoita sivuston osoite muodossa" in coordinator.locator(".field-error").inner_text()
    coordinator.get_by_label("Sivuston osoite").fill(allowed + "/")
    coordinator.get_by_role("button", name="Lisää sivusto").click()
    coordinator.locator(".site-list code", has_text=allowed).wait_for()
    coordinator.get_by_text("Kahdenkeskinen chat: Parisuhde").click()
    script = coordinator.locator("#s-chat-parisuhde-frame").input_value()
    iframe = coordinator.locator("#s-chat-parisuhde-iframe").input_value()
    assert script.startswith(f'<script src="{server.http}/embed.js" data-chat="parisuhde"')
    assert axe_violations(coordinator) == []
    coordinator.context.close()
    organisation_site.page("/", script)
    organisation_site.page("/plain", iframe)

    helper = new_page(browser)
    sign_in(helper, server, "vapaaehtoinen.arki", passwords["vapaaehtoinen.arki"])
    helper.goto(server.http + "/staff/queue/arjen-tuki")
    helper.check("#duty-yes")
    helper.locator("form[action$='/duty'] button").click()
    helper.wait_for_load_state()

    # A visitor reads the organisation's site and starts a chat in the frame.
    visitor = new_page(browser, viewport={"width": 360, "height": 800})
    cookies_sent: list[str] = []

    def on_request(request: Any) -> None:
        framed = request.url.startswith(server.http) and request.frame != visitor.main_frame
        if framed and "cookie" in request.all_headers():
            cookies_sent.append(request.url)

    visitor.on("request", on_request)
    visitor.goto(allowed + "/")
    chat = visitor.frame_locator("iframe")
    chat.get_by_role("heading", name="Parisuhde", level=1).wait_for()
    chat.locator("#q-subject").fill("Riitelemme paljon")
    chat.locator("#q-consent").check()
    chat.locator("#enter-form button[type=submit]").click()
    chat.locator("#wait-status").filter(has_text="Olet jonossa numero 1.").wait_for()

    helper.reload()
    helper.locator("text=Riitelemme paljon").wait_for()
    helper.locator("form[action$='/take'] button").first.click()
    helper.locator("#conv-status", has_text="Yhteys toimii").wait_for()

    chat.locator("#conversation").wait_for(state="visible", timeout=15_000)
    chat.locator("#text").fill("Hei, kirjoitan järjestön sivulta")
    chat.locator("#text").press("Enter")
    helper.locator("#messages .message", has_text="kirjoitan järjestön sivulta").wait_for()
    helper.locator("#text").fill("Hei, hyvä että kirjoitit")
    helper.locator("#text").press("Enter")
    chat.locator("#messages .message", has_text="hyvä että kirjoitit").wait_for()

    # The token is in the frame's own tab storage; the site's page holds nothing; no
    # request of the frame carried a cookie.
    frame = next(f for f in visitor.frames if f.url.startswith(server.http))
    assert frame.evaluate("sessionStorage.getItem('kuulolla.token')")
    assert frame.evaluate("localStorage.length") == 0
    assert visitor.evaluate("sessionStorage.length + localStorage.length") == 0
    assert cookies_sent == []

    # The quick exit in the frame replaces the organisation's page, not just the frame.
    chat.get_by_role("button", name="Poistu nopeasti").click()
    visitor.wait_for_url("about:blank")
    assert visitor.locator("h1").count() == 0
    visitor.context.close()
    helper.context.close()

    # The same page on an origin that is not on the list: the browser refuses the frame.
    other = new_page(browser)
    refusals: list[str] = []
    other.on("console", lambda message: refusals.append(message.text))
    other.goto(f"http://127.0.0.1:{organisation_site.port}/")
    other.wait_for_function("() => document.querySelector('iframe') !== null")
    other.wait_for_timeout(500)
    assert any("frame-ancestors" in text and allowed in text for text in refusals), refusals
    assert not any(f.url.startswith(server.http + "/embed/") for f in other.frames)
    other.context.close()

    # The plain <iframe> (no script on the site): three presses of Shift in the frame
    # still replace the whole page.
    plain = new_page(browser)
    plain.goto(allowed + "/plain")
    framed = plain.frame_locator("iframe")
    framed.get_by_role("heading", name="Parisuhde", level=1).click()
    for _ in range(3):
        plain.keyboard.press("Shift")
    plain.wait_for_url("about:blank")
    plain.context.close()
