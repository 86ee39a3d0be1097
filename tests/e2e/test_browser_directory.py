"""The service directory in real headless Chromium: a visitor picks a region and a topic,
finds a service open now and opens it; the region is remembered in the tab only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import new_page

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
