"""The crisis lexicon (``data/crisis.txt``) parsed: its patterns, cancel words, context
patterns and marks (:class:`Lexicon`), each pattern a sequence of elements
(:class:`Pattern`, :class:`Element`), with groups spelled out one pattern per choice
(``_spellings``) and macros expanded (``_expand``); also the categories a pattern
signals and the negation words an element may hold.

The syntax and what a match means are in the docstring of
:mod:`kuulolla.moderation.crisis`, which matches these patterns in a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Category = Literal["overdose", "suicide", "self_harm", "violence", "abuse", "eating"]
# Most urgent first: an overdose or a poisoning needs 112 or the Poison Information
# Centre now, before anything else the message may also say.
CATEGORIES: tuple[Category, ...] = (
    "overdose",
    "suicide",
    "self_harm",
    "violence",
    "abuse",
    "eating",
)

# Forms that negate the words after them (Finnish "ei" is every person of the
# negation verb: en, et, ei, emme, ette, eivät, enkä, eikä).
NEGATIONS = frozenset(
    {"ei", "not", "don't", "dont", "never", "didn't", "didnt", "doesn't", "won't", "wouldn't",
     "haven't", "havent", "hasn't", "isn't", "inte", "aldrig", "ej", "icke", "inga", "ingen",
     "inget"}
)  # fmt: skip
_MACRO = re.compile(r"^(@\w+)\s*=\s*(\S+)$")
_MACRO_START = re.compile(r"^@\w+\s*=")
# A group: alternatives of one or more words each, "(hyvää yötä|good night)".
_GROUP = re.compile(r"\(([^()]*)\)")
CONTEXTS = (
    "joke", "serious", "cause", "past", "resolved", "again", "topic", "quote", "family", "own",
    "denial", "control", "outside", "general", "named", "asked", "medical", "explained", "taken", "recent"
)  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class Element:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    negation: bool  # an alternative is a negation
    heads: frozenset[str] = frozenset()  # the first three letters of each prefix

    def matches(self, forms: frozenset[str]) -> bool:
        if not self.exact.isdisjoint(forms):
            return True
        prefixes = self.prefixes
        return bool(prefixes) and any(form.startswith(prefixes) for form in forms)

    def may_match(self, forms: frozenset[str], heads: frozenset[str]) -> bool:
        """:meth:`matches` for the forms of a whole message, with ``heads`` the first
        three letters of each: a prefix is looked for only under its own head."""
        if not self.exact.isdisjoint(forms):
            return True
        heads_of = self.heads
        if not heads_of or heads_of.isdisjoint(heads):
            return False
        prefixes = self.prefixes
        return any(form.startswith(prefixes) for form in forms)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: patterns are unique
class Pattern:
    id: str  # "<category>: <pattern as written>"
    category: str  # one of CATEGORIES, or "idiom"
    elements: tuple[Element, ...]
    gap: int = 2
    end: bool = False
    strong: bool = False
    hyperbole: bool = False  # void as a marked joke with a trivial cause
    also: tuple[str, ...] = ()  # further categories the pattern signals
    unordered: bool = False  # the elements may stand in any order
    message: bool = False  # (unordered only) the elements may be in different sentences

    @property
    def negated_itself(self) -> bool:
        return any(e.negation for e in self.elements)


@dataclass(frozen=True, slots=True)
class Lexicon:
    patterns: tuple[Pattern, ...]
    cancel: dict[str, Element]  # category → words that void it in a sentence
    # context name → its patterns, and the marks (emoji) looked for in the text
    contexts: dict[str, tuple[Pattern, ...]] = field(default_factory=dict)
    marks: dict[str, frozenset[str]] = field(default_factory=dict)
    # the words of cancel lines that void every category: a story, the news, a
    # programme, a course (not a game, a kitchen or an accident)
    framing: Element | None = None

    @classmethod
    def parse(cls, source: str) -> Lexicon:
        patterns: list[Pattern] = []
        contexts: dict[str, list[Pattern]] = {name: [] for name in CONTEXTS}
        marks: dict[str, set[str]] = {name: set() for name in CONTEXTS}
        cancel: dict[str, list[str]] = {}
        framing: list[str] = []
        macros: dict[str, list[str]] = {}
        section = ""
        for number, raw in enumerate(source.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            macro = _MACRO.match(line)
            if macro is not None:
                # A macro may use macros defined before it.
                macros[macro.group(1)] = _expand(macro.group(2).lower(), macros, number)
                continue
            if _MACRO_START.match(line):
                raise ValueError(
                    f"crisis lexicon line {number}: a macro's alternatives are single words"
                    " (write alternatives of several words as a group in the pattern)"
                )
            if line.startswith("["):
                section = line.strip("[]").strip()
                kind, _, target = section.partition(" ")
                targets = target.split()
                valid = (
                    (kind == "cancel" and targets and all(t in CATEGORIES for t in targets))
                    or (kind == "context" and target in CONTEXTS)
                    or (not target and (kind in CATEGORIES or kind == "idiom"))
                )
                if not valid:
                    raise ValueError(f"crisis lexicon line {number}: unknown section {line}")
                continue
            if section.startswith("cancel "):
                for target in section.split()[1:]:
                    cancel.setdefault(target, []).extend(line.lower().split())
                if set(section.split()[1:]) == set(CATEGORIES):
                    framing.extend(line.lower().split())
                continue
            if section.startswith("context ") and not any(ch.isalnum() for ch in line):
                marks[section.split()[1]].update(line.split())
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
                elif flag not in ("end", "strong", "any", "msg", "hyperbole"):
                    raise ValueError(f"crisis lexicon line {number}: unknown flag {flag}")
            # One pattern for each choice of words in the groups, all with the id of
            # the line (a message counts the line once).
            for words in _spellings(body.lower(), number):
                elements = []
                for element in words:
                    alternatives = _expand(element, macros, number)
                    if any(a.startswith("^") and len(a) < 4 for a in alternatives):
                        raise ValueError(f"crisis lexicon line {number}: prefix shorter than 3")
                    elements.append(_element(alternatives))
                pattern = Pattern(
                    f"{section}: {body.strip()}",
                    section,
                    tuple(elements),
                    gap=gap,
                    end="end" in flags,
                    strong="strong" in flags,
                    hyperbole="hyperbole" in flags,
                    also=tuple(also),
                    unordered="any" in flags,
                    message="msg" in flags and "any" in flags,
                )
                if section.startswith("context "):
                    contexts[section.split()[1]].append(pattern)
                else:
                    patterns.append(pattern)
        return cls(
            tuple(patterns),
            {k: _element(v) for k, v in cancel.items()},
            {k: tuple(v) for k, v in contexts.items()},
            {k: frozenset(v) for k, v in marks.items()},
            _element(framing) if framing else None,
        )


_FOLD = str.maketrans("äöå", "aoa")


def _spellings(body: str, number: int) -> list[list[str]]:
    """The elements of a pattern as written, one list for each choice of an alternative
    in each group: "(muistan kun|aika jolloin) ^satut" is ["muistan", "kun", "^satut"]
    and ["aika", "jolloin", "^satut"]. Outside a group a space always separates two
    elements, so an alternative of several words must be in a group; a ``|`` with
    nothing on one side, a parenthesis without its pair and an empty group are errors
    rather than an element that silently matches something else."""
    choices: list[list[list[str]]] = []  # per piece of the body: its word sequences
    rest = 0
    for group in _GROUP.finditer(body):
        choices += [[[word]] for word in body[rest : group.start()].split()]
        phrases = [alternative.split() for alternative in group.group(1).split("|")]
        if not all(phrases):
            raise ValueError(f"crisis lexicon line {number}: an empty alternative in a group")
        choices.append(phrases)
        rest = group.end()
    choices += [[[word]] for word in body[rest:].split()]
    out: list[list[str]] = [[]]
    for phrases in choices:
        out = [[*words, *phrase] for words in out for phrase in phrases]
    for words in out:
        for word in words:
            if "(" in word or ")" in word:
                raise ValueError(f"crisis lexicon line {number}: a parenthesis without its pair")
            if "" in word.split("|"):
                raise ValueError(
                    f"crisis lexicon line {number}: an empty alternative (a space beside"
                    " a |? write alternatives of several words as a group: (a b|c d))"
                )
    return out


def _expand(element: str, macros: dict[str, list[str]], number: int) -> list[str]:
    """The alternatives of an element as written ("a|@macro|^b"), macros expanded."""
    out: list[str] = []
    for alternative in element.split("|"):
        if not alternative.startswith("@"):
            out.append(alternative)
        elif alternative in macros:
            out += macros[alternative]
        else:
            raise ValueError(f"crisis lexicon line {number}: no {alternative}")
    return out


def _element(alternatives: list[str]) -> Element:
    # Each alternative with å, ä or ö also matches as typed without them: Swedish and
    # English are matched as written ("självmord" typed "sjalvmord"), and a Finnish
    # surface form like "enää" may stand as "enaa" where Voikko restores nothing.
    alternatives = list(dict.fromkeys([*alternatives, *(a.translate(_FOLD) for a in alternatives)]))
    prefixes = tuple(a[1:] for a in alternatives if a.startswith("^"))
    exact = frozenset(a for a in alternatives if not a.startswith("^"))
    return Element(
        exact, prefixes, not exact.isdisjoint(NEGATIONS), frozenset(p[:3] for p in prefixes)
    )
