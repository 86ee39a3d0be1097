"""Which help numbers the writer of a crisis message sees, and in which order.

An organisation lists its crisis numbers (``Organisation.crisis_numbers``, edited on
its settings page): each row has a number, names and descriptions per language, and
``categories``, the crisis categories the number is for (empty: every crisis). When a
message signals a crisis (:mod:`kuulolla.moderation.crisis`), the writer gets:

1. for each of the signal's categories, most urgent first, the organisation's numbers
   for it, or where it has none, the national service the category needs
   (:data:`NATIONAL`: the Poison Information Centre for an overdose or a poisoning),
   so the right number is there even before anyone set it;
2. the organisation's numbers for every crisis.

A category may also have a note to the writer (:data:`NOTES`): what to do now, in
plain words. The room page lists all of the organisation's numbers at all times.

Pure: no I/O; rows are the JSON the organisation stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kuulolla.core.i18n import N_
from kuulolla.moderation.crisis_lexicon import CATEGORIES, Category

# The categories as staff read them (alerts, the crisis numbers form; the reports
# name them alike).
LABELS: dict[str, str] = {
    "overdose": N_("Overdose or poisoning"),
    "suicide": N_("Suicide"),
    "self_harm": N_("Self-harm"),
    "violence": N_("Violence"),
    "abuse": N_("Abuse"),
    "eating": N_("Disordered eating with danger signs"),
}

# National services a category needs, shown when the organisation has no number for
# it. Myrkytystietokeskus (HUS) answers around the clock.
NATIONAL: dict[str, list[dict[str, Any]]] = {
    "overdose": [
        {
            "number": "0800 147 111",
            "name": {
                "fi": "Myrkytystietokeskus",
                "sv": "Giftinformationscentralen",
                "en": "Poison Information Centre",
            },
            "description": {
                "fi": "Neuvoo myrkytyksissä ja lääkkeiden yliannostuksissa ympäri vuorokauden.",
                "sv": "Ger råd vid förgiftningar och överdoser dygnet runt.",
                "en": "Advice on poisonings and overdoses around the clock.",
            },
            "categories": ["overdose"],
        }
    ],
}

# What the writer should do now, for the categories where that is more than talking.
NOTES: dict[str, str] = {
    "overdose": N_(
        "If someone has taken too much of a medicine, a drug or alcohol, or swallowed something poisonous, and is hard to wake, breathes oddly or has seizures, call 112 now. The Poison Information Centre gives advice around the clock."
    ),
    "eating": N_(
        "Going without food for days, vomiting after meals and fainting strain the heart. If you faint, have chest pain or feel your heart beating unevenly, call 112. A nurse or doctor at your health centre can help too."
    ),
}


def categories_of(row: dict[str, Any]) -> tuple[Category, ...]:
    """The categories a stored row is for (empty: every crisis), in severity order."""
    given = row.get("categories") or ()
    return tuple(c for c in CATEGORIES if c in given)


def help_numbers(rows: Sequence[dict[str, Any]], categories: Iterable[str]) -> list[dict[str, Any]]:
    """The rows the writer of a message with ``categories`` sees, in order (see the
    module docstring); a number is listed once."""
    wanted = [c for c in CATEGORIES if c in set(categories)]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(row: dict[str, Any]) -> None:
        digits = "".join(ch for ch in str(row.get("number", "")) if ch.isdigit())
        if digits not in seen:
            seen.add(digits)
            out.append(row)

    for category in wanted:
        own = [row for row in rows if category in categories_of(row)]
        for row in own or NATIONAL.get(category, []):
            add(row)
    for row in rows:
        if not categories_of(row):
            add(row)
    return out


def note_for(categories: Iterable[str]) -> str | None:
    """The msgid of the note for the most urgent of ``categories`` that has one."""
    given = set(categories)
    return next((NOTES[c] for c in CATEGORIES if c in given and c in NOTES), None)
