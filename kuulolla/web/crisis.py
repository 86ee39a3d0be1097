"""The crisis help on every visitor page (templates/_crisis_box.html): the emergency
number, the crisis lines of the organisation in view or the service's national defaults,
a Swedish-language line on Swedish pages, and a one-to-one chat that takes visitors now.

Every page rendered through ``render()`` gets the defaults (:func:`default`), with the
chat open now that :class:`OpenChatLookup` looked up before the page's route ran (error
pages too: a 500 uses what was last found and asks the database nothing); a page that
belongs to an organisation (a room, a chat topic) or knows what is open passes
``**await help_context(request, organisation_id=...)`` instead. Organisations edit their
numbers on their settings page (``Organisation.crisis_numbers``); a row with
``categories`` is for one kind of crisis (the Poison Information Centre) and is listed
under "More help" only.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kuulolla.accounts import logic as accounts_logic
from kuulolla.core import i18n
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.i18n import N_
from kuulolla.queue import helpnow
from kuulolla.queue import service as queue_service
from kuulolla.queue import topics as queue_topics

log = logging.getLogger(__name__)

EMERGENCY = "112"

# The service's national defaults, each with the page languages that list it. MIELI
# Mental Health Finland's crisis line answers in Finnish around the clock, and in
# Swedish at set hours.
NATIONAL: tuple[dict[str, Any], ...] = (
    {
        "number": EMERGENCY,
        "name": N_("Emergency number"),
        "description": N_("If you or someone else is in danger, call the emergency number 112."),
        "locales": ("fi", "sv", "en"),
    },
    {
        "number": "09 2525 0111",
        "name": N_("Crisis Helpline"),
        "description": N_(
            "The Crisis Helpline of MIELI Mental Health Finland answers around the clock."
        ),
        "locales": ("fi", "sv", "en"),
        "replaceable": True,  # by the crisis lines of the organisation in view
    },
    {
        "number": "09 2525 0112",
        "name": N_("Crisis line in Swedish"),
        "description": N_(
            "The Swedish-language crisis line of MIELI Mental Health Finland answers at set hours, listed on mieli.fi."
        ),
        "locales": ("sv",),
    },
)

OPEN_CHAT_SECONDS = 30  # how long one process reuses its look-up of an open chat


@dataclass(frozen=True, slots=True)
class OpenChat:
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class CrisisHelp:
    """What the box shows: ``rows`` (name, number, description; the emergency number
    first), how many of them the strip lists before "More help" (``shown``), and a chat
    open now."""

    rows: list[dict[str, str]]
    shown: int
    open_chat: OpenChat | None = None


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def rows(
    locale: str, organisation_numbers: Iterable[dict[str, Any]] = ()
) -> tuple[list[dict[str, str]], int]:
    """The numbers in the order the box lists them, and how many of them the strip
    shows: the emergency number, the organisation's crisis lines for every crisis (else
    the national line), the Swedish-language line on Swedish pages; then the numbers
    for one kind of crisis. A number is listed once."""
    national = [row for row in NATIONAL if locale in row["locales"]]
    own = [row for row in organisation_numbers if str(row.get("number", "")).strip()]
    general = [row for row in own if not row.get("categories")]
    first = [
        *national[:1],
        # The organisation's own lines replace the service's general line.
        *general,
        *(row for row in national[1:] if not (general and row.get("replaceable"))),
    ]
    later = [row for row in own if row.get("categories")]
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    shown = 0
    for row in [*first, *later]:
        key = _digits(str(row["number"]))
        if key in seen:
            continue
        seen.add(key)
        out.append(_shown(row, locale))
        shown += row in first
    return out, shown


def _shown(row: dict[str, Any], locale: str) -> dict[str, str]:
    """A row as the page shows it: the service's rows through the catalogs, an
    organisation's in the page's language (else Finnish)."""
    if "locales" in row:
        return {
            "number": row["number"],
            "name": i18n.gettext(locale, row["name"]),
            "description": i18n.gettext(locale, row["description"]),
        }
    return {
        "number": str(row["number"]).strip(),
        "name": accounts_logic.localised(row.get("name") or {}, locale),
        "description": accounts_logic.localised(row.get("description") or {}, locale),
    }


def default(locale: str, *, db: Database | None = None, now: datetime | None = None) -> CrisisHelp:
    """The service's defaults, for pages of no organisation, with the chat open now as
    last looked up in ``db`` (:func:`known_open_chat`)."""
    found, shown = rows(locale)
    chat = known_open_chat(db, now=now, locale=locale) if db is not None and now else None
    return CrisisHelp(found, shown, chat)


# The last look-up of a chat open now, per process, database and organisation: (when,
# what).
Found = tuple[str, dict[str, str]] | None
_open_chat: weakref.WeakKeyDictionary[Database, dict[str, tuple[datetime, Found]]] = (
    weakref.WeakKeyDictionary()
)


async def _find_open_chat(
    db: Database, *, now: datetime, organisation_id: int | None, audience: str
) -> Found:
    never = helpnow.NOT_OFFERED.get(audience, frozenset())
    topics = [t for t in await queue_topics.list_topics(db) if t.audience not in never]
    # The organisation's own topics first.
    topics.sort(key=lambda t: t.organisation_id != organisation_id)
    for topic in topics:
        status = await queue_service.topic_status(db, topic=topic, now=now)
        if status.admits:
            return topic.slug, topic.texts["name"]
    return None


def _fresh(cached: tuple[datetime, Found] | None, now: datetime) -> bool:
    return cached is not None and now - timedelta(seconds=OPEN_CHAT_SECONDS) <= cached[0] <= now


def _shown_chat(found: Found, locale: str) -> OpenChat | None:
    if found is None:
        return None
    slug, names = found
    return OpenChat(slug, names.get(locale) or names.get("fi", ""))


async def open_chat(
    db: Database,
    *,
    now: datetime,
    locale: str,
    organisation_id: int | None = None,
    audience: str = "all",
) -> OpenChat | None:
    """A one-to-one chat that takes visitors now (the organisation's own first; on the
    page of a topic for young people none for adults only, and the other way round:
    queue/helpnow.py), looked up at most every ``OPEN_CHAT_SECONDS`` per process,
    organisation and audience."""
    key = f"{organisation_id}:{audience}"
    known = _open_chat.setdefault(db, {})
    cached = known.get(key)
    if cached is None or not _fresh(cached, now):
        cached = (
            now,
            await _find_open_chat(db, now=now, organisation_id=organisation_id, audience=audience),
        )
        known[key] = cached
    return _shown_chat(cached[1], locale)


def known_open_chat(db: Database, *, now: datetime, locale: str) -> OpenChat | None:
    """The chat open now of the last look-up in ``db`` for pages of no organisation, if
    it is at most ``OPEN_CHAT_SECONDS`` old; asks the database nothing."""
    cached = _open_chat.get(db, {}).get("None:all")
    if cached is None or not _fresh(cached, now):
        return None
    return _shown_chat(cached[1], locale)


# Requests that draw no page of the service.
NO_PAGE_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics", "/ws", "/chat/status")


class OpenChatLookup:
    """Before a request that may draw a page, refreshes the look-up of a chat open now
    (:func:`open_chat`; at most once every ``OPEN_CHAT_SECONDS`` per process), so that
    every page's crisis strip, the error pages' included, can name one. A database that
    cannot answer leaves the strip without the chat; the page goes on."""

    def __init__(self, app: ASGIApp, *, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(NO_PAGE_PREFIXES):
            db = scope.get("state", {}).get("db")
            if db is not None:
                try:
                    await open_chat(db, now=self.clock.now(), locale="fi")
                except (SQLAlchemyError, OSError):
                    log.warning(
                        "crisis.open_chat_unavailable",
                        extra={"event": "crisis.open_chat_unavailable"},
                    )
        await self.app(scope, receive, send)


async def help_context(
    request: Request,
    *,
    organisation_numbers: Sequence[dict[str, Any]] = (),
    organisation_id: int | None = None,
    audience: str = "all",
) -> dict[str, Any]:
    """The template context of the crisis box for a page of the organisation whose
    numbers are given (none: the service's defaults), with a chat open now: the
    template variable ``crisis_box``."""
    locale: str = request.state.locale
    found, shown = rows(locale, organisation_numbers)
    chat = await open_chat(
        request.state.db,
        now=request.state.clock.now(),
        locale=locale,
        organisation_id=organisation_id,
        audience=audience,
    )
    return {"crisis_box": CrisisHelp(found, shown, chat)}
