"""Keyboard only: the main flows without a mouse, every control reachable with Tab in
order, no traps, a visible focus indicator, and live updates that do not take focus."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import new_page
from tests.e2e.test_accessibility import WALK_TIMEOUT, Check, Site, record

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Marks each element that Tab should reach with data-kbd="<n>" (radio buttons of a
# group share one mark: Tab enters the group once, arrows move inside it) and returns
# how many marks there are.
MARK_TABBABLE = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]';
  for (const el of document.querySelectorAll('[data-kbd]')) delete el.dataset.kbd;
  let n = 0;
  const groups = new Map();
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled || el.type === 'hidden') continue;
    if (el.closest('[hidden], [inert]')) continue;
    if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (box.width === 0 && box.height === 0) continue;
    if (el.type === 'radio' && el.name) {
      const key = (el.form ? el.form.id || 'f' : 'doc') + ':' + el.name;
      if (!groups.has(key)) groups.set(key, String(n++));
      el.dataset.kbd = groups.get(key);
      continue;
    }
    el.dataset.kbd = String(n++);
  }
  return n;
}"""

# What the focused element is and whether its focus can be seen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // Date and time fields take focus in their day, month and year parts, which the
  // browser highlights itself.
  const segmented = el.tagName === 'INPUT' && /^(date|time|datetime-local|month|week)$/.test(el.type);
  const outline = segmented || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2);
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return {mark: el.dataset.kbd ?? null, visible: outline || !!shadow,
          what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.textContent ? ' "' + el.textContent.trim().slice(0, 30) + '"' : '')};
}"""

# Notes what has focus after each Tab (when the key comes up, focus has moved), so a
# run of presses is read back in one call instead of one call per press.
RECORD_FOCUS = (
    """() => {
  window.__kbdLog = [];
  const focused = """
    + FOCUSED
    + """;
  window.addEventListener('keyup', (e) => {
    if (e.key === 'Tab') window.__kbdLog.push(focused());
  }, true);
}"""
)
TAKE_RECORDED = "() => window.__kbdLog.splice(0)"


def tab_through(page: Any, count: int) -> list[dict[str, Any] | None]:
    """Presses Tab until focus leaves the page or has been on ``count`` marked controls
    (at most ``count * 3 + 5`` presses: a date field takes three); returns what had focus
    after each press, None where focus left the page."""
    page.evaluate(RECORD_FOCUS)
    budget = count * 3 + 5
    seen: list[dict[str, Any] | None] = []
    while len(seen) < budget:
        reached = {f["mark"] for f in seen if f is not None and f["mark"] is not None}
        presses = min(budget - len(seen), count - len(reached) + 1)
        for _ in range(presses):
            page.keyboard.press("Tab")
        got = page.evaluate(TAKE_RECORDED)
        # A press whose key-up the page never saw moved focus out of the page.
        seen.extend([*got, *[None] * (presses - len(got))])
        reached = {f["mark"] for f in seen if f is not None and f["mark"] is not None}
        if None in seen or len(reached) >= count:
            break
    return seen


START_AT_TOP = """() => {
  const start = document.createElement('span');
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
}"""


def tab_to(page: Any, selector: str, *, limit: int = 80) -> int:
    """Press Tab until the element matching ``selector`` has focus; returns the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector}")


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement?.id || ''"))


class KeyboardCheck(Check):
    """Tab from the top of each page as loaded (not its states): every control reached
    once in turn, the skip link first, each with a visible focus. Marks the controls and
    moves focus, so it runs last on a page."""

    states = False

    def run(self, page: Any, label: str) -> None:
        # A room's page changes while it is open (people arrive and leave, and the other
        # languages' walks visit the same rooms meanwhile): a control redrawn during the
        # pass loses its mark. A page whose first pass misses a control gets a second
        # pass; what both passes find is reported.
        first: list[str] = []
        self._pass(page, label, first)
        if first:
            again: list[str] = []
            self._pass(page, label, again)
            self.problems.extend(again)

    def _pass(self, page: Any, label: str, problems: list[str]) -> None:
        # Start from the top of the page, as after loading it (some pages move focus to
        # where the visitor acts; the walk starts from the top regardless).
        page.evaluate(START_AT_TOP)
        count = page.evaluate(MARK_TABBABLE)
        reached: list[str] = []
        # A date field takes three presses (day, month, year); stop when focus leaves
        # the page or every control has been reached.
        for focused in tab_through(page, count):
            if focused is None or len(set(reached)) == count:
                break
            if not focused["visible"]:
                problems.append(f"{label}: no visible focus on {focused['what']}")
            reached.append(focused["mark"])
        if not reached or reached[0] != "0":
            problems.append(f"{label}: the first Tab does not reach the skip link")
        if sorted(set(reached), key=lambda m: int(m or -1)) != [str(i) for i in range(count)]:
            missed = sorted(set(map(str, range(count))) - set(reached))
            problems.append(f"{label}: Tab did not reach controls {missed} (a trap or a skip)")


@pytest.mark.timeout(WALK_TIMEOUT)
def test_every_control_is_reached_by_tab_with_visible_focus(
    finnish_walk: dict[str, Check],
) -> None:
    """On every page, Tab reaches every control once in turn (no traps), the skip link
    first, and each focused control shows a focus indicator."""
    check = finnish_walk["keyboard"]
    record(
        "keyboard", stops=len(check.stops), problems=len(check.problems) + len(check.unreachable)
    )
    assert "\n".join(check.unreachable) == ""
    assert "\n".join(check.problems) == ""


def test_join_a_room_and_chat_by_keyboard(browser: Any, site: Site) -> None:
    """A visitor joins a room and sends a message with the keyboard alone; a message from
    someone else is announced in the polite log without taking focus."""
    room = site.samples["open_room"]
    page = new_page(browser)
    page.goto(f"{site.server.http}/rooms/{room}")
    assert focused_id(page) == "nick"  # the page starts where the visitor acts
    page.keyboard.type("Aino")
    page.keyboard.press("Tab")
    assert focused_id(page) == "remember"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator("#chat").wait_for(state="visible")
    page.wait_for_function("document.activeElement?.id === 'text'")
    page.keyboard.type("Hei, kirjoitan näppäimistöllä.")
    page.keyboard.press("Enter")
    page.locator(
        "#messages .message:not(.message--pending)", has_text="kirjoitan näppäimistöllä"
    ).wait_for()

    other = new_page(browser)
    other.goto(f"{site.server.http}/rooms/{room}")
    other.locator("#nick").fill("Bertta")
    other.locator("#nick").press("Enter")
    other.locator("#text").fill("Tervetuloa, Aino!")
    other.locator("#text").press("Enter")
    log = page.get_by_role("log")
    log.locator(".message__text", has_text="Tervetuloa, Aino!").wait_for()
    assert log.get_attribute("aria-live") == "polite"
    assert focused_id(page) == "text"
    page.context.close()
    other.context.close()


def test_ask_a_question_by_keyboard(browser: Any, site: Site) -> None:
    """A visitor fills in and sends the question form with the keyboard alone."""
    page = new_page(browser)
    page.goto(f"{site.server.http}/questions/ask")
    tab_to(page, "#category")
    page.keyboard.press("ArrowDown")
    assert page.locator("#category").input_value() != ""
    tab_to(page, "#body")
    page.keyboard.type("Miten voin tukea ystävää, joka on surullinen eikä halua puhua?")
    tab_to(page, "input[name=visibility]")
    page.keyboard.press("Space")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#ask-form button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(".claim-code").wait_for()
    assert page.locator(".claim-code__value").inner_text().strip() != ""
    page.context.close()


def test_sign_in_by_keyboard(browser: Any, site: Site) -> None:
    """A volunteer signs in with the keyboard alone: username, password, Enter."""
    page = new_page(browser)
    page.goto(f"{site.server.http}/sign-in")
    tab_to(page, "#f-username")
    page.keyboard.type("vapaaehtoinen.arki")
    page.keyboard.press("Tab")
    assert focused_id(page) == "f-password"
    page.keyboard.type(site.samples["password:vapaaehtoinen.arki"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.server.http}/staff")
    assert page.locator("h1").inner_text().startswith("Hei")
    page.context.close()
