"""The service directory in real headless Chromium: a visitor picks a region and a topic,
finds a service open now and opens it; the region is remembered in the tab only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import axe_violations, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_visitor_finds_an_open_service_near_them(browser: Any, site: Any) -> None:
    """Region Tampere, topic crisis, "open now": the round-the-clock crisis line is listed
    as open, its page gives the number to call, and the tab remembers Tampere."""
    page = new_page(browser)
    try:
        page.goto(f"{site.server.http}/directory")
        page.get_by_label("Missä").select_option("m:837")
        page.get_by_label("Aihe", exact=True).select_option("crisis")
        page.get_by_label("Auki nyt").check()
        page.get_by_role("button", name="Etsi").click()
        page.wait_for_url("**/directory?*region=m%3A837*")
        results = page.locator(".directory-results")
        card = results.locator(".service-card", has_text="Kriisipuhelin")
        card.wait_for()
        assert "Auki ympäri vuorokauden" in card.inner_text()
        # Every listed service is open now and serves Tampere (or the whole country).
        for text in results.locator(".service-card .status").all_inner_texts():
            assert text.startswith("Auki"), text
        places = results.locator(".service-card__place").all_inner_texts()
        assert places and all(
            "Tampere" in p or "Pirkanma" in p or "Koko Suomi" in p for p in places
        )
        card.get_by_role("link", name="Kriisipuhelin (MIELI Suomen Mielenterveys ry)").click()
        page.get_by_role(
            "heading", level=1, name="Kriisipuhelin (MIELI Suomen Mielenterveys ry)"
        ).wait_for()
        assert (
            page.get_by_role("link", name="09 2525 0111").get_attribute("href") == "tel:0925250111"
        )
        # Back to the directory in the same tab: the region chosen is still chosen…
        page.goto(f"{site.server.http}/directory")
        page.wait_for_url("**/directory?region=m%3A837")
        assert page.get_by_label("Missä").input_value() == "m:837"
        assert "· Tampere" in page.locator("#results-heading").inner_text()
        # No cookie holds it: the server is not told where the visitor is.
        assert not any("837" in c["value"] for c in page.context.cookies())
    finally:
        page.context.close()
    # …but no other tab or window knows it.
    other = new_page(browser)
    try:
        other.goto(f"{site.server.http}/directory")
        assert other.get_by_label("Missä").input_value() == ""
    finally:
        other.context.close()


def test_the_quick_exit_forgets_the_region(browser: Any, site: Any) -> None:
    """Leaving quickly clears the remembered region with the rest of the tab's storage."""
    page = new_page(browser)
    try:
        page.goto(f"{site.server.http}/directory?region=m:091")
        assert page.evaluate("sessionStorage.getItem('kuulolla.directory.region')") == "m:091"
        page.get_by_role("button", name="Poistu nopeasti").click()
        page.wait_for_url(lambda url: not url.startswith(site.server.http))
        page.goto(f"{site.server.http}/directory")
        assert page.get_by_label("Missä").input_value() == ""
    finally:
        page.context.close()


def test_a_helper_sends_a_referral_the_visitor_sees(browser: Any, site: Any) -> None:
    """A coordinator in a room finds the carers' group in Tampere in the directory and
    sends it; the visitor sees a card with its name, whether it is open and how to reach
    it, linking to its page; both views pass axe."""
    staff = new_page(browser)
    visitor = new_page(browser)
    try:
        staff.context.add_cookies(
            [
                {
                    "name": site.cookie_name,
                    "value": site.session_for("coordinator"),
                    "url": site.server.http,
                }
            ]
        )
        staff.goto(f"{site.server.http}/rooms/vanhemmuus")
        staff.locator("#nick-form button[type=submit]").click()
        staff.locator("#modpanel").wait_for(state="visible")
        visitor.goto(f"{site.server.http}/rooms/vanhemmuus")
        visitor.locator("#nick").fill("Aino")
        visitor.locator("#nick-form button[type=submit]").click()
        visitor.locator("#chat").wait_for(state="visible")

        picker = staff.locator("#referral-picker")
        picker.locator("summary").click()
        picker.get_by_label("Millaista apua?").fill("omaishoitajan vertaistukea")
        picker.get_by_label("Missä (kunta tai hyvinvointialue)").fill("Tampere")
        picker.get_by_role("button", name="Etsi").click()
        found = picker.locator(
            ".referral-picker__item", has_text="Omaishoitajien vertaisryhmä, Tampere"
        )
        found.wait_for()
        found.get_by_role(
            "button", name="Lähetä Omaishoitajien vertaisryhmä, Tampere keskusteluun"
        ).click()
        picker.locator(".referral-picker__status", has_text="Lähetetty").wait_for()

        card = visitor.locator("#messages .message--referral .referral-card")
        card.wait_for()
        text = card.inner_text()
        assert "Omaishoitajien vertaisryhmä, Tampere" in text and "Arjen Tuki ry" in text
        assert "kuukauden toinen tiistai 17.30–19.00" in text
        assert "Auki nyt" in text or "Nyt kiinni" in text
        link = card.get_by_role("link", name="Omaishoitajien vertaisryhmä, Tampere")
        assert link.get_attribute("href") == "/directory/arjen-tuki/omaishoitajien-ryhma-tampere"
        assert card.locator("a[href^='tel:']").first.get_attribute("href") == "tel:090000113"
        assert card.get_attribute("aria-label") == f"{staff_name(staff)} ehdottaa palvelua"
        # The staff member's own view shows the same card.
        staff.locator("#messages .message--referral .referral-card").wait_for()
        assert axe_violations(visitor) == []
        assert axe_violations(staff) == []
    finally:
        staff.context.close()
        visitor.context.close()


def staff_name(page: Any) -> str:
    return str(page.locator("#messages .message--referral .message__nick").first.inner_text())
