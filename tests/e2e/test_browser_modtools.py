"""The moderator's tools in real Chromium, on the accessibility walks' shared server (the
demo data): a mute with a length and a reason that the audit log shows in Finnish
words, a private thread between a moderator and a visitor with replies on both sides,
and a report that names the message and brings it into view.

Each journey uses the demo's open room with visitors of its own (fresh browser
contexts, so fresh tokens); Kaisa, the coordinator, moderates without a shift."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import axe_violations, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = Path(os.environ.get("KUULOLLA_SHOTS", "/tmp/modtools-shots"))


def shoot(page: Any, name: str) -> None:
    """Screenshots at 1280 and 360 px wide (KUULOLLA_SHOTS), for a person to look at."""
    if not os.environ.get("KUULOLLA_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def staff(browser: Any, site: Any, who: str = "coordinator", **options: Any) -> Any:
    page = new_page(browser, **options)
    page.context.add_cookies(
        [{"name": site.cookie_name, "value": site.session_for(who), "url": site.server.http}]
    )
    return page


def moderate(browser: Any, site: Any, **options: Any) -> Any:
    """Kaisa in the open room with the moderator tools showing."""
    mod = staff(browser, site, **options)
    mod.goto(f"{site.server.http}/rooms/{site.samples['open_room']}")
    mod.locator("#nick-form button[type=submit]").click()
    mod.locator("#modpanel").wait_for(state="visible")
    return mod


def visit(browser: Any, site: Any, nick: str) -> Any:
    page = new_page(browser)
    page.goto(f"{site.server.http}/rooms/{site.samples['open_room']}")
    page.get_by_label("Nimimerkki").fill(nick)
    page.get_by_role("button", name="Liity huoneeseen").click()
    page.locator("#chat").wait_for(state="visible")
    return page


def say(page: Any, text: str) -> None:
    page.get_by_label("Viestisi").fill(text)
    page.get_by_label("Viestisi").press("Enter")


def message(page: Any, text: str) -> Any:
    found = page.locator("#messages .message:not(.message--pending)", has_text=text)
    found.first.wait_for()
    return found.first


def test_moderator_mutes_for_a_length_with_a_reason_and_the_log_says_it_in_finnish(
    browser: Any, site: Any
) -> None:
    """A mute needs a reason; given a typed length of 90 minutes and a chosen reason with
    the moderator's words, the visitor is muted (the list of who is here says so, beside
    the moderator's badge) and the audit log reads "1 tunti ja 30 minuuttia" and
    "Keskustelun häiriköinti: toistaa samaa", never seconds or codes."""
    mod = moderate(browser, site)
    visitor = visit(browser, site, "Häiritsijä")
    say(visitor, "sama viesti taas ja taas")
    shown = message(mod, "sama viesti taas ja taas")
    shown.locator("summary", has_text="Moderoi").click()
    form = shown.locator("form.modform")
    form.get_by_label("Toimenpide").select_option(label="Hiljennä kirjoittaja")
    form.get_by_label("Kuinka pitkäksi aikaa").select_option(label="Muu kesto…")
    form.get_by_label("Kesto", exact=True).fill("90")
    form.get_by_label("Yksikkö").select_option(label="minuuttia")
    form.get_by_role("button", name="Tee").click()
    assert form.locator(".field-error").inner_text() == "Valitse syy tai kirjoita se."
    form.get_by_label("Syy", exact=True).select_option(label="Keskustelun häiriköinti")
    form.get_by_label("Omin sanoin").fill("toistaa samaa")
    shoot(mod, "moderate-form")
    form.get_by_role("button", name="Tee").click()
    mod.locator("#mod-status", has_text="Henkilö hiljennettiin").wait_for()
    visitor.locator("#messages .message--system", has_text="hiljentänyt").wait_for()
    # The list of who is here shows the moderator's badge and the visitor's mute.
    mod.get_by_role("button", name="Näytä, ketkä ovat paikalla").click()
    muted = mod.locator("#mod-members li", has_text="Häiritsijä")
    muted.locator(".members__restriction").wait_for()
    assert muted.locator(".members__restriction").inner_text().startswith("hiljennetty klo ")
    me = mod.locator("#mod-members li", has_text="Koordinaattori")
    assert me.locator(".badge").inner_text() == "Koordinaattori"
    shoot(mod, "members")
    # Lifted again: the mute follows the network, and every page here shares one.
    shown.get_by_role("button", name="Poista rajoitukset").click()
    visitor.locator("#messages .message--system", has_text="voit kirjoittaa taas").wait_for()

    mod.goto(f"{site.server.http}/orgs/{site.samples['org']}/moderation/audit?action=mute")
    row = mod.locator("tbody tr", has_text="toistaa samaa")
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == "Hiljensi kävijän"
    assert cells[3] != "–"  # who did it, by name
    assert cells[5] == "1 tunti ja 30 minuuttia"
    assert cells[6] == "Keskustelun häiriköinti: toistaa samaa"
    assert "5400" not in row.inner_text()
    shoot(mod, "audit-log")
    assert axe_violations(mod) == []
    mod.context.close()
    visitor.context.close()


def test_moderator_and_visitor_write_privately_in_a_thread(browser: Any, site: Any) -> None:
    """A visitor writes to the moderators; the moderator replies in the visitor's thread on
    the page (no prompt), the visitor sees the reply in their thread and answers, and
    the moderator's thread has all three."""
    mod = moderate(browser, site)
    visitor = visit(browser, site, "Kysyjä")
    visitor.locator("#to-mods summary").click()
    visitor.get_by_label("Viesti moderaattoreille").fill("voinko kysyä jotain?")
    visitor.get_by_role("button", name="Lähetä moderaattoreille").click()
    thread = mod.locator("#mod-private .thread", has_text="Kysyjä")
    thread.locator(".thread__line", has_text="voinko kysyä jotain?").wait_for()
    thread.get_by_label("Vastaa henkilölle Kysyjä").fill("Toki, kysy vain.")
    thread.get_by_role("button", name="Lähetä yksityisesti").click()
    visitor.locator("#to-mods-thread .thread__line", has_text="Toki, kysy vain.").wait_for()
    assert visitor.locator("#to-mods").get_attribute("open") is not None
    visitor.get_by_label("Viesti moderaattoreille").fill("kiitos, palaan asiaan")
    visitor.get_by_role("button", name="Lähetä moderaattoreille").click()
    thread.locator(".thread__line", has_text="kiitos, palaan asiaan").wait_for()
    assert thread.locator(".thread__line").all_inner_texts() == [
        "Kysyjä: voinko kysyä jotain?",
        "Sinä: Toki, kysy vain.",
        "Kysyjä: kiitos, palaan asiaan",
    ]
    visitor.locator("#to-mods-thread .thread__line", has_text="kiitos, palaan").wait_for()
    shoot(mod, "moderator-thread")
    shoot(visitor, "visitor-thread")
    assert axe_violations(mod) == []
    assert axe_violations(visitor) == []
    mod.context.close()
    visitor.context.close()


def test_a_report_names_the_message_and_shows_it_in_the_log(browser: Any, site: Any) -> None:
    """A report reads as the writer, time and words of the message (not "viesti 29"), and
    "Näytä viesti" brings the message into view, marked."""
    mod = moderate(browser, site)
    writer = visit(browser, site, "Kirjoittaja")
    reporter = visit(browser, site, "Ilmoittaja")
    say(writer, "tämä viesti ilmoitetaan")
    reported = message(reporter, "tämä viesti ilmoitetaan")
    reported.locator("summary").click()
    reported.locator("select").select_option("abuse")
    reported.locator("button").click()
    item = mod.locator("#mod-reports li", has_text="tämä viesti ilmoitetaan")
    item.wait_for()
    text = item.locator("p").first.inner_text()
    assert text.startswith("Ilmoitus (Loukkaava tai satuttava): käyttäjän Kirjoittaja viesti klo ")
    assert "viesti 1" not in text.lower().replace("viesti klo", "")
    item.get_by_role("button", name="Näytä viesti").click()
    target = message(mod, "tämä viesti ilmoitetaan")
    assert "message--reported" in (target.get_attribute("class") or "")
    assert target.evaluate("el => el === document.activeElement")
    for page in (mod, writer, reporter):
        page.context.close()


def test_coordinator_sets_the_rooms_allowed_links_and_the_room_follows_them(
    browser: Any, site: Any
) -> None:
    """In the room's settings a coordinator refuses other links and allows one domain
    (a word that is no domain is refused next to the field); in the room a link to that
    domain's subdomain shows at once and another link is refused."""
    room = site.samples["open_room"]
    coordinator = staff(browser, site)
    coordinator.goto(f"{site.server.http}/orgs/{site.samples['org']}/rooms/{room}")
    coordinator.get_by_label("Torju linkin sisältävät viestit").check()
    coordinator.get_by_label("Sallitut sivustot").fill("mieli.fi\nei-verkkotunnus")
    coordinator.get_by_role("button", name="Tallenna huone").click()
    assert "ei-verkkotunnus" in coordinator.locator("#f-allowed_links-error").inner_text()
    assert axe_violations(coordinator) == []
    coordinator.get_by_label("Sallitut sivustot").fill("mieli.fi")
    coordinator.get_by_role("button", name="Tallenna huone").click()
    coordinator.locator(".notice", has_text="Tallennettu").first.wait_for()
    assert coordinator.get_by_label("Sallitut sivustot").input_value() == "mieli.fi"
    try:
        visitor = visit(browser, site, "Linkittäjä")
        say(visitor, "katso www.mieli.fi/apua")
        message(visitor, "www.mieli.fi/apua")
        say(visitor, "tai esimerkki.com")
        visitor.locator("#send-error", has_text="linkit eivät ole sallittuja").wait_for()
        visitor.context.close()
    finally:
        # The other journeys and walks keep the room's usual rule.
        coordinator.get_by_label("Pidä linkin sisältävät viestit moderaattorin").check()
        coordinator.get_by_label("Sallitut sivustot").fill("")
        coordinator.get_by_role("button", name="Tallenna huone").click()
        coordinator.locator(".notice", has_text="Tallennettu").first.wait_for()
        coordinator.context.close()


def queue_visitor(browser: Any, site: Any, subject: str) -> Any:
    """A visitor in the queue of the demo topic "parisuhde"."""
    visitor = new_page(browser)
    visitor.goto(f"{site.server.http}/chat/parisuhde")
    visitor.fill("#q-subject", subject)
    if visitor.locator("#q-consent").count():
        visitor.check("#q-consent")
    visitor.locator("#enter-form button[type=submit]").click()
    visitor.locator("#wait-status").filter(has_text="jonossa").wait_for()
    return visitor


def test_helper_at_the_limit_is_told_inline_ends_after_confirming_and_feedback_is_read(
    browser: Any, site: Any
) -> None:
    """Ville (two chats at most, one already open) takes a visitor; taking another says
    on the console that the limit is reached (no error page); ending asks first;
    confirmed, the visitor's chat ends, and the
    feedback they write is on the coordinator's feedback page beside its rating, the
    phone number in it hidden."""
    first = queue_visitor(browser, site, "Riitoja kotona")
    helper = staff(browser, site, "volunteer")
    helper.goto(f"{site.server.http}/staff/queue/{site.samples['org']}")
    helper.locator("form[action$='/take'] button").first.click()
    helper.locator("details.confirm").wait_for()
    chat_url = helper.url
    first.locator("#conversation").wait_for(state="visible", timeout=15_000)

    second = queue_visitor(browser, site, "Toinen asia")
    helper.goto(f"{site.server.http}/staff/queue/{site.samples['org']}")
    helper.locator("form[action$='/take'] button").first.click()
    problem = helper.locator("#console-problem")
    assert problem.inner_text() == (
        "Sinulla on jo niin monta keskustelua kuin rajasi sallii. Lopeta ensin yksi."
    )
    assert helper.locator("#console").count() == 1  # the console itself, not an error page
    shoot(helper, "console-limit")
    second.locator("#leave").click()
    second.context.close()

    helper.goto(chat_url)
    helper.locator("details.confirm summary", has_text="Lopeta keskustelu").click()
    assert helper.url == chat_url  # opening the question ends nothing
    shoot(helper, "end-confirm")
    helper.get_by_role("button", name="Kyllä, lopeta keskustelu").click()
    first.locator("#after").wait_for(state="visible", timeout=15_000)

    first.locator("label[for=f-yes]").click()
    first.locator("label[for=f-r5]").click()
    first.fill("#f-text", "Kiitos, auttoi paljon. Soita 040 123 4567")
    first.locator("#feedback-form button[type=submit]").click()
    first.locator("#after-status").filter(has_text="Kiitos").wait_for()
    first.context.close()

    coordinator = staff(browser, site)
    coordinator.goto(f"{site.server.http}/orgs/{site.samples['org']}/reports")
    coordinator.get_by_role("link", name="Palaute").first.click()
    row = coordinator.locator("tbody tr", has_text="auttoi paljon")
    row.wait_for()  # the feedback page has loaded
    cells = row.locator("td").all_inner_texts()
    assert cells[2:] == ["Kyllä", "5", "Kiitos, auttoi paljon. Soita [puhelinnumero piilotettu]"]
    shoot(coordinator, "feedback")
    assert axe_violations(coordinator) == []
    for page in (helper, coordinator):
        page.context.close()
