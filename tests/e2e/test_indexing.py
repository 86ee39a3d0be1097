"""Which pages search engines may index, checked over the route table: every page of
tests/e2e/test_accessibility.py's ``PAGES``, opened as its principal on the walks'
shared server, carries ``noindex`` unless its route is in :data:`INDEXABLE`, and those
do not. The sitemap's addresses are such indexable pages, each its own canonical one."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from kuulolla.web import seo
from tests.e2e.test_accessibility import PAGES, Site, fill

pytestmark = [pytest.mark.e2e]

# Routes whose pages are public content for search engines (web/seo.py, ``indexable``).
# Everything else (rooms, the chat queue, claim pages, search results, staff pages,
# sign-in, the offline page) must say noindex.
INDEXABLE = {
    "index",
    "about",
    "about_plain",
    "accessibility_statement",
    "privacy_notice",
    "questions",
    "question",
    "questions_ask",
    "directory",
    "directory_service",
    "directory_open_data",
}
NS = {"s": seo.SITEMAP_NS}


def fetch(site: Site, path: str, who: str = "anonymous") -> tuple[str, str]:
    """The page at ``path`` as ``who``: (the address it ended at, its HTML)."""
    request = urllib.request.Request(site.server.http + urllib.parse.quote(path, safe="/?=&%+"))
    token = site.session_for(who)
    if token:
        request.add_header("cookie", f"{site.cookie_name}={token}")
    with urllib.request.urlopen(request, timeout=20) as response:
        return urllib.parse.unquote(response.url), response.read().decode()


def robots(html: str) -> list[str]:
    head = html.split("</head>", 1)[0]
    return re.findall(r'<meta name="robots" content="([^"]*)">', head)


def canonical(html: str) -> list[str]:
    head = html.split("</head>", 1)[0]
    return [
        h.replace("&amp;", "&") for h in re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    ]


def test_indexable_routes_are_pages_of_the_table() -> None:
    """INDEXABLE names only routes the accessibility table lists."""
    assert INDEXABLE - set(PAGES) == set()


def test_private_pages_are_noindex_and_public_ones_are_not(site: Site) -> None:
    """Every page of the route table says noindex exactly when its route is not public content."""
    wrong = []
    for name, ways in PAGES.items():
        for way in ways:
            path = fill(way.path, site.samples)
            landed, html = fetch(site, path, way.who)
            if not landed.startswith(site.server.http + path.split("?")[0]):
                wrong.append(f"{name} {path} as {way.who}: landed on {landed}")
                continue
            found = robots(html)
            if name in INDEXABLE and found:
                wrong.append(f"{name} {path} as {way.who}: public content marked {found}")
            elif name not in INDEXABLE and found != ["noindex"]:
                wrong.append(f"{name} {path} as {way.who}: private page without noindex ({found})")
    assert wrong == []


def test_listed_pages_are_indexable_and_their_own_canonical(site: Site) -> None:
    """The first addresses of each sitemap file (pages, archive lists, answers, in each
    language) are indexable pages, each its own canonical address."""
    _, index = fetch(site, "/sitemap.xml")
    base = site.server.http
    locs: list[str] = []
    for loc in ET.fromstring(index).findall("s:sitemap/s:loc", NS):
        _, part = fetch(site, str(loc.text).removeprefix(base))
        found = [str(u.text) for u in ET.fromstring(part).findall("s:url/s:loc", NS)]
        locs.extend(found[:12])  # every kind of page, in each language
    assert any("/questions/" in loc for loc in locs)
    wrong: list[Any] = []
    for loc in locs:
        _, html = fetch(site, loc.removeprefix(base))
        if robots(html) or canonical(html) != [loc]:
            wrong.append((loc, robots(html), canonical(html)))
    assert wrong == []
