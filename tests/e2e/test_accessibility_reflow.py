"""Reflow and user preferences: every page at 320 CSS pixels and at 200 % zoom without
horizontal scrolling (WCAG 1.4.10), and no motion for those who ask for less."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import new_page
from tests.e2e.test_accessibility import WALK_TIMEOUT, Check, Site, record, room_with_messages

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# 320 CSS pixels is WCAG's reflow width (1280 px at 400 %); a 1280 × 720 screen at
# 200 % zoom is 640 × 360 CSS pixels.
WIDTHS = ((320, 640), (640, 360))

# Elements wider than the viewport, for the failure message.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.closest('.visually-hidden'))
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
}"""


class ReflowCheck(Check):
    """Each page and state at each of ``WIDTHS``; puts the viewport back as it was."""

    def run(self, page: Any, label: str) -> None:
        viewport = page.viewport_size
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide = page.evaluate(OVERFLOWING)
                self.problems.append(f"{label} at {width} px: {scroll} px wide {wide}")
        page.set_viewport_size(viewport)


@pytest.mark.timeout(WALK_TIMEOUT)
def test_pages_reflow_without_horizontal_scrolling(finnish_walk: dict[str, Check]) -> None:
    """Every page and state fits 320 CSS pixels, and 1280 px at 200 % zoom, without
    scrolling sideways."""
    check = finnish_walk["reflow"]
    record(
        "reflow",
        stops=len(check.stops),
        widths=[w for w, _ in WIDTHS],
        problems=len(check.problems) + len(check.unreachable),
    )
    assert "\n".join(check.unreachable) == ""
    assert "\n".join(check.problems) == ""


MOVING = """() => [...document.querySelectorAll('*')].filter(el => {
  const style = getComputedStyle(el);
  const animated = style.animationName !== 'none' &&
    style.animationDuration.split(',').some(d => parseFloat(d) > 0);
  const transition = style.transitionDuration.split(',').some(d => parseFloat(d) > 0);
  return animated || transition || style.scrollBehavior === 'smooth';
}).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''))"""


def test_reduced_motion_is_respected(browser: Any, site: Site) -> None:
    """With prefers-reduced-motion, nothing on the visitor pages animates, transitions or
    scrolls smoothly, also while chatting."""
    page = new_page(browser, reduced_motion="reduce")
    for path in ("/", "/about", "/questions", "/questions/ask"):
        page.goto(f"{site.server.http}{path}")
        assert page.evaluate(MOVING) == [], path
    page.goto(f"{site.server.http}/rooms/{site.samples['open_room']}")
    room_with_messages(page, site.server)
    assert page.evaluate(MOVING) == []
    page.context.close()


def test_dark_scheme_is_used_when_preferred(browser: Any, site: Site) -> None:
    """prefers-color-scheme: dark gives the dark theme (its contrast is checked by the
    axe test in the dark scheme)."""
    colours = {}
    for scheme in ("light", "dark"):
        page = new_page(browser, color_scheme=scheme)
        page.goto(site.server.http)
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.context.close()
    assert colours == {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 23, 28)"}
