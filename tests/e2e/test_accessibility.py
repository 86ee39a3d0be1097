"""Every page of the service, found from the route table, checked in real Chromium.

``PAGES`` says how to reach each GET page: sample paths (``{name}`` is filled from the
samples :func:`seed` makes), as whom, and the states worth checking once there (a room
with messages, a form with errors). A GET route that is in neither ``PAGES`` nor
``NOT_PAGES`` fails :func:`test_every_page_route_is_in_the_table`, so a new page cannot
be forgotten. To add a page: add a row to ``PAGES``; if it needs objects of its own,
make them in :func:`seed` and return their ids or slugs as samples; if it has states
worth checking, write a function ``(page, server) -> None`` that brings the page there
and name it in ``states``. docs/development.md, "Accessibility", says the same.

Each page and state is checked in Finnish, Swedish and English with axe-core's WCAG
2.1 A and AA rules. The other checks that walk the table in Finnish (keyboard, reflow,
weight: tests/e2e/test_accessibility_*.py) share the Finnish walk (:func:`finnish_walk`):
each stop is loaded once and every check runs on it in turn, each with a test of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pyotp
import pytest
from sqlalchemy import select
from starlette.routing import Mount, Route

from kuulolla import demo
from kuulolla.accounts import crypto, links, second_factor
from kuulolla.accounts.models import Organisation, StaffSession, StaffUser
from kuulolla.accounts.permissions import Principal
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.moderation import service as moderation
from kuulolla.questions import asking as questions_asking
from kuulolla.questions import asking_rules as questions_asking_rules
from kuulolla.questions import logic as questions_logic
from kuulolla.questions import reading as questions_reading
from kuulolla.rooms import service as rooms
from kuulolla.web import statement
from kuulolla.web.app import create_app
from tests.conftest import make_settings
from tests.e2e.browser import AXE, axe_violations, new_page
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import run_async
from tests.questions.samples import staff_question_samples

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LANGS = ("fi", "sv", "en")
BROWSER_LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}

# ------------------------------------------------------------------ states
# A state function brings an opened page into a state worth checking: it acts as a
# keyboard or mouse user would and waits for the result. It must not leave the page's
# path (the checks report the path they ran on).


def room_with_messages(page: Any, server: ServerProcess) -> None:
    """Joined the room with a nickname and sent a message."""
    text = f"Hei kaikki, testiviesti {secrets.token_hex(3)}"
    # A nickname of its own: the walks run side by side and visit the same room more
    # than once (as a page and embedded), and no two people present share a nickname.
    page.locator("#nick").fill(f"Aino{secrets.randbelow(9000) + 1000}")
    page.locator("#nick-form button[type=submit]").click()
    page.locator("#chat").wait_for(state="visible")
    page.locator("#text").fill(text)
    page.locator("#text").press("Enter")
    page.locator("#messages .message:not(.message--pending)", has_text=text).wait_for()


def room_nick_error(page: Any, server: ServerProcess) -> None:
    """Tried to join with a nickname that is too short."""
    page.locator("#nick").fill("A")
    page.locator("#nick-form button[type=submit]").click()
    page.locator("#nick-error").filter(has_text=re.compile(r"\S")).wait_for()


def form_errors(page: Any, server: ServerProcess) -> None:
    """Sent the page's main form empty: the error summary is shown."""
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.locator("#error-summary, .error-summary, [aria-invalid=true]").first.wait_for()


def claim_opened(page: Any, server: ServerProcess) -> None:
    """Opened the question with the code filled in: the asker's page (a POST's answer)."""
    page.locator("main form.claim-form button[type=submit]").click()
    page.locator("#delete-heading").wait_for()


def similar_answers(page: Any, server: ServerProcess) -> None:
    """Typed a question: answers to similar questions appear while typing."""
    page.locator("#body").press_sequentially(
        "Olen omaishoitaja ja mietin, miten saisin pidettyä vapaapäiviä", delay=2
    )
    page.locator("#similar-live a").first.wait_for()


def canned_error(page: Any, server: ServerProcess) -> None:
    """Sent the form for a new canned response empty: the errors are shown."""
    page.locator("form[action$='/queue/canned'] button[type=submit]").click()
    page.locator(".error-summary").wait_for()


def deadline_error(page: Any, server: ServerProcess) -> None:
    """Sent the answering settings with a deadline out of range: the error is shown."""
    page.locator("#f-deadline_working_days").fill("0")
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.locator(".error-summary").wait_for()


def word_error(page: Any, server: ServerProcess) -> None:
    """Tried to add punctuation to the word list: the error is shown."""
    page.locator("#f-phrase").fill("!!!")
    page.locator("#f-phrase").press("Enter")
    page.locator(".error-summary").wait_for()


def room_schedule_error(page: Any, server: ServerProcess) -> None:
    """Tried to add opening times that are no time: the schedule form's error is shown."""
    page.locator("#s-times").fill("25-26")
    page.locator("form[action$='/schedule'] button[type=submit]").click()
    page.locator("#s-times-error").wait_for()


def template_preview(page: Any, server: ServerProcess) -> None:
    """Asked for a template's next dates: they are shown in words, nothing saved."""
    page.locator("#f-day-TU").check()
    page.locator("form[action$='/templates'] button[name=preview]").click()
    page.locator(".preview").wait_for()


def audit_filter_error(page: Any, server: ServerProcess) -> None:
    """Filtered the moderation log by a reversed date range: the error is shown."""
    page.locator("#f-from").fill("2026-02-01")
    page.locator("#f-to").fill("2026-01-01")
    page.locator("main form button[type=submit]").first.click()
    page.locator(".error-summary").wait_for()


def directory_words(page: Any, server: ServerProcess) -> None:
    """Searched the directory in their own words for what is open now (a POST: the
    results at the form's own address)."""
    page.locator("#q").fill("yksinäisyys")
    page.locator("#open").check()
    with page.expect_navigation():
        page.locator("form[data-directory-form] button[type=submit]").click()
    page.locator("form[data-directory-form][data-posted]").wait_for()


def archive_search(page: Any, server: ServerProcess) -> None:
    """Searched the question archive in their own words (a POST: the results at the
    form's own address)."""
    page.locator("#q").fill("yksinäisyys")
    page.locator("main form.search-form button[type=submit]").click()
    page.locator("#results-heading").wait_for()


def archive_search_nothing(page: Any, server: ServerProcess) -> None:
    """Searched the question archive for words no answer has: "nothing was found"."""
    page.locator("#q").fill("zzzzqqqq")
    page.locator("main form.search-form button[type=submit]").click()
    page.locator("#results-heading").wait_for()


def stale_days_error(page: Any, server: ServerProcess) -> None:
    """Gave an impossible period for checking the directory's services: the error is shown."""
    page.locator("#f-stale_days").fill("1")
    page.locator("form[action$='/directory/settings'] button[type=submit]").click()
    page.locator(".error-summary").wait_for()


# ------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Page:
    """One way to reach a page: ``path`` with ``{sample}`` placeholders, opened as
    ``who`` (a key of ``PRINCIPALS``), then checked as loaded and in each of ``states``."""

    path: str
    who: str = "anonymous"
    states: tuple[Callable[[Any, ServerProcess], None], ...] = ()


# Who a page is opened as: a demo user name, "anonymous", or "totp_pending" (a staff
# member who has given a password and is asked for a code).
PRINCIPALS = {
    "anonymous": None,
    "volunteer": "vapaaehtoinen.arki",
    "professional": "ammattilainen.arki",
    "coordinator": "koordinaattori.arki",
    "admin": "admin",
    "totp_pending": "koordinaattori.nuoret",
}

# Route name -> the ways to reach it. Every GET route that serves a page is here.
PAGES: dict[str, list[Page]] = {
    "index": [Page("/")],
    "about": [Page("/about")],
    "about_plain": [Page("/about/plain")],
    "accessibility_statement": [Page("/accessibility")],
    "offline": [Page("/offline")],
    "room": [
        Page("/rooms/{open_room}", states=(room_nick_error, room_with_messages)),
        Page("/rooms/{closed_room}"),
        Page("/rooms/{open_room}", who="volunteer"),
        Page("/rooms/{other_org_room}", who="volunteer"),
    ],
    "sign_in": [Page("/sign-in", states=(form_errors,))],
    "second_factor": [Page("/sign-in/second-factor", who="totp_pending", states=(form_errors,))],
    "welcome": [Page("/welcome/{invitation}", states=(form_errors,))],
    "staff_home": [
        Page("/staff", who="volunteer"),
        Page("/staff", who="coordinator"),
        Page("/staff", who="admin"),
    ],
    "account": [Page("/account", who="volunteer")],
    "account_notifications": [Page("/account/notifications", who="volunteer")],
    "staff_waiting": [
        Page("/staff/waiting", who="volunteer"),
        Page("/staff/waiting", who="coordinator"),
    ],
    "account_second_factor": [Page("/account/second-factor", who="volunteer")],
    "people": [Page("/orgs/{org}/people", who="coordinator", states=(form_errors,))],
    "person": [Page("/orgs/{org}/people/{person}", who="coordinator")],
    "qualifications": [Page("/orgs/{org}/qualifications", who="coordinator")],
    "organisation_settings": [Page("/orgs/{org}/settings", who="coordinator")],
    "organisation_audit": [Page("/orgs/{org}/audit", who="coordinator")],
    "admin_organisations": [Page("/admin/organisations", who="admin")],
    "admin_staff": [Page("/admin/staff", who="admin")],
    "admin_audit": [Page("/admin/audit", who="admin")],
    "questions": [
        Page("/questions"),
        Page("/questions?order=helpful&category=carers"),
        Page("/questions?tag={tag}"),
    ],
    "questions_search": [
        Page("/questions/search", states=(archive_search, archive_search_nothing)),
    ],
    "questions_ask": [Page("/questions/ask", states=(form_errors, similar_answers))],
    "questions_claim": [Page("/questions/claim", states=(form_errors,))],
    "questions_claim_page": [Page("/questions/claim/{claim}", states=(claim_opened,))],
    "question": [Page("/questions/{question}")],
    "queue_topics": [Page("/chat")],
    "queue_topic": [Page("/chat/parisuhde"), Page("/chat/omaishoitajat-chat")],
    "embed_topic": [Page("/embed/chat/parisuhde")],
    "embed_room": [Page("/embed/rooms/{open_room}", states=(room_with_messages,))],
    "embed_settings": [Page("/orgs/{org}/embed", who="coordinator", states=(form_errors,))],
    "queue_console": [Page("/staff/queue/{org}", who="volunteer")],
    "queue_chat": [Page("/staff/queue/{org}/chat?c={conversation}", who="volunteer")],
    "queue_manage": [Page("/orgs/{org}/queue", who="coordinator", states=(canned_error,))],
    "queue_topic_new": [
        Page("/orgs/{org}/queue/topics/new", who="coordinator", states=(form_errors,))
    ],
    "queue_topic_edit": [Page("/orgs/{org}/queue/topics/parisuhde", who="coordinator")],
    "queue_canned_edit": [Page("/orgs/{org}/queue/canned/{canned}", who="coordinator")],
    "privacy_notice": [Page("/privacy")],
    "organisation_retention": [Page("/orgs/{org}/retention", who="coordinator")],
    "platform_retention": [Page("/admin/retention", who="admin")],
    "admin_staff_erase": [Page("/admin/staff/{person}/erase", who="admin", states=(form_errors,))],
    "reports": [
        Page("/orgs/{org}/reports", who="coordinator"),
        Page("/orgs/{org}/reports?period={report_quarter}", who="coordinator"),
    ],
    "reports_summary": [Page("/orgs/{org}/reports/summary", who="coordinator")],
    "admin_reports": [Page("/admin/reports", who="admin")],
    "admin_reports_summary": [Page("/admin/reports/summary", who="admin")],
    "shifts_mine": [
        Page("/orgs/{org}/shifts", who="volunteer"),
        Page("/orgs/{org}/shifts", who="coordinator"),
    ],
    "roster": [
        Page("/orgs/{org}/roster", who="coordinator"),
        Page("/orgs/{org}/roster?month={month}", who="coordinator"),
    ],
    "roster_templates": [
        Page("/orgs/{org}/roster/templates", who="coordinator", states=(template_preview,))
    ],
    "roster_shift": [
        Page("/orgs/{org}/roster/shifts/{understaffed_shift}", who="coordinator"),
        Page("/orgs/{org}/roster/shifts/{staffed_shift}", who="coordinator"),
    ],
    "org_rooms": [Page("/orgs/{org}/rooms", who="coordinator")],
    "org_room_new": [Page("/orgs/{org}/rooms/new", who="coordinator", states=(form_errors,))],
    "org_room": [
        Page(
            "/orgs/{org}/rooms/{scheduled_room}", who="coordinator", states=(room_schedule_error,)
        ),
        Page("/orgs/{org}/rooms/{closed_room}", who="coordinator"),
    ],
    "org_feedback": [Page("/orgs/{org}/feedback", who="coordinator")],
    "org_room_archive": [Page("/orgs/{org}/rooms/{open_room}/archive", who="coordinator")],
    "admin_rooms": [Page("/admin/rooms", who="admin")],
    "roster_template": [Page("/orgs/{org}/roster/templates/{template}", who="coordinator")],
    "roster_debriefs": [Page("/orgs/{org}/roster/debriefs", who="coordinator")],
    "roster_settings": [Page("/orgs/{org}/roster/settings", who="coordinator")],
    "staff_questions": [
        Page("/orgs/{org}/questions", who="professional"),
        Page("/orgs/{org}/questions?view=closed", who="volunteer"),
    ],
    "staff_question": [
        Page("/orgs/{org}/questions/{new_question}", who="professional"),
        Page("/orgs/{org}/questions/{draft_question}", who="volunteer"),
        Page("/orgs/{org}/questions/{review_question}", who="coordinator"),
    ],
    "staff_question_settings": [
        Page("/orgs/{org}/questions/settings", who="coordinator", states=(deadline_error,))
    ],
    "moderation_audit": [
        Page("/orgs/{org}/moderation/audit", who="coordinator", states=(audit_filter_error,))
    ],
    "moderation_words": [
        Page("/orgs/{org}/moderation/words", who="coordinator", states=(word_error,))
    ],
    "desk": [
        Page("/orgs/{org}/desk", who="coordinator"),
        Page("/orgs/{org}/desk", who="volunteer"),
    ],
    "directory": [
        Page("/directory"),
        Page("/directory?region=m:837&topic=carers", states=(directory_words,)),
    ],
    "directory_open_data": [Page("/directory/open-data")],
    "directory_service": [Page("/directory/arjen-tuki/omaishoitajien-ryhma-tampere")],
    "directory_manage": [
        Page("/orgs/{org}/directory", who="coordinator", states=(stale_days_error,))
    ],
    "directory_service_new": [
        Page("/orgs/{org}/directory/new", who="coordinator", states=(form_errors,))
    ],
    "directory_service_edit": [
        Page("/orgs/{org}/directory/services/{directory_service}", who="coordinator")
    ],
    "directory_import": [
        Page("/orgs/{org}/directory/import", who="coordinator", states=(form_errors,))
    ],
    "admin_directory": [Page("/admin/directory", who="admin")],
    "admin_directory_topic": [Page("/admin/directory/topics/carers", who="admin")],
}

# GET routes that serve no HTML page, and why.
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "readyz": "JSON for the load balancer",
    "metrics": "Prometheus text",
    "static": "files",
    "account_data": "a JSON download of the person's own data",
    "reports_csv": "CSV file of a report table",
    "admin_reports_csv": "CSV file of a report table",
    "roster_hours": "CSV file of shift hours",
    "calendar_feed": "iCalendar feed of a person's shifts",
    "robots_txt": "text for crawlers",
    "sitemap": "XML for crawlers",
    "sitemap_file": "XML for crawlers",
    "manifest": "the web app manifest (JSON)",
    "service_worker": "the service worker's script",
    "favicon": "an icon",
    "quick_exit": "the quick exit's way out: goes on to the neutral site at once",
    "directory_feed_json": "the directory's open data as JSON",
    "directory_feed_csv": "the directory's open data as CSV",
    "directory_search_json": "JSON for the referral picker in conversations",
    "embed_script": "the snippet's script for other sites",
    "desk_stream": "server-sent events of the duty desk (its list as HTML in JSON)",
    "queue_stream": "server-sent events of the helper console (its live part as HTML in JSON)",
}


def page_routes() -> list[Route | Mount]:
    """The application's routes that answer GET."""
    app = create_app(make_settings("sqlite+aiosqlite://", metrics=True))
    return [
        route
        for route in app.routes
        if isinstance(route, Mount)
        or (isinstance(route, Route) and "GET" in (route.methods or {"GET"}))
    ]


def test_every_page_route_is_in_the_table() -> None:
    """Each GET route of the app is in PAGES (how to reach it) or NOT_PAGES (why not)."""
    names = {route.name for route in page_routes()}
    missing = sorted(names - set(PAGES) - set(NOT_PAGES))
    assert missing == [], f"add these routes to PAGES in {__file__}: {missing}"
    assert sorted((set(PAGES) | set(NOT_PAGES)) - names) == [], (
        "the table names routes that do not exist"
    )
    assert not set(PAGES) & set(NOT_PAGES)


def test_every_sample_path_matches_its_route() -> None:
    """Each sample path of PAGES is served by the route it is listed under."""
    routes = {route.name: route for route in page_routes() if isinstance(route, Route)}
    wrong = []
    for name, ways in PAGES.items():
        for way in ways:
            path = re.sub(r"\{(\w+)\}", "x1", way.path.split("?")[0])
            pattern = routes[name].path_regex
            # Integer parameters need digits; the placeholders stand for any value.
            if not pattern.match(path) and not pattern.match(path.replace("x1", "1")):
                wrong.append((name, way.path))
    assert wrong == []


# ------------------------------------------------------------------ the server


class StaffSessions:
    """Makes staff sessions straight in the site's database (signing in has tests of its
    own), each fresh when asked for: a sign-in waiting for its second factor lasts five
    minutes and counts wrong codes, so no walk may inherit one from an earlier page. One
    database connection on an event loop of its own serves every request."""

    def __init__(self, database_url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.db = Database.from_url(database_url, pool_size=1)

    def new(self, username: str, *, stage: str) -> str:
        work = new_session(self.db, username, stage=stage, now=datetime.now(UTC))
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=30)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.db.dispose(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@dataclass
class Site:
    server: ServerProcess
    samples: dict[str, str]
    staff_sessions: StaffSessions
    cookie_name: str

    def session_for(self, who: str) -> str | None:
        """A new session cookie value for the principal ``who`` (None for visitors)."""
        username = PRINCIPALS[who]
        if username is None:
            return None
        stage = "totp" if who == "totp_pending" else "full"
        return self.staff_sessions.new(username, stage=stage)


async def db_user_id(db: Database, username: str) -> int:
    async with db.read_session() as session:
        user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    assert user_id is not None, username
    return int(user_id)


async def new_session(db: Database, username: str, *, stage: str, now: datetime) -> str:
    """A staff session straight in the database (signing in has tests of its own)."""
    token = crypto.new_secret_token()
    async with db.session() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
        assert user is not None, username
        session.add(
            StaffSession(
                token_hash=crypto.token_hash(token),
                user_id=user.id,
                stage=stage,
                auth_epoch=user.auth_epoch,
                second_factor_failures=0,
                created_at=now,
                last_seen_at=now,
            )
        )
    return token


async def seed(db: Database, settings: Any) -> dict[str, str]:
    """The demo data and what the table's pages need; returns the samples.

    Add the objects a new page needs here and return them as samples."""
    now = datetime.now(UTC)
    sign_ins = await demo.seed(db, now=now, settings=settings)
    samples: dict[str, str] = {
        **{f"password:{user}": password for user, password, _ in sign_ins},
        "open_room": "vanhemmuus",
        "other_org_room": "nuorten-ilta",
        "org": "arjen-tuki",
        "tag": "",
        "report_quarter": f"{now.year}-Q{(now.month - 1) // 3 + 1}",
    }
    await rooms.do_create_room(
        db,
        organisation="arjen-tuki",
        slug="suljettu",
        names={"fi": "Suljettu huone", "sv": "Stängt rum", "en": "Closed room"},
        now=now,
    )
    await rooms.do_archive_room(db, slug="suljettu", now=now)
    samples["closed_room"] = "suljettu"

    async with db.session() as session:
        org_id = await session.scalar(
            select(Organisation.id).where(Organisation.slug == "arjen-tuki")
        )
        nuoret = await session.scalar(
            select(Organisation).where(Organisation.slug == "nuorten-kanava")
        )
        assert nuoret is not None and org_id is not None
        nuoret.require_totp = "all"  # so "totp_pending" is asked for a code
        person = await session.scalar(
            select(StaffUser.id).where(StaffUser.username == "vapaaehtoinen.arki")
        )
        admin = await session.scalar(select(StaffUser.id).where(StaffUser.username == "admin"))
    samples["person"] = str(person)
    # Admins must have a second factor before they may work.
    setup = second_factor.new_setup(user_id=int(admin or 0), username="admin", settings=settings)
    await second_factor.do_confirm_totp(
        db,
        user_id=int(admin or 0),
        sealed=setup.sealed,
        code=pyotp.TOTP(setup.secret).at(now),
        settings=settings,
        now=now,
    )
    issued = await links.do_invite(
        db,
        actor=Principal(user_id=int(admin or 0), is_admin=True),
        organisation_id=org_id,
        username="kutsuttu",
        display_name="Kutsuttu",
        role="volunteer",
        settings=settings,
        now=now,
    )
    samples["invitation"] = issued.token
    # The word list and the moderation log have rows to show.
    for phrase, action in (("idiootti", "mask"), ("neeke*", "refuse")):
        await moderation.do_set_word(
            db, organisation_id=org_id, phrase=phrase, action=action, actor_id=None, now=now
        )

    ask = questions_asking_rules.Ask(
        title="Jännittäminen",
        body="Jännitän kovasti puhumista luokan edessä. Miten voisin rauhoittua?",
        category=next(iter(questions_logic.CATEGORIES)),
        language="fi",
        age_group=None,
        gender=None,
        wants_public=True,
        consent=True,
        masked=(),
    )
    receipt = await questions_asking.do_ask(db, ask=ask, deadline_days=10, now=now)
    samples["claim"] = receipt.claim_code
    # The one-to-one queue: the volunteer on duty holds a conversation with a visitor.
    from kuulolla.core.ids import token_key
    from kuulolla.queue import accepting as queue_accepting
    from kuulolla.queue import canned as queue_canned
    from kuulolla.queue import console as queue_console
    from kuulolla.queue import topics as queue_topics
    from kuulolla.queue import waiting as queue_waiting

    volunteer_id = await db_user_id(db, "vapaaehtoinen.arki")
    await queue_console.do_set_duty(
        db, organisation_id=org_id, user_id=volunteer_id, available=True, max_chats=2, now=now
    )
    topic = await queue_topics.get_topic_or_raise(db, slug="parisuhde")
    await queue_waiting.do_enter(
        db,
        topic=topic,
        visitor_key=token_key("saavutettavuus-" + "q" * 30),
        answers={"age_group": "18_29", "subject": "Riidat", "first_time": "yes"},
        consent=True,
        now=now,
    )
    taken = await queue_accepting.do_accept(
        db,
        organisation_id=org_id,
        user_id=volunteer_id,
        staff_key=crypto.staff_author_key(settings.secret_key, volunteer_id),
        topic_id=topic.id,
        now=now,
    )
    samples["conversation"] = str(taken.entry_id)
    # The duty desk has a crisis alert of the conversation to take.
    from kuulolla.moderation import desk as moderation_desk
    from kuulolla.queue.models import QueueEntry

    async with db.read_session() as session:
        conversation_room = await session.scalar(
            select(QueueEntry.room_id).where(QueueEntry.id == taken.entry_id)
        )
    assert conversation_room is not None
    await moderation_desk.do_record_alert(
        db,
        room_id=conversation_room,
        seq=None,
        held_id=None,
        category="suicide",
        source="lexicon",
        nick="Kävijä",
        now=now,
    )
    samples["canned"] = str((await queue_canned.list_canned(db, organisation_id=org_id))[0].id)
    items, _ = await questions_reading.list_published(db, limit=1)
    samples["question"] = str(items[0].id)
    samples["tag"] = (await questions_reading.list_tags(db, limit=1))[0][0]
    samples["month"] = now.strftime("%Y-%m")
    async with db.read_session() as session:
        from kuulolla.shifts.models import ShiftTemplateRow

        samples["template"] = str(
            await session.scalar(select(ShiftTemplateRow.id).order_by(ShiftTemplateRow.id))
        )
        samples.update(await shift_samples(session, org_id, now=now))
    samples.update(await staff_question_samples(db, now=now))
    async with db.read_session() as session:
        from kuulolla.directory.models import DirectoryService

        samples["directory_service"] = str(
            await session.scalar(
                select(DirectoryService.id)
                .where(DirectoryService.organisation_id == org_id)
                .order_by(DirectoryService.id)
            )
        )

    return samples


async def shift_samples(session: Any, org_id: int, *, now: datetime) -> dict[str, str]:
    """A coming shift with free places and one with every place taken (the demo roster
    has both), and the room the demo's evening shifts open."""
    from kuulolla.rooms.models import Room
    from kuulolla.shifts import loading
    from kuulolla.shifts.coverage import coverage
    from kuulolla.shifts.models import ShiftRow

    rows = list(
        await session.scalars(
            select(ShiftRow)
            .where(ShiftRow.organisation_id == org_id, ShiftRow.starts_at > now)
            .order_by(ShiftRow.starts_at)
            .limit(200)
        )
    )
    shifts = await loading.shifts_from_rows(session, rows)
    taken = await loading.assignments_of_shifts(session, shifts)
    covers = [coverage(s, taken) for s in shifts]
    short = next(c.shift for c in covers if c.understaffed and c.shift.target.kind == "room")
    full = next(c.shift for c in covers if c.full)
    room = await session.scalar(select(Room.slug).where(Room.id == short.target.id))
    return {
        "understaffed_shift": str(short.id),
        "staffed_shift": str(full.id),
        "scheduled_room": str(room),
    }


@contextlib.contextmanager
def start_site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    """One server in development mode (plain http, as `kuulolla demo`) with the demo data.

    The walks share it (tests/e2e/conftest.py, ``site``): nothing a walk does changes
    what another one checks (a room gets one more message, a form is sent with errors),
    and staff sessions are made afresh for each page."""
    folder = tmp_path_factory.mktemp("a11y")
    path = folder / "db.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite+aiosqlite:///{path}"
    settings = make_settings(url, env="development")

    async def work() -> dict[str, str]:
        db = Database.from_url(url)
        try:
            return await seed(db, settings)
        finally:
            await db.dispose()

    samples = run_async(work)
    env = server_env(
        url,
        KUULOLLA_ENV="development",
        # The sample conversation's visitor and helper are never on a socket; they keep
        # it for the whole run (the grace itself has tests of its own).
        KUULOLLA_QUEUE_GRACE_SECONDS="86400",
    )
    server = ServerProcess(env, folder / "server.log")
    sessions = StaffSessions(url)
    try:
        yield Site(server.start(), samples, sessions, "kuulolla_session")
    finally:
        server.stop()
        sessions.close()


# ------------------------------------------------------------------ results for the statement


def record(check: str, **found: Any) -> None:
    """Write what ``check`` found into the accessibility statement's results
    (kuulolla/web/accessibility.json); the file changes only when the findings do."""
    path = statement.RESULTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    version = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    if data.get("checks", {}).get(check) == found and data.get("axe_core") == version:
        return
    data.setdefault("checks", {})[check] = found
    data["axe_core"] = version
    data["checked_on"] = datetime.now(HELSINKI).date().isoformat()
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ walking the pages


def fill(path: str, samples: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: samples[m.group(1)], path)


# The language switcher's links, as written in the page.
LANGUAGE_LINKS = "[...document.querySelectorAll('.lang-switch a')].map(a => a.getAttribute('href'))"


def language_links_lose_the_query(page: Any) -> list[str]:
    """The links of the language switcher that do not lead to this page with its query."""
    here = urlsplit(page.url)
    kept = sorted((k, v) for k, v in parse_qsl(here.query) if k != "lang")
    lost = []
    for href in page.evaluate(LANGUAGE_LINKS):
        there = urlsplit(href)
        query = parse_qsl(there.query)
        if there.path != here.path or sorted((k, v) for k, v in query if k != "lang") != kept:
            lost.append(href)
    return lost


class Check:
    """One check of a walk (:func:`walk`): ``run(page, label)`` is called at each stop the
    check wants and notes what it finds in ``problems``; ``stops`` lists where it ran and
    ``unreachable`` where a page it wanted could not be reached as listed, or where its
    language links lose the query.

    Several checks may share one walk: each stop's page is loaded (and brought into its
    state) once, and the checks that want it run on it in the order given. So a check
    must leave the page as it found it (viewport, colour scheme), except the last one,
    which may change anything (the keyboard check marks controls and moves focus)."""

    #: Also run at each listed state of a page, not only on the page as loaded.
    states: bool = True
    #: Only on pages opened as a visitor.
    visitors_only: bool = False

    def __init__(self) -> None:
        self.stops: list[str] = []
        self.problems: list[str] = []
        self.unreachable: list[str] = []

    def wants(self, way: Page, state: Callable[[Any, ServerProcess], None] | None) -> bool:
        return (state is None or self.states) and (not self.visitors_only or way.who == "anonymous")

    def run(self, page: Any, label: str) -> None:
        raise NotImplementedError


def walk(browser: Any, site: Site, lang: str, checks: list[Check], **context: Any) -> None:
    """Open every page of ``PAGES`` in ``lang``, and bring it into each of its states,
    with ``context`` options for the browser context (viewport, colour scheme); at each
    stop, run the ``checks`` that want it, in turn, on the one loaded page.

    One browser context and one tab serve the whole walk (a new tab costs Chromium a
    renderer process, a fifth of a second per stop). Before each stop the walk's
    cookies are cleared and the principal's fresh session cookie is set; after it the
    tab's sessionStorage and localStorage are cleared, so no stop sees what an earlier
    one left. A stop where anything went wrong (the page was not reached, a check
    failed part-way and may have left its viewport or colour scheme, the page left the
    site) closes the tab, and the next stop opens a new one."""
    browser_context = browser.new_context(locale=BROWSER_LOCALES[lang], **context)
    page: Any = None
    try:
        for name, ways in PAGES.items():
            for way in ways:
                for state in (None, *way.states):
                    wanted = [check for check in checks if check.wants(way, state)]
                    if not wanted:
                        continue
                    label = f"{name} {way.path} as {way.who}" + (
                        f" [{state.__name__}]" if state else ""
                    )
                    browser_context.clear_cookies()
                    token = site.session_for(way.who)
                    if token:
                        browser_context.add_cookies(
                            [{"name": site.cookie_name, "value": token, "url": site.server.http}]
                        )
                    if page is None:
                        page = browser_context.new_page()
                        page.set_default_timeout(10_000)
                    clean = False
                    try:
                        problem = visit(page, site, lang, way.path, state)
                        if problem:
                            for check in wanted:
                                check.unreachable.append(f"{label}: {problem}")
                        else:
                            clean = True
                            for check in wanted:
                                check.stops.append(label)
                                try:
                                    check.run(page, label)
                                except Exception as exc:  # the check's own test fails
                                    clean = False
                                    first = (str(exc).splitlines() or [""])[0]
                                    check.problems.append(
                                        f"{label}: the check failed: {type(exc).__name__} {first}"
                                    )
                    finally:
                        clean = clean and forget_storage(page, site)
                        if not clean:
                            page.close()
                            page = None
    finally:
        browser_context.close()


def forget_storage(page: Any, site: Site) -> bool:
    """Clear the tab's sessionStorage and localStorage for the site; False when the
    tab is no longer on the site, or could not be cleared."""
    if not page.url.startswith(site.server.http + "/"):
        return False
    try:
        page.evaluate("sessionStorage.clear(); localStorage.clear()")
    except Exception:  # a page mid-navigation: the tab is replaced
        return False
    return True


def visit(
    page: Any,
    site: Site,
    lang: str,
    sample_path: str,
    state: Callable[[Any, ServerProcess], None] | None,
) -> str | None:
    """Open one stop of :func:`walk`; returns what went wrong on the way, if anything."""
    path = fill(sample_path, site.samples)
    sep = "&" if "?" in path else "?"
    response = page.goto(f"{site.server.http}{path}{sep}lang={lang}")
    if response is None or response.status >= 400:
        # An error page on the listed path (a sample gone stale) is not the page.
        return f"answered {response.status if response else 'nothing'}"
    landed = page.url.split("?")[0].removeprefix(site.server.http)
    if landed != path.split("?")[0]:
        return f"landed on {landed}"
    if page.locator("html").get_attribute("lang") != lang:
        return f"html lang is not {lang}"
    if state is None:
        lost = language_links_lose_the_query(page)
        if lost:
            return f"language links lose the query: {lost}"
    else:
        try:
            state(page, site.server)
        except Exception as exc:  # report which page, then go on
            return str(exc).splitlines()[0]
    return None


# A walk of every page and state takes minutes, the Finnish one (every check at each
# stop) the longest; more on a busy two-core machine. Above the run's 300 s for a test
# that waits on something that never comes (pyproject.toml), each stop is still bounded
# by the pages' own 10 s timeouts.
WALK_TIMEOUT = 900

# Each language's walk. Finnish is checked in the light and the dark colour scheme at
# every stop: the same loaded page, switched by media emulation, not a second walk.
SCHEMES = {"fi": ("light", "dark"), "sv": ("light",), "en": ("light",)}


class AxeCheck(Check):
    """axe-core's WCAG 2.1 A/AA rules in each of the language's colour schemes; leaves
    the page in the light scheme."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.schemes = SCHEMES[lang]
        self.found: dict[str, list[str]] = {scheme: [] for scheme in self.schemes}

    def run(self, page: Any, label: str) -> None:
        for scheme in self.schemes:
            page.emulate_media(color_scheme=scheme)
            for v in axe_violations(page):
                problem = f"{label} ({scheme}): {v['id']} ({v['help']}) {v['nodes']}"
                self.found[scheme].append(problem)
                self.problems.append(problem)
        page.emulate_media(color_scheme="light")


def finnish_walk(browser: Any, site: Site) -> dict[str, Check]:
    """The Finnish walk: every check that walks the pages in Finnish (axe, weight,
    reflow, keyboard; see tests/e2e/test_accessibility_*.py) on one load of each stop.
    Run once per session by the ``finnish_walk`` fixture; each check's test reads its
    own findings."""
    from tests.e2e.test_accessibility_keyboard import KeyboardCheck
    from tests.e2e.test_accessibility_reflow import ReflowCheck
    from tests.e2e.test_accessibility_weight import WeightCheck
    from tests.e2e.test_visitor_pages import CrisisCheck, TracesCheck

    # The order matters: the weight is read before anything else loads, the reflow
    # check puts the viewport back, and the keyboard check, which marks the page's
    # controls and moves focus, comes last.
    checks: dict[str, Check] = {
        "weight": WeightCheck(site),
        "axe": AxeCheck("fi"),
        "reflow": ReflowCheck(),
        "crisis fi": CrisisCheck("fi"),
        "traces": TracesCheck(site),
        "keyboard": KeyboardCheck(),
    }
    walk(browser, site, "fi", list(checks.values()), color_scheme="light")
    return checks


def start_other_walks(site: Site) -> Callable[[], dict[str, Any]]:
    """Start the Swedish and the English axe walks, each in a thread of its own with its
    own Playwright and Chromium (:func:`tests.e2e.browser.chromium`), and return what
    waits for them and gives their checks. They are started before the Finnish walk and
    run beside it: a walk waits on the browser and the server as much as it computes, so
    on two cores the three take little longer than the Finnish one alone. The walks
    share nothing that one changes for another (see :func:`start_site`)."""
    from tests.e2e.browser import chromium
    from tests.e2e.test_visitor_pages import CrisisCheck

    checks: dict[str, Any] = {"sv": AxeCheck("sv"), "en": AxeCheck("en")}
    checks.update({f"crisis {lang}": CrisisCheck(lang) for lang in ("sv", "en")})
    failures: dict[str, list[BaseException]] = {"sv": [], "en": []}

    def run(lang: str) -> None:
        try:
            with chromium() as own:
                walk(
                    own, site, lang, [checks[lang], checks[f"crisis {lang}"]], color_scheme="light"
                )
        except BaseException as exc:  # reported in the language's test
            failures[lang].append(exc)

    threads = {
        lang: threading.Thread(target=run, args=(lang,), name=f"{lang}-walk", daemon=True)
        for lang in ("sv", "en")
    }
    for thread in threads.values():
        thread.start()
    started = time.monotonic()

    def finish() -> dict[str, Any]:
        for lang, thread in threads.items():
            thread.join(max(0.0, WALK_TIMEOUT - (time.monotonic() - started)))
            if thread.is_alive():
                checks[lang].unreachable.append(f"the {lang} walk did not finish")
            for exc in failures[lang]:
                checks[lang].unreachable.append(
                    f"the {lang} walk failed: {type(exc).__name__} {exc}"
                )
            failures[lang] = []
        return checks

    return finish


@pytest.mark.timeout(WALK_TIMEOUT)
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe(
    browser: Any, site: Site, lang: str, request: pytest.FixtureRequest
) -> None:
    """Every page and listed state has no axe-core WCAG 2.1 A/AA violations (contrast
    included) in fi, sv and en, and in Finnish also in the dark colour scheme."""
    if lang == "fi":
        check = request.getfixturevalue("finnish_walk")["axe"]
    else:
        check = request.getfixturevalue("other_walks")[lang]
    assert isinstance(check, AxeCheck)
    for scheme, found in check.found.items():
        record(
            f"axe {lang} {scheme}",
            stops=len(check.stops),
            problems=len(found) + len(check.unreachable),
        )
    assert "\n".join(check.unreachable) == ""
    assert "\n".join(check.problems) == ""


def test_message_times_are_helsinki_time_in_the_page_language(browser: Any, site: Site) -> None:
    """A chat message's time is shown in Finnish time, on a 24-hour clock in English too."""
    from zoneinfo import ZoneInfo

    page = new_page(browser, locale="en-US", timezone_id="America/New_York")
    page.goto(f"{site.server.http}/rooms/{site.samples['open_room']}?lang=en")
    room_with_messages(page, site.server)
    time = page.locator("#messages .message--mine time").last
    shown = time.inner_text()
    sent = datetime.fromisoformat(str(time.get_attribute("datetime")).replace("Z", "+00:00"))
    assert shown == sent.astimezone(ZoneInfo("Europe/Helsinki")).strftime("%H:%M")
    page.context.close()
