"""Visitors' nicknames: look-alikes of people present, staff names and helper titles.

The tables are the decisions: what is refused, and the ordinary names and words
nearest to a rule that must pass.
"""

from __future__ import annotations

import pytest

from kuulolla.core.i18n import gettext
from kuulolla.moderation import nicknames
from kuulolla.moderation.nicknames import (
    NickTaken,
    NickTitle,
    check_visitor_nick,
    room_key,
    staff_shapes,
    title_in,
)

STAFF = staff_shapes(["Kaisa", "Anna Virtanen", "Tiina (MLL)", "Mikko / Sekasin"])


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Aino", "aino", True),
        ("Aino", "AINO", True),
        ("Aino", "Aïno", True),
        ("Aino", "Àíñö", True),
        ("Aino", "\u0410ino", True),  # Cyrillic А
        ("Aino", "A-i-n-o", True),
        ("Aino", "Ain0", True),
        ("AINO", "A1NO", True),  # a one among capitals is an I
        ("Anna-Maija", "anna maija", True),
        ("Aino", "Aino 2", False),  # a number makes another name
        ("Aino", "Eino", False),
        ("Ella", "Eila", False),
        ("Tiina", "Tina", False),
        ("Sää", "Saa", True),
    ],
)
def test_room_keys(a: str, b: str, same: bool) -> None:
    """Visitors in one room are told apart regardless of case, accents and look-alikes only."""
    assert (room_key(a) == room_key(b)) is same


@pytest.mark.parametrize(
    ("nick", "refused"),
    [
        ("Kaisa", True),
        ("kaisa", True),
        ("KAISA", True),
        ("K\u0430isa", True),  # Cyrillic а
        ("\u043a\u0430isa", True),  # Cyrillic к and а
        ("Ka1sa", True),
        ("KAlSA", True),
        ("Kaiisa", True),  # a doubled letter
        ("K.a.i.s.a", True),
        ("Käisä", True),
        ("Tiina", True),  # "Tiina (MLL)" is staff
        ("Tina", True),  # one letter less of a staff name still looks like it
        ("Mikko", True),  # "Mikko / Sekasin"
        ("Anna Virtanen", True),
        ("anna.virtanen", True),
        ("Kaisa 2", False),  # a number added makes another name
        ("Kaisa V", False),
        ("Anna", False),  # a part of a staff member's full name is free
        ("Ella", False),
        ("Kai", False),
    ],
)
def test_staff_names(nick: str, refused: bool) -> None:
    """A staff member's display name, or a look-alike of it, is refused; other names pass."""
    assert (not nicknames.shapes(nick, digits=True).isdisjoint(STAFF)) is refused


@pytest.mark.parametrize(
    ("nick", "title"),
    [
        # the names of the report, and their look-alikes
        ("Paivystaja", "päivystäjä"),
        ("Päivystäjä", "päivystäjä"),
        ("M0deraattori", "moderaattori"),
        ("Mooderaattori", "moderaattori"),
        ("Kriisityöntekijä", "työntekijä"),
        ("Psykologi", "psykologi"),
        ("PSYK0L0GI", "psykologi"),
        # inflections and compounds
        ("Ohjaajana", "ohjaaja"),
        ("Chat-ohjaaja", "ohjaaja"),
        ("Vapaaehtoisena", "vapaaehtoinen"),
        ("Vapaaehtoistyöntekijä", "työntekijä"),
        ("Ylläpito", "ylläpito"),
        ("Ylläpidon Kalle", "ylläpito"),
        ("Ylläpitäjä", "ylläpitäjä"),
        ("Sairaanhoitaja", "sairaanhoitaja"),
        ("Terveydenhoitaja", "hoitaja"),
        ("Lääkäri", "lääkäri"),
        ("Laakari", "lääkäri"),
        ("Terapeutin apu", "terapeutti"),
        ("Kuraattori", "kuraattori"),
        ("Elokuvaohjaaja", "ohjaaja"),  # decided: a film director's title is still the hosts'
        ("Lääkärintytär", "lääkäri"),  # decided: contains the title
        ("Kuulolla", "kuulolla"),
        # Swedish
        ("Handledare", "handledare"),
        ("Frivillig", "frivillig"),
        ("Sjukskötare", "sjukskötare"),
        ("Sjuksköterska", "sjuksköterska"),
        ("Psykolog", "psykologi"),
        ("Läkare", "läkare"),
        ("Jourhavande", "jourhavande"),
        ("Kurator", "kurator"),
        ("Personal", "personal"),
        # English
        ("Admin", "admin"),
        ("adm1n", "admin"),
        ("4DMIN", "admin"),
        ("Admln", "admin"),
        ("ChatAdmin", "admin"),
        ("Administrator", "administratör"),
        ("Moderator", "moderaattori"),
        ("M o d", "mod"),
        ("Kalle mod", "mod"),
        ("Mod2", "mod"),
        ("Modi", "mod"),  # decided: Finnish slang for a moderator
        ("Modit", "mod"),
        ("Staff", "staff"),
        ("Volunteer", "volunteer"),
        ("Counselor", "counsellor"),
        ("Counsellor", "counsellor"),
        ("Nurse Jenni", "nurse"),
        ("Doctor", "doctor"),
        ("Psychologist", "psychologist"),
        ("Therapist", "therapist"),
        ("\U0001d40c\U0001d428\U0001d41d", "mod"),  # bold maths letters
        ("\u041c\u043ed", "mod"),  # Cyrillic М and о
    ],
)
def test_titles_are_found(nick: str, title: str) -> None:
    """A helper title is found however it is written, inflected or compounded."""
    found = title_in(nick)
    assert found is not None and found.word == title


@pytest.mark.parametrize(
    "nick",
    [
        # ordinary words and names that come close to a title
        "Modeemi",
        "Moder",  # Swedish for mother
        "Admiral",
        "Adminna",
        "Badminton",
        "Staffan",
        "Ohjelmoija",
        "Ohjaus",
        "Hosteli",
        "Teemu",
        "Personality",
        "Impersonal",
        "Omaishoitaja",  # a family carer, often the visitor
        "Omaishoitaja-Anne",
        "Lastenhoitaja",
        "Moderni",
        "Kalle 15",
        # common first names
        "Aino", "Eino", "Mikael", "Modesti", "Emilia", "Helmi", "Leo", "Elias", "Oliver",
        "Ilona", "Moona", "Iida", "Lilja", "Veeti", "Onni", "Eetu", "Aada", "Pihla",
        "Staffan", "Moa", "Ebba", "Hugo", "Doris", "Dorothea", "Hosni", "Tea", "Teija",
        "Adam", "Ada", "Lääkkö",
    ],
)  # fmt: skip
def test_ordinary_nicks_have_no_title(nick: str) -> None:
    """Ordinary names and words near a title pass."""
    assert title_in(nick) is None


def test_refusals_have_codes_and_never_name_staff() -> None:
    """A staff name and a nickname in use by someone present get one refusal: it reveals nobody."""
    with pytest.raises(NickTaken) as staff:
        check_visitor_nick("Kaisa", staff=STAFF)
    present = NickTaken()  # what rooms/nicks.py's claim refusal raises in chat/endpoint.py
    assert staff.value.code == present.code == "nick_taken"
    assert staff.value.translated("fi") == present.translated("fi")


def test_title_refusal_names_the_title_in_every_language() -> None:
    """The reason for a title names it, so the visitor knows what to change."""
    with pytest.raises(NickTitle) as caught:
        check_visitor_nick("Päivystäjä Anni", staff=STAFF)
    assert caught.value.code == "nick_role"
    texts = {locale: caught.value.translated(locale) for locale in ("fi", "sv", "en")}
    assert all("päivystäjä" in text for text in texts.values())
    assert len(set(texts.values())) == 3


def test_an_ordinary_nick_passes() -> None:
    """A nickname of no staff member and without a title is kept as it is."""
    assert check_visitor_nick("Kaisa 2", staff=STAFF) == "Kaisa 2"


def test_messages_are_translated() -> None:
    """Both reasons have Finnish and Swedish texts of their own."""
    for msgid in (NickTaken.default_message, NickTitle.default_message):
        assert gettext("fi", msgid, word="x") != gettext("en", msgid, word="x")
        assert gettext("sv", msgid, word="x") != gettext("en", msgid, word="x")


def test_a_title_is_named_even_when_staff_are_named_by_it() -> None:
    """A nickname that is both a title and a staff member's name gets the title's reason."""
    with pytest.raises(NickTitle):
        check_visitor_nick("Päivystäjä", staff=staff_shapes(["Päivystäjä"]))
