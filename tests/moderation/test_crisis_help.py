"""Which help numbers the writer of a crisis message sees, and in which order."""

from __future__ import annotations

from typing import Any

import pytest

from kuulolla.moderation.crisis_help import NATIONAL, NOTES, help_numbers, note_for


def row(number: str, *categories: str) -> dict[str, Any]:
    out: dict[str, Any] = {"number": number, "name": {"fi": number}}
    return out | ({"categories": list(categories)} if categories else {})


GENERAL = row("09 2525 0111")
EMERGENCY = row("112")
SYLI = row("0400 000 000", "eating")
NOLLA = row("080 000 000", "violence", "abuse")
POISON = NATIONAL["overdose"][0]["number"]


@pytest.mark.parametrize(
    ("rows", "categories", "numbers"),
    [
        # a category with numbers of its own: those first, then the general ones
        ([GENERAL, SYLI, EMERGENCY], ["eating"], ["0400 000 000", "09 2525 0111", "112"]),
        # other categories' numbers are left out
        ([GENERAL, SYLI, NOLLA], ["suicide"], ["09 2525 0111"]),
        # most urgent category first: abuse before eating
        (
            [SYLI, NOLLA, GENERAL],
            ["abuse", "eating"],
            ["080 000 000", "0400 000 000", "09 2525 0111"],
        ),
        # no number of its own for an overdose: the Poison Information Centre first
        ([GENERAL, EMERGENCY], ["overdose", "suicide"], [POISON, "09 2525 0111", "112"]),
        # the organisation's own poison number replaces the national one
        (
            [GENERAL, row("0800 147 111", "overdose")],
            ["overdose"],
            ["0800 147 111", "09 2525 0111"],
        ),
        # a number listed twice is shown once
        ([row("112", "violence"), EMERGENCY], ["violence"], ["112"]),
        # no numbers at all: only the national service a category needs
        ([], ["overdose"], [POISON]),
        ([], ["suicide"], []),
    ],
)
def test_help_numbers(
    rows: list[dict[str, Any]], categories: list[str], numbers: list[str]
) -> None:
    """The category's own numbers (or the national service) first, then every-crisis ones."""
    assert [r["number"] for r in help_numbers(rows, categories)] == numbers


def test_note_of_the_most_urgent_category() -> None:
    """An overdose note wins over an eating one; a category without a note gives none."""
    assert note_for(["eating", "overdose"]) == NOTES["overdose"]
    assert note_for(["eating"]) == NOTES["eating"]
    assert note_for(["suicide", "violence"]) is None
