"""Confusable characters: the skeletons of Unicode's UTS #39.

Two strings that look alike ("Kaisa" with a Cyrillic "а", "𝐊𝐚𝐢𝐬𝐚", "Ka1sa" against
"Kalsa") have the same *skeleton* (UTS #39, section 4): the string decomposed (NFD),
each character replaced by the prototype it may be confused with, decomposed again.
The mapping is Unicode's ``confusables.txt``, kept in ``data/`` with its licence
(``data/confusables.LICENSE.txt`` says which version and how to update it); nothing
is fetched at run time.

A skeleton is for comparing, never for showing: it maps "m" to "rn" and "0" to "O".
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "confusables.txt"


@cache
def prototypes() -> dict[str, str]:
    """Character → the prototype it is confusable with, from ``confusables.txt``."""
    table: dict[str, str] = {}
    for line in DATA.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = fields[0].strip()
        target = fields[1].split()
        table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target)
    return table


@cache
def _table() -> dict[int, str]:
    return {ord(source): target for source, target in prototypes().items()}


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of ``text``: equal skeletons mean the texts look alike.

    Format characters (zero-width joiners, direction marks: Unicode's default
    ignorables that have a category) are dropped first, as the standard asks."""
    decomposed = unicodedata.normalize("NFD", text)
    if not decomposed.isprintable():  # only then can there be a format character
        decomposed = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFD", decomposed.translate(_table()))
