"""The visitor's ways in and out, in real Chromium on the shared demo site (the ``site``
fixture of tests/e2e/conftest.py), at a desk's width and a phone's: the quick exit that
leaves the queue and leaves nothing behind.

Every journey here leaves the site as it found it: a visitor who queues leaves again.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from sqlalchemy import select, update

from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.queue import topics as queue_topics
from kuulolla.queue.logic import WEEKDAYS
from kuulolla.queue.models import QueueEntry, QueueTopic
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


def queue_up(page: Any, base: str, subject: str, topic: str = TOPIC) -> None:
    """The visitor enters the topic's queue with ``subject`` as their answer."""
    page.goto(f"{base}/chat/{topic}")
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


def test_visitor_cookies_end_with_the_session_and_are_in_the_privacy_notice(
    browser: Any, site: Any
) -> None:
    """A visitor who chooses Swedish and votes on an answer gets only cookies that end
    when the browser closes, each named in the privacy notice."""
    base = site.server.http
    page = new_page(browser)
    try:
        page.goto(f"{base}/questions/{site.samples['question']}")
        page.get_by_role("link", name="Svenska").click()
        page.locator("#vote").get_by_role("button", name="Ja").click()
        page.wait_for_url("**#vote")
        cookies = site_cookies(page, base)
        assert {"lang", "kuulolla_voter"} <= {c["name"] for c in cookies}
        assert [c["name"] for c in cookies if c["expires"] != -1] == []
        page.goto(f"{base}/privacy")
        table = page.locator("table.cookies").inner_text()
        shot(page, "privacy-cookies")
        assert [c["name"] for c in cookies if c["name"] not in table] == []
    finally:
        page.context.close()


# ------------------------------------------------------------------ the wait


# A topic of the journeys' own in Arjen Tuki (whose volunteer is on duty with a free
# slot), open every day but for the last minute: days that do not adjoin, so an entry
# moved back to yesterday was queued before a closing time.
WAIT_TOPIC = "odotus-matka"


def in_site_db(site: Any, work: Callable[[Database], Awaitable[Any]]) -> Any:
    """Run ``work`` on the site's database (the loop and connection of its sessions)."""
    sessions = site.staff_sessions
    return asyncio.run_coroutine_threadsafe(work(sessions.db), sessions.loop).result(timeout=30)


async def ensure_wait_topic(db: Database) -> None:
    async with db.read_session() as session:
        if await session.scalar(select(QueueTopic.id).where(QueueTopic.slug == WAIT_TOPIC)):
            return
        org_id = await session.scalar(
            select(Organisation.id).where(Organisation.slug == "arjen-tuki")
        )
    assert org_id is not None
    await queue_topics.do_create_topic(
        db,
        organisation_id=org_id,
        slug=WAIT_TOPIC,
        names={"fi": "Odotusmatka"},
        hours={day: [["00:00", "23:59"]] for day in WEEKDAYS},
        questions=("subject",),
        now=datetime.now(UTC),
    )


def move_queued_at(site: Any, when: datetime) -> None:
    """Those waiting in the journeys' topic came at ``when``, as if nobody had taken
    anyone since."""

    async def work(db: Database) -> None:
        async with db.session() as session:
            topic_id = await session.scalar(
                select(QueueTopic.id).where(QueueTopic.slug == WAIT_TOPIC)
            )
            await session.execute(
                update(QueueEntry)
                .where(QueueEntry.topic_id == topic_id, QueueEntry.state == "waiting")
                .values(queued_at=when)
            )

    in_site_db(site, work)


def wake_the_queue(browser: Any, base: str) -> None:
    """Another visitor enters the queue and leaves it: the organisation's queue changes,
    and every waiting visitor's page is told at once (no wait for a tick)."""
    other = new_page(browser)
    try:
        queue_up(other, base, "Ohikulkija", WAIT_TOPIC)
        other.locator("#leave").click()
        other.locator("#entry").wait_for()
    finally:
        other.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_wait_estimate_grows_while_nobody_takes_and_then_says_it_cannot_tell(
    browser: Any, site: Any, viewport: str
) -> None:
    """With a helper's slot free and nobody taken, the estimate on the waiting page grows
    with the time nobody takes anyone, and past ten minutes it says it cannot estimate."""
    base = site.server.http
    in_site_db(site, ensure_wait_topic)
    visitor = new_page(browser, viewport=VIEWPORTS[viewport])
    status = visitor.locator("#wait-status")
    try:
        queue_up(visitor, base, f"Odotan {secrets.token_hex(3)}", WAIT_TOPIC)
        status.filter(has_text="noin 1 min").wait_for()
        move_queued_at(site, datetime.now(UTC) - timedelta(minutes=5))
        wake_the_queue(browser, base)
        status.filter(has_text="noin 5 min").wait_for()
        shot(visitor, f"wait-grows-{viewport}")
        move_queued_at(site, datetime.now(UTC) - timedelta(minutes=11))
        wake_the_queue(browser, base)
        status.filter(has_text="Odotusaikaa ei voi juuri nyt arvioida").wait_for()
        assert "min" not in status.inner_text()
    finally:
        visitor.locator("#leave").click()
        visitor.context.close()


def test_waiting_visitor_is_told_when_closing_time_passed(browser: Any, site: Any) -> None:
    """A visitor still waiting after the chat's closing time is told, on the page, when
    it closed and that nobody will answer today, with no estimate."""
    base = site.server.http
    in_site_db(site, ensure_wait_topic)
    visitor = new_page(browser, viewport=VIEWPORTS["phone"])
    status = visitor.locator("#wait-status")
    try:
        queue_up(visitor, base, f"Ilta {secrets.token_hex(3)}", WAIT_TOPIC)
        yesterday = datetime.now(HELSINKI).date() - timedelta(days=1)
        move_queued_at(site, datetime.combine(yesterday, time(12), HELSINKI))
        wake_the_queue(browser, base)
        status.filter(has_text="Chat sulkeutui kello 23.59").wait_for()
        assert "et saa vastausta tänään" in status.inner_text()
        assert "Arvioitu odotus" not in status.inner_text()
        shot(visitor, "closed-phone")
    finally:
        visitor.locator("#leave").click()
        visitor.context.close()


# ------------------------------------------------------------------ on a phone


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_room_shows_the_messages_and_the_box_on_one_screen_and_tells_a_long_paste(
    browser: Any, site: Any, viewport: str
) -> None:
    """After joining a room at 360×640 (and 1280), the message log and the send box are
    both on screen without scrolling; a 10,000-character paste stays whole in the box,
    with a counter and the reason it cannot go as one message."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS[viewport])
    try:
        page.goto(f"{base}/rooms/{site.samples['open_room']}")
        page.get_by_label("Nimimerkki").fill(f"Puhelin{secrets.token_hex(2)}")
        page.get_by_role("button", name="Liity huoneeseen").click()
        page.locator("#chat").wait_for(state="visible")
        height = VIEWPORTS[viewport]["height"]
        for selector in ("#log", "#send-form button[type=submit]", "#text"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            # Within the screen, to the pixel (layout positions are fractional).
            assert box["y"] >= 0 and round(box["y"] + box["height"]) <= height, selector
        shot(page, f"room-joined-{viewport}")
        page.locator("#text").fill("a" * 10_000)
        assert page.locator("#text").input_value() == "a" * 10_000
        assert page.locator(".char-count").inner_text() == "10000 / 2000 merkkiä"
        assert "Mitään ei leikattu" in page.locator("#send-error").inner_text()
        page.locator("#text").press("Enter")
        assert "Mitään ei leikattu" in page.locator("#send-error").inner_text()
        assert len(page.locator("#text").input_value()) == 10_000
        shot(page, f"room-long-paste-{viewport}")
    finally:
        page.context.close()


# ------------------------------------------------------------------ help while waiting


def test_help_while_waiting_follows_what_the_visitor_wrote(browser: Any, site: Any) -> None:
    """Waiting for a relationship chat after writing about caring for a relative, the
    visitor is offered archive answers to their own words, and no room that is closed."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS["phone"])
    try:
        queue_up(page, base, "Olen omaishoitaja enkä saa pidettyä vapaapäiviä")
        help_now = page.locator(".help-now")
        help_now.get_by_role(
            "heading", name="Vastauksia kysymyksiin, jotka muistuttavat sinun kysymystäsi"
        ).wait_for()
        titles = page.locator("#help-answers li a").all_inner_texts()
        assert titles and any("omais" in t.lower() for t in titles), titles
        assert f"/rooms/{site.samples['closed_room']}" not in help_now.inner_html()
        shot(page, "help-waiting-phone")
    finally:
        page.locator("#leave").click()
        page.context.close()


# ------------------------------------------------------------------ the conversation


def take_the_waiting_visitor(helper: Any, site: Any) -> None:
    """The helper on duty in Arjen Tuki takes the next visitor of the journeys' topic and
    is on the conversation's page, connected."""
    helper.goto(f"{site.server.http}/staff/queue/{site.samples['org']}")
    section = helper.locator("section").filter(
        has=helper.get_by_role("heading", name=re.compile(r"^Odotusmatka:"))
    )
    section.locator("form[action$='/take']:not(.stack) button").click()
    helper.locator("#conv-status", has_text="Yhteys toimii").wait_for()


def on_screen(page: Any, locator: Any, within: float = 3.0) -> bool:
    """Whether the element is wholly within the screen, to the pixel, or comes there
    within ``within`` seconds (the page folds the topic text away and scrolls the box
    into view in the frames after the helper's message arrives)."""
    deadline = monotonic() + within
    while True:
        box = locator.bounding_box()
        size = page.viewport_size
        if (
            box is not None
            and box["y"] >= 0
            and round(box["y"] + box["height"]) <= size["height"]
            and box["x"] >= 0
            and round(box["x"] + box["width"]) <= size["width"]
        ):
            return True
        if monotonic() > deadline:
            return False
        page.wait_for_timeout(100)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_conversation_shows_the_first_message_and_the_box_on_one_screen(
    browser: Any, site: Any, viewport: str
) -> None:
    """Taken by a helper at 360×640 (and 1280), the visitor sees the helper's first
    message, the message box and its send button without scrolling, and the quick exit
    stays on screen while they type."""
    base = site.server.http
    in_site_db(site, ensure_wait_topic)
    visitor = new_page(browser, viewport=VIEWPORTS[viewport], has_touch=viewport == "phone")
    helper = staff_page(browser, site)
    greeting = f"Hei, olen täällä sinua varten {secrets.token_hex(2)}"
    try:
        queue_up(visitor, base, f"Keskustelu {secrets.token_hex(3)}", WAIT_TOPIC)
        take_the_waiting_visitor(helper, site)
        visitor.locator("#conversation").wait_for(state="visible")
        helper.locator("#text").fill(greeting)
        helper.locator("#text").press("Enter")
        first = visitor.locator("#messages .message", has_text=greeting)
        first.wait_for()
        visitor.locator("#text").click()
        visitor.keyboard.type("Kiitos, hyvä kun joku vastaa")
        exit_button = visitor.get_by_role("button", name="Poistu nopeasti")
        shot(visitor, f"conversation-{viewport}")
        for name, element in (
            ("first message", first),
            ("message box", visitor.locator("#text")),
            ("send button", visitor.locator("#send-form button[type=submit]")),
            ("quick exit", exit_button),
        ):
            assert on_screen(visitor, element), name
    finally:
        # The site as it was: the conversation ended, or the visitor out of the queue.
        for leave, then in (("#end", "#after"), ("#leave", "#entry")):
            if visitor.locator(leave).is_visible():
                visitor.locator(leave).click()
                visitor.locator(then).wait_for(state="visible")
        visitor.context.close()
        helper.context.close()


def test_quick_exit_from_a_conversation_tells_the_helper_the_visitor_left(
    browser: Any, site: Any
) -> None:
    """A visitor in a conversation leaves with the quick exit on a phone: within 5 s the
    helper's conversation page says the visitor left, and Back does not return the
    visitor to the service."""
    base = site.server.http
    in_site_db(site, ensure_wait_topic)
    visitor = new_page(browser, viewport=VIEWPORTS["phone"], has_touch=True)
    helper = staff_page(browser, site)
    try:
        queue_up(visitor, base, f"Poistun kesken {secrets.token_hex(3)}", WAIT_TOPIC)
        take_the_waiting_visitor(helper, site)
        visitor.locator("#conversation").wait_for(state="visible")
        helper.locator("#visitor-presence", has_text="Kävijä on paikalla").wait_for()

        visitor.get_by_role("button", name="Poistu nopeasti").click()
        visitor.wait_for_url("about:blank")
        helper.locator("#visitor-presence", has_text="Kävijä poistui keskustelusta").wait_for(
            timeout=5_000
        )
        shot(helper, "helper-visitor-left")
        visitor.go_back()
        assert not visitor.url.startswith(base)
        assert site_cookies(visitor, base) == []
    finally:
        visitor.context.close()
        helper.context.close()


# ------------------------------------------------------------------ searches


SEARCHES = {
    # page, the words, the form, a link among the results, what only results show
    "archive": (
        "/questions/search",
        "yksinäisyys",
        "main form.search-form",
        ".results a",
        "#results-heading",
    ),
    "directory": (
        "/directory",
        "omaishoitajat",
        "form[data-directory-form]",
        ".service-card a",
        "form[data-posted]",
    ),
}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("search", list(SEARCHES))
def test_search_words_stay_out_of_the_address_the_title_and_back(
    browser: Any, site: Any, search: str, viewport: str
) -> None:
    """A visitor searches the question archive or the directory in their own words: the
    results come with the words in neither the address nor the title, and after opening
    a result, Back shows the empty form, not the words or their results."""
    base = site.server.http
    path, words, form, result, results_only = SEARCHES[search]
    page = new_page(browser, viewport=VIEWPORTS[viewport])
    try:
        page.goto(f"{base}{path}")
        page.locator(f"{form} input[name=q]").fill(words)
        with page.expect_navigation():
            page.locator(f"{form} button[type=submit]").click()
        first = page.locator(result).first
        first.wait_for()
        shot(page, f"search-{search}-{viewport}")
        assert words not in page.url.lower() and "q=" not in page.url
        assert words not in page.title().lower()
        assert page.locator(f"{form} input[name=q]").input_value() == words

        first.click()
        page.wait_for_load_state()
        assert words not in page.url.lower()
        page.go_back()
        page.locator(f"{form} input[name=q]").wait_for()
        assert page.url == f"{base}{path}"
        assert page.locator(f"{form} input[name=q]").input_value() == ""
        assert page.locator(results_only).count() == 0
        shot(page, f"search-{search}-back-{viewport}")
    finally:
        page.context.close()


@pytest.mark.parametrize(("lang", "first"), [("sv", "sv"), ("fi", "fi")])
def test_help_while_waiting_offers_answers_in_the_pages_language_first(
    browser: Any, site: Any, lang: str, first: str
) -> None:
    """A visitor who writes in Finnish and Swedish alike is offered archive answers in
    the page's language first: Swedish on the Swedish page, Finnish on the Finnish one."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS["phone"], locale=f"{lang}-FI")
    try:
        page.goto(f"{base}/chat/{TOPIC}?lang={lang}")
        heading = page.locator("#help-answers-heading")
        for_the_topic = heading.inner_text()
        page.fill("#q-subject", "Yksinäisyys vaivaa, jag är så ensam")
        if page.locator("#q-consent").count():
            page.check("#q-consent")
        page.locator("#enter-form button[type=submit]").click()
        page.locator("#waiting").wait_for()
        # The answers to the topic give way to answers to the visitor's own words.
        heading.filter(has_not_text=for_the_topic).wait_for()
        languages = [a.get_attribute("lang") for a in page.locator("#help-answers li a").all()]
        shot(page, f"help-language-{lang}")
        assert languages and languages[0] == first, languages
    finally:
        page.locator("#leave").click()
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_error_page_names_a_chat_open_now(browser: Any, site: Any, viewport: str) -> None:
    """A page that does not exist still has the crisis strip with 112, the crisis line and
    a one-to-one chat open now, which opens the chat."""
    base = site.server.http
    page = new_page(browser, viewport=VIEWPORTS[viewport])
    try:
        response = page.goto(f"{base}/ei-tallaista-sivua")
        assert response is not None and response.status == 404
        strip = page.locator("#crisis-help")
        assert strip.get_by_role("link", name="112").is_visible()
        chat = strip.get_by_role("link", name=re.compile(r"^Chat auki nyt: "))
        assert chat.is_visible()
        shot(page, f"error-page-{viewport}")
        chat.click()
        page.locator("#enter-form").wait_for()
        assert "/chat/" in page.url
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_youth_topic_offers_no_chat_for_adults_only(
    browser: Any, site: Any, viewport: str
) -> None:
    """On the youth chat's page the help open now lists another organisation's chat for
    everyone, and not its chat for adults (the relationship chat, open around the clock),
    nor does the crisis strip name that one as the chat open now."""
    base = site.server.http
    in_site_db(site, ensure_wait_topic)  # Arjen Tuki's, for everyone, open now
    page = new_page(browser, viewport=VIEWPORTS[viewport])
    try:
        page.goto(f"{base}/chat/nuorten-chat")
        help_now = page.locator(".help-now")
        help_now.scroll_into_view_if_needed()
        shot(page, f"help-youth-{viewport}")
        assert help_now.locator(f"a[href='/chat/{WAIT_TOPIC}']").count() == 1
        assert help_now.locator(f"a[href='/chat/{TOPIC}']").count() == 0
        strip = page.locator("#crisis-help")
        assert strip.locator("a[href^='/chat/']").count() == 1
        assert strip.locator(f"a[href='/chat/{TOPIC}']").count() == 0
    finally:
        page.context.close()
