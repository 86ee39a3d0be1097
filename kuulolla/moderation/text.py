"""Words of a message with every form a rule may match on.

Word lists and the crisis detector both match on what a word *is*, not how it is
written: "huoraksi" is "huora", "haluun" is "haluta", "mä" is "minä". Each word of a
message therefore carries a set of forms:

- its lowercased surface form ("haluun"),
- its Voikko base forms and compound parts ("halu"; "huoranpenikka" gives "huora"
  and "penikka"), see :mod:`kuulolla.core.finnish`,
- the base forms of colloquial spellings Voikko does not know, from
  ``data/colloquial.txt`` ("mä" → "minä", "ittení" → "itse", "haluun" → "haluta"),
- for other words Voikko does not know, the analysis of the written form the spoken
  one most likely stands for (:func:`spoken_variants`: "yrittäny" → "yrittänyt",
  "tönäs" → "tönäsi", "hakattii" → "hakattiin", "itsetuhosia" → "itsetuhoisia").

Without Voikko only the surface form and the colloquial table remain, so exact forms
still match. A message is analysed once per screening and the forms of a word are
cached per analyser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from kuulolla.core.finnish import WORD, Finnish

DATA = Path(__file__).resolve().parent / "data"

# A sentence ends at sentence punctuation or a line break; a comma or a dash also
# ends a clause, for the purpose of negation scope ("en tiedä, haluan kuolla").
_SENTENCE_BREAK = frozenset(".!?;\n…")
_CLAUSE_BREAK = frozenset(":,–—") | _SENTENCE_BREAK
_ACCENTS = str.maketrans("áàâéèêíìîóòôúùûýÁÀÂÉÈÊÍÌÎÓÒÔÚÙÛÝ", "aaaeeeiiiooouuuyaaaeeeiiiooouuuy")


class Word(NamedTuple):
    """One word of a message: where it is, and every form it can be matched on."""

    start: int
    end: int
    lower: str
    forms: frozenset[str]
    clause: int  # index of the clause the word is in; words of one clause share it
    sentence: int  # likewise for sentences


@cache
def colloquial() -> dict[str, tuple[str, ...]]:
    """Colloquial spelling → base forms, from ``data/colloquial.txt``."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (DATA / "colloquial.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        surface, *bases = line.split()
        table[surface.lower()] = tuple(b.lower() for b in bases)
    return table


class Analyser:
    """Words of a text with their forms; the forms of each word are cached."""

    def __init__(self, finnish: Finnish, *, cache_size: int = 100_000) -> None:
        self.finnish = finnish
        self._table = colloquial()
        self._forms = lru_cache(maxsize=cache_size)(self._compute_forms)

    def _compute_forms(self, written: str) -> frozenset[str]:
        lower = written.lower().replace("’", "'")
        forms = {lower}
        if not lower.isdigit():
            analysis = self.finnish.analyse(written)
            forms.update(analysis.forms)
            extra = self._table.get(lower) or self._table.get(lower.translate(_ACCENTS))
            if extra:
                forms.update(extra)
            elif not analysis.known and self.finnish.available:
                for variant in spoken_variants(lower):
                    found = self.finnish.analyse(variant)
                    if found.known:
                        forms.update(found.forms)
                        break
        return frozenset(forms)

    def words(self, text: str) -> tuple[Word, ...]:
        """Every word of ``text`` in order (letters with inner hyphens, or digit runs)."""
        out: list[Word] = []
        clause = sentence = 0
        previous_end = 0
        forms = self._forms
        new = tuple.__new__  # a Word without the Python-level call of its __new__
        for match in WORD.finditer(text):
            start, end = match.span()
            if start - previous_end > 1 or (start > previous_end and text[previous_end] != " "):
                between = set(text[previous_end:start])
                if not between.isdisjoint(_CLAUSE_BREAK):
                    clause += 1
                    if not between.isdisjoint(_SENTENCE_BREAK):
                        sentence += 1
            written = match.group()
            out.append(new(Word, (start, end, written.lower(), forms(written), clause, sentence)))
            previous_end = end
        return tuple(out)


# Spoken Finnish drops sounds at the end of a word: the past participle's "-t"
# ("yrittäny", "ollu"), the "-i" of the past and the conditional ("tönäs", "ajais",
# "pitäiskö"),
# of translatives ("valmiiks") and the "-n" of passives and illatives ("hakattii"); and
# the "i" of "-inen" adjectives ("itsetuhosia"). Tried only for words Voikko does not
# know, first match wins.
_SPOKEN_ENDINGS: tuple[tuple[str, str], ...] = (
    ("nu", "nut"), ("ny", "nyt"), ("lu", "lut"), ("ly", "lyt"), ("ru", "rut"),
    ("ry", "ryt"), ("su", "sut"), ("sy", "syt"), ("is", "isi"), ("ks", "ksi"),
    ("as", "asi"), ("äs", "äsi"), ("ii", "iin"), ("aa", "aan"), ("ää", "ään"),
    ("sko", "siko"), ("skö", "sikö"),
)  # fmt: skip
_SPOKEN_INEN = re.compile(r"(?<=[aeiouyäö])(?=s(?:et|ia|iä|en|ta|tä|elle|ella|ellä|eksi)$)")


def spoken_variants(word: str) -> list[str]:
    """Written forms that a spoken form Voikko does not know may stand for, most likely
    first ("yrittäny" → ["yrittänyt"])."""
    out = [word[: -len(ending)] + tail for ending, tail in _SPOKEN_ENDINGS if word.endswith(ending)]
    inen = _SPOKEN_INEN.sub("i", word, count=1)
    if inen != word:
        out.append(inen)
    return out


_analysers: dict[int, Analyser] = {}


def analyser_for(finnish: Finnish) -> Analyser:
    """The shared :class:`Analyser` of a Finnish analyser (one per Voikko handle)."""
    found = _analysers.get(id(finnish))
    if found is None or found.finnish is not finnish:
        found = _analysers[id(finnish)] = Analyser(finnish)
    return found


def normalise(text: str) -> str:
    """NFC; the screening rules assume it (the chat core already normalises)."""
    return unicodedata.normalize("NFC", text)
