"""What search engines and link previews read: whether a page may be indexed, its
canonical address and language versions, its description, Open Graph and structured
data; ``robots.txt`` and the sitemap.

Private by default. A page is indexable only when its route passes the meta of
:func:`indexable` to the template as ``seo``; every other page says
``<meta name="robots" content="noindex">`` (templates/_seo.html). Forgetting something
therefore hides a page, never exposes one. tests/e2e/test_indexing.py walks every page
of the route table and checks both ways.

Languages. A page's language comes from ``?lang=``, then the visitor's cookie and
browser (web/locale.py). Each language version of an indexable page has its own address
with an explicit ``lang`` (``/questions/12?lang=sv``); the three are each other's
``hreflang`` alternates, with the address without ``lang``, which chooses a language
for the visitor, as ``x-default``. Each of the four is its own canonical address (the
sitemap lists the three language versions).

Addresses are absolute, on ``KUULOLLA_PUBLIC_URL`` when it is set (production), else on
the address the request came to.

The sitemap (``/sitemap.xml``) is an index of sections that domains contribute: each
domain's routes module has a ``SITEMAP`` list of :class:`SitemapSection`, joined in
web/app.py. A section is served in files of :data:`ENTRIES_PER_FILE` entries
(``/sitemaps/<section>-<n>.xml``), each entry as one ``<url>`` per language with its
alternates, within the protocol's 50,000 addresses per file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from kuulolla.core import i18n
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.web import params  # noqa: F401  (registers the "id" path convertor)
from kuulolla.web.access import public

SITE_NAME = "Kuulolla"
DESCRIPTION_CHARS = 160
OG_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
# The picture a link preview shows: our own icon, never a third party's.
PREVIEW_IMAGE = "/static/icons/icon-512.png"

# ------------------------------------------------------------------ addresses


def base_url(request: Request) -> str:
    """The service's public address without a trailing slash: ``KUULOLLA_PUBLIC_URL``,
    else the address the request came to."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def address(
    base: str, path: str, query: Sequence[tuple[str, str]] = (), lang: str | None = None
) -> str:
    """``base`` + ``path`` with ``query`` and, when given, ``lang`` last."""
    pairs = [*query, *([("lang", lang)] if lang else [])]
    return f"{base}{path}?{urlencode(pairs)}" if pairs else f"{base}{path}"


def alternates(
    base: str, path: str, query: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """(hreflang, address) of each language version and of the ``x-default`` one."""
    return [
        *((code, address(base, path, query, code)) for code in i18n.LOCALES),
        ("x-default", address(base, path, query)),
    ]


# ------------------------------------------------------------------ page meta


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The head of an indexable page (templates/_seo.html writes it)."""

    canonical: str
    alternates: list[tuple[str, str]]
    description: str
    og_type: str
    og_locale: str
    og_locale_alternates: list[str]
    image: str
    structured_data: Markup | None


def describe(text: str, max_chars: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to fit a search result's snippet."""
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    cut = flat.rfind(" ", 0, max_chars - 1)
    return flat[: cut if cut > 0 else max_chars - 1].rstrip(" ,.;:–-") + "…"


def json_ld(data: dict[str, Any]) -> Markup:
    """``data`` as JSON that can sit inside ``<script type="application/ld+json">``:
    ``<``, ``>`` and ``&`` are written as escapes, so no text (a question may say
    ``</script>``) can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def indexable(
    request: Request,
    *,
    description: str,
    query: Sequence[tuple[str, str]] = (),
    og_type: str = "website",
    structured_data: dict[str, Any] | None = None,
) -> PageMeta:
    """The meta of an indexable page in the request's language: pass it to the template
    as ``seo``. ``query`` is what the canonical address keeps of the request's query
    (what selects the content, such as a category; not orderings or tracking), without
    ``lang``. ``description`` is shown by search engines and link previews: plain text
    that may be public (for a question, only its anonymised text)."""
    locale: str = request.state.locale
    base = base_url(request)
    path = request.url.path
    # Each address of the set is its own canonical one: a language version's, and the
    # one without a language (x-default), which adapts to the visitor. Pointing that one
    # at, say, the Finnish version would tell crawlers the versions are one page.
    chosen = request.query_params.get("lang") in i18n.LOCALES
    return PageMeta(
        canonical=address(base, path, query, locale if chosen else None),
        alternates=alternates(base, path, query),
        description=describe(description),
        og_type=og_type,
        og_locale=OG_LOCALES[locale],
        og_locale_alternates=[OG_LOCALES[code] for code in i18n.LOCALES if code != locale],
        image=base + PREVIEW_IMAGE,
        structured_data=json_ld(structured_data) if structured_data else None,
    )


# ------------------------------------------------------------------ sitemap


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """An indexable page: its path, the query that selects it (without ``lang``), and
    when its content last changed, if known."""

    path: str
    query: tuple[tuple[str, str], ...] = ()
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class SitemapSection:
    """A part of the sitemap. ``name`` (lower-case letters) appears in the files'
    addresses; ``count`` says how many entries there are, ``entries(db, offset, limit)``
    returns them in a stable order."""

    name: str
    count: Callable[[Database], Awaitable[int]]
    entries: Callable[[Database, int, int], Awaitable[Sequence[SitemapEntry]]]

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z]+", self.name):
            raise ValueError(f"sitemap section names are lower-case letters: {self.name!r}")


def listed_section(
    name: str, entries: Callable[[Database], Awaitable[Sequence[SitemapEntry]]]
) -> SitemapSection:
    """A section whose entries are few enough to list whole (pages, categories)."""

    async def count(db: Database) -> int:
        return len(await entries(db))

    async def page(db: Database, offset: int, limit: int) -> Sequence[SitemapEntry]:
        return (await entries(db))[offset : offset + limit]

    return SitemapSection(name, count, page)


# Entries per sitemap file; each is written once per language, so a file holds at most
# 15,000 addresses (the protocol allows 50,000 and 50 MB).
ENTRIES_PER_FILE = 5000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def urlset(base: str, entries: Sequence[SitemapEntry]) -> str:
    """A sitemap file: each entry once per language, each with all its alternates."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">',
    ]
    for entry in entries:
        links = [
            f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
            for lang, href in alternates(base, entry.path, entry.query)
        ]
        lastmod = f"<lastmod>{_w3c(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        for code in i18n.LOCALES:
            loc = escape(address(base, entry.path, entry.query, code))
            lines.append(f"<url><loc>{loc}</loc>{lastmod}{''.join(links)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def sitemap_index(base: str, files: Sequence[str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<sitemapindex xmlns="{SITEMAP_NS}">',
        *(f"<sitemap><loc>{escape(base + path)}</loc></sitemap>" for path in files),
        "</sitemapindex>",
    ]
    return "\n".join(lines) + "\n"


class XmlResponse(Response):
    media_type = "application/xml"


def _sections(request: Request) -> dict[str, SitemapSection]:
    sections: Sequence[SitemapSection] = request.app.state.sitemap
    return {section.name: section for section in sections}


@public
async def sitemap(request: Request) -> Response:
    """The sitemap index: every file of every section."""
    db: Database = request.state.db
    files = []
    for section in _sections(request).values():
        for n in range(1, max(1, math.ceil(await section.count(db) / ENTRIES_PER_FILE)) + 1):
            files.append(f"/sitemaps/{section.name}-{n}.xml")
    return XmlResponse(sitemap_index(base_url(request), files))


@public
async def sitemap_file(request: Request) -> Response:
    """One file of a section (``n`` counts from 1)."""
    section = _sections(request).get(request.path_params["section"])
    n: int = request.path_params["n"]
    if section is None or not 1 <= n <= 10_000:
        raise NotFound()
    entries = await section.entries(request.state.db, (n - 1) * ENTRIES_PER_FILE, ENTRIES_PER_FILE)
    if not entries and n > 1:
        raise NotFound()
    return XmlResponse(urlset(base_url(request), entries))


# Where a crawler finds nothing to index: staff work, sign-in, a visitor's claim code
# (a secret in the path), search results (endless combinations of words) and the
# archive's JSON. Rooms and one-to-one chat pages are not listed: crawlers may fetch them and
# read their noindex, which keeps them out of results even when someone links to them
# (a page a crawler may not fetch can still be listed by its address alone).
DISALLOWED = (
    "/staff",
    "/orgs/",
    "/admin/",
    "/account",
    "/sign-in",
    "/welcome/",
    "/calendar/",
    "/questions/search",
    "/questions/claim",
    "/questions/similar",
)


@public
async def robots_txt(request: Request) -> Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines.append(f"Sitemap: {base_url(request)}/sitemap.xml")
    return PlainTextResponse("\n".join(lines) + "\n")


ROUTES = [
    Route("/robots.txt", robots_txt, name="robots_txt"),
    Route("/sitemap.xml", sitemap, name="sitemap"),
    Route("/sitemaps/{section}-{n:id}.xml", sitemap_file, name="sitemap_file"),
]
