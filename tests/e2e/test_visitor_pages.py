"""What every visitor page must hold, checked on the accessibility walks' stops (one load
of each page of tests/e2e/test_accessibility.py's table, in fi, sv and en): the crisis
help strip with the emergency number and a crisis line in the page's language, on the
first screen; and nothing private kept by the browser: no cookie that outlives the
session, no claim code in an address, no search words in a title."""

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


class TracesCheck(Check):
    """What the browser keeps of a visitor page: every cookie ends with the session, the
    address holds no claim code (an old link's form excepted: it was given out with the
    code), and neither the title nor the address holds the words of a search."""

    visitors_only = True

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.code = site.samples["claim"]

    def run(self, page: Any, label: str) -> None:
        for cookie in page.context.cookies():
            if cookie["expires"] != -1:
                self.problems.append(f"{label}: cookie {cookie['name']} outlives the session")
        if self.code in page.url and not label.startswith("questions_claim_page "):
            self.problems.append(f"{label}: the claim code is in the address")
        # The searches of the question archive and the directory (an archive list of
        # the tag "yksinäisyys" is public and may name it).
        if label.startswith(("questions_search ", "directory ")):
            if "yksinäisyys" in page.title().lower():
                self.problems.append(f"{label}: the search words are in the title")
            if "yksin" in page.url.lower():
                self.problems.append(f"{label}: the search words are in the address")


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


@pytest.mark.timeout(WALK_TIMEOUT)
def test_no_visitor_page_leaves_private_traces(
    browser: Any, site: Site, finnish_walk: dict[str, Check]
) -> None:
    """No visitor page or state sets a cookie that outlives the session, puts a claim
    code in the address or the search words in the title or the address."""
    check = finnish_walk["traces"]
    assert len(check.stops) > 20
    assert "\n".join(check.unreachable) == ""
    assert "\n".join(check.problems) == ""
