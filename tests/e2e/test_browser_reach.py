"""Reaching people where they are, in real Chromium on the walks' shared server: an
answer page's structured data under the unchanged Content-Security-Policy, and the
installable app that shows the crisis numbers without a connection and keeps nothing
of what a visitor read."""

from __future__ import annotations

import tempfile
from typing import Any

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, new_page
from tests.e2e.test_accessibility import Site

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.effectiveDirective + " " + (e.blockedURI || "inline"));
});
"""

CACHED = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname + new URL(request.url).search);
  }
  return out.sort();
}"""


def test_answer_structured_data_is_read_under_the_unchanged_policy(
    browser: Any, site: Site
) -> None:
    """The QAPage data block parses in Chromium without any CSP report, while an inline
    script injected into the same page is still refused."""
    page = new_page(browser)
    page.add_init_script(VIOLATIONS)
    page.goto(f"{site.server.http}/questions/{site.samples['question']}")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "QAPage"
    assert data["mainEntity"]["acceptedAnswer"]["@type"] == "Answer"
    assert page.evaluate("window.__violations") == []
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = true"; document.head.append(s); }"""
    )
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__violations") == ["script-src-elem inline"]
    page.context.close()


def test_installed_app_shows_crisis_numbers_offline_and_keeps_no_pages(
    browser: Any, site: Site
) -> None:
    """The site is installable; a visitor who read an answer and chatted in a room, then
    lost the connection, gets the offline page with the crisis numbers in their language;
    the worker's cache holds static files and offline pages only, before and after the
    quick exit."""
    http = site.server.http
    with tempfile.TemporaryDirectory() as profile:
        # A profile of its own: Chromium reports installability only outside incognito.
        context = browser.browser_type.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, locale="sv-FI"
        )
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(f"{http}/?lang=sv")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            cdp = context.new_cdp_session(page)
            assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
            assert cdp.send("Page.getAppManifest")["url"] == f"{http}/manifest.webmanifest?lang=sv"

            # Online: an answer, then a room with a message.
            answer = f"/questions/{site.samples['question']}"
            page.goto(http + answer)
            page.locator(".qa__answer").wait_for()
            page.goto(f"{http}/rooms/{site.samples['open_room']}")
            page.locator("#nick").fill("Bussissa")
            page.locator("#nick-form button[type=submit]").click()
            page.locator("#text").fill("Hej, jag skriver från bussen")
            page.locator("#text").press("Enter")
            page.locator(
                "#messages .message:not(.message--pending)", has_text="från bussen"
            ).wait_for()

            context.set_offline(True)
            page.goto(http + answer)
            assert page.get_by_role("heading", level=1).inner_text() == "Ingen anslutning"
            assert page.locator("html").get_attribute("lang") == "sv"
            crisis = page.locator(".crisis")
            assert crisis.get_by_role("link", name="112").get_attribute("href") == "tel:112"
            assert crisis.get_by_role("link", name="09 2525 0111").is_visible()

            cached = page.evaluate(CACHED)
            assert {"/offline?lang=fi", "/offline?lang=sv", "/offline?lang=en"} <= set(cached)
            assert all(
                path.startswith(("/static/", "/offline?lang=")) or path == "/favicon.ico"
                for path in cached
            ), cached

            page.get_by_role("button", name="Lämna snabbt").click()
            page.wait_for_url(lambda url: not url.startswith(http))
            context.set_offline(False)
            page.goto(f"{http}/about")
            assert page.evaluate(CACHED) == cached
            assert page.evaluate("sessionStorage.length + localStorage.length") == 0
        finally:
            context.close()
