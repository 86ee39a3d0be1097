"""Which numbers the crisis strip of a visitor page lists (kuulolla/web/crisis.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from kuulolla import demo
from kuulolla.core.db import Database, compact_sqlite
from kuulolla.web import crisis
from kuulolla.web.access import public
from kuulolla.web.app import create_app
from tests.conftest import make_database_url, make_settings
from tests.helpers import run_async

OWN_LINE = {"number": "0800 123 456", "name": {"fi": "Oma linja", "sv": "Egen linje"}}
POISON = {
    "number": "0800 147 111",
    "name": {"fi": "Myrkytystietokeskus"},
    "categories": ["overdose"],
}
OWN_112 = {"number": "112", "name": {"fi": "Hätänumero"}}


@pytest.mark.parametrize(
    ("locale", "own", "strip", "later"),
    [
        ("fi", [], ["112", "09 2525 0111"], []),
        ("en", [], ["112", "09 2525 0111"], []),
        ("sv", [], ["112", "09 2525 0111", "09 2525 0112"], []),
        ("fi", [OWN_LINE], ["112", "0800 123 456"], []),
        ("sv", [OWN_LINE], ["112", "0800 123 456", "09 2525 0112"], []),
        ("fi", [POISON], ["112", "09 2525 0111"], ["0800 147 111"]),
        ("fi", [OWN_112, OWN_LINE, POISON], ["112", "0800 123 456"], ["0800 147 111"]),
    ],
)
def test_strip_lists_emergency_first_then_the_lines_of_the_page(
    locale: str, own: list[dict[str, Any]], strip: list[str], later: list[str]
) -> None:
    """112 first, the organisation's general lines (else the national one), the Swedish
    line on Swedish pages; numbers for one kind of crisis only under "More help"; each
    number once."""
    rows, shown = crisis.rows(locale, own)
    numbers = [row["number"] for row in rows]
    assert (numbers[:shown], numbers[shown:]) == (strip, later)


def test_rows_are_in_the_page_language() -> None:
    """An organisation's names in the page's language, the service's through the catalogs."""
    rows, _ = crisis.rows("sv", [OWN_LINE])
    assert [row["name"] for row in rows[:2]] == ["Nödnummer", "Egen linje"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The demo site seeded once for the module on the wall clock (its round-the-clock
    chat takes visitors now); each test runs on a copy of its own."""
    url, _ = make_database_url("sqlite", tmp_path_factory.mktemp("demo"), sqlite_template, None)

    async def seed() -> None:
        db = Database.from_url(url)
        await demo.seed(db, now=datetime.now(UTC), settings=make_settings(url))
        await compact_sqlite(db, vacuum=False)
        await db.dispose()

    run_async(seed)
    return Path(url.split("///", 1)[1])


@pytest.fixture
def demo_client(demo_file: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The demo site, with a route of its own that fails, for the 500 page."""
    shutil.copyfile(demo_file, tmp_path / "demo.sqlite3")
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"

    @public
    async def broken(request: Request) -> Response:
        raise RuntimeError("a fault of the test's own route")

    app = create_app(make_settings(sqlite_url))
    app.router.routes.append(Route("/broken-for-the-test", broken))
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


def strip_of(html: str) -> str:
    return html.split('id="crisis-help"', 1)[1].split("</aside>", 1)[0]


@pytest.mark.parametrize("path", ["/about", "/privacy", "/questions/search", "/no-such-page"])
def test_every_page_names_a_chat_open_now(demo_client: TestClient, path: str) -> None:
    """Pages of no organisation, a 404 page among them, name a one-to-one chat that takes
    visitors now in the crisis strip."""
    page = demo_client.get(path)
    assert 'href="/chat/' in strip_of(page.text), page.status_code


def test_the_500_page_names_the_chat_last_found_open(demo_client: TestClient) -> None:
    """A page that failed names the chat open now as last looked up, in Swedish too."""
    assert 'href="/chat/' in strip_of(demo_client.get("/about").text)
    page = demo_client.get("/broken-for-the-test?lang=sv")
    assert page.status_code == 500
    assert "Chatt öppen nu:" in strip_of(page.text)
