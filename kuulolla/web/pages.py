"""Visitor pages: the front page with what is open, a room, and the pages that explain
the service (also in plain language)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import logic as accounts_logic
from kuulolla.accounts.organisations import get_organisation_by_id
from kuulolla.accounts.permissions import ROLE_LABELS, chat_role
from kuulolla.core import i18n
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.privacy import service as privacy_service
from kuulolla.privacy import words as privacy_words
from kuulolla.queue import logic as queue_logic
from kuulolla.queue import service as queue_service
from kuulolla.queue import topics as queue_topics
from kuulolla.rooms import service as rooms
from kuulolla.rooms.service import RoomInfo
from kuulolla.shifts.availability import Availability, availability
from kuulolla.web import crisis as crisis_help
from kuulolla.web import seo, statement
from kuulolla.web.access import principal_of, public
from kuulolla.web.chat_strings import (
    CLIENT_STRINGS,
    MODERATOR_STRINGS,
    REFERRAL_STRINGS,
    ROOM_STRINGS,
    strings_json,
)
from kuulolla.web.forms import room_openings_of
from kuulolla.web.templating import render

# What search engines show of the public pages: each page's own opening words.
FRONT_PAGE_DESCRIPTION = N_(
    "Kuulolla is an anonymous place to talk about what is on your mind. You can chat with others in a similar situation, or ask an expert a question."
)
ABOUT_DESCRIPTION = N_(
    "Kuulolla is a place to talk anonymously about what is on your mind. Social and health organisations run it together."
)
PLAIN_DESCRIPTION = (
    N_("Kuulolla is a place on the internet."),
    N_("Here you can talk about things that worry you."),
    N_("You can write with other people in a chat room."),
)
STATEMENT_DESCRIPTION = N_(
    "Kuulolla aims to be usable by everyone: with a keyboard, a screen reader or a magnifier, on a small screen, in Finnish, Swedish or English. This statement tells how well the service meets the accessibility requirements (WCAG 2.1, level AA) and what is still lacking."
)


def _text(request: Request, *messages: str) -> str:
    return " ".join(i18n.gettext(request.state.locale, message) for message in messages)


async def _public_pages(db: Any) -> list[seo.SitemapEntry]:
    """The pages that explain the service (the privacy notice is privacy/routes.py's)."""
    paths = ("/", "/about", "/about/plain", "/privacy", "/accessibility")
    return [seo.SitemapEntry(path) for path in paths]


@dataclass(frozen=True, slots=True)
class RoomCard:
    """A room on the front page with what its roster says now (shifts/availability.py:
    the same text the room page and a refused join give)."""

    room: RoomInfo
    availability: Availability


async def _topic_cards(
    request: Request,
) -> list[tuple[queue_topics.TopicInfo, queue_logic.TopicStatus]]:
    """The one-to-one chat topics a coordinator has not closed, each with its status
    now: admitting with the wait a newcomer can expect, or when it opens next."""
    db = request.state.db
    now = request.state.clock.now()
    return [
        (topic, await queue_service.topic_status(db, topic=topic, now=now))
        for topic in await queue_topics.list_topics(db)
        if topic.active
    ]


@public
async def index(request: Request) -> Response:
    openings = room_openings_of(request)
    cards = []
    for found in await rooms.list_rooms(request.state.db):
        if not found.open:
            continue  # archived: closed for good
        # A room without a roster is open whenever the service is.
        cards.append(RoomCard(found, availability(await openings.get(found.id))))
    topics = await _topic_cards(request)
    locale = request.state.locale
    numbers, shown = crisis_help.rows(locale)
    taking = [t for t, status in topics if status.admits]
    return render(
        request,
        "index.html",
        {
            "crisis_box": crisis_help.CrisisHelp(
                numbers,
                shown,
                crisis_help.OpenChat(taking[0].slug, taking[0].name(locale)) if taking else None,
            ),
            "seo": seo.indexable(request, description=_text(request, FRONT_PAGE_DESCRIPTION)),
            "open_topics": [t for t in topics if t[1].admits],
            # Closed topics opening soonest first; those open but not admitting (nobody
            # on duty, full for today) say so, and topics with no opening ahead come last.
            "later_topics": sorted(
                (t for t in topics if not t[1].admits),
                key=lambda t: (t[1].opens_at is None, t[1].opens_at, t[0].name("fi")),
            ),
            "minutes": queue_logic.wait_minutes,
            "open_rooms": [c for c in cards if c.availability.open],
            # Waiting for a host first, then those opening soonest; no opening ahead last.
            "closed_rooms": sorted(
                (c for c in cards if not c.availability.open),
                key=lambda c: (
                    c.availability.status != "waiting_for_host",
                    _opens(c.availability) is None,
                    _opens(c.availability),
                ),
            ),
        },
    )


def _opens(found: Availability) -> datetime | None:
    return found.next_opening or found.next_planned


@public
async def room(request: Request) -> Response:
    slug = request.path_params["slug"]
    found = await rooms.get_room(request.state.db, slug=slug)
    if found is None or found.kind != "group":
        raise NotFound(N_("There is no such room."), code="room_not_found")
    locale = request.state.locale
    settings = request.state.settings
    org = await get_organisation_by_id(request.state.db, organisation_id=found.organisation_id)
    crisis = [
        {
            "number": row["number"],
            "name": accounts_logic.localised(row.get("name", {}), locale),
            "description": accounts_logic.localised(row.get("description", {}), locale),
        }
        for row in (org.crisis_numbers if org else [])
    ]
    periods = await privacy_service.get_periods(
        request.state.db, organisation_id=found.organisation_id
    )
    box = await crisis_help.help_context(
        request,
        organisation_numbers=org.crisis_numbers if org else (),
        organisation_id=found.organisation_id,
    )
    principal = principal_of(request)
    staff_role = chat_role(principal, found.organisation_id) if principal.authenticated else None
    # A room with a roster is open only in a scheduled window with a host on duty.
    opening = availability(
        await room_openings_of(request).get(found.id) if found.open else None,
        archived=not found.open,
    )
    return render(
        request,
        "room.html",
        {
            "room": found,
            "strings_json": strings_json(
                locale, CLIENT_STRINGS, ROOM_STRINGS, *([REFERRAL_STRINGS] if staff_role else [])
            ),
            "max_message_chars": settings.max_message_chars,
            "max_nick_chars": settings.max_nick_chars,
            "crisis_numbers": crisis,
            "staff_role": staff_role,
            "staff_role_label": ROLE_LABELS.get(staff_role or "", ""),
            "signed_in_elsewhere": principal.authenticated
            and staff_role is None
            and not principal.totp_setup_required,
            "second_factor_needed": principal.totp_setup_required,
            "opening": opening,
            "retention_note": privacy_words.room_note(locale, periods["room_messages"]),
            "privacy_link": privacy_words.privacy_link(locale),
            "moderator_strings_json": strings_json(locale, MODERATOR_STRINGS) if staff_role else "",
            **box,
        },
    )


@public
async def about(request: Request) -> Response:
    return render(
        request,
        "about.html",
        {"seo": seo.indexable(request, description=_text(request, ABOUT_DESCRIPTION))},
    )


@public
async def about_plain(request: Request) -> Response:
    """The same in plain language (selkokieli, lättläst svenska, easy English): short
    sentences, everyday words, one thing at a time."""
    return render(
        request,
        "about_plain.html",
        {"seo": seo.indexable(request, description=_text(request, *PLAIN_DESCRIPTION))},
    )


@public
async def accessibility_statement(request: Request) -> Response:
    found = statement.results()
    checks = found.get("checks", {})
    axe_runs = [run for key, run in checks.items() if key.startswith("axe ")]
    summary: dict[str, Any] = {
        name: checks[name] for name in ("keyboard", "reflow", "weight") if name in checks
    }
    if axe_runs:
        summary["axe"] = {
            "stops": max(run["stops"] for run in axe_runs),
            "problems": sum(run["problems"] for run in axe_runs),
        }
    checked_on = found.get("checked_on")
    return render(
        request,
        "accessibility.html",
        {
            "checks": summary,
            "axe_core": found.get("axe_core", ""),
            "checked_on": date.fromisoformat(checked_on) if checked_on else None,
            "problems": sum(int(check.get("problems", 0)) for check in summary.values()),
            "limitations": statement.KNOWN_LIMITATIONS,
            "contact": request.state.settings.accessibility_contact,
            "seo": seo.indexable(request, description=_text(request, STATEMENT_DESCRIPTION)),
        },
    )


# What the quick exit asks the browser to forget of this site: its cache, cookies and
# storage (https://w3c.github.io/webappsec-clear-site-data/). Browsers act on it only over
# https or on the local machine.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@public
async def quick_exit(request: Request) -> Response:
    """Where the quick exit (static/js/exit.js) passes on its way to the neutral site:
    the answer tells the browser to forget this site's cache, cookies and storage, and
    its script replaces the page with the neutral site (``location.replace``, so Back
    does not come here). It shows nothing of the service and sets no cookie."""
    request.state.set_lang_cookie = False
    response = render(request, "exit.html")
    response.headers["clear-site-data"] = CLEAR_SITE_DATA
    return response


SITEMAP = [seo.listed_section("pages", _public_pages)]

ROUTES = [
    Route("/", index, name="index"),
    Route("/about", about, name="about"),
    Route("/about/plain", about_plain, name="about_plain"),
    Route("/accessibility", accessibility_statement, name="accessibility_statement"),
    Route("/rooms/{slug}", room, name="room"),
    Route("/exit", quick_exit, name="quick_exit"),
]
