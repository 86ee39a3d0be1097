"""Headless Chromium (Debian's package) driven by Playwright, and axe-core checks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("KUULOLLA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium on a Playwright of its own, which belongs to the calling thread
    (Playwright's synchronous API cannot be shared between threads)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM}")
    with chromium() as instance:
        yield instance


def new_page(browser: Any, **options: Any) -> Any:
    """A page in a fresh context (its own storage, like a separate browser window), with a
    Finnish browser unless ``locale`` says otherwise."""
    options.setdefault("locale", "fi-FI")
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@cache
def axe_source() -> str:
    """axe-core's script, read once per test session."""
    if not AXE.exists():
        unavailable("axe-core (npm install)")
    return AXE.read_text() + "\n;undefined"


def axe_violations(page: Any, *, exclude_rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the current page. axe is injected once per
    page load; checking the same page again (another colour scheme) reuses it."""
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy rightly
    # refuses injected script tags, and must not be loosened for the test.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    # Only the WCAG 2.1 A/AA rules run; only violations are reported in full (axe then
    # skips collecting every passing node).
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""",
        WCAG_TAGS,
    )
    return [v for v in result if v["id"] not in exclude_rules]


def watch_requests(page: Any, origin: str) -> list[str]:
    """Collects every request the page makes to another origin."""
    foreign: list[str] = []

    def on_request(request: Any) -> None:
        url = request.url
        if not (
            url.startswith(origin)
            or url.startswith(origin.replace("http", "ws"))
            or url.startswith("data:")
        ):
            foreign.append(url)

    page.on("request", on_request)
    return foreign
