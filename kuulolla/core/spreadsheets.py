"""What every CSV file for coordinators' spreadsheets shares (reports, shift hours, the
directory's open data): UTF-8 with a byte-order mark, so a spreadsheet reads the
letters right, and text cells defused.

A text cell a spreadsheet would take for a formula (starting ``=``, ``+``, ``-``,
``@``, tab or CR) gets a leading ``'`` (OWASP: CSV injection); numbers need none.
"""

from __future__ import annotations

BOM = "\ufeff"


def defuse(value: str) -> str:
    """The text with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
