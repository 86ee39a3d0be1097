"""The installable app: the web app manifest, the service worker, the offline page
with the crisis numbers, and the favicon.

The service worker (templates/sw.js) caches the static files and the offline page
only; it never stores a page, an answer of the server or a conversation. Its version
is a hash of the static files and of its own source, so a release that changes any of
them replaces the old worker and its cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from kuulolla.accounts import logic as accounts_logic
from kuulolla.accounts.organisations import list_organisations
from kuulolla.core import i18n
from kuulolla.core.i18n import N_
from kuulolla.web.access import public
from kuulolla.web.templating import TEMPLATES_DIR, environment, render

STATIC_DIR = Path(__file__).resolve().parent / "static"
ICONS = "/static/icons"
THEME_COLOUR = "#f3f5f8"  # the header's colour (--surface in site.css)
BACKGROUND_COLOUR = "#ffffff"

# What the offline page needs, cached when the worker is installed.
OFFLINE_FILES = (
    "/static/css/site.css",
    "/static/js/exit.js",
    "/static/js/pwa.js",
    "/favicon.ico",
    f"{ICONS}/icon.svg",
    f"{ICONS}/apple-touch-icon.png",
    f"{ICONS}/icon-192.png",
)

DESCRIPTION = N_(
    "Kuulolla is an anonymous place to talk about what is on your mind. You can chat with others in a similar situation, or ask an expert a question."
)
SHORTCUTS = (
    (N_("Questions and answers"), "/questions"),
    (N_("Private chat with a helper"), "/chat"),
)


@public
async def manifest(request: Request) -> Response:
    """The web app manifest in the language asked for (``?lang=``)."""
    locale: str = request.state.locale
    body = {
        "id": "/",
        "name": "Kuulolla",
        "short_name": "Kuulolla",
        "description": i18n.gettext(locale, DESCRIPTION),
        "lang": locale,
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "categories": ["health", "social"],
        "icons": [
            {"src": f"{ICONS}/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": f"{ICONS}/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": f"{ICONS}/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": f"{ICONS}/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [{"name": i18n.gettext(locale, name), "url": url} for name, url in SHORTCUTS],
    }
    return Response(
        json.dumps(body, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"cache-control": "no-cache"},
    )


@cache
def worker_version() -> str:
    """A hash of the worker's source and every static file: it changes with a release
    that changes any of them, and the browser then installs the new worker."""
    digest = hashlib.sha256((TEMPLATES_DIR / "sw.js").read_bytes())
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(STATIC_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def worker_source() -> str:
    return (
        environment(i18n.DEFAULT_LOCALE)
        .get_template("sw.js")
        .render(
            version=worker_version(),
            offline={code: f"/offline?lang={code}" for code in i18n.LOCALES},
            static=list(OFFLINE_FILES),
        )
    )


@public
async def service_worker(request: Request) -> Response:
    """The service worker, at the root so that its scope is the whole site."""
    return Response(
        worker_source(),
        media_type="text/javascript",
        # Browsers check for a new worker at most daily anyway; never older than that.
        headers={"cache-control": "no-cache"},
    )


@public
async def favicon(request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "icons" / "favicon.ico",
        media_type="image/x-icon",
        headers={"cache-control": "public, max-age=86400"},
    )


# Always on the offline page, before the numbers the organisations list.
GENERAL_NUMBERS = (
    {
        "number": "112",
        "name": N_("Emergency number"),
        "description": N_("If you or someone else is in danger, call the emergency number 112."),
    },
    {
        "number": "09 2525 0111",
        "name": N_("Crisis Helpline"),
        "description": N_(
            "The Crisis Helpline of MIELI Mental Health Finland answers around the clock."
        ),
    },
)


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


@public
async def offline(request: Request) -> Response:
    """What the installed app shows when there is no connection: the crisis numbers,
    the general ones and those the organisations list. The service worker caches it in
    each language; it says nothing about anyone."""
    locale: str = request.state.locale
    numbers = [
        {
            **row,
            "name": i18n.gettext(locale, row["name"]),
            "description": i18n.gettext(locale, row["description"]),
        }
        for row in GENERAL_NUMBERS
    ]
    seen = {_digits(row["number"]) for row in numbers}
    for org in await list_organisations(request.state.db):
        for row in org.crisis_numbers:
            number = str(row.get("number", "")).strip()
            if not number or _digits(number) in seen:
                continue
            seen.add(_digits(number))
            numbers.append(
                {
                    "number": number,
                    "name": accounts_logic.localised(row.get("name", {}), locale),
                    "description": accounts_logic.localised(row.get("description", {}), locale),
                }
            )
    # The worker fetches every language in turn: none of them is the visitor's choice.
    request.state.set_lang_cookie = False
    return render(request, "offline.html", {"crisis_numbers": numbers})


ROUTES = [
    Route("/manifest.webmanifest", manifest, name="manifest"),
    Route("/sw.js", service_worker, name="service_worker"),
    Route("/favicon.ico", favicon, name="favicon"),
    Route("/offline", offline, name="offline"),
]
