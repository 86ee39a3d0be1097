"""Weight: a visitor on a slow phone connection gets the pages fast. Each visitor page
(and state) loads at most 100 KB of our own scripts and styles, measured compressed from
the files the server serves, and makes no request to another site."""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import urlsplit

import pytest

from kuulolla.web.app import STATIC_DIR
from tests.e2e.test_accessibility import Site, record, visit_all

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LIMIT_BYTES = 100 * 1024

# Every resource the page loaded (scripts, module imports, styles, images, fonts).
RESOURCES = "performance.getEntriesByType('resource').map(e => e.name)"


def compressed_size(path: str) -> int:
    """Bytes of a static file gzipped, as a compressing proxy would send it."""
    file = (STATIC_DIR / path.removeprefix("/static/")).resolve()
    assert file.is_relative_to(STATIC_DIR), path
    return len(gzip.compress(file.read_bytes(), compresslevel=9))


def test_visitor_pages_are_light_and_load_nothing_from_elsewhere(browser: Any, site: Site) -> None:
    """Every visitor page and state loads at most 100 KB of own JS and CSS (gzipped) and
    nothing from another origin."""
    weights: dict[str, int] = {}
    foreign: list[str] = []

    def check(page: Any, label: str) -> None:
        total = 0
        for url in page.evaluate(RESOURCES):
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != site.server.http:
                foreign.append(f"{label}: {url}")
            elif parts.path.endswith((".js", ".css")):
                total += compressed_size(parts.path)
        weights[label] = total

    unreachable = visit_all(browser, site, "fi", check, visitors_only=True)
    heaviest = max(weights.values())
    record(
        "weight",
        pages=len(weights),
        largest_kb=round(heaviest / 1024, 1),
        limit_kb=LIMIT_BYTES // 1024,
        third_party=len(foreign),
    )
    assert "\n".join(unreachable) == ""
    assert foreign == []
    assert heaviest > 0  # the measurement saw the files
    assert {label: w for label, w in weights.items() if w > LIMIT_BYTES} == {}
