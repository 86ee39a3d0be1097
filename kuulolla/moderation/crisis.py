"""Crisis signals: suicidal thoughts, self-harm, violence and abuse in a message.

A signal never blocks or holds a message. It tells the moderators on duty at once and
shows the writer their organisation's crisis numbers; a missed signal is worse than an
extra alert, so the lexicon leans towards recall where a phrase is genuinely risky and
towards precision where everyday Finnish uses the same words ("kuolen nauruun",
"tapan aikaa", "äiti tappaa mut jos…").

The lexicon (``data/crisis.txt``) is a list of phrase patterns in sections:

``[suicide]``, ``[self_harm]``, ``[violence]``, ``[abuse]``
    Patterns of one category.
``[idiom]``
    Everyday expressions. The words an idiom matches cannot take part in a pattern,
    unless the pattern is marked ``strong``.
``[cancel <category>]``
    Words (forms or ``^prefixes``) that make patterns of a category void in the same
    sentence ("pelissä": "tapoin sen pelissä" is a game).
``@name = a|b|c``
    A macro: ``@name`` in an element stands for those alternatives.

A pattern is a sequence of elements separated by spaces; an element is one or more
alternatives separated by ``|``. An alternative is a form (a Voikko base form, a
compound part, a colloquial base form from ``data/colloquial.txt``, or the lowercased
word as written) or ``^prefix``, which matches any form that starts with it. Between
two elements up to ``gap`` other words may stand (2 unless given); all elements must
be in one sentence. Flags follow a semicolon: ``gap=N``, ``end`` (the last element
must end its clause: "en jaksa enää." but not "en jaksa enää koulua"), ``strong``,
``also=<category>`` (the pattern signals a second category: a parent who hits is
both violence and abuse), ``any`` (the elements may stand in any order, within
``(gap + 1) × (elements − 1)`` words of the first: Finnish word order is free,
"kukaan ei kaipaisi" and "ei kukaan kaipaisi"), ``msg`` (with ``any``: the elements
may stand in different sentences of the message, "en jaksa. haluun pois").

Words matched by a suicide or self-harm pattern do not also count as violence:
"aikoo tappaa itsensä" is about the person themself; nor do words an abuse pattern
explains, unless it carries ``also=violence`` or the violence pattern is ``strong``. ``strong`` patterns may use words an
idiom took ("uhkasi tappaa mut jos kerron"), but cancel words still void them.

Negation. A pattern that does not itself contain a negation is void when a word it matches is
negated: a negation word ("en", "ei", "not", "inte"…) stands before that word with
only auxiliaries, pronouns, adverbs or verbs of thinking and wanting in between
("en halua kuolla", "jag vill inte dö", "en ole koskaan ajatellut itsemurhaa"). Patterns that are crises *because* of a negation carry
it themselves ("ei haluta elää": "en halua elää"). A negation further away does not
count ("en tiedä miksi haluan kuolla" is a signal). We accept that a statement like
"en ole koskaan ajatellut itsemurhaa" raises no alert: moderators read the room
anyway, and alerts that fire on reassurance teach them to ignore alerts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from kuulolla.moderation.text import DATA, Word

Category = Literal["suicide", "self_harm", "violence", "abuse"]
CATEGORIES: tuple[Category, ...] = ("suicide", "self_harm", "violence", "abuse")

# Forms that negate the words after them (Finnish "ei" is every person of the
# negation verb: en, et, ei, emme, ette, eivät, enkä, eikä).
NEGATIONS = frozenset(
    {"ei", "not", "don't", "dont", "never", "didn't", "didnt", "doesn't", "won't", "wouldn't",
     "haven't", "havent", "hasn't", "isn't", "inte", "aldrig", "ej", "icke"}
)  # fmt: skip
# Words that may stand between a negation and what it negates.
BRIDGES = frozenset(
    {"olla", "koskaan", "ikinä", "enää", "vielä", "minä", "sinä", "hän", "me", "kyllä",
     "oikeasti", "ihan", "todellakaan", "mikään", "mitään", "tosissaan", "tietenkään", "mitenkään", "vaan",
     "ajatella", "miettiä", "suunnitella", "harkita", "aikoa", "haluta", "tahtoa", "yrittää",
     "tehdä", "suunnitelma", "aikomus", "aie", "ajatus", "halu", "tarve", "i", "ever", "really", "to", "of", "about", "want", "wanna", "wanted", "think",
     "thought", "thinking", "plan", "planned", "tried", "try", "consider", "considered", "have", "would",
     "will", "i've", "i'd", "am", "i'm", "be", "been", "going", "gonna",
     "jag", "har", "någonsin", "tänkt", "tänker", "vill", "ska", "planerat", "försökt", "på"}
)  # fmt: skip
# Everyday words that make poor anchors for the index (see Detector).
_COMMON = frozenset(
    {"ei", "olla", "minä", "sinä", "hän", "se", "me", "te", "he", "ne", "itse", "tämä",
     "kaikki", "mikään", "jos", "että", "kun", "ja", "on", "haluta", "tehdä", "saada",
     "i", "my", "to", "not", "don't", "want", "jag", "mig", "inte", "att", "vill"}
)  # fmt: skip
_MACRO = re.compile(r"^(@\w+)\s*=\s*(\S+)$")


@dataclass(frozen=True, slots=True, eq=False)
class Element:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    negation: bool  # an alternative is a negation

    def matches(self, forms: frozenset[str]) -> bool:
        if not self.exact.isdisjoint(forms):
            return True
        prefixes = self.prefixes
        return bool(prefixes) and any(form.startswith(prefixes) for form in forms)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: patterns are unique
class Pattern:
    id: str  # "<category>: <pattern as written>"
    category: str  # one of CATEGORIES, or "idiom"
    elements: tuple[Element, ...]
    gap: int = 2
    end: bool = False
    strong: bool = False
    also: tuple[str, ...] = ()  # further categories the pattern signals
    unordered: bool = False  # the elements may stand in any order
    message: bool = False  # (unordered only) the elements may be in different sentences

    @property
    def negated_itself(self) -> bool:
        return any(e.negation for e in self.elements)


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    """The categories found, most severe first, and the ids of the patterns matched.

    ``source`` is ``"lexicon"`` for a phrase the lexicon knows and ``"model"`` for a
    possible signal only the learned model saw (:mod:`kuulolla.moderation.crisis_model`).
    """

    categories: tuple[Category, ...]
    phrases: tuple[str, ...]
    source: Literal["lexicon", "model"] = "lexicon"

    @property
    def category(self) -> Category:
        return self.categories[0]


@dataclass(frozen=True, slots=True)
class Lexicon:
    patterns: tuple[Pattern, ...]
    cancel: dict[str, Element]  # category → words that void it in a sentence

    @classmethod
    def parse(cls, source: str) -> Lexicon:
        patterns: list[Pattern] = []
        cancel: dict[str, list[str]] = {}
        macros: dict[str, list[str]] = {}
        section = ""
        for number, raw in enumerate(source.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            macro = _MACRO.match(line)
            if macro is not None:
                macros[macro.group(1)] = macro.group(2).lower().split("|")
                continue
            if line.startswith("["):
                section = line.strip("[]").strip()
                kind, _, target = section.partition(" ")
                valid = (kind == "cancel" and target in CATEGORIES) or (
                    not target and (kind in CATEGORIES or kind == "idiom")
                )
                if not valid:
                    raise ValueError(f"crisis lexicon line {number}: unknown section {line}")
                continue
            if section.startswith("cancel "):
                cancel.setdefault(section.split()[1], []).extend(line.lower().split())
                continue
            if not section:
                raise ValueError(f"crisis lexicon line {number}: pattern before a section")
            body, _, flag_text = line.partition(";")
            flags = flag_text.split()
            gap = 2
            also: list[str] = []
            for flag in flags:
                if flag.startswith("gap="):
                    gap = int(flag[4:])
                elif flag.startswith("also=") and flag[5:] in CATEGORIES:
                    also.append(flag[5:])
                elif flag not in ("end", "strong", "any", "msg"):
                    raise ValueError(f"crisis lexicon line {number}: unknown flag {flag}")
            elements = []
            for element in body.lower().split():
                alternatives = []
                for alternative in element.split("|"):
                    if alternative.startswith("@"):
                        if alternative not in macros:
                            raise ValueError(f"crisis lexicon line {number}: no {alternative}")
                        alternatives += macros[alternative]
                    else:
                        alternatives.append(alternative)
                if any(a.startswith("^") and len(a) < 4 for a in alternatives):
                    raise ValueError(f"crisis lexicon line {number}: prefix shorter than 3")
                elements.append(_element(alternatives))
            patterns.append(
                Pattern(
                    f"{section}: {body.strip()}",
                    section,
                    tuple(elements),
                    gap=gap,
                    end="end" in flags,
                    strong="strong" in flags,
                    also=tuple(also),
                    unordered="any" in flags,
                    message="msg" in flags and "any" in flags,
                )
            )
        return cls(tuple(patterns), {k: _element(v) for k, v in cancel.items()})


# How many words' anchored patterns a detector remembers before it starts afresh.
_MEMO_SIZE = 50_000


class Detector:
    """Finds crisis signals in analysed words (see :mod:`kuulolla.moderation.text`)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # Each pattern is indexed under one element, its anchor: the first element none
        # of whose forms is an everyday word, so that "ei", "minä" or "olla" in a
        # message do not wake up dozens of patterns.
        self._by_form: dict[str, list[Pattern]] = {}
        self._by_prefix: dict[str, list[tuple[str, Pattern]]] = {}
        for pattern in lexicon.patterns:
            anchor = next(
                (e for e in pattern.elements if e.exact.isdisjoint(_COMMON)), pattern.elements[0]
            )
            for form in anchor.exact:
                self._by_form.setdefault(form, []).append(pattern)
            for prefix in anchor.prefixes:
                self._by_prefix.setdefault(prefix[:3], []).append((prefix, pattern))
        self._memo: dict[frozenset[str], dict[Pattern, None]] = {}

    def _triggered(self, words: tuple[Word, ...]) -> dict[Pattern, None]:
        found: dict[Pattern, None] = {}
        memo = self._memo
        for word in words:
            hit = memo.get(word.forms)
            if hit is None:
                hit = self._anchored(word.forms)
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                memo[word.forms] = hit
            if hit:
                found.update(hit)
        return found

    def _anchored(self, forms: frozenset[str]) -> dict[Pattern, None]:
        """The patterns anchored on a word with ``forms``. The result depends on the
        forms alone and a process sees the same words again and again, so it is
        remembered per set of forms (the analyser hands out one set per word)."""
        found: dict[Pattern, None] = {}
        by_form, by_prefix = self._by_form, self._by_prefix
        for form in forms:
            hit = by_form.get(form)
            if hit:
                found.update(dict.fromkeys(hit))
            for prefix, pattern in by_prefix.get(form[:3], ()):
                if form.startswith(prefix):
                    found[pattern] = None
        return found

    def detect(self, words: tuple[Word, ...]) -> CrisisSignal | None:
        """The crisis signal in ``words`` (from :meth:`Analyser.words`), or ``None``."""
        if not words:
            return None
        triggered = self._triggered(words)
        if not triggered:
            return None
        # A pattern can match only if each of its elements matches some word; checking
        # that against all the forms of the message first is much cheaper than matching.
        every: frozenset[str] = frozenset().union(*(w.forms for w in words))
        starts: list[tuple[int, Pattern]] = []
        for pattern in triggered:
            elements = pattern.elements
            if len(elements) > 1 and not all(e.matches(every) for e in elements):
                continue
            first = elements[0]
            starts += [(i, pattern) for i, w in enumerate(words) if first.matches(w.forms)]
        if not starts:
            return None
        sentences = [w.sentence for w in words]
        consumed: set[int] = set()
        for i, pattern in starts:
            if pattern.category == "idiom":
                span = _match(pattern, words, i, sentences, frozenset())
                if span is not None:
                    consumed.update(span)
        hits: list[tuple[Pattern, list[int]]] = []
        matched: set[str] = set()
        for i, pattern in starts:
            if pattern.category == "idiom" or pattern.id in matched:
                continue
            blocked = frozenset() if pattern.strong else frozenset(consumed)
            span = _match(pattern, words, i, sentences, blocked)
            if span is None:
                continue
            if not pattern.negated_itself and _negated(words, span):
                continue
            if self._cancelled(pattern.category, words, span, sentences):
                continue
            matched.add(pattern.id)
            hits.append((pattern, span))
        if not hits:
            return None
        # Words that speak of harming oneself are not also violence against others:
        # "aikoo tappaa itsensä" is suicide, "haluan lyödä itseäni" self-harm.
        own = {k for p, span in hits if p.category in ("suicide", "self_harm") for k in span}
        if own:
            hits = [(p, s) for p, s in hits if p.category != "violence" or own.isdisjoint(s)]
        # Likewise words an abuse pattern explains ("seksuaalista väkivaltaa") are not
        # violence as well, unless that pattern says so (a parent who hits).
        abuse = {
            k for p, s in hits if p.category == "abuse" and "violence" not in p.also for k in s
        }
        if abuse:
            hits = [
                (p, s)
                for p, s in hits
                if p.category != "violence" or p.strong or abuse.isdisjoint(s)
            ]
        found = {c for p, _ in hits for c in (p.category, *p.also)}
        categories = tuple(c for c in CATEGORIES if c in found)
        phrases = tuple(p.id for c in categories for p, _ in hits if p.category == c)
        return CrisisSignal(categories, phrases)

    def _cancelled(
        self, category: str, words: tuple[Word, ...], span: list[int], sentences: list[int]
    ) -> bool:
        cancel = self.lexicon.cancel.get(category)
        if cancel is None:
            return False
        sentence = sentences[span[0]]
        return any(cancel.matches(w.forms) for k, w in enumerate(words) if sentences[k] == sentence)


def _element(alternatives: list[str]) -> Element:
    prefixes = tuple(a[1:] for a in alternatives if a.startswith("^"))
    exact = frozenset(a for a in alternatives if not a.startswith("^"))
    return Element(exact, prefixes, not exact.isdisjoint(NEGATIONS))


def _match(
    pattern: Pattern,
    words: tuple[Word, ...],
    first: int,
    sentences: list[int],
    blocked: frozenset[int],
) -> list[int] | None:
    """Positions of the words matching ``pattern`` when its first element is at
    ``first``, or ``None``."""
    if first in blocked:
        return None
    elements = pattern.elements
    sentence = sentences[first]
    span = [first]
    if pattern.unordered:
        return _match_unordered(pattern, words, first, sentences, blocked)

    def extend(k: int, previous: int) -> bool:
        if k == len(elements):
            return not pattern.end or _ends_clause(words, previous)
        element = elements[k]
        for j in range(previous + 1, min(len(words), previous + 2 + pattern.gap)):
            if sentences[j] != sentence:
                return False
            if j not in blocked and element.matches(words[j].forms):
                span.append(j)
                if extend(k + 1, j):
                    return True
                span.pop()
        return False

    return span if extend(1, first) else None


def _match_unordered(
    pattern: Pattern,
    words: tuple[Word, ...],
    first: int,
    sentences: list[int],
    blocked: frozenset[int],
) -> list[int] | None:
    """Like :func:`_match` for ``any`` patterns: the other elements may stand before or
    after the first, nearest first, within ``(gap + 1) × (elements − 1)`` words."""
    reach = (pattern.gap + 1) * (len(pattern.elements) - 1)
    sentence = sentences[first]
    used = [first]
    for element in pattern.elements[1:]:
        found = None
        for distance in range(1, reach + 1):
            for j in (first - distance, first + distance):
                if (
                    0 <= j < len(words)
                    and j not in used
                    and j not in blocked
                    and (pattern.message or sentences[j] == sentence)
                    and element.matches(words[j].forms)
                ):
                    found = j
                    break
            if found is not None:
                break
        if found is None:
            return None
        used.append(found)
    return sorted(used)


def _ends_clause(words: tuple[Word, ...], index: int) -> bool:
    if index + 1 >= len(words):
        return True
    return words[index + 1].clause != words[index].clause


def _is_negation(word: Word) -> bool:
    # Spoken "et" is far more often "että" than "you do not": "tuntuu et haluun kuolla".
    return word.lower != "et" and not word.forms.isdisjoint(NEGATIONS)


def _negated(words: tuple[Word, ...], span: list[int]) -> bool:
    """Whether a negation word scopes over a word of a match (see the module doc): it
    stands before that word with only bridge words between, within the same clause,
    and no further back than the previous word of the match (five words for the
    first)."""
    previous = -1
    for index, position in enumerate(span):
        floor = max(position - 6, -1) if index == 0 else previous
        clause = words[position].clause
        k = position - 1
        while k > floor and words[k].clause == clause:
            if _is_negation(words[k]):
                return True
            if words[k].forms.isdisjoint(BRIDGES):
                break
            k -= 1
        previous = position
    return False


@cache
def detector() -> Detector:
    """The detector of the built-in lexicon (parsed once)."""
    return Detector(Lexicon.parse((DATA / "crisis.txt").read_text(encoding="utf-8")))
