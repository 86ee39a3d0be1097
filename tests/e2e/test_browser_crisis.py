"""Crisis help as people type, in real headless Chromium: a visitor writes a crisis
message without umlauts, in a group room and in a one-to-one chat, and sees the help
for that kind of crisis; the room's moderator and the helper see the alert naming it.

Both run on the accessibility walks' shared server with the demo data (the ``site``
fixture), whose organisations list the Poison Information Centre for overdoses. They
leave it as the walks expect: the conversation is ended, and the one-to-one helper is
the professional, not the volunteer whose console the walks check."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.test_browser_room import enter_room, say

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = os.environ.get("KUULOLLA_TEST_SCREENSHOTS")  # a folder: save screenshots there
POISON = "0800 147 111"


def staff_page(browser: Any, site: Any, who: str) -> Any:
    """A page signed in as the demo principal ``who`` of the shared site."""
    page = new_page(browser)
    page.context.add_cookies(
        [{"name": site.cookie_name, "value": site.session_for(who), "url": site.server.http}]
    )
    return page


def shoot(page: Any, name: str) -> None:
    """Screenshots at 1280 and 360 px wide when KUULOLLA_TEST_SCREENSHOTS names a folder."""
    if not SHOTS:
        return
    size = page.viewport_size
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(size)


def test_overdose_typed_without_umlauts_in_a_room(browser: Any, site: Any) -> None:
    """A visitor writes of an overdose without umlauts in a room: the Poison Information
    Centre heads the help with what to do now; the moderator's alert names the kind."""
    server = site.server
    mod = staff_page(browser, site, "coordinator")
    mod.goto(f"{server.http}/rooms/vanhemmuus")
    mod.locator("#nick-form button[type=submit]").click()
    mod.locator("#modpanel").wait_for(state="visible")
    visitor = new_page(browser)
    foreign = watch_requests(visitor, server.http)
    enter_room(visitor, server, "Aino", room="vanhemmuus")

    say(visitor, "lapsi joi astianpesuainetta, mita teen")
    help_box = visitor.locator("#crisis.crisis--highlight")
    help_box.wait_for()
    numbers = help_box.locator("li").all_inner_texts()
    assert POISON in numbers[0] and "Myrkytystietokeskus" in numbers[0]
    assert "soita heti 112" in help_box.locator(".crisis__note").inner_text()
    alert = mod.locator("#mod-alerts .alert--crisis")
    alert.wait_for()
    assert "Yliannostus tai myrkytys" in alert.inner_text() and "Aino" in alert.inner_text()
    # Nothing is blocked: the message itself reached the room.
    mod.locator("#messages .message__text", has_text="astianpesuainetta").wait_for()

    shoot(visitor, "crisis-room")
    assert axe_violations(visitor) == []
    assert axe_violations(mod) == []
    assert foreign == []
    mod.context.close()
    visitor.context.close()


def test_crisis_typed_without_umlauts_in_a_one_to_one_chat(browser: Any, site: Any) -> None:
    """A visitor writes that they cannot go on, without umlauts, to their helper: they
    see the help numbers; the helper's console shows the alert naming the kind."""
    server = site.server
    helper = staff_page(browser, site, "professional")
    helper.goto(server.http + "/staff/queue/arjen-tuki")
    helper.check("#duty-yes")
    helper.locator("form[action$='/duty'] button").click()
    helper.wait_for_load_state()

    visitor = new_page(browser, viewport={"width": 360, "height": 800})
    visitor.goto(server.http + "/chat/parisuhde")
    visitor.select_option("#q-age", "30_64")
    visitor.fill("#q-subject", "Ei jaksa")
    visitor.check("#q-consent")
    visitor.locator("#enter-form button[type=submit]").click()
    visitor.locator("#wait-status").filter(has_text="Olet jonossa").wait_for()
    helper.reload()
    helper.locator("section", has_text="Ei jaksa").locator(
        "form[action$='/take'] button"
    ).first.click()
    helper.locator("#conv-status", has_text="Yhteys toimii").wait_for()
    visitor.locator("#conversation").wait_for(state="visible", timeout=15_000)

    visitor.locator("#text").fill("en jaksa enaa elaa, haluun vaan kuolla")
    visitor.locator("#text").press("Enter")
    help_box = visitor.locator("#crisis.crisis--highlight")
    help_box.wait_for()
    assert "09 2525 0111" in help_box.inner_text()
    visitor.locator("#messages .message--crisis").first.wait_for()
    alert = helper.locator("#alerts .alert--crisis")
    alert.wait_for()
    assert "Itsemurha" in alert.inner_text()
    helper.locator("#messages .message", has_text="haluun vaan kuolla").wait_for()

    shoot(visitor, "crisis-one-to-one")
    assert axe_violations(visitor) == []
    assert axe_violations(helper) == []
    # Leave the shared site as the walks expect it: conversation over, helper off duty.
    visitor.locator("#end").click()
    visitor.locator("#after").wait_for(state="visible")
    helper.goto(server.http + "/staff/queue/arjen-tuki")
    helper.check("#duty-no")
    helper.locator("form[action$='/duty'] button").click()
    helper.wait_for_load_state()
    helper.context.close()
    visitor.context.close()
