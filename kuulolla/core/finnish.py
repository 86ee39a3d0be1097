"""Finnish words to base forms, through Voikko.

Finnish inflects heavily: "parisuhteessa", "parisuhteesta" and "parisuhde" are one
word to a reader, and compounds carry meaning in their parts ("koulukiusaamisesta" is
"koulu" + "kiusata"). Search and word filters therefore work on the base forms and
compound parts Voikko gives (Debian packages libvoikko1 and voikko-fi, Python binding
``libvoikko``).

Where Voikko is missing the service still runs: :func:`analyser` logs one warning and
falls back to the lowercased word itself, so exact forms still match.

Voikko handles are not thread-safe; use :func:`analyser` from the event loop thread or
create one :class:`Finnish` per thread.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

log = logging.getLogger(__name__)

# Letters with inner hyphens or apostrophes ("sosiaali- ja terveysala" splits at the
# space; "vaimo-parka" stays one token), or runs of digits.
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+")
_WORDBASES = re.compile(r"\+([^(+]+)\(([^)]*)\)")
_VERB_PARTICIPLES = frozenset({"past_active", "past_passive", "present_active"})


@dataclass(frozen=True, slots=True)
class Analysis:
    """One word: its lowercased surface form, its base forms and its compound parts.

    ``roots`` are the words a derived word is made from ("ahdistuneisuus" → "ahdistaa",
    "väsynyt" → "väsyä"): broader than base forms, so search uses them and word filters
    do not.
    """

    word: str
    bases: tuple[str, ...]  # participles also give their verb ("tehnyt": "tehdä")
    parts: tuple[str, ...]
    known: bool  # Voikko recognised the word
    roots: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """Base forms then compound parts, without repeats."""
        seen: dict[str, None] = dict.fromkeys(self.bases)
        for part in self.parts:
            seen.setdefault(part, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """Words of ``text`` with their positions (NFC-normalised input assumed)."""
    for match in WORD.finditer(text):
        yield Token(match.group(), match.start(), match.end())


class Finnish:
    """Base forms of Finnish words, cached."""

    def __init__(self, *, cache_size: int = 200_000) -> None:
        self._voikko: Any = None
        try:
            import libvoikko

            self._voikko = libvoikko.Voikko("fi")
        except (ImportError, OSError, Exception) as exc:  # library or dictionary missing
            log.warning(
                "finnish.voikko_unavailable: %s; Finnish words match only in the form written",
                type(exc).__name__,
                extra={"event": "finnish.voikko_unavailable"},
            )
        self._cached = lru_cache(maxsize=cache_size)(self._analyse)

    @property
    def available(self) -> bool:
        return self._voikko is not None

    def _analyse(self, word: str) -> Analysis:
        lowered = unicodedata.normalize("NFC", word).lower()
        if self._voikko is None or not lowered or lowered.isdigit():
            return Analysis(lowered, (lowered,), (), False)
        results = self._voikko.analyze(word) or self._voikko.analyze(lowered)
        if not results:
            return Analysis(lowered, (lowered,), (), False)
        bases: dict[str, None] = {}
        parts: dict[str, None] = {}
        roots: dict[str, None] = {}
        for result in results:
            base = (result.get("BASEFORM") or lowered).lower()
            bases.setdefault(base, None)
            found = [
                b.lower()
                for _, b in _WORDBASES.findall(result.get("WORDBASES") or "")
                if b and not b.startswith("+")  # "+inen" and the like are suffixes, not words
            ]
            if len(found) > 1:
                for part in found:
                    parts.setdefault(part, None)
            elif found and result.get("PARTICIPLE") in _VERB_PARTICIPLES:
                # "satuttanut" has the base form "satuttanut"; its verb "satuttaa"
                # is what a reader (and a word filter) means. Likewise the present
                # participle of reported speech: "sanoi haluavansa kuolla".
                bases.setdefault(found[0], None)
            elif found and found[0] != base:
                roots.setdefault(found[0], None)
        return Analysis(
            lowered,
            tuple(bases),
            tuple(p for p in parts if p not in bases),
            True,
            tuple(r for r in roots if r not in bases and r not in parts),
        )

    def analyse(self, word: str) -> Analysis:
        """Base forms and compound parts of one word (cached)."""
        return self._cached(word)

    def suggest(self, word: str) -> tuple[str, ...]:
        """Voikko's spelling suggestions for a word, best first (not cached: a call
        takes from a few to some tens of milliseconds, so callers keep the results)."""
        if self._voikko is None or not word:
            return ()
        return tuple(self._voikko.suggest(word) or ())

    def forms(self, text: str) -> list[str]:
        """Every base form and compound part of every word in ``text``, in order."""
        out: list[str] = []
        for token in tokens(text):
            out.extend(self.analyse(token.text).forms)
        return out

    def bases(self, text: str) -> list[str]:
        """The first base form of every word in ``text``, in order (for phrase matching)."""
        return [self.analyse(token.text).bases[0] for token in tokens(text)]


@cache
def analyser() -> Finnish:
    """The process's shared analyser (event loop thread only)."""
    return Finnish()
