"""Which numbers the crisis strip of a visitor page lists (kuulolla/web/crisis.py)."""

from __future__ import annotations

from typing import Any

import pytest

from kuulolla.web import crisis

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
