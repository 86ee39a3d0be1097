"""Visitors' nicknames that cannot pass for staff or for someone else in the room.

Pure rules, no I/O. Three refusals, each with a stable code and a translated reason
that says what to change and never who is staff:

- ``nick_taken``: the nickname looks like one in use by someone present in the
  room (:func:`room_key`: case, accents and look-alike characters ignored, so "Aino",
  "aino", "AINO", "Aïno" and "Аino" with a Cyrillic А are one name), or like a staff
  member's display name (:func:`shapes`, below). Both say the same thing, so a visitor
  cannot learn from the refusal that a name is a staff member's.
- ``nick_role``: the nickname contains a title of the service's helpers in Finnish,
  Swedish or English ("Päivystäjä", "M0deraattori", "Kriisityöntekijä", "Staff").

Matching staff names and titles needs a harsher fold than telling visitors apart,
:func:`shapes`: Unicode's confusable skeletons (UTS #39, core/confusables.py) of the
text as written and uppercased, accents dropped, digits and symbols read as letters
(0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b, @→a, $→s), "l" read as "i", everything but
letters dropped and repeated letters made single. "Tiina" and "Tina" then share a
shape; two visitors may still be "Tiina" and "Tina" in one room, but neither may be
"Tina" while a "Tiina" is staff.

Titles come in two kinds (:data:`TITLES`): long stems are found anywhere in the
nickname, compounds and inflections included ("ohjaaja" in "Elokuvaohjaajana",
"vapaaehtoi" in "Vapaaehtoistyöntekijä"); short words ("mod", "admin", "staff") only
as a word of their own with a few inflectional endings, so "Modeemi", "Badminton",
"Staffan" and "Admiral" pass. The decisions on borderline names are the table in
tests/moderation/test_nicknames.py.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from kuulolla.core.confusables import skeleton
from kuulolla.core.errors import InvalidNick
from kuulolla.core.i18n import N_

# Digits and symbols read as the letters they stand in for; "l" as "i" (skeletons
# already turn "1", "I" and "|" into "l"), so "Adm1n", "AdmIn" and "Admln" are one.
_AS_LETTERS = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "€": "e", "!": "i", "|": "i", "+": "t", "l": "i"}
)  # fmt: skip
_NOT_LETTER = re.compile(r"[\W\d_]+")
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_RUNS = re.compile(r"[^\W_]+")  # letters and digits between spaces and punctuation


class NickTaken(InvalidNick):
    code = "nick_taken"
    default_message = N_(
        "This nickname, or one that looks very like it, is already in use. Choose another one, for example by adding a letter or a number."
    )


class NickTitle(InvalidNick):
    code = "nick_role"
    default_message = N_(
        "A nickname cannot contain “{word}” or another title of the people who help here. Choose a nickname without it."
    )


# ------------------------------------------------------------------ folding


def room_key(nick: str) -> str:
    """The form in which two visitors' nicknames in one room count as the same: case,
    accents, spaces and punctuation ignored, look-alike characters (UTS #39) folded.
    Letters stay distinct otherwise ("Ella" and "Eila", "Tiina" and "Tina" differ)."""
    # Uppercase first: in capitals "I", "l" and "1" are the confusable ones, and a
    # Cyrillic "к" is a "K" (its small form has a skeleton of its own, "ĸ").
    folded = skeleton(unicodedata.normalize("NFKC", nick).upper())
    return "".join(ch for ch in folded if ch.isalnum())


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """``text`` skeletonised twice and case-folded, digits read as letters: what both
    of :func:`_shape`'s variants start from."""
    once = skeleton(unicodedata.normalize("NFKC", text)).casefold()
    twice = skeleton(once).casefold()  # lower case look-alikes: "а", "m" as "rn"
    return twice.translate(_AS_LETTERS)


def _shape(text: str, digits: bool) -> str:
    # Skeletons are decomposed: dropping what is not a word character drops the accents.
    kept = (_NOT_LETTER_OR_DIGIT if digits else _NOT_LETTER).sub("", _folded(text))
    # A run of one character counts as one ("Aadmiin" as "admin").
    return "".join(ch for ch, _ in itertools.groupby(kept))


@lru_cache(maxsize=4096)
def shapes(text: str, *, digits: bool = False) -> frozenset[str]:
    """The harsh folds of ``text`` for matching staff names and titles: as written and
    as uppercased (see the module docstring). Compare sets: two texts look alike when
    their shapes meet. Digits that stand for no letter are dropped, or kept with
    ``digits`` (a staff member's name with a number added is another name)."""
    return frozenset((_shape(text, digits), _shape(text.upper(), digits)))


def staff_shapes(display_names: Iterable[str]) -> frozenset[str]:
    """The shapes visitors may not take, from staff members' display names: each whole
    name, and the name before a bracket or slash ("Kaisa (MLL)" also gives "Kaisa")."""
    out: set[str] = set()
    for name in display_names:
        out |= shapes(name, digits=True)
        head = re.split(r"\s*[(/|,]|\s[-–]\s", name, maxsplit=1)[0]
        if head != name and len(head.strip()) >= 2:
            out |= shapes(head, digits=True)
    out.discard("")
    return frozenset(out)


# ------------------------------------------------------------------ titles


@dataclass(frozen=True, slots=True)
class Title:
    """A helper title. ``word`` is shown in the refusal; ``stem`` is matched.

    A title with ``whole_word`` matches only a word of the nickname (with one of
    :data:`_ENDINGS`), or with ``at_end`` also the end of one ("Chatadmin")."""

    word: str
    stem: str = ""
    whole_word: bool = False
    at_end: bool = False

    @property
    def matched(self) -> str:
        return self.stem or self.word


def _long(*words: str) -> list[Title]:
    return [Title(w) for w in words]


def _short(*words: str, at_end: bool = False) -> list[Title]:
    return [Title(w, whole_word=True, at_end=at_end) for w in words]


# Long stems match anywhere; a stem shorter than the word keeps inflections whose
# stem changes ("vapaaehtoinen" → "vapaaehtoisena", "ylläpito" → "ylläpidon",
# "terapeutti" → "terapeutin"). A more specific title comes before one it contains,
# so the refusal names it.
TITLES: tuple[Title, ...] = (
    # Finnish
    *_long("työntekijä", "ohjaaja", "sairaanhoitaja", "hoitaja", "lääkäri", "valvoja"),
    *_long("tukihenkilö", "vertaistukija", "henkilökunta", "henkilöstö", "asiantuntija"),
    *_long("psykiatri", "kuraattori", "kuulolla"),
    Title("psykologi", "psykolog"),
    Title("moderaattori", "moderat"),
    Title("vapaaehtoinen", "vapaaehtoi"),
    Title("ylläpitäjä", "ylläpitäj"),
    Title("ylläpito", "ylläpit"),
    Title("ylläpito", "ylläpid"),
    Title("päivystäjä", "päivyst"),
    Title("terapeutti", "terapeut"),
    Title("koordinaattori", "koordinat"),
    Title("ammattilainen", "ammattilai"),
    # Swedish
    *_long("handledare", "frivillig", "volontär", "anställd", "kurator", "läkare"),
    *_long("sjukskötare", "skötare", "jourhavande", "stödperson", "yrkesperson"),
    Title("sjuksköterska", "sjukskötersk"),
    Title("administratör", "administrat"),
    Title("professionell", "profession"),
    # English
    *_long("volunteer", "therapist", "supervisor"),
    Title("counsellor", "counsel"),
    Title("psychologist", "psycholog"),
    Title("psychiatrist", "psychiatr"),
    Title("coordinator", "coordinat"),
    # Short words
    *_short("admin", "staff", "nurse", "doctor", at_end=True),
    *_short("mod", "personal", "official", "support", "team", "helper", "host"),
)

# Endings a short title may carry and still be the title: Finnish ("modi", "modit",
# "modin", "modia", "modeja", "adminille", "modina") and plurals ("mods", "admins").
_ENDINGS = ("", "i", "it", "in", "ia", "eja", "ille", "ina", "s")


@dataclass(frozen=True, slots=True)
class _Compiled:
    anywhere: tuple[tuple[str, Title], ...]
    words: dict[str, Title]
    at_end: tuple[tuple[str, Title], ...]


@cache
def _titles() -> _Compiled:
    anywhere: list[tuple[str, Title]] = []
    words: dict[str, Title] = {}
    at_end: list[tuple[str, Title]] = []
    for title in TITLES:
        if not title.whole_word:
            anywhere.extend((shape, title) for shape in shapes(title.matched))
            continue
        for ending in _ENDINGS:
            for shape in shapes(title.matched + ending):
                words.setdefault(shape, title)
        if title.at_end:
            at_end.extend((shape, title) for shape in shapes(title.matched))
    return _Compiled(tuple(anywhere), words, tuple(at_end))


def _words(nick: str) -> list[str]:
    """The words of a nickname to look for short titles in: runs of letters and
    digits, split where a small letter meets a capital ("ChatAdmin"); letters written
    apart are joined ("M o d"), and so is each pair of neighbours ("Ad-min")."""
    words: list[str] = []
    for run in _RUNS.findall(nick):
        start = 0
        for i in range(1, len(run)):
            if run[i - 1].islower() and run[i].isupper():
                words.append(run[start:i])
                start = i
        words.append(run[start:])
    spelled: list[str] = []  # runs of one-letter words, joined
    run_of_letters = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run_of_letters += word
            continue
        if len(run_of_letters) > 1:
            spelled.append(run_of_letters)
        run_of_letters = ""
    pairs = [a + b for a, b in itertools.pairwise(words)]
    return [*words, *spelled, *pairs]


# Words that contain a title but name no helper: "omaishoitaja" (a family carer, who
# may well be the visitor), "lastenhoitaja" (a babysitter).
_NOT_TITLES = ("omaishoitaja", "lastenhoitaja")


@cache
def _not_titles() -> tuple[str, ...]:
    return tuple(sorted({s for word in _NOT_TITLES for s in shapes(word)}, key=len, reverse=True))


@lru_cache(maxsize=4096)
def title_in(nick: str) -> Title | None:
    """The helper title ``nick`` contains, or ``None``."""
    compiled = _titles()
    whole = shapes(nick)
    for allowed in _not_titles():
        whole = frozenset(shape.replace(allowed, " ") for shape in whole)
    for shape in whole:
        for stem, title in compiled.anywhere:
            if stem in shape:
                return title
    for shape in whole.union(*(shapes(word) for word in _words(nick))):
        found = compiled.words.get(shape)
        if found is not None:
            return found
        for stem, title in compiled.at_end:
            if shape.endswith(stem):
                return title
    return None


# ------------------------------------------------------------------ decisions


def check_visitor_nick(nick: str, *, staff: frozenset[str]) -> str:
    """Refuse a visitor's nickname that passes them off as staff.

    ``nick`` has been through chat.logic.clean_nick; ``staff`` is :func:`staff_shapes`
    of the staff members' display names. Returns the nickname or raises
    :class:`NickTaken` (the reason a nickname in use by someone present gets too) or
    :class:`NickTitle`. Whether someone present uses it is rooms/nicks.py's to say."""
    # A title first: its reason says what to change, and staff may be named by one
    # ("Päivystäjä").
    title = title_in(nick)
    if title is not None:
        raise NickTitle(word=title.word)
    if not shapes(nick, digits=True).isdisjoint(staff):
        raise NickTaken()
    return nick
