"""The service directory in real headless Chromium: a visitor picks a region and a topic,
finds a service open now and opens it; the region is remembered in the tab only; the
front page and a room's crisis help lead to it; helpers send its services as referral
cards in a room and in a one-to-one chat; a coordinator is told of services to check
and brings a hidden one back."""

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
            page.locator("main").get_by_role("link", name="09 2525 0111").get_attribute("href")
            == "tel:0925250111"
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


def test_the_front_page_and_a_rooms_crisis_help_lead_to_help_near_the_visitor(
    browser: Any, site: Any
) -> None:
    """From the front page the visitor reaches the directory and picks Tampere; in a room
    of Arjen Tuki the crisis help leads to crisis services of every organisation near
    Tampere (another organisation's crisis centre among them), the region remembered."""
    page = new_page(browser)
    try:
        page.goto(f"{site.server.http}/")
        near = page.locator("section", has=page.get_by_role("heading", name="Apua läheltäsi"))
        near.get_by_role("link", name="Löydä apua läheltäsi").click()
        page.wait_for_url("**/directory")
        page.get_by_label("Missä").select_option("m:837")
        page.get_by_role("button", name="Etsi").click()
        page.wait_for_url("**/directory?*region=m%3A837*")

        page.goto(f"{site.server.http}/rooms/vanhemmuus")
        crisis = page.locator("#crisis")
        crisis.get_by_role("link", name="Kriisiapua läheltäsi kaikilta järjestöiltä").click()
        page.wait_for_url("**/directory?*topic=crisis*region=m%3A837*")
        assert page.get_by_label("Missä").input_value() == "m:837"
        assert page.get_by_label("Aihe", exact=True).input_value() == "crisis"
        help_now = page.locator("section.crisis").inner_text()
        assert "Kriisikeskus, Tampere" in help_now and "Kriisipuhelin" in help_now
        cards = page.locator(".directory-results .service-card")
        assert cards.filter(has_text="Mielen Tuki ry").count() > 0
        assert axe_violations(page) == []
    finally:
        page.context.close()


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


def test_a_helper_refers_a_visitor_in_a_one_to_one_chat(browser: Any, site: Any) -> None:
    """A helper in the one-to-one console finds the carers' group in Tampere and sends
    it; the visitor waiting for help sees the card with its name, opening times and
    number, and both views pass axe."""
    server = site.server
    helper = new_page(browser)
    helper.context.add_cookies(
        [{"name": site.cookie_name, "value": site.session_for("professional"), "url": server.http}]
    )
    visitor = new_page(browser, viewport={"width": 360, "height": 800})
    try:
        helper.goto(server.http + "/staff/queue/arjen-tuki")
        helper.check("#duty-yes")
        helper.locator("form[action$='/duty'] button").click()
        helper.wait_for_load_state()

        visitor.goto(server.http + "/chat/parisuhde")
        visitor.select_option("#q-age", "30_64")
        visitor.fill("#q-subject", "Hoidan äitiäni")
        visitor.check("#q-consent")
        visitor.locator("#enter-form button[type=submit]").click()
        visitor.locator("#wait-status").filter(has_text="Olet jonossa").wait_for()
        helper.reload()
        helper.locator("section", has_text="Hoidan äitiäni").locator(
            "form[action$='/take'] button"
        ).first.click()
        helper.locator("#conv-status", has_text="Yhteys toimii").wait_for()
        visitor.locator("#conversation").wait_for(state="visible", timeout=15_000)

        picker = helper.locator("#referral-picker")
        picker.locator("summary").click()
        picker.get_by_label("Millaista apua?").fill("omaishoitajan vertaistukea")
        picker.get_by_label("Missä (kunta tai hyvinvointialue)").fill("Tampere")
        picker.get_by_role("button", name="Etsi").click()
        found = picker.locator(
            ".referral-picker__item", has_text="Omaishoitajien vertaisryhmä, Tampere"
        )
        found.get_by_role(
            "button", name="Lähetä Omaishoitajien vertaisryhmä, Tampere keskusteluun"
        ).click()
        picker.locator(".referral-picker__status", has_text="Lähetetty").wait_for()

        card = visitor.locator("#messages .message--referral .referral-card")
        card.wait_for()
        text = card.inner_text()
        assert "Omaishoitajien vertaisryhmä, Tampere" in text and "Arjen Tuki ry" in text
        assert "kuukauden toinen tiistai 17.30–19.00" in text
        assert card.locator("a[href^='tel:']").first.get_attribute("href") == "tel:090000113"
        helper.locator("#messages .message--referral .referral-card").wait_for()
        assert axe_violations(visitor) == []
        assert axe_violations(helper) == []
        # Leave the shared site as the walks expect it: conversation over, helper off duty.
        visitor.locator("#end").click()
        visitor.locator("#after").wait_for(state="visible")
        helper.goto(server.http + "/staff/queue/arjen-tuki")
        helper.check("#duty-no")
        helper.locator("form[action$='/duty'] button").click()
        helper.wait_for_load_state()
    finally:
        helper.context.close()
        visitor.context.close()


def test_a_coordinator_checks_a_hidden_service_and_visitors_see_it_again(
    browser: Any, site: Any
) -> None:
    """The staff home tells Arjen Tuki's coordinator two services need checking; one is
    hidden from visitors in Vantaa until the coordinator says its details are right."""
    server = site.server
    visitor = new_page(browser)
    coordinator = new_page(browser)
    coordinator.context.add_cookies(
        [{"name": site.cookie_name, "value": site.session_for("coordinator"), "url": server.http}]
    )
    cafe = "Vanhempien kahvila, Vantaa"
    try:
        visitor.goto(f"{server.http}/directory?region=m:092&topic=parenting")
        results = visitor.locator(".directory-results")
        results.locator("#results-heading").wait_for()
        assert cafe not in results.inner_text()

        coordinator.goto(f"{server.http}/staff")
        coordinator.get_by_role(
            "link", name="Tarkistettavia palveluja palveluhakemistossa: 2"
        ).click()
        check = coordinator.locator(
            "section", has=coordinator.get_by_role("heading", name="Tarkista nämä palvelut")
        )
        assert "Niistä 1 on piilotettu kävijöiltä" in check.inner_text()
        hidden = check.locator("li", has_text=cafe)
        assert "piilotettu" in hidden.inner_text()
        assert axe_violations(coordinator) == []
        button = hidden.get_by_role("button")
        assert button.inner_text().startswith("Tiedot ovat oikein") and cafe in button.inner_text()
        button.click()
        coordinator.get_by_text("Merkitty tarkistetuksi tänään.").wait_for()
        assert (
            cafe
            not in coordinator.locator(
                "section", has=coordinator.get_by_role("heading", name="Tarkista nämä palvelut")
            ).inner_text()
        )

        visitor.reload()
        results.locator(".service-card", has_text=cafe).wait_for()
    finally:
        visitor.context.close()
        coordinator.context.close()
