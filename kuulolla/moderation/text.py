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
  "tönäs" → "tönäsi", "hakattii" → "hakattiin", "itsetuhosia" → "itsetuhoisia"), or
  the word with stretched letters shortened ("kuollaaaa" → "kuolla", "eläää" →
  "elää") or a doubled letter made single ("halluan" → "haluan"),
- for a run of digits, the form ``<n>`` (any number) and, from 5 to 200, ``<many>``,
- in a message typed without å, ä and ö (a phone or a borrowed keyboard set to
  English), the forms of the word with its umlauts restored (:func:`umlaut_variants`:
  "elamaa" → "elämää", "paivaan" → "päivään", "ma" → "mä"). A word unknown as written
  gets them in :attr:`Word.forms`, in any message; in a message with no å, ä or ö at
  all, a word that is a word as written too ("paatin": a boat's, or
  "päätin": I decided; "laakkeita": flat ones, or "lääkkeitä": medicines) gets them in
  :attr:`Word.alt`, which the crisis rules read and word lists do not (a word list
  must not mask "laski" as "läski"),
- for a word still unknown in a message that is mostly Finnish, the forms of the words
  Voikko suggests for it that differ from it by one letter dropped or added, or two
  letters swapped, the first letter kept (:meth:`Analyser.suggested`:
  "raikattu" → "raiskattu", "viimenen" → "viimeinen", "itsemruha" → "itsemurha"), in
  :attr:`Word.alt` too. Voikko's suggestions cost milliseconds, so they are asked for
  at most three words of a message and kept per word.

The original text is never changed: words keep their offsets into it, so what is
shown and stored is what the person wrote.

Without Voikko only the surface form and the colloquial table remain, so exact forms
still match. A message is analysed once per screening and the forms of a word are
cached per analyser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from kuulolla.core.finnish import WORD, Finnish

DATA = Path(__file__).resolve().parent / "data"

# A sentence ends at sentence punctuation or a line break; a comma, a dash or a
# quotation mark also ends a clause, for the purpose of negation scope ("en tiedä,
# haluan kuolla") and of patterns that end a clause ('kirjoitti "en jaksa enää" ja').
_SENTENCE_BREAK = frozenset(".!?;\n…")
_CLAUSE_BREAK = frozenset(':,–—"“”„«»') | _SENTENCE_BREAK
_ACCENTS = str.maketrans("áàâéèêíìîóòôúùûýÁÀÂÉÈÊÍÌÎÓÒÔÚÙÛÝ", "aaaeeeiiiooouuuyaaaeeeiiiooouuuy")


class Word(NamedTuple):
    """One word of a message: where it is, and every form it can be matched on."""

    start: int
    end: int
    lower: str
    forms: frozenset[str]
    clause: int  # index of the clause the word is in; words of one clause share it
    sentence: int  # likewise for sentences
    # Further readings the crisis rules read and word lists do not: a word that is a
    # word as written in a message typed without umlauts ("paatin" → "päättää"), or a
    # misspelt one ("raikattu" → "raiskata"); see the module docstring.
    alt: frozenset[str] = frozenset()
    # Whether anything knew the word as written or with its umlauts restored (Voikko,
    # the colloquial table, a repaired spelling); misspellings are read for the others.
    known: bool = True


def with_alternatives(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """``words`` with each word's :attr:`Word.alt` merged into its forms (for rules
    that read a word every way it may have been meant). Returns ``words`` itself when
    no word has alternatives."""
    if not any(w.alt for w in words):
        return words
    return tuple(w._replace(forms=w.forms | w.alt, alt=frozenset()) if w.alt else w for w in words)


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
        self._entry = lru_cache(maxsize=cache_size)(self._compute_entry)
        self._restored = lru_cache(maxsize=cache_size)(self._compute_restored)
        self.suggested = lru_cache(maxsize=cache_size)(self._compute_suggested)

    def _forms(self, written: str) -> frozenset[str]:
        return self._entry(written)[0]

    def _compute_entry(self, written: str) -> tuple[frozenset[str], bool]:
        """The forms of a word as written, and whether it is known (to Voikko, the
        colloquial table or through a repaired spelling)."""
        lower = written.lower().replace("’", "'")
        if lower.isdigit():
            if MANY_RANGE[0] <= int(lower) <= MANY_RANGE[1]:
                return _MANY | {lower}, True
            return _NUMBER | {lower}, True
        found, known = self._analyse(lower, written)
        return frozenset({lower, *found}), known

    def _analyse(self, lower: str, written: str | None = None) -> tuple[set[str], bool]:
        analysis = self.finnish.analyse(written or lower)
        forms = set(analysis.forms)
        extra = self._table.get(lower) or self._table.get(lower.translate(_ACCENTS))
        if extra:
            forms.update(extra)
            return forms, True
        if analysis.known or not self.finnish.available:
            return forms, analysis.known
        for variant in repaired_variants(lower):
            extra = self._table.get(variant)
            if extra:
                forms.update(extra)
                return forms, True
            found = self.finnish.analyse(variant)
            if found.known:
                forms.update(found.forms)
                return forms, True
        return forms, False

    def _compute_restored(self, lower: str) -> frozenset[str]:
        """The forms of ``lower`` read with umlauts restored (empty when no reading is
        a known word)."""
        out: set[str] = set()
        for variant in umlaut_variants(lower):
            found, known = self._analyse(variant)
            if known:
                out.update(found)
                out.add(variant)
        return frozenset(out)

    def _compute_suggested(self, lower: str) -> frozenset[str]:
        """The forms of the word ``lower`` most likely misspells, with that word: the
        first of the cheap guesses of :func:`slip_variants` (a consonant doubled, two
        letters swapped back) that is a word, else the first word Voikko suggests that
        is one slip of typing away (:func:`one_edit`). One reading only: the further
        suggestions are mostly words nobody meant ("aikasemmin": "aikaisemmin", then
        "aikaremmin", "aikasammin")."""
        for candidate in slip_variants(lower):
            # A swap or a doubled consonant easily makes a compound nobody meant
            # ("viitelin" → "vitielin"): only whole words count here.
            analysis = self.finnish.analyse(candidate)
            if analysis.known and not analysis.parts:
                return frozenset({candidate, *analysis.forms})
        for suggestion in self.finnish.suggest(lower):
            candidate = suggestion.lower()
            if one_edit(lower, candidate):
                found, known = self._analyse(candidate)
                if known:
                    return frozenset({candidate, *found})
        return frozenset()

    def words(self, text: str) -> tuple[Word, ...]:
        """Every word of ``text`` in order (letters with inner hyphens, or digit runs)."""
        out: list[Word] = []
        clause = sentence = 0
        previous_end = 0
        entry = self._entry
        unknown: list[int] = []
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
            forms, known = entry(written)
            if not known:
                unknown.append(len(out))
            out.append(
                new(Word, (start, end, written.lower(), forms, clause, sentence, _NO_ALT, known))
            )
            previous_end = end
        if self.finnish.available:
            if _UMLAUTS.isdisjoint(text):
                self._restore(out, range(len(out)), set(unknown))
            elif unknown:
                self._restore(out, unknown, set(unknown))
            if unknown:
                self._suggest(out, unknown)
        return tuple(out)

    def _suggest(self, words: list[Word], unknown: list[int]) -> None:
        """Give words nothing was found for the readings of what they most likely
        misspell (see the module docstring), when most words of the message are known:
        a message in English or Swedish is not read as misspelt Finnish."""
        letters = [w for w in words if not w.lower.isdigit()]
        left = [i for i in unknown if not words[i].known]
        if not left or len(left) > max(1, len(letters) // 2):
            return
        suggested = self.suggested
        asked = 0
        for i in left:
            word = words[i]
            if not _SUGGEST_LENGTH[0] <= len(word.lower) <= _SUGGEST_LENGTH[1]:
                continue
            extra = suggested(word.lower)
            if extra:
                words[i] = word._replace(alt=extra - word.forms)
            asked += 1
            if asked == _SUGGEST_WORDS:
                return

    def _restore(self, words: list[Word], which: Iterable[int], unknown: set[int]) -> None:
        """Give the words at ``which`` their readings with umlauts restored (see the
        module docstring): into the forms of a word ``unknown`` as written, as
        alternatives of a known one."""
        restored = self._restored
        for i in which:
            word = words[i]
            if _FOLDABLE.isdisjoint(word.lower):
                continue
            extra = restored(word.lower)
            if not extra or extra <= word.forms:
                continue
            if i in unknown:
                words[i] = word._replace(forms=word.forms | extra, known=True)
            else:
                words[i] = word._replace(alt=extra - word.forms)


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


_NO_ALT: frozenset[str] = frozenset()
# Every run of digits also has this form, so a rule can say "a number of" ("söin 20
# panadolia").
NUMBER = "<n>"
_NUMBER = frozenset({NUMBER})
# A number from 5 to 200 is also "many" ("otin 20 panadolia", "took 30 pills"), unlike
# a dose ("otin 2 buranaa") or milligrams ("otin 500 mg").
MANY = "<many>"
MANY_RANGE = (5, 200)
_MANY = frozenset({NUMBER, MANY})
_UMLAUTS = frozenset("äöåÄÖÅ")
_FOLDABLE = frozenset("ao")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_DOUBLE = re.compile(r"([^\W\d_])\1")
# Letters restored in every combination up to this many, beyond it only all a or all
# o at once (2^n readings, each analysed once and cached).
_MAX_RESTORED = 3
# The shortest part of a compound whose vowels are read apart (see umlaut_variants).
_PART_MIN = 3
# Voikko's suggestions are asked for at most this many words of a message, of these
# lengths (shorter words have too many neighbours to guess from).
_SUGGEST_WORDS = 3
_SUGGEST_LENGTH = (4, 24)


_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def slip_variants(word: str) -> list[str]:
    """The commonest slips of Finnish typing undone, for a word Voikko does not know: a
    single consonant doubled ("silalta" → "sillalta", "viilelly" → "viillelly") and
    two adjacent letters swapped back ("haula" → "halua"), the first letter kept."""
    out = [
        word[: i + 1] + word[i:]
        for i in range(1, len(word))
        if word[i] in _CONSONANTS and word[i - 1] != word[i] and word[i + 1 : i + 2] != word[i]
    ]
    out += [
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(1, len(word) - 1)
        if word[i] != word[i + 1]
    ]
    return list(dict.fromkeys(out))


def one_edit(word: str, other: str) -> bool:
    """Whether ``other`` is ``word`` with one letter dropped or added or two adjacent
    letters swapped, the first letter kept: the slips of typing on a phone ("kulla" for
    "kuolla", "lfie" for "life"). A letter changed into another is not one: it turns
    too many words into other words."""
    if word[:1] != other[:1] or word == other:
        return False
    short, long_ = len(word), len(other)
    if abs(short - long_) > 1:
        return False
    i = 0
    end = min(short, long_)
    while i < end and word[i] == other[i]:
        i += 1
    if short == long_:
        return (
            i + 1 < short
            and word[i] == other[i + 1]
            and word[i + 1] == other[i]
            and word[i + 2 :] == other[i + 2 :]
        )
    if short < long_:
        return word[i:] == other[i + 1 :]
    return word[i + 1 :] == other[i:]


def umlaut_variants(word: str) -> list[str]:
    """The readings of a word typed without umlauts: each "a" may be "ä" and each "o"
    "ö" ("elamaa" → "elämää", "elämaa", …), the word itself not included. Words with
    an umlaut already give none."""
    if not _UMLAUTS.isdisjoint(word):
        return []
    places = [i for i, ch in enumerate(word) if ch in "ao"]
    if not places:
        return []
    flip = {"a": "ä", "o": "ö"}
    if len(places) > _MAX_RESTORED:
        every = "".join(flip.get(ch, ch) for ch in word)
        a_only = word.replace("a", "ä")
        o_only = word.replace("o", "ö")
        # A compound's parts each keep their own vowel harmony ("masennus" +
        # "lääkkeitä"): every letter from a part's start on, or before it, flipped.
        cuts = [i for i in range(_PART_MIN, len(word) - _PART_MIN + 1)]
        tails = [
            "".join(flip.get(ch, ch) if k >= cut else ch for k, ch in enumerate(word))
            for cut in cuts
        ]
        heads = [
            "".join(flip.get(ch, ch) if k < cut else ch for k, ch in enumerate(word))
            for cut in cuts
        ]
        return list(dict.fromkeys(v for v in (every, a_only, o_only, *tails, *heads) if v != word))
    out = []
    # Most flips first: a word typed without umlauts usually lost all of them.
    for mask in sorted(range(1, 1 << len(places)), key=lambda m: -bin(m).count("1")):
        letters = list(word)
        for bit, place in enumerate(places):
            if mask >> bit & 1:
                letters[place] = flip[letters[place]]
        out.append("".join(letters))
    return out


def repaired_variants(word: str) -> list[str]:
    """Written forms a word Voikko does not know may stand for, most likely first:
    stretched letters shortened to two and to one ("kuollaaaa" → "kuollaa", "kuolla"),
    or else the spoken endings (:func:`spoken_variants`) and each doubled letter made
    single ("halluan" → "haluan")."""
    if _STRETCHED.search(word):
        two = _STRETCHED.sub(r"\1\1", word)
        out = [two, _STRETCHED.sub(r"\1", word), *spoken_variants(two)]
    else:
        out = spoken_variants(word)
        out += [word[: m.start()] + word[m.start() + 1 :] for m in _DOUBLE.finditer(word)]
    return list(dict.fromkeys(v for v in out if v != word))


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
