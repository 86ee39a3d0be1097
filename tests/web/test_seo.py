"""What search engines and link previews read, over HTTP on the demo archive: robots.txt,
the sitemap, canonical addresses and language versions, descriptions, Open Graph and
the answers' schema.org QAPage; and the pieces of the installable app."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kuulolla import demo
from kuulolla.core.db import Database
from kuulolla.questions import reading
from kuulolla.web import seo
from kuulolla.web.app import create_app
from kuulolla.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_database_url, make_settings
from tests.helpers import NOW, run_async

BASE = "https://testserver"
NS = {"s": seo.SITEMAP_NS, "x": seo.XHTML_NS}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> str:
    url, _ = make_database_url("sqlite", tmp_path_factory.mktemp("seo"), sqlite_template, None)

    async def seed() -> None:
        db = Database.from_url(url)
        await demo.seed(db, now=NOW)
        await db.dispose()

    run_async(seed)
    return url


@pytest.fixture(scope="module")
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(demo_url)), base_url=BASE) as c:
        yield c


def published_ids(url: str) -> list[int]:
    async def work() -> list[int]:
        db = Database.from_url(url)
        try:
            items, _ = await reading.list_published(db, limit=10_000)
            return sorted(item.id for item in items)
        finally:
            await db.dispose()

    return run_async(work)


def head(html: str) -> str:
    return html.split("</head>", 1)[0]


def meta(html: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', head(html))


def links(html: str, rel: str) -> list[tuple[str, str]]:
    """(hreflang or "", href) of the head's <link rel=...> elements."""
    found = []
    for tag in re.findall(rf'<link rel="{rel}"[^>]*>', head(html)):
        lang = re.search(r'hreflang="([^"]+)"', tag)
        href = re.search(r'href="([^"]+)"', tag)
        assert href
        found.append((lang.group(1) if lang else "", href.group(1).replace("&amp;", "&")))
    return found


def structured_data(html: str) -> Any:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def sitemap_urls(client: TestClient) -> list[ET.Element]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("application/xml")
    urls = []
    for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", NS):
        part = client.get(str(loc.text).removeprefix(BASE))
        assert part.status_code == 200
        urls.extend(ET.fromstring(part.content).findall("s:url", NS))
    return urls


# ------------------------------------------------------------------ robots and sitemap


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_from_private_areas(
    client: TestClient,
) -> None:
    """robots.txt points to the sitemap and disallows staff areas, claim codes and searches."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    for path in ("/staff", "/orgs/", "/questions/claim", "/questions/search", "/sign-in"):
        assert f"Disallow: {path}" in lines
    assert not any(line in ("Disallow: /", "Disallow: /questions") for line in lines)


def test_sitemap_lists_exactly_the_published_answers(client: TestClient, demo_url: str) -> None:
    """Every published answer is in the sitemap once per language, and nothing else is."""
    listed: dict[int, set[str]] = {}
    for url in sitemap_urls(client):
        loc = str(url.findtext("s:loc", namespaces=NS))
        match = re.fullmatch(rf"{BASE}/questions/(\d+)\?lang=(fi|sv|en)", loc)
        if match:
            listed.setdefault(int(match.group(1)), set()).add(match.group(2))
    assert sorted(listed) == published_ids(demo_url)
    assert all(langs == {"fi", "sv", "en"} for langs in listed.values())


def test_sitemap_entries_carry_language_alternates_and_last_change(client: TestClient) -> None:
    """Each address lists its fi, sv, en and x-default versions; answers their last change."""
    urls = sitemap_urls(client)
    locs = [str(u.findtext("s:loc", namespaces=NS)) for u in urls]
    for path in ("/", "/about", "/about/plain", "/privacy", "/accessibility", "/questions"):
        assert f"{BASE}{path}?lang=fi" in locs
    assert f"{BASE}/questions?category=carers&lang=sv" in locs
    for url in urls:
        loc = str(url.findtext("s:loc", namespaces=NS))
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)}
        stem = loc.rsplit("lang=", 1)[0].rstrip("?&")
        sep = "&" if "?" in stem else "?"
        assert alternates == {
            "fi": f"{stem}{sep}lang=fi",
            "sv": f"{stem}{sep}lang=sv",
            "en": f"{stem}{sep}lang=en",
            "x-default": stem,
        }
        if re.search(r"/questions/\d+\?", loc):
            assert re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(url.findtext("s:lastmod", namespaces=NS))
            )


def test_sitemap_addresses_are_on_the_public_url(demo_url: str) -> None:
    """With KUULOLLA_PUBLIC_URL set, the sitemap and robots.txt use it, not the Host."""
    settings = make_settings(demo_url, public_url="https://kuulolla.example.fi/")
    with TestClient(create_app(settings), base_url="http://internal:8000") as c:
        assert "Sitemap: https://kuulolla.example.fi/sitemap.xml" in c.get("/robots.txt").text
        index = ET.fromstring(c.get("/sitemap.xml").content)
        locs = [str(loc.text) for loc in index.findall("s:sitemap/s:loc", NS)]
        assert locs and all(loc.startswith("https://kuulolla.example.fi/sitemaps/") for loc in locs)
        page = c.get("/about?lang=en").text
        assert links(page, "canonical") == [("", "https://kuulolla.example.fi/about?lang=en")]


@pytest.mark.parametrize("path", ["/sitemaps/nothing-1.xml", "/sitemaps/answers-9.xml"])
def test_sitemap_files_that_do_not_exist_are_not_found(client: TestClient, path: str) -> None:
    """An unknown section or a file past the last is 404."""
    assert client.get(path).status_code == 404


# ------------------------------------------------------------------ page meta


def test_answer_page_has_qapage_structured_data(client: TestClient, demo_url: str) -> None:
    """An answer page carries a schema.org QAPage with the question, its one accepted answer
    and their dates and authors, as shown on the page."""
    question_id = published_ids(demo_url)[0]

    async def read() -> reading.PublishedQuestion:
        db = Database.from_url(demo_url)
        try:
            return await reading.get_published_or_raise(db, question_id=question_id)
        finally:
            await db.dispose()

    q = run_async(read)
    data = structured_data(client.get(f"/questions/{question_id}?lang=en").text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "QAPage"
    question = data["mainEntity"]
    assert question["@type"] == "Question"
    assert (question["name"], question["text"]) == (q.title, q.body)
    assert question["answerCount"] == 1
    assert question["author"] == {"@type": "Person", "name": "Anonymous asker"}
    assert question["datePublished"] == q.published_at.isoformat(timespec="seconds")
    answer = question["acceptedAnswer"]
    assert answer["@type"] == "Answer"
    assert answer["text"] == q.answer.body
    assert answer["upvoteCount"] == q.helpful
    assert answer["url"] == f"{BASE}/questions/{question_id}#answer-heading"
    assert answer["author"]["name"] == q.answer.answerer_name
    assert answer["author"]["affiliation"]["name"] == q.answer.answerer_organisation


def test_answer_page_meta_describes_it_from_the_question(client: TestClient, demo_url: str) -> None:
    """An answer page: its canonical and language versions, a description from the
    anonymised question, Open Graph, indexable, under the unchanged CSP."""
    question_id = published_ids(demo_url)[1]
    response = client.get(f"/questions/{question_id}?lang=sv")
    html = response.text
    page = f"{BASE}/questions/{question_id}"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert meta(html, "name", "robots") == []
    assert links(html, "canonical") == [("", f"{page}?lang=sv")]
    assert links(html, "alternate") == [
        ("fi", f"{page}?lang=fi"),
        ("sv", f"{page}?lang=sv"),
        ("en", f"{page}?lang=en"),
        ("x-default", page),
    ]
    (description,) = meta(html, "name", "description")
    body = structured_data(html)["mainEntity"]["text"]
    assert len(description) <= seo.DESCRIPTION_CHARS
    assert " ".join(body.split()).startswith(description.rstrip("…"))
    assert meta(html, "property", "og:description") == [description]
    assert meta(html, "property", "og:url") == [f"{page}?lang=sv"]
    assert meta(html, "property", "og:type") == ["article"]
    assert meta(html, "property", "og:locale") == ["sv_FI"]
    assert meta(html, "property", "og:image") == [f"{BASE}/static/icons/icon-512.png"]
    title = re.search(r"<title>(.*) – Kuulolla</title>", html)
    assert title and meta(html, "property", "og:title") == [title.group(1)]


def test_address_without_a_language_is_its_own_canonical(client: TestClient) -> None:
    """The address that chooses a language for the visitor (x-default) points to itself."""
    html = client.get("/questions", headers={"accept-language": "sv"}).text
    assert links(html, "canonical") == [("", f"{BASE}/questions")]
    assert 'lang="sv"' in html.split(">", 2)[1]


def test_canonical_keeps_what_selects_a_list_and_drops_the_order(client: TestClient) -> None:
    """A list's canonical address keeps its topic and page, not its order."""
    html = client.get("/questions?order=helpful&category=carers&page=2&lang=en").text
    assert links(html, "canonical") == [("", f"{BASE}/questions?category=carers&page=2&lang=en")]
    assert meta(html, "name", "robots") == []
    (description,) = meta(html, "name", "description")
    assert description.startswith("Family carers. Professionals")


@pytest.mark.parametrize(
    "path",
    [
        "/questions/search",
        "/questions?tag=no-such-tag",
        "/questions/claim",
        "/sign-in",
        "/offline",
        "/no-such-page",
    ],
)
def test_pages_without_public_content_are_noindex(client: TestClient, path: str) -> None:
    """The search form, empty lists, claim, sign-in, offline and error pages are noindex."""
    html = client.get(path).text
    assert meta(html, "name", "robots") == ["noindex"]
    assert links(html, "canonical") == []
    assert meta(html, "name", "description") == []


def test_structured_data_cannot_end_its_script_element() -> None:
    """Text in the JSON-LD that says </script> or <!-- stays inside the data block."""
    hostile = '</script><script>alert(1)</script><!-- & "quoted"'
    written = seo.json_ld({"text": hostile})
    assert "<" not in written and ">" not in written and "&" not in written
    assert json.loads(written) == {"text": hostile}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lyhyt  kysymys\n\ntoisella rivillä.", "Lyhyt kysymys toisella rivillä."),
        ("sana " * 50, ("sana " * 31).strip() + "…"),
    ],
)
def test_descriptions_are_one_line_cut_at_a_word(text: str, expected: str) -> None:
    """A description is on one line and cut at a word boundary to fit a snippet."""
    assert seo.describe(text) == expected
    assert len(seo.describe(text)) <= seo.DESCRIPTION_CHARS


# ------------------------------------------------------------------ the installable app


def test_manifest_names_the_app_and_its_icons_in_the_language_asked(client: TestClient) -> None:
    """The web app manifest is in the page's language and every icon it names is served."""
    response = client.get("/manifest.webmanifest?lang=sv")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["lang"] == "sv"
    assert manifest["name"] == "Kuulolla"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    assert "anonym" in manifest["description"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        assert image.headers["content-type"] == icon["type"]
    html = client.get("/?lang=sv").text
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=sv">' in html


def test_favicon_is_served(client: TestClient) -> None:
    """/favicon.ico is an icon, not a 404 in every page's console."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


def test_service_worker_keeps_only_static_files_and_the_offline_pages(client: TestClient) -> None:
    """The worker's list of what it caches holds static files and offline pages only, each served."""
    response = client.get("/sw.js")
    assert response.headers["content-type"].startswith("text/javascript")
    source = response.text
    offline = json.loads(re.search(r"const OFFLINE = (\{.*?\});", source).group(1))  # type: ignore[union-attr]
    static = json.loads(re.search(r"const STATIC = new Set\((\[.*?\])\);", source).group(1))  # type: ignore[union-attr]
    assert offline == {code: f"/offline?lang={code}" for code in ("fi", "sv", "en")}
    for path in static:
        assert path.startswith("/static/") or path == "/favicon.ico"
        assert client.get(path).status_code == 200
    assert "cache.put" not in source


def test_offline_page_shows_the_crisis_numbers(client: TestClient) -> None:
    """The offline page lists the emergency number and the crisis lines as phone links."""
    html = client.get("/offline?lang=fi").text
    assert 'href="tel:112"' in html
    assert 'href="tel:0925250111"' in html
    assert html.count('href="tel:0925250111"') == 1  # the organisations' copy is not repeated


def test_offline_pages_leave_the_language_choice_alone(client: TestClient) -> None:
    """Fetching the offline page in each language (the worker does) sets no language cookie."""
    for lang in ("fi", "sv", "en"):
        response = client.get(f"/offline?lang={lang}")
        assert f'<html lang="{lang}">' in response.text
        assert "set-cookie" not in response.headers
