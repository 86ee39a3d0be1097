"""The visitor's ways in and out, in real Chromium on the shared demo site (the ``site``
fixture of tests/e2e/conftest.py), at a desk's width and a phone's: the quick exit that
leaves the queue and leaves nothing behind.

Every journey here leaves the site as it found it: a visitor who queues leaves again.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

VIEWPORTS = {
    "desk": {"width": 1280, "height": 800},
    "phone": {"width": 360, "height": 640},
}
TOPIC = "parisuhde"  # a demo topic of Arjen Tuki, open around the clock
SHOTS = os.environ.get("KUULOLLA_SHOTS")  # a folder to keep screenshots in, to look at


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def staff_page(browser: Any, site: Any, who: str = "volunteer", **options: Any) -> Any:
    page = new_page(browser, **options)
    token = site.session_for(who)
    page.context.add_cookies([{"name": site.cookie_name, "value": token, "url": site.server.http}])
    return page


def queue_up(page: Any, base: str, subject: str) -> None:
    """The visitor enters the topic's queue with ``subject`` as their answer."""
    page.goto(f"{base}/chat/{TOPIC}")
    page.fill("#q-subject", subject)
    if page.locator("#q-consent").count():
        page.check("#q-consent")
    page.locator("#enter-form button[type=submit]").click()
    page.locator("#wait-status").filter(has_text="jonossa").wait_for()


def site_cookies(page: Any, base: str) -> list[dict[str, Any]]:
    return page.context.cookies([base])


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_quick_exit_from_the_queue_leaves_it_and_leaves_nothing(
    browser: Any, site: Any, viewport: str
) -> None:
    """The quick exit takes the visitor out of the helper's queue; Back does not return
    to the service, and no cookie or storage of it remains."""
    base = site.server.http
    subject = f"Lähtö {secrets.token_hex(3)}"
    visitor = new_page(browser, viewport=VIEWPORTS[viewport], has_touch=viewport == "phone")
    helper = staff_page(browser, site)
    try:
        queue_up(visitor, base, subject)
        assert site_cookies(visitor, base) != []
        assert visitor.evaluate("sessionStorage.length") > 0
        helper.goto(f"{base}/staff/queue/{site.samples['org']}")
        helper.get_by_text(subject).wait_for()
        shot(visitor, f"exit-queue-{viewport}")

        visitor.get_by_role("button", name="Poistu nopeasti").click()
        visitor.wait_for_url("about:blank")

        visitor.go_back()
        assert not visitor.url.startswith(base)
        assert site_cookies(visitor, base) == []
        helper.reload()
        assert helper.get_by_text(subject).count() == 0
        # The same tab back at the service: nothing of the visit is left in its storage.
        visitor.goto(f"{base}/healthz")
        assert visitor.evaluate("[sessionStorage.length, localStorage.length]") == [0, 0]
    finally:
        visitor.context.close()
        helper.context.close()


def test_two_taps_on_an_empty_spot_leave_on_a_touch_screen(browser: Any, site: Any) -> None:
    """On a phone with no Shift key, two quick taps on an empty spot of the page leave
    the service, clearing the tab's storage."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS["phone"], has_touch=True)
    try:
        page.goto(f"{base}/about")
        page.evaluate("sessionStorage.setItem('kuulolla.test', '1')")
        box = page.locator("main h1").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.touchscreen.tap(x, y)
        page.touchscreen.tap(x, y)
        page.wait_for_url("about:blank")
        page.goto(f"{base}/healthz")
        assert page.evaluate("sessionStorage.length") == 0
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_quick_exit_stays_on_screen_while_typing(browser: Any, site: Any, viewport: str) -> None:
    """Scrolled down to the box at the bottom of a long page, the quick exit is still on
    screen and leaves."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS[viewport])
    try:
        page.goto(f"{base}/questions/ask")
        box = page.locator("main textarea").first
        box.focus()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        button = page.get_by_role("button", name="Poistu nopeasti")
        inside = button.evaluate(
            "b => { const r = b.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0"
            " && r.right <= window.innerWidth; }"
        )
        shot(page, f"exit-typing-{viewport}")
        assert inside
        button.click()
        page.wait_for_url("about:blank")
    finally:
        page.context.close()
