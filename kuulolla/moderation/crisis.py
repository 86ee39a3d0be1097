"""Crisis signals: suicidal thoughts, self-harm, violence and abuse in a message.

A signal never blocks or holds a message. It tells the moderators on duty at once and
shows the writer their organisation's crisis numbers; a missed signal is worse than an
extra alert, so the lexicon leans towards recall where a phrase is genuinely risky and
towards precision where everyday Finnish uses the same words ("kuolen nauruun",
"tapan aikaa", "äiti tappaa mut jos…").

This module matches the lexicon in a message (:class:`Detector`); its parsing and the
expansion of its groups and macros into patterns are in
:mod:`kuulolla.moderation.crisis_lexicon`.

The lexicon (``data/crisis.txt``) is a list of phrase patterns in sections:

``[suicide]``, ``[self_harm]``, ``[violence]``, ``[abuse]``
    Patterns of one category.
``[idiom]``
    Everyday expressions. The words an idiom matches cannot take part in a pattern,
    unless the pattern is marked ``strong``.
``[cancel <category> …]``
    Words (forms or ``^prefixes``) that make patterns of the categories void in the
    same sentence ("pelissä": "tapoin sen pelissä" is a game).
``[context <name>]``
    Patterns that say how a message is meant (see "Context" below): ``joke`` (marks
    of a joke; a token without letters, an emoji, is looked for in the text),
    ``serious`` ("oikeesti", "ei oo vitsi", "not joking"), ``cause`` (what a
    hyperbole hangs on: "jos", "tähän", "because"), ``past`` (long ago: "vuosia
    sitten", "nuorena", "used to"), ``resolved`` ("nyt menee hyvin", "oon toipunut"),
    ``again`` ("taas", "eilen", "again": it is not over), ``topic`` (a question
    about the subject: "mistä tietää onko…", "miten toimia jos joku…") and ``quote``
    (a song, its lyrics, a line: "biisi", "lyrics", "låt"), and ``own`` (the writer
    says a story's or the news' act is theirs too: "mä teen ihan samaa", "that's
    exactly what i do": the words that made it fiction or news no longer void it;
    a cover story told as one, "valehtelin et kissa", "kaikki luulee", "tein sen
    itse", likewise makes an accident's words void nothing), ``denial`` (a denial of
    thoughts or plans, see "Negation") and ``control`` (see "Control").
``@name = a|b|c``
    A macro: ``@name`` in an element stands for those alternatives.

A pattern is a sequence of elements separated by spaces; an element is one or more
alternatives separated by ``|``. An alternative is a form (a Voikko base form, a
compound part, a colloquial base form from ``data/colloquial.txt``, or the lowercased
word as written) or ``^prefix``, which matches any form that starts with it. A space
always separates elements, so alternatives of several words are written as a group in
parentheses, ``(muistan kun|aika jolloin)``: the line stands for one pattern per
choice, each alternative's words being elements of their own (``|`` with nothing on
one side, a parenthesis without its pair, an empty group and a macro whose
alternatives hold a space are errors, not a pattern that silently matches something
else). Between
two elements up to ``gap`` other words may stand (2 unless given); all elements must
be in one sentence. Flags follow a semicolon: ``gap=N``, ``end`` (the last element
must end its clause: "en jaksa enää." but not "en jaksa enää koulua"), ``strong``,
``also=<category>`` (the pattern signals a second category: an overdose taken on
purpose is also suicide), ``hyperbole`` (see "Context"), ``any`` (the elements may stand in any order, within
``(gap + 1) × (elements − 1)`` words of the first: Finnish word order is free,
"kukaan ei kaipaisi" and "ei kukaan kaipaisi"), ``msg`` (with ``any``: the elements
may stand in different sentences of the message, "en jaksa. haluun pois").

Words matched by an overdose pattern (told as done) do not also count as suicide or
disordered eating: "söin koko purkin buranaa" is an overdose, "…, en halua herätä" an
overdose and suicide (the labelling rule is in ``moderation/evaluation.py``).
Words matched by a suicide or self-harm pattern do not also count as violence:
"aikoo tappaa itsensä" is about the person themself; nor do words an abuse pattern
explains, even for a ``strong`` violence pattern. The labelling rule: a family
member, partner, ex-partner or carer who hits, chokes or threatens someone at home
is abuse only (an organisation sets abuse's help numbers), and so is a threat made
to keep someone silent ("tapan sut jos kerrot"); violence is a threat or
a plan to hurt others, or an attack from outside the family (a stranger, a fight at
school), or a weapon taken out by someone outside the family; in the family a weapon
is abuse only too ("vävyni uhkaili minua puukolla"). ``strong`` patterns may use words
an idiom took ("uhkasi tappaa mut jos kerron"), but cancel words still void them.

Negation. A pattern that does not itself contain a negation is void when a word it matches is
negated: a negation word ("en", "ei", "not", "inte"…) stands before that word with
only auxiliaries, pronouns, adverbs or verbs of thinking and wanting in between
("en halua kuolla", "jag vill inte dö", "en ole koskaan ajatellut itsemurhaa"). Patterns that are crises *because* of a negation carry
it themselves ("ei haluta elää": "en halua elää"). A negation further away does not
count ("en tiedä miksi haluan kuolla" is a signal). We accept that a statement like
"en ole koskaan ajatellut itsemurhaa" raises no alert: moderators read the room
anyway, and alerts that fire on reassurance teach them to ignore alerts. When nothing
else matched and a negated match stands beside a denial of thoughts or plans
(``[context denial]``: "minulla ei ole mitään ajatuksia itseni vahingoittamisesta",
"jag tänker inte göra nåt dumt", "i'm not suicidal"), the message is found to be no
crisis and the learned model is not asked either; a negated match alone leaves the
model its say ("en oo syöny" beside a wish to die is still read). In a message written
in Swedish (two or more of its everyday words) no word but a Finnish negation as
written reads as one: "en" is the article, "alla" typed without umlauts no "ällä".

Context. Two ways of telling void a match, and each has its counter-cue, because a
real disclosure often wears the same clothes ("haha en jaksa enää elää oikeesti"):

- A joke: a ``hyperbole`` pattern (a dramatic act: hanging, shooting or killing
  oneself, jumping off something) is void when the message is marked as a joke
  (``[context joke]``), the match's sentence hangs the act on a trivial cause
  (``[context cause]``: "hirtän itseni tähän exceliin haha", "tapan itteni jos
  joudun tiskaamaan lol"), and nothing says it is meant (``[context serious]``). A
  state or an event is never a joke here: "haha en jaksa enää", "lol viiltelin taas".
- A past that is over: every match is void when the message tells of a time long
  ago (``[context past]``) and of being well now (``[context resolved]``), and
  nothing says it is back (``[context again]``): "viiltelin yläasteella, nyt oon ollu
  kolme vuotta ilman" is void, "yritin viime vuonna ja nyt ajatukset palaa taas" is
  not. A recent event ("eilen viiltelin") is a signal whatever tense it is told in.

A turn. Where a message turns from a joke or a cover story to what is meant ("haha
kuolen nauruun 😂 ei vaan oikeesti mietin kuolemaa", "lol sanoin äitille et kaaduin
pyörällä 😂 oikeesti mä viiltelin", "not joking tho i want to die"), what follows the
turn is a sentence of its own: the joke's cause, a story's words or an accident's
cancel words before it do not void it, and a leading "ei" ("ei vaan oikeesti")
negates nothing after it. A turn is a word that says it is meant ("oikeesti",
"seriously", "på riktigt", "not joking") with the words that lead it ("ei vaan",
"mut", "no but"), where it begins a clause, follows a joke mark or starts with "mut",
"but" or "men"; "en vaan oikeesti jaksa" is no turn.

Outside the family. A sexual assault told beside a place or a person outside the
family (``[context outside]``: a party, a bus, a stranger, a date, "joku"), with no
family member, partner or carer named, is violence, as the labels say; told alone
("mut on raiskattu") or by someone close it stays abuse.

Control. Hitting told beside control over someone's phone, messages, friends or
money (``[context control]``: "he checks my phone", "se lukee mun viestit", "when he
drinks") is abuse whoever is named, as it would be after a family word.

A quotation: a match whose words all stand between quotation marks is void when the
message speaks of a song, lyrics or a line (``[context quote]``): 'kuunteletteko sitä
biisiä "mä en jaksa enää"?'. Quoted words without such a word still count: a friend's
"sori kaikesta" quoted is a concern; so do a song's words the writer makes their own
(``[context own]``: 'the lyrics "i just wanna sleep forever" are literally me').

Emoji that carry a crisis meaning are read as words of their own where they stand:
💊 as ``<pill>``, 🔪 as ``<knife>``, 🩸 as ``<blood>``, 🪦 and ⚰ as ``<grave>``, 🔚 as
``<end>``, 🌉 as ``<bridge>``, 👋 as ``<wave>``, 🪢 as ``<rope>``, a drink (🍷, 🍺, 🥃…)
as ``<alcohol>``, 🤮 as ``<vomit>``, 🩹 as ``<plaster>`` ("nappasin koko purkin 💊💊", "kaikki on ohi 🪦 anteeks", "tonight
🌉👋"); only the crisis
rules see them, and a pattern decides what they mean next to other words (a phone that
"kuoli 🪦" is no farewell).

A question about the subject ("mistä tietää onko kaverilla itsetuhoisia ajatuksia?",
"what to do if someone took too many pills") voids the matches of its sentence: it
asks how to recognise or help, about nobody in particular ("mitkä on syömishäiriön
merkkejä? mulla on kaikki, oksennan…" still alerts for its second sentence).

The subject in general. Beside a frame of work, study, prevention, a survey,
statistics, a role or the news (``[context general]``: "gradu", "esitelmä",
"kysely", "ehkäistä", "as a school nurse", "hur ska jag agera", "skrev att"), a match
in the frame's sentence that only names the subject (``[context named]``:
"itsetuhoisuus", "self-harm", "perheväkivalta") is void unless someone's danger is
told with it: the writer or someone close named in it or just before it ("mulla on
itsetuhoisia ajatuksia", "my self-harm"), or when someone told of it today or
yesterday (``[context recent]``: "en elev berättade i dag om självmordstankar").

Someone else's question answered no (``[context asked]``: "kaveri kysyi, satutanko
itseäni. En satuta.", "the doctor asked if… No.") voids the matches of the question's
sentence; an answer that says nothing ("en kertonut") or yes does not. A dose
question with nothing taken and no word of dying (``[context medical]`` without
``[context taken]`` or ``again``: "kuinka monta buranaa voi ottaa kerralla") voids an
overdose match, or a suicide match of medicines. Swedish puts "inte" after the verb:
"jag skär mig inte" is negated. An accident's cancel words void nothing beside a word
that says it was done on purpose ("poltin itteeni silitysraudalla tahallaan"). A
year ("back in 2009", "1943") reads as ``<year>`` for ``[context past]``.

The learned model's signal (:mod:`kuulolla.moderation.crisis_model`). The model is
not asked when every clause of a message was found to be a look-alike (an idiom, a
game, an accident, a joke, a past that is over, a denial); when only some were, it
reads the others (:meth:`Detector.model_words`: "huomenna ei tarvii herätä
kouluun, mulla on kaikki valmiina" is read for "mulla on kaikki valmiina"), so that a
look-alike in one clause does not hide a disclosure in the next. A clause void by a
story, the news, a question about the subject or the subject in general is read too,
and the signal then kept only with someone named ("Tidningen skrev om våld mot äldre
och min son slår mig också"). In a message the lexicon found nothing in, its signal
is not raised when the message is told as a look-alike
(:meth:`Detector.quiets_model`): a past told as over; a question about the subject,
the subject in general, a story or the news, with nobody named (no first person, no
Finnish verb in the first person, nobody close); someone's question answered no; a
dose question or medicines kept safe with nothing taken. A denial that says what it
really is (``[context explained]``: "en mä oo mikää viiltelijä, mun kädet on vaa
rikki pakkasesta") is no crisis beside a negated match, as a denial is (see
"Negation"); without one it is left to the model ("en jaksa, se on vaan liikaa").

Fiction and news ("kirjassa", "uutisissa", "hahmo") are cancel words of their
categories. The words of cancel
lines that void all six categories (a story, the news, a programme, a course) frame a
story: a match told in the first person ("mä", "i", "jag", "itseni" in it or just
before it) is the writer's own beside them, unless what it is done to is the story's
("mä puukotin sen hahmon"); a game's, a kitchen's or an accident's cancel words void a
match whoever tells it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from kuulolla.moderation.crisis_lexicon import (
    CATEGORIES,
    NEGATIONS,
    Category,
    Element,
    Lexicon,
    Pattern,
)
from kuulolla.moderation.text import DATA, Word, with_alternatives

# Words that may stand between a negation and what it negates.
BRIDGES = frozenset(
    {"olla", "koskaan", "ikinä", "enää", "vielä", "minä", "sinä", "hän", "me", "kyllä",
     "oikeasti", "oikeesti", "oikeest", "ihan", "todellakaan", "mikään", "mitään", "tosissaan", "tietenkään", "mitenkään", "vaan",
     "ajatella", "miettiä", "suunnitella", "harkita", "aikoa", "haluta", "tahtoa", "yrittää",
     "tehdä", "suunnitelma", "aikomus", "aie", "ajatus", "halu", "tarve", "siis", "i", "ever", "really", "to", "of", "about", "want", "wanna", "wanted", "think",
     "thought", "thinking", "plan", "planned", "tried", "try", "consider", "considered", "have", "would",
     "will", "i've", "i'd", "am", "i'm", "be", "been", "going", "gonna",
     "jag", "har", "någonsin", "tänkt", "tänker", "vill", "ska", "planerat", "försökt", "på",
     "att", "haft", "tankar", "tanke", "några", "had", "thoughts"}
)  # fmt: skip
# Everyday words that make poor anchors for the index (see Detector).
_COMMON = frozenset(
    {"ei", "olla", "minä", "sinä", "hän", "se", "me", "te", "he", "ne", "itse", "tämä",
     "kaikki", "mikään", "jos", "että", "kun", "ja", "on", "haluta", "tehdä", "saada",
     "i", "my", "to", "not", "don't", "want", "jag", "mig", "inte", "att", "vill"}
)  # fmt: skip
# How far (in words) after a family member's word the violence they do may start.
_FAMILY_REACH = 4
# Weapons: the family's weapon is not the family's violence ("isän ase": a weapon
# named right after a family word is what it is, not something they do).
_WEAPONS = frozenset(
    {"ase", "puukko", "veitsi", "pistooli", "haulikko", "kivääri", "kirves", "gun", "guns",
     "knife", "knives", "rifle", "kniv", "kniven", "vapen", "pistol", "<knife>"}
)  # fmt: skip
# The writer as the subject (or the object of their own act), as written: a match told
# with one of these, in it or just before it, is the writer's own even beside a story or
# the news ("mun" and "my" are not: "mun kirjassa hahmo viiltelee").
_FIRST_PERSON = frozenset(
    {"minä", "mä", "mie", "i", "i'm", "im", "i've", "ive", "i'd", "jag", "myself", "itseni",
     "itteni", "itseäni", "itteäni", "itteeni", "itselleni", "itelleni", "ittelleni"}
)  # fmt: skip
_FIRST_PERSON_REACH = 2
# Someone whose danger a match tells of, as written (see "The subject in general"): the
# writer (as subject, object or owner) or someone close named beside it.
_SOMEONE = _FIRST_PERSON | frozenset(
    {"mun", "minun", "mulla", "minulla", "mulle", "minulle", "mua", "minua", "mut", "minut",
     "my", "me", "mig", "min", "mitt", "mina", "mul", "mej", "meitä", "meille", "us", "oss",
     "kaveri", "kaverini", "ystävä", "ystäväni", "frendi", "friend", "friends", "kompis",
     "kompisen", "vän", "vännen", "väninna", "bästis", "bff", "bestie", "paras", "hän", "häntä",
     "hänet", "hänellä", "hänelle", "he", "him", "her", "his", "she", "hon", "han", "henne",
     "honom", "hennes", "hans"}
)  # fmt: skip
# Words that say an injury was done on purpose: an accident's cancel words void nothing
# beside them.
_ON_PURPOSE = frozenset(
    {"tahallaan", "tahalleen", "tahallani", "tarkoituksella", "deliberately", "intentionally",
     "purpose", "flit", "avsiktligt", "avsikt"}
)  # fmt: skip
# Words of dying: a dose question beside one of them is no question about a dose.
_DYING = frozenset(
    {"kuolla", "kuolema", "tappaa", "itsemurha", "die", "dying", "dead", "kill", "dö", "döda",
     "död", "självmord", "suicide", "herätä", "wake"}
)  # fmt: skip
# Finnish verbs of thinking, wanting or being whose first person tells the writer's own
# state ("mietin itsemurhaa", "olen itsetuhoinen"): see Detector._someones.
_OWN_VERBS = frozenset(
    {"miettiä", "ajatella", "haluta", "tahtoa", "suunnitella", "harkita", "toivoa", "olla",
     "yrittää", "tuntea", "kärsiä", "pelätä", "aikoa", "tarvita", "kamppailla"}
)  # fmt: skip
# Someone close named as the one the subject concerns ("my friend keeps talking about
# suicide in class"), within this many words before it.
_PERSON_REACH = 4
_PEOPLE = frozenset(
    {"kaveri", "ystävä", "frendi", "friend", "kompis", "vän", "väninna", "bästis", "bestie",
     "bff", "luokkakaveri", "classmate", "klasskompis", "sisko", "veli", "brother", "sister",
     "syster", "bror", "son", "daughter", "tytär", "dotter", "girlfriend", "boyfriend",
     "poikaystävä", "tyttöystävä", "mom", "mum", "dad", "äiti", "isä", "mamma", "pappa",
     "husband", "wife", "vaimo"}
)  # fmt: skip
# Swedish puts "inte" after the verb of a main clause: "jag skär mig inte".
_AFTER_NOT = frozenset({"inte", "aldrig", "ej"})
# A year written as a number (see "A past that is over"): read as <year> too.
_YEARS = range(1900, 2100)
# A turn from a joke or a cover story to what is meant (see Detector._turned): the
# words that say it is meant, those that may lead them, and written marks of a joke
# after which the message may go on to something else.
_TURN_WORDS = frozenset(
    {"oikeesti", "oikeasti", "oikeest", "tosissaan", "seriously", "honestly", "actually",
     "fr", "srsly", "riktigt", "allvar", "allvarligt", "real", "joking", "kidding", "vitsi",
     "läppä", "vitsaillu", "vitsaile"}
)  # fmt: skip
_TURN_LEADS = frozenset(
    {"ei", "eiku", "eikun", "vaan", "mut", "mutta", "mutku", "no", "ihan", "but", "tho",
     "jk", "nah", "anyway", "anyways", "ok", "okei", "men", "nej", "nä", "asså", "för",
     "på", "for", "not", "im", "i'm", "am"}
)  # fmt: skip
_CONJUNCTIONS = frozenset({"mut", "mutta", "but", "men", "mutku"})
_JOKE_WORDS = frozenset(
    {"haha", "hahah", "hahaha", "hahha", "hehe", "lol", "lmao", "lmfao", "xd", "jk", "lolz",
     "rofl", "jäjä"}
)  # fmt: skip
# The beginnings of words that tell of a sexual assault (see "Outside the family").
_SEXUAL = (
    "raisk", "ahdistel", "kosketel", "koskettel", "lääpp", "kähm", "pakott", "våldt",
    "tafs", "tvinga", "rape", "raping", "molest", "sexual", "forced", "forcing",
)  # fmt: skip
# Words that say a message is Swedish, and how many of them it takes (see
# _swedish_articles).
_SWEDISH = frozenset(
    {"jag", "och", "att", "inte", "är", "mig", "det", "som", "med", "för", "har", "vill",
     "efter", "från", "mitt", "mina", "min", "mycket", "ska", "kommer", "någon", "nån", "vi",
     "hade", "var", "den", "om", "men", "så", "hon", "han", "du", "kan", "mot", "av", "på",
     "till", "hela", "också", "eller", "när"}
)  # fmt: skip
_SWEDISH_MIN = 2
# Finnish negations as written, which stay negations in a Swedish message.
_FINNISH_NOT = frozenset({"ei", "eikä", "enkä", "etkä", "emme", "ette", "eivät", "eikö"})
# Quotation marks: words between them are quoted (a song, a book, someone else).
_QUOTES = frozenset('"“”„«»')
# Single marks quote too, where they do not stand between two letters as an apostrophe.
_SINGLE_QUOTES = frozenset("'‘’")


def _armed(words: tuple[Word, ...], span: list[int]) -> bool:
    """Whether a match names a weapon."""
    return any(not _WEAPONS.isdisjoint(words[k].forms) for k in span)


@cache
def _as_violence(pattern: Pattern) -> Pattern:
    """An abuse pattern as violence, for a sexual assault outside the family."""
    return replace(
        pattern, id=f"violence: outside, {pattern.id.partition(': ')[2]}", category="violence"
    )


def _sexual(words: tuple[Word, ...], span: list[int]) -> bool:
    """Whether a match tells of a sexual assault (its words as written)."""
    return any(words[k].lower.startswith(_SEXUAL) for k in span)


@cache
def _as_abuse(pattern: Pattern) -> Pattern:
    """A violence pattern as abuse, for violence that someone in the family does."""
    return replace(pattern, id=f"abuse: family, {pattern.id.partition(': ')[2]}", category="abuse")


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


# How many words' anchored patterns an index remembers before it starts afresh.
_MEMO_SIZE = 50_000


class _Index:
    """Patterns indexed under one element each, their anchor: the first element none of
    whose forms is an everyday word, so that "ei", "minä" or "olla" in a message do not
    wake up dozens of patterns. For each pattern it also keeps the elements to check
    against the whole message before matching: all but the anchor (which did match),
    everyday ones last, so a pattern that cannot match is found out early."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.by_form: dict[str, list[Pattern]] = {}
        self.by_prefix: dict[str, list[tuple[str, Pattern]]] = {}
        self.rest: dict[Pattern, tuple[Element, ...]] = {}
        self.memo: dict[frozenset[str], dict[Pattern, None]] = {}
        for pattern in patterns:
            anchor = next(
                (e for e in pattern.elements if e.exact.isdisjoint(_COMMON)), pattern.elements[0]
            )
            for form in anchor.exact:
                self.by_form.setdefault(form, []).append(pattern)
            for prefix in anchor.prefixes:
                self.by_prefix.setdefault(prefix[:3], []).append((prefix, pattern))
            others = [e for e in pattern.elements if e is not anchor]
            self.rest[pattern] = tuple(
                sorted(others, key=lambda e: not e.exact.isdisjoint(_COMMON))
            )

    def triggered(self, words: tuple[Word, ...]) -> dict[Pattern, None]:
        found: dict[Pattern, None] = {}
        memo = self.memo
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
        by_form, by_prefix = self.by_form, self.by_prefix
        for form in forms:
            hit = by_form.get(form)
            if hit:
                found.update(dict.fromkeys(hit))
            for prefix, pattern in by_prefix.get(form[:3], ()):
                if form.startswith(prefix):
                    found[pattern] = None
        return found

    def starts(
        self, patterns: Iterable[Pattern], words: tuple[Word, ...], every: frozenset[str]
    ) -> list[tuple[int, Pattern]]:
        """Where each pattern that may match could begin: the positions of the words
        its first element matches, for patterns every element of which matches some
        word (checking that against all the forms of the message first is much
        cheaper than matching)."""
        starts: list[tuple[int, Pattern]] = []
        heads: frozenset[str] | None = None
        rest = self.rest
        for pattern in patterns:
            possible = True
            for element in rest[pattern]:
                if not element.exact.isdisjoint(every):
                    continue
                if not element.heads:
                    possible = False
                    break
                if heads is None:
                    heads = frozenset(form[:3] for form in every)
                if not element.may_match(every, heads):
                    possible = False
                    break
            if not possible:
                continue
            first = pattern.elements[0]
            starts += [(i, pattern) for i, w in enumerate(words) if first.matches(w.forms)]
        return starts


# A word is read as a lexicon word it misses a letter of only when it has at least this
# many letters, and as one with two letters swapped at this many: shorter words have too
# many neighbours.
_DROPPED_MIN = 4
_SWAPPED_MIN = 4
# A word with a letter typed three times or more is read as a lexicon word of at least
# this many letters with each such run as one letter or two ("diiiieee" as "die").
_STRETCHED_MIN = 3
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")


class _Spelling:
    """The words and prefixes the lexicon is written in, to read a word that nothing
    knows (Voikko, the colloquial table, a restored umlaut or a suggestion) as the
    lexicon word it is one slip of typing away from: a letter dropped, two adjacent
    letters swapped or a letter typed twice, never the first letter ("kulla" as
    "kuolla", "myslef" as "myself", "suicdal" as "suicidal" through the prefix
    "suicid", "viilelly" through "viillel"), or letters held down ("diiiieee" as
    "die"). English and Swedish have no analyser
    here, so their misspellings are found only this way. A letter changed into another
    is not read so: "went" is not "want"."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        words: set[str] = set()
        prefixes: set[str] = set()
        for pattern in patterns:
            for element in pattern.elements:
                words.update(a for a in element.exact if len(a) >= _SWAPPED_MIN and a.isalpha())
                prefixes.update(p for p in element.prefixes if len(p) >= _SWAPPED_MIN)
        self.words = frozenset(words)
        # every word, however short, for a word typed with letters stretched
        self.every = frozenset(
            a for pattern in patterns for e in pattern.elements for a in e.exact
            if len(a) >= _STRETCHED_MIN and a.isalpha()
        )  # fmt: skip
        self.prefixes = frozenset(p for p in prefixes if p.isalpha())
        # a word or prefix with one letter (not the first) dropped → those words
        self.dropped: dict[str, list[str]] = {}
        for known in sorted(self.words | self.prefixes):
            for variant in _deletions(known):
                self.dropped.setdefault(variant, []).append(known)
        self.lengths = sorted({len(p) for p in self.prefixes})
        self.memo: dict[str, frozenset[str]] = {}

    def read(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """``words`` with the lexicon words each unknown word may misspell as
        alternatives (:attr:`Word.alt`)."""
        out: list[Word] | None = None
        for i, word in enumerate(words):
            if word.known:
                continue
            repairs = self.repairs(word.lower)
            if repairs:
                if out is None:
                    out = list(words)
                out[i] = word._replace(alt=word.alt | repairs)
        return words if out is None else tuple(out)

    def repairs(self, lower: str) -> frozenset[str]:
        hit = self.memo.get(lower)
        if hit is None:
            hit = self._repairs(lower)
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[lower] = hit
        return hit

    def _repairs(self, lower: str) -> frozenset[str]:
        if len(lower) < _SWAPPED_MIN or not lower.isalpha() or lower in self.words:
            return frozenset()
        if _STRETCH.search(lower):
            # letters held down ("diiiieee", "pleaseeee"): each run as one letter or two
            out = {
                w
                for w in (_STRETCH.sub(r"\1", lower), _STRETCH.sub(r"\1\1", lower))
                if w in self.every
            }
            if out:
                return frozenset(out)
        out = {w for w in self._near(lower) if w in self.words}
        for length in self.lengths:
            if lower[:length] in self.prefixes:
                continue  # it matches as written
            for cut in (length - 1, length):
                if cut > len(lower) or cut < _SWAPPED_MIN:
                    continue
                head, rest = lower[:cut], lower[cut:]
                out.update(
                    p + rest for p in self._near(head) if len(p) == length and p in self.prefixes
                )
        return frozenset(out)

    def _near(self, token: str) -> set[str]:
        """Lexicon words and prefixes one slip away from ``token``."""
        found: set[str] = set()
        if len(token) >= _DROPPED_MIN:
            found.update(self.dropped.get(token, ()))  # a letter dropped
        for i in range(1, len(token) - 1):
            if token[i] != token[i + 1]:
                swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
                if swapped in self.words or swapped in self.prefixes:
                    found.add(swapped)
            elif token[:i] + token[i + 1 :] in self.words:
                found.add(token[:i] + token[i + 1 :])  # a letter typed twice
        return found


def _deletions(word: str) -> set[str]:
    """``word`` with one letter dropped, the first letter kept."""
    return {word[:i] + word[i + 1 :] for i in range(1, len(word))}


class Detector:
    """Finds crisis signals in analysed words (see :mod:`kuulolla.moderation.text`)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._rules = _Index(lexicon.patterns)
        self._spelling = _Spelling(
            [*lexicon.patterns, *(p for ps in lexicon.contexts.values() for p in ps)]
        )
        self._context_of: dict[Pattern, str] = {
            p: name for name, ps in lexicon.contexts.items() for p in ps
        }
        self._contexts = _Index(self._context_of)
        # A family member acts when named as written (the nominative): "isä löi", not
        # "isän ase" or "koskee mun siskoon".
        self._family = frozenset(
            form for p in lexicon.contexts.get("family", ()) for form in p.elements[-1].exact
        )

    def detect(self, words: tuple[Word, ...], *, text: str = "") -> CrisisSignal | None:
        """The crisis signal in ``words`` (from :meth:`Analyser.words` of ``text``), or
        ``None``. ``text`` is read for the marks of a joke (emoji)."""
        return self.examine(words, text=text)[0]

    def examine(
        self, words: tuple[Word, ...], *, text: str = ""
    ) -> tuple[CrisisSignal | None, bool]:
        """Like :meth:`detect`, and whether the message was found to be no crisis
        though it speaks like one: an idiom, a joke, fiction or news, a past that is
        over, in every clause (the learned model is then not asked for a second
        opinion)."""
        signal, quiet, _ = self._read(words, text)
        return signal, quiet

    def _spelled(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """``words`` as the rules read them: chat spellings restored, alternative
        readings merged, Swedish articles split off."""
        return _swedish_articles(with_alternatives(self._spelling.read(words)))

    def model_words(self, words: tuple[Word, ...]) -> tuple[Word, ...] | None:
        """What the learned model is to read of a message the lexicon found nothing in:
        ``None`` when its signal is not to be raised (:meth:`quiets_model`), else the
        words outside the clauses found to be look-alikes ("tapoin sen pelissä, nyt
        mietin et kukaan ei kaipais mua" is read for its second clause)."""
        if self.quiets_model(words):
            return None
        _, _, void = self._read(words, "")
        return tuple(w for w in words if w.start not in void) if void else words

    def _read(
        self, words: tuple[Word, ...], text: str
    ) -> tuple[CrisisSignal | None, bool, frozenset[int]]:
        """:meth:`examine`, and where the words of the clauses found to be
        look-alikes start."""
        if not words:
            return None, False, frozenset()
        if text and not _EMOJI_WORDS.keys().isdisjoint(text):
            words = _with_emoji(words, text)
        words = self._spelled(words)
        triggered = self._rules.triggered(words)
        if not triggered:
            return None, False, frozenset()
        words = _with_years(self._turned(words, text))
        every: frozenset[str] = frozenset().union(*(w.forms for w in words))
        starts = self._rules.starts(triggered, words, every)
        if not starts:
            return None, False, frozenset()
        sentences = [w.sentence for w in words]
        consumed: set[int] = set()
        for i, pattern in starts:
            if pattern.category == "idiom":
                span = _match(pattern, words, i, sentences, frozenset())
                if span is not None:
                    consumed.update(span)
        hits: list[tuple[Pattern, list[int]]] = []
        cancelled: list[tuple[Pattern, list[int]]] = []
        # Clauses of matches void by a story or the news: unlike an idiom's or a game's,
        # the model reads them, and its signal is kept only with someone named
        # (quiets_model): "the news keeps talking about knife crime and i've started
        # carrying one".
        storied: set[int] = set()
        matched: set[str] = set()
        # The clauses found to be look-alikes (an idiom, a story, a joke…): the
        # learned model is not asked about them (see "The learned model's signal").
        clauses = [w.clause for w in words]
        void = {clauses[k] for k in consumed}
        denied = False
        for i, pattern in starts:
            if pattern.category == "idiom" or pattern.id in matched:
                continue
            blocked = frozenset() if pattern.strong else frozenset(consumed)
            span = _match(pattern, words, i, sentences, blocked)
            if span is None:
                continue
            if not pattern.negated_itself and _negated(words, span):
                denied = True
                continue
            kind = self._cancelled(pattern.category, words, span, sentences)
            if kind is not None:
                cancelled.append((pattern, span))
                if kind == "story":
                    storied.add(clauses[span[0]])
                continue
            matched.add(pattern.id)
            hits.append((pattern, span))
        context: dict[str, list[list[int]]] = {}
        if cancelled:
            # A story, the news or a song is no crisis, unless the writer says it is
            # their own too: "luin kirjaa jossa hahmo viiltelee ja mä teen ihan samaa".
            context = self._context(words, every, sentences)
            if "own" in context:
                hits += [(p, span) for p, span in cancelled if p.id not in matched]
                matched.update(p.id for p, _ in cancelled)
            else:
                void.update(clauses[span[0]] for _, span in cancelled)
                void.difference_update(storied)

        def drop(gone: Callable[[Pattern, list[int]], bool], *, framing: bool = False) -> None:
            """Void the hits ``gone`` says; their clauses are look-alikes unless they
            were voided by a frame (a question about the subject, the subject in
            general), which leaves them to the model and quiets_model."""
            nonlocal hits
            if not framing:
                void.update(clauses[span[0]] for p, span in hits if gone(p, span))
            hits = [(p, span) for p, span in hits if not gone(p, span)]

        if hits:
            # How the message is meant is read only once something matched.
            context = context or self._context(words, every, sentences)
            if "past" in context and "resolved" in context and "again" not in context:
                return None, True, frozenset()  # told as over: see the module docstring
            if "topic" in context and "own" not in context:
                # a question about the subject: see the module docstring
                topic = {sentences[span[0]] for span in context["topic"]}
                drop(lambda p, span: sentences[span[0]] in topic, framing=True)
            if "general" in context and "own" not in context and "recent" not in context:
                # the subject named as a matter of work, study, prevention or the news,
                # nobody's danger: see "The subject in general" (told of today, it is
                # someone's: "en elev berättade i dag om självmordstankar")
                named = {k for span in context.get("named", ()) for k in span}
                framed = {sentences[span[0]] for span in context["general"]}
                # a pattern counts once, at its first match: the subject named again
                # as someone's in the sentence keeps it ("oppitunti itsemurhista ja
                # mietin koko ajan itsemurhaa")
                owned = {
                    sentences[span[0]]
                    for span in context.get("named", ())
                    if self._someones(words, span, sentences)
                }
                drop(
                    lambda p, span: (
                        sentences[span[0]] in framed
                        and sentences[span[0]] not in owned
                        and named.issuperset(span)
                        and not self._someones(words, span, sentences)
                    ),
                    framing=True,
                )
            asked = {
                sentences[span[0]] for span in context.get("asked", ()) if _answered_no(words, span)
            }
            if asked:
                # someone else's question, answered no: "lääkäri kysyi, onko minulla
                # itsetuhoisia ajatuksia. Ei ole." (see "Negation")
                drop(lambda p, span: sentences[span[0]] in asked)
            if (
                "medical" in context
                and "taken" not in context
                and "again" not in context
                and every.isdisjoint(_DYING)
            ):
                # a question about a dose, nothing taken and no word of dying: "kuinka
                # monta buranaa voi ottaa kerralla" (see "The learned model's signal")
                drop(lambda p, span: p.category in ("overdose", "suicide") and not p.also)
            if "quote" in context and "own" not in context:
                quoted = _quoted(text, words)
                drop(lambda p, span: all(quoted[k] for k in span))
            joke = "joke" in context or self._marked(text, "joke")
            if joke and not ("serious" in context or self._marked(text, "serious")):
                causes = {sentences[span[0]] for span in context.get("cause", ())}
                drop(lambda p, span: p.hyperbole and sentences[span[0]] in causes)
        if not hits:
            if denied and not void:
                # a denial of thoughts or plans ("minulla ei ole ajatuksia itseni
                # vahingoittamisesta", "jag tänker inte göra nåt dumt") is no crisis:
                # the learned model is not asked either (see "Negation")
                context = context or self._context(words, every, sentences)
                if "denial" in context or "explained" in context:
                    return None, True, frozenset()
            # the model is not asked when every clause was a look-alike; otherwise it
            # reads the others (model_words)
            gone = frozenset(w.start for w in words if w.clause in void)
            return None, bool(void) and void.issuperset(clauses), gone
        # Words that speak of harming oneself are not also violence against others:
        # "aikoo tappaa itsensä" is suicide, "haluan lyödä itseäni" self-harm.
        own = {k for p, span in hits if p.category in ("suicide", "self_harm") for k in span}
        if own:
            hits = [(p, s) for p, s in hits if p.category != "violence" or own.isdisjoint(s)]
        # The words of an overdose told as done are the overdose, not also a suicide
        # signal ("söin koko purkin buranaa"): suicide stays when a match of its own
        # has a word besides them ("…, en halua herätä"); the labelling rule is in
        # moderation/evaluation.py.
        taken = {k for p, span in hits if p.category == "overdose" for k in span}
        if taken:
            hits = [(p, s) for p, s in hits if p.category != "suicide" or not taken.issuperset(s)]
            # nor is what was swallowed disordered eating ("söin koko purkin, huimaa")
            hits = [(p, s) for p, s in hits if p.category != "eating" or taken.isdisjoint(s)]
        # Likewise words an abuse pattern explains ("seksuaalista väkivaltaa", a parent
        # who hits or threatens) are not violence as well, nor is anything else in the
        # sentences that tell of abuse but a weapon: see the labelling rule above.
        family = context.get("family", ())
        if family and any(p.category == "violence" for p, _ in hits):
            # Violence that a family member, partner or carer does (named just before
            # it, in the sentence) is abuse only, a weapon too: "poikaystävä töni mua
            # ja löi", "vävyni uhkaili minua puukolla".
            ends = [
                (sentences[span[-1]], span[-1])
                for span in family
                if words[span[-1]].lower in self._family
            ]
            converted: list[tuple[Pattern, list[int]]] = []
            for p, s in hits:
                if p.category == "violence" and any(
                    sentence == sentences[s[0]]
                    and 0 < s[0] - end <= _FAMILY_REACH
                    # the family's weapon is not the family's violence: "isän ase"
                    and not _armed(words, [k for k in s if 0 < k - end <= 2])
                    for sentence, end in ends
                ):
                    converted.append((_as_abuse(p), s))
                else:
                    converted.append((p, s))
            hits = converted
        if "control" in context and any(p.category == "violence" for p, _ in hits):
            # Hitting told beside control over someone's phone, friends or money is
            # abuse, whoever is named: "he checks my phone and hits me" (see "Control")
            hits = [(_as_abuse(p), s) if p.category == "violence" else (p, s) for p, s in hits]
        if "outside" in context and "family" not in context:
            # A sexual assault at a party, on a bus or by a stranger, with nobody of the
            # family named, is violence (see "Outside the family")
            abuse_hits = [(p, s) for p, s in hits if p.category == "abuse"]
            if abuse_hits and all(_sexual(words, s) for _, s in abuse_hits):
                hits = [(_as_violence(p), s) if p.category == "abuse" else (p, s) for p, s in hits]
        abuse = {sentences[k] for p, s in hits if p.category == "abuse" for k in s}
        if abuse:
            hits = [
                (p, s)
                for p, s in hits
                if p.category != "violence" or abuse.isdisjoint(sentences[k] for k in s)
            ]
        found = {c for p, _ in hits for c in (p.category, *p.also)}
        categories = tuple(c for c in CATEGORIES if c in found)
        phrases = tuple(p.id for c in categories for p, _ in hits if p.category == c)
        return CrisisSignal(categories, phrases), False, frozenset()

    def quiets_model(self, words: tuple[Word, ...]) -> bool:
        """Whether a message the lexicon found nothing in is read as no crisis however
        it sounds, so that the learned model's signal is not raised either (see "The
        learned model's signal" in the module docstring): a past told as over; a
        question about the subject, the subject in general, a story or the news with
        nobody named; someone's question answered no; a question about a medicine's
        dose or its safe keeping with nothing taken. (A denial with what it really is
        keeps the model quiet only beside a negated match of the lexicon: "en jaksa, se
        on vaan liikaa" is left to the model.)"""
        if not words:
            return False
        words = _with_years(self._spelled(words))
        every: frozenset[str] = frozenset().union(*(w.forms for w in words))
        context = self._context(words, every, [w.sentence for w in words])
        if "own" in context:
            return False
        again = "again" in context
        if "past" in context and "resolved" in context and not again:
            return True
        swedish = _is_swedish(words)
        framing = self.lexicon.framing
        framed = (
            "topic" in context
            or "general" in context
            or (framing is not None and any(framing.matches(w.forms) for w in words))
        )
        if (
            framed
            and "recent" not in context
            and not any(
                _is_someone(w, swedish) or _first_person_verb(w) or not w.forms.isdisjoint(_PEOPLE)
                for w in words
            )
        ):
            return True
        if "medical" in context and not again and "taken" not in context:
            return True
        return any(_answered_no(words, span) for span in context.get("asked", ()))

    def _someones(self, words: tuple[Word, ...], span: list[int], sentences: list[int]) -> bool:
        """Whether a match tells of someone's danger: the writer or someone close named
        in it or just before it, in its sentence, or a Finnish verb in the first person
        before it ("mietin koko ajan itsemurhaa": Finnish leaves out the pronoun)."""
        sentence = sentences[span[0]]
        swedish = _is_swedish(words)
        before = range(max(0, span[0] - _FIRST_PERSON_REACH), span[0])
        verbs = range(max(0, span[0] - _FIRST_PERSON_REACH - 1), span[0])
        people = range(max(0, span[0] - _PERSON_REACH), span[0])
        return (
            any(
                sentences[k] == sentence
                and (_is_someone(words[k], swedish) or words[k].lower in self._family)
                for k in (*before, *span)
            )
            or any(sentences[k] == sentence and _first_person_verb(words[k]) for k in verbs)
            or any(
                sentences[k] == sentence and not words[k].forms.isdisjoint(_PEOPLE) for k in people
            )
        )

    def _context(
        self, words: tuple[Word, ...], every: frozenset[str], sentences: list[int]
    ) -> dict[str, list[list[int]]]:
        """The context patterns that match, by name, with their spans (a negated one
        does not count: "en oo toipunut")."""
        context: dict[str, list[list[int]]] = {}
        index = self._contexts
        for i, pattern in index.starts(index.triggered(words), words, every):
            span = _match(pattern, words, i, sentences, frozenset())
            if span is not None and (pattern.negated_itself or not _negated(words, span)):
                context.setdefault(self._context_of[pattern], []).append(span)
        return context

    def _turned(self, words: tuple[Word, ...], text: str) -> tuple[Word, ...]:
        """``words`` with a new sentence started where the message turns from a joke or
        a cover story to what is meant (see "A turn" in the module docstring): at a word
        that says it is meant ("oikeesti", "seriously", "på riktigt"), with the words
        that lead it ("ei vaan", "mut", "no but"), where they begin a clause, follow a
        mark of a joke ("lol", an emoji) or start with "mut", "but" or "men". What
        follows that word is a clause of its own, so that a leading "ei" negates
        nothing after it."""
        starts: set[int] = set()
        clauses: set[int] = set()
        for k, word in enumerate(words):
            if word.lower not in _TURN_WORDS:
                continue
            first = k
            while (
                first > 0
                and words[first - 1].clause == word.clause
                and words[first - 1].lower in _TURN_LEADS
            ):
                first -= 1
            before = words[first - 1] if first else None
            if (
                before is None
                or before.clause != word.clause
                or before.lower in _JOKE_WORDS
                or words[first].lower in _CONJUNCTIONS
                or _marked_between(text, before.end, words[first].start)
            ):
                if before is not None and before.sentence == word.sentence:
                    starts.add(first)
                if k + 1 < len(words) and words[k + 1].clause == word.clause:
                    clauses.add(k + 1)
        if not starts and not clauses:
            return words
        out: list[Word] = []
        sentence = clause = 0
        for k, word in enumerate(words):
            if k and (k in starts or word.sentence != words[k - 1].sentence):
                sentence += 1
                clause += 1
            elif k and (k in clauses or word.clause != words[k - 1].clause):
                clause += 1
            out.append(word._replace(sentence=sentence, clause=clause))
        return tuple(out)

    def _marked(self, text: str, name: str) -> bool:
        marks = self.lexicon.marks.get(name, frozenset())
        return any(mark in text for mark in marks)

    def _cancelled(
        self, category: str, words: tuple[Word, ...], span: list[int], sentences: list[int]
    ) -> Literal["story", "other", None]:
        """Whether a match is void by a cancel word of its sentence: ``"story"`` for a
        story, the news or a course (framing), ``"other"`` for a game, a kitchen or an
        accident, ``None`` when it stands."""
        cancel = self.lexicon.cancel.get(category)
        if cancel is None:
            return None
        sentence = sentences[span[0]]
        found = [
            w for k, w in enumerate(words) if sentences[k] == sentence and cancel.matches(w.forms)
        ]
        if not found:
            return None
        framing = self.lexicon.framing
        if framing is None or not all(framing.matches(w.forms) for w in found):
            # a game, a kitchen, an accident: whoever tells it, unless done on purpose
            # ("poltin itteeni silitysraudalla tahallaan")
            done_on_purpose = any(
                w.lower in _ON_PURPOSE for k, w in enumerate(words) if sentences[k] == sentence
            )
            return None if done_on_purpose else "other"
        # A story or the news: the act is the writer's own when told in the first
        # person ("lehdessä kerrottiin yliannostuksista ja mä otin eilen liikaa"), unless
        # what it is done to is the story's ("mä puukotin sen hahmon").
        reach = _FIRST_PERSON_REACH
        after = range(span[-1] + 1, min(len(words), span[-1] + 1 + reach))
        if any(framing.matches(words[k].forms) for k in after):
            return "story"
        before = range(max(0, span[0] - reach), span[0])
        verbs = range(max(0, span[0] - reach - 1), span[0])
        own = any(
            words[k].lower in _FIRST_PERSON and sentences[k] == sentence for k in (*before, *span)
        ) or any(_first_person_verb(words[k]) and sentences[k] == sentence for k in verbs)
        return None if own else "story"


# Emoji that carry a crisis meaning are read as words of their own, in place, by the
# crisis rules only ("nappasin koko purkin 💊💊", "done with everything 🪦"); the
# lexicon writes them as these forms.
_EMOJI_WORDS = {
    "💊": "<pill>", "🔪": "<knife>", "🗡": "<knife>", "🩸": "<blood>", "🪦": "<grave>",
    "⚰": "<grave>", "🔚": "<end>", "🌉": "<bridge>", "👋": "<wave>", "🪢": "<rope>",
    "🍷": "<alcohol>", "🍺": "<alcohol>", "🍻": "<alcohol>", "🥃": "<alcohol>",
    "🍾": "<alcohol>", "🍸": "<alcohol>", "🤮": "<vomit>", "🩹": "<plaster>",
}  # fmt: skip


def _with_emoji(words: tuple[Word, ...], text: str) -> tuple[Word, ...]:
    """``words`` with a word for each meaningful emoji of ``text``, where it stands
    (in the clause and sentence of the word before it)."""
    out: list[Word] = []
    k = 0
    for i, ch in enumerate(text):
        form = _EMOJI_WORDS.get(ch)
        if form is None:
            continue
        while k < len(words) and words[k].start < i:
            out.append(words[k])
            k += 1
        before = out[-1] if out else words[0]
        out.append(Word(i, i + 1, ch, frozenset({ch, form}), before.clause, before.sentence))
    out.extend(words[k:])
    return tuple(out)


def _swedish_articles(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """``words`` of a message written in Swedish with no Finnish negation read into
    them: "en" is the article, not "I do not" ("en kille följer efter mig"), and a word
    typed without its umlauts is not read as a Finnish one ("alla" as "ällä")."""
    if not any("ei" in w.forms for w in words):
        return words
    if sum(w.lower in _SWEDISH for w in words) < _SWEDISH_MIN:
        return words
    return tuple(
        w._replace(forms=w.forms - {"ei"}) if "ei" in w.forms and w.lower not in _FINNISH_NOT else w
        for w in words
    )


def _is_swedish(words: tuple[Word, ...]) -> bool:
    """Whether a message is written in Swedish (two or more of its everyday words)."""
    return sum(w.lower in _SWEDISH for w in words) >= _SWEDISH_MIN


def _is_someone(word: Word, swedish: bool) -> bool:
    """Whether a word names the writer or someone (:data:`_SOMEONE`); in Swedish "i" is
    "in"."""
    return word.lower in _SOMEONE and not (swedish and word.lower == "i")


def _first_person_verb(word: Word) -> bool:
    """Whether a Finnish word reads as a verb of thinking, wanting or being in the first
    person singular ("mietin", "ajattelen", "haluan", "olen", "oon"): Finnish leaves out
    the pronoun."""
    lower = word.lower
    if not lower.endswith("n") or lower == "on" or lower.endswith("isin"):
        return False  # "on" is the third person, "haluaisin tietää" a polite wish
    return any(f in _OWN_VERBS and f != lower for f in word.forms)


def _with_years(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """``words`` with a number that may be a year ("back in 2009", "1943") read as
    ``<year>`` too."""
    if not any(len(w.lower) == 4 and w.lower.isdigit() for w in words):
        return words
    return tuple(
        w._replace(forms=w.forms | {"<year>"})
        if len(w.lower) == 4 and w.lower.isdigit() and int(w.lower) in _YEARS
        else w
        for w in words
    )


# Words of a short answer that say no to a question ("Ei ole.", "No, I'm not", "Nej").
_NO = frozenset({"no", "nope", "nah", "nej", "nä", "ei", "en"})
_ANSWER = frozenset({"olla", "ole", "oo", "am", "i'm", "im", "not", "do", "don't", "have", "har",
                     "är", "gör", "inte", "jag", "i", "minä", "mä", "sitä"})  # fmt: skip


def _answered_no(words: tuple[Word, ...], asked: list[int]) -> bool:
    """Whether a question someone asked (``asked``: where its asking is told) is
    answered no in a sentence after it: a clause of at most three words that begins
    with "no" or a negation and says nothing but the question's own words ("Ei ole.",
    "En satuta,", "Nej.", "No, I'm not"); "en kertonu" answers nothing."""
    last = asked[-1]
    sentence = words[last].sentence
    question = frozenset().union(*(w.forms for w in words if w.sentence == sentence))
    clauses: dict[int, list[Word]] = {}
    for w in words[last + 1 :]:
        if w.sentence != sentence:
            clauses.setdefault(w.clause, []).append(w)
    return any(
        len(clause) <= 3
        and (clause[0].lower in _NO or _is_negation(clause[0]))
        and all(not w.forms.isdisjoint(_ANSWER | question) for w in clause[1:])
        for clause in clauses.values()
    )


def _marked_between(text: str, start: int, end: int) -> bool:
    """Whether something other than letters, digits, spaces and commas (an emoji, a
    dash, "...") stands in ``text`` between two words."""
    return any(not (ch.isalnum() or ch.isspace() or ch == ",") for ch in text[start:end])


def _quoted(text: str, words: tuple[Word, ...]) -> list[bool]:
    """For each word, whether it stands between quotation marks in ``text`` (any of
    the marks opens and closes: Finnish writes ”…” and English “…”, "…" or '…'; a
    single mark between two letters is an apostrophe, "i'm")."""
    marks = [
        i
        for i, ch in enumerate(text)
        if ch in _QUOTES
        or (
            ch in _SINGLE_QUOTES
            and not (0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha())
        )
    ]
    spans = list(zip(marks[::2], marks[1::2], strict=False))
    return [any(a < w.start < b for a, b in spans) for w in words]


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
    # Swedish puts "inte" after the verb (and its pronoun): "jag skär mig inte"
    after = span[-1] + 1
    if after < len(words) and words[after].clause == words[span[-1]].clause:
        if words[after].lower in ("mig", "dig", "sig", "det") and after + 1 < len(words):
            after += 1
        return words[after].lower in _AFTER_NOT and words[after].clause == words[span[-1]].clause
    return False


@cache
def detector() -> Detector:
    """The detector of the built-in lexicon (parsed once)."""
    return Detector(Lexicon.parse((DATA / "crisis.txt").read_text(encoding="utf-8")))
