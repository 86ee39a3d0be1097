"""What every visitor page must hold, checked on the accessibility walks' stops (one load
of each page of tests/e2e/test_accessibility.py's table, in fi, sv and en): the crisis
help strip with the emergency number and a crisis line in the page's language, on the
first screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_accessibility import WALK_TIMEOUT, Check, Page, Site

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Pages that anonymous people open which are not for visitors (signing in as staff),
# and the offline page, which is every organisation's crisis numbers itself.
STAFF_ENTRY = frozenset({"sign_in", "second_factor", "welcome", "offline"})
# The crisis line the strip lists in each language (web/crisis.py, and the demo
# organisations' own number, the same Finnish line).
LINES = {"fi": "09 2525 0111", "sv": "09 2525 0112", "en": "09 2525 0111"}


class CrisisCheck(Check):
    """The crisis strip on a visitor page: visible in the first screen, with 112 and the
    language's crisis line as phone links."""

    states = False
    visitors_only = True

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def wants(self, way: Page, state: Any) -> bool:
        route = next((name for name, ways in _pages().items() if way in ways), "")
        return super().wants(way, state) and route not in STAFF_ENTRY

    def run(self, page: Any, label: str) -> None:
        strip = page.locator("#crisis-help")
        if strip.count() != 1 or not strip.is_visible():
            self.problems.append(f"{label}: no crisis help")
            return
        box = strip.bounding_box()
        if box is None or box["y"] > page.viewport_size["height"] / 2:
            self.problems.append(f"{label}: the crisis help is below the first half screen")
        links = strip.locator(".crisis-help__list a[href^='tel:']").all_inner_texts()
        for number in ("112", LINES[self.lang]):
            if number not in links:
                self.problems.append(f"{label}: {number} not in the crisis help ({links})")


def _pages() -> dict[str, list[Page]]:
    from tests.e2e.test_accessibility import PAGES

    return PAGES


@pytest.mark.timeout(WALK_TIMEOUT)
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_visitor_page_shows_crisis_help(
    browser: Any, site: Site, lang: str, request: pytest.FixtureRequest
) -> None:
    """Every visitor page (front page, rooms open and closed, chat topics, the question
    archive, the privacy notice, ...) shows 112 and a crisis line in its language in the
    first screen: the Swedish-language line on Swedish pages."""
    walks = request.getfixturevalue("finnish_walk" if lang == "fi" else "other_walks")
    check = walks[f"crisis {lang}"]
    assert len(check.stops) > 20
    assert "\n".join(check.unreachable) == ""
    assert "\n".join(check.problems) == ""
