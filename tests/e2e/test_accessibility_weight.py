"""Weight: a visitor on a slow phone connection gets the pages fast. Each visitor page
(and state) loads at most 100 KB of our own scripts and styles, measured compressed from
the files the server serves, and makes no request to another site."""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import urlsplit

import pytest

from kuulolla.web.app import STATIC_DIR
from tests.e2e.test_accessibility import WALK_TIMEOUT, Check, Site, record

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LIMIT_BYTES = 100 * 1024

# Every resource the page loaded (scripts, module imports, styles, images, fonts).
RESOURCES = "performance.getEntriesByType('resource').map(e => e.name)"


def compressed_size(path: str) -> int:
    """Bytes of a static file gzipped, as a compressing proxy would send it."""
    file = (STATIC_DIR / path.removeprefix("/static/")).resolve()
    assert file.is_relative_to(STATIC_DIR), path
    return len(gzip.compress(file.read_bytes(), compresslevel=9))


class WeightCheck(Check):
    """What each visitor page and state loaded: our own JS and CSS, gzipped, and what
    came from another origin. Reads the page only."""

    visitors_only = True

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.origin = site.server.http
        self.weights: dict[str, int] = {}
        self.foreign: list[str] = []

    def run(self, page: Any, label: str) -> None:
        total = 0
        for url in page.evaluate(RESOURCES):
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != self.origin:
                self.foreign.append(f"{label}: {url}")
            elif parts.path.endswith((".js", ".css")):
                total += compressed_size(parts.path)
        self.weights[label] = total


@pytest.mark.timeout(WALK_TIMEOUT)
def test_visitor_pages_are_light_and_load_nothing_from_elsewhere(
    finnish_walk: dict[str, Check],
) -> None:
    """Every visitor page and state loads at most 100 KB of own JS and CSS (gzipped) and
    nothing from another origin."""
    check = finnish_walk["weight"]
    assert isinstance(check, WeightCheck)
    weights = check.weights
    heaviest = max(weights.values())
    record(
        "weight",
        pages=len(weights),
        largest_kb=round(heaviest / 1024, 1),
        limit_kb=LIMIT_BYTES // 1024,
        third_party=len(check.foreign),
    )
    assert "\n".join(check.unreachable) == ""
    assert check.foreign == []
    assert heaviest > 0  # the measurement saw the files
    assert {label: w for label, w in weights.items() if w > LIMIT_BYTES} == {}
