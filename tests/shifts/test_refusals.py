"""Every refusal has a stable code, a Finnish and Swedish message, and is documented."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kuulolla.core.i18n import date_text, datetime_text, gettext
from kuulolla.shifts.refusals import MESSAGES, ShiftRefused, format_params, refuse
from tests.shifts.make import hki

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code", sorted(MESSAGES))
@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_every_refusal_is_translated(code: str, locale: str) -> None:
    """Each refusal message has a real translation, not the English text."""
    assert gettext(locale, MESSAGES[code]) != MESSAGES[code]


def test_every_refusal_code_is_documented() -> None:
    """docs/architecture.md lists every refusal code."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert [c for c in sorted(MESSAGES) if f"`{c}`" not in text] == []


def test_unknown_code_is_a_programming_error() -> None:
    """Refusing with a code that has no message fails at once."""
    with pytest.raises(KeyError):
        refuse("no_such_reason")


def test_error_carries_code_status_and_translation() -> None:
    """refusal.error() is an AppError with the refusal's code, 409, and the same translation."""
    refusal = refuse("rest_too_short", rest=timedelta(hours=11), gap=timedelta(hours=7, minutes=15))
    error = refusal.error()
    assert isinstance(error, ShiftRefused)
    assert (error.code, error.status) == ("rest_too_short", 409)
    assert error.translated("fi") == refusal.translated("fi")
    assert error.translated("sv") == (
        "Mellan passen behövs minst 11 h vila. Här skulle det bli bara 7,25 h."
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fi", {"h": "7,5", "x": "2,25", "n": 3}),
        ("sv", {"h": "7,5", "x": "2,25", "n": 3}),
        ("en", {"h": "7.5", "x": "2.25", "n": 3}),
    ],
)
def test_parameters_are_formatted_for_the_reader(locale: str, expected: dict) -> None:
    """Hours and decimals take the reader's decimal mark (a comma in Finnish and Swedish);
    instants and days are written as the pages write them (Helsinki time)."""
    params = {
        "h": timedelta(hours=7, minutes=30),
        "at": hki(2026, 3, 29, 18),
        "day": date(2026, 3, 29),
        "x": 2.25,
        "n": 3,
    }
    formatted = format_params(locale, params)
    assert formatted == {
        **expected,
        "at": datetime_text(hki(2026, 3, 29, 18), locale),
        "day": date_text(date(2026, 3, 29), locale),
    }


def test_dates_match_the_pages_filters() -> None:
    """A refusal writes an instant exactly as the |datetime filter of a page does."""
    from kuulolla.web.templating import environment

    at = hki(2026, 3, 29, 18)
    for locale in ("fi", "sv", "en"):
        refusal = refuse("check_in_too_early", opens=at)
        shown = environment(locale).from_string("{{ at|datetime }}").render(at=at)
        assert shown in refusal.translated(locale)
