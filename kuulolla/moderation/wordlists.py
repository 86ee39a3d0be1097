"""Per-organisation word lists, matched on base forms and compound parts.

An organisation lists words or phrases with what to do when one is used: mask it,
hold the message for a moderator, or refuse it. Entries are written in their base
form and match every inflection and every compound that contains them, through
Voikko: the entry "huora" matches "huoraksi" and "huoranpenikka". An entry that
ends in ``*`` matches words beginning with it ("neeke*"), for slang Voikko does not
know. A phrase of several words matches those words in a row.

Compile a list once (per organisation, when its settings change) with
:meth:`WordList.compile`; matching a message is then dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kuulolla.moderation.text import Analyser, Word

WordAction = Literal["mask", "hold", "refuse"]
SEVERITY: dict[WordAction, int] = {"mask": 1, "hold": 2, "refuse": 3}


@dataclass(frozen=True, slots=True)
class Element:
    exact: frozenset[str]
    prefix: str = ""

    def matches(self, word: Word) -> bool:
        if self.prefix:
            return any(form.startswith(self.prefix) for form in word.forms)
        return not self.exact.isdisjoint(word.forms)


@dataclass(frozen=True, slots=True)
class Entry:
    phrase: str  # as the organisation wrote it
    action: WordAction
    elements: tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class WordHit:
    entry: Entry
    start: int  # offsets in the text, from the first to the last word of the phrase
    end: int


class WordList:
    """A compiled word list. Build with :meth:`compile`."""

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        self._by_form: dict[str, list[Entry]] = {}
        self._by_prefix: dict[str, list[Entry]] = {}
        for entry in entries:
            first = entry.elements[0]
            if first.prefix:
                self._by_prefix.setdefault(first.prefix[:2], []).append(entry)
            for form in first.exact:
                self._by_form.setdefault(form, []).append(entry)

    @classmethod
    def compile(cls, entries: Iterable[tuple[str, WordAction]], *, analyser: Analyser) -> WordList:
        """Compile ``(phrase, action)`` pairs; empty phrases are ignored."""
        compiled = []
        for phrase, action in entries:
            if action not in SEVERITY:
                raise ValueError(f"unknown word list action {action!r}")
            elements = []
            for written in phrase.lower().split():
                if written.endswith("*") and len(written) > 2:
                    elements.append(Element(frozenset(), written[:-1]))
                    continue
                words = analyser.words(written)
                if len(words) != 1:
                    elements = []
                    break
                # The entry's own base forms, not its compound parts: the entry
                # "huoranpenikka" must not match every "huora".
                own = analyser.finnish.analyse(written).bases
                elements.append(Element(frozenset({written, *own} - {""})))
            if elements:
                compiled.append(Entry(phrase, action, tuple(elements)))
        return cls(tuple(compiled))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def find(self, words: tuple[Word, ...]) -> list[WordHit]:
        """Every entry used in ``words``, in text order."""
        hits: list[WordHit] = []
        by_form, by_prefix = self._by_form, self._by_prefix
        for i, word in enumerate(words):
            candidates: list[Entry] = []
            for form in word.forms:
                candidates += by_form.get(form, ())
                if by_prefix:
                    for entry in by_prefix.get(form[:2], ()):
                        if form.startswith(entry.elements[0].prefix):
                            candidates.append(entry)
            seen: set[int] = set()
            for entry in candidates:
                if id(entry) in seen:
                    continue
                seen.add(id(entry))
                n = len(entry.elements)
                if i + n > len(words):
                    continue
                if all(entry.elements[k].matches(words[i + k]) for k in range(1, n)):
                    hits.append(WordHit(entry, word.start, words[i + n - 1].end))
        return hits


EMPTY = WordList(())


@dataclass(frozen=True, slots=True)
class Part:
    """How one word of an entry matches, for the word-list editor: ``written`` and the
    base forms Voikko gives it (every inflection and compound of those matches), or a
    ``prefix`` ("neeke*"), or neither known (only the written form matches)."""

    written: str
    bases: tuple[str, ...]
    prefix: bool = False

    @property
    def known(self) -> bool:
        return bool(self.bases)


def describe(phrase: str, *, analyser: Analyser) -> tuple[Part, ...] | None:
    """The words of ``phrase`` as :meth:`WordList.compile` matches them, or None when
    some part is not one word (punctuation alone, say), so it would match nothing."""
    parts = []
    for written in phrase.lower().split():
        if written.endswith("*") and len(written) > 2:
            parts.append(Part(written[:-1], (), prefix=True))
            continue
        if len(analyser.words(written)) != 1:
            return None
        bases = tuple(b for b in analyser.finnish.analyse(written).bases if b)
        parts.append(Part(written, bases))
    return tuple(parts) or None
