"""The accessibility statement (saavutettavuusseloste), built from the results of the
accessibility tests and the known limitations below.

The browser tests in ``tests/e2e/test_accessibility*.py`` write what they checked and
found into ``accessibility.json`` next to this module (the file changes only when the
pages or the checks change). Known limitations are written here by hand, in plain words,
and translated like every other string.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from kuulolla.core.i18n import N_

RESULTS = Path(__file__).resolve().parent / "accessibility.json"

# What does not meet WCAG 2.1 AA yet, or what the checks cannot tell. Keep it honest:
# remove a line when the limitation is gone, add one when a problem is known.
KNOWN_LIMITATIONS = [
    N_(
        "The pages are checked automatically on every change, but they have not yet been "
        "tested by people who use a screen reader, a screen magnifier or speech control."
    ),
    N_(
        "Organisations write the names and descriptions of their rooms themselves. When a "
        "room has no Swedish or English text, the Finnish text is shown."
    ),
    N_(
        "Messages in the rooms and questions in the archive are written by visitors and "
        "volunteers, and are not always in plain language."
    ),
    N_(
        "Plain-language texts cover what the service is, anonymity and the house rules. "
        "The other pages are in standard language."
    ),
]


@cache
def results() -> dict[str, Any]:
    """The recorded test results (empty when the tests have never written them)."""
    try:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
