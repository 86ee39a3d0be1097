"""The reports dashboard in real headless Chromium: a year of demo statistics, every
report page checked with axe-core in three languages, and the CSV files saying what
the page says."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from kuulolla.accounts import links
from kuulolla.accounts.models import Organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.db import Database
from kuulolla.reports import demo
from tests.e2e.browser import axe_violations, new_page, watch_requests
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import run_async

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "koordinaattorin pitkä salasana"
SHOTS = Path("/tmp/kuulolla-report-shots")


@pytest.fixture
def reporting(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose organisation has a coordinator and a year of demo statistics."""
    seed_rooms(sqlite_url)

    async def work() -> None:
        db = Database.from_url(sqlite_url)
        try:
            await links.do_create_staff(
                db,
                passwords=Passwords(),
                username="kaisa",
                display_name="Kaisa",
                password=PASSWORD,
                is_admin=False,
                organisation="jarjesto",
                role="coordinator",
                now=datetime.now(UTC),
            )
            async with db.session() as session:
                await session.execute(
                    update(Organisation)
                    .where(Organisation.slug == "jarjesto")
                    .values(require_totp="none")
                )
            await demo.seed(db, now=datetime.now(UTC))
        finally:
            await db.dispose()

    run_async(work)
    server = ServerProcess(
        server_env(sqlite_url, KUULOLLA_ENV="development"), tmp_path / "server.log"
    )
    try:
        yield server.start()
    finally:
        server.stop()


def page_table(page: Any, key: str) -> list[list[str]]:
    return page.evaluate(
        """(key) => [...document.querySelectorAll(`#t-${key} tr`)].map(
            tr => [...tr.children].map(c => c.textContent.trim()))""",
        key,
    )


def same(page_cell: str, csv_cell: str) -> bool:
    """A CSV cell says what the page's cell says: the same words, or the same number
    written for a spreadsheet ("1 008" and "1008", "+12 %" and "12", "2" and "2,0")."""
    if csv_cell.startswith("'"):
        csv_cell = csv_cell[1:]
    if page_cell == csv_cell or (page_cell in ("–", "") and csv_cell == ""):
        return True
    shown = page_cell.replace("\xa0", "").replace(" ", "").replace("%", "").replace("−", "-")
    shown = shown.replace("±", "").replace("+", "").replace(",", ".")
    try:
        return abs(float(shown) - float(csv_cell.replace(",", "."))) < 0.051
    except ValueError:
        return False


def test_dashboard_renders_accessibly_and_agrees_with_its_csv(
    reporting: ServerProcess, browser: Any
) -> None:
    """A coordinator sees the dashboard with charts and tables (referrals to the
    directory's services among them), without axe violations in fi, sv and en; every
    table's CSV says what the page's cells say, with numbers as
    numbers; no third-party requests."""
    server = reporting
    page = new_page(browser)
    foreign = watch_requests(page, server.http)
    page.goto(f"{server.http}/sign-in")
    page.get_by_label("Käyttäjätunnus").fill("kaisa")
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_url(f"{server.http}/staff")
    SHOTS.mkdir(exist_ok=True)
    year = datetime.now(UTC).year
    problems: dict[str, Any] = {}
    for lang in ("fi", "sv", "en"):
        page.goto(f"{server.http}/orgs/jarjesto/reports?period={year}&lang={lang}")
        assert page.locator("svg.chart").count() == 3
        assert page.locator("svg.chart title").first.text_content()
        page.screenshot(path=str(SHOTS / f"dashboard-{lang}.png"), full_page=True)
        if found := axe_violations(page):
            problems[f"dashboard {lang}"] = found
        page.goto(f"{server.http}/orgs/jarjesto/reports/summary?year={year}&lang={lang}")
        page.screenshot(path=str(SHOTS / f"summary-{lang}.png"), full_page=True)
        if found := axe_violations(page):
            problems[f"summary {lang}"] = found
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server.http}/orgs/jarjesto/reports?period={year}-Q1&lang=fi")
    page.screenshot(path=str(SHOTS / "dashboard-320.png"), full_page=True)
    if found := axe_violations(page):
        problems["dashboard 320 px"] = found
    assert problems == {}

    keys = page.evaluate("[...document.querySelectorAll('table[id^=t-]')].map(t => t.id.slice(2))")
    assert "summary" in keys and "rooms" in keys and len(keys) >= 8
    # Referral cards to the directory's services, by kind and topic, named in words.
    assert {"referrals", "referral_topics"} <= set(keys)
    assert "Vertaisryhmä" in page.locator("#t-referrals").inner_text()
    assert "Omaishoito ja läheiset" in page.locator("#t-referral_topics").inner_text()
    for key in keys:
        response = page.request.get(
            f"{server.http}/orgs/jarjesto/reports.csv?period={year}-Q1&table={key}&lang=fi"
        )
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        body = response.text().removeprefix("\ufeff")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        shown = page_table(page, key)
        assert len(rows) == len(shown), key
        header, *body_rows = rows
        assert [h.removesuffix(", %") for h in header] == shown[0], key
        for written, seen in zip(body_rows, shown[1:], strict=True):
            assert all(same(a, b) for a, b in zip(seen, written, strict=True)), (key, seen, written)
            # Numbers as numbers: no thousands separators, no per cent signs.
            assert not any("\xa0" in c or c.endswith("%") for c in written), written
    assert foreign == []
