"""Crisis signals: categories, idioms, negation, and the lexicon's syntax."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation.crisis import Detector, Lexicon, detector
from kuulolla.moderation.text import (
    analyser_for,
    repaired_variants,
    spoken_variants,
    umlaut_variants,
    with_alternatives,
)


def categories(finnish: Finnish, text: str) -> tuple[str, ...]:
    signal = detector().detect(analyser_for(finnish).words(text))
    return signal.categories if signal else ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # suicide, standard and spoken Finnish
        ("Haluan kuolla.", ("suicide",)),
        ("mä en jaksa enää, haluun vaan kuolla", ("suicide",)),
        ("en halua elää enää", ("suicide",)),
        ("Olisi kaikille parempi jos en olisi olemassa.", ("suicide",)),
        ("ei ole mitään syytä elää", ("suicide",)),
        ("Oon miettiny itsaria", ("suicide",)),
        ("tapan ittení", ("suicide",)),
        ("Mä haluun lopettaa kaiken.", ("suicide",)),
        ("Ajattelin hypätä sillalta", ("suicide",)),
        ("Kaverini sanoi että aikoo tappaa itsensä", ("suicide",)),  # not violence
        ("En tiedä miksi haluan kuolla", ("suicide",)),  # the negation is elsewhere
        ("Tämä on mun viimeinen viesti kaikille, kiitos kaikesta", ("suicide",)),
        ("tää on viimeinen viesti tältä päivältä, en jaksa enää elää", ("suicide",)),
        ("I want to die", ("suicide",)),
        ("jag vill inte leva längre", ("suicide",)),
        # self-harm
        ("viiltelen taas", ("self_harm",)),
        ("satutan itseäni kun ahdistaa", ("self_harm",)),
        ("Oon satuttanu itteeni", ("self_harm",)),
        ("I cut myself again", ("self_harm",)),
        ("Jag skär mig", ("self_harm",)),
        # violence
        ("tapan sut huomenna", ("violence",)),
        ("Se uhkasi tappaa mut", ("violence",)),
        ("isä uhkasi tappaa mut jos kerron", ("violence", "abuse")),  # a threat, not the idiom
        ("mut hakattiin eilen", ("violence",)),
        ("They beat me up after school", ("violence",)),
        # abuse, and family violence as both
        ("isäpuoli koskettelee mua öisin", ("abuse",)),
        ("Minut raiskattiin juhlissa", ("abuse",)),
        ("Olen kokenut seksuaalista väkivaltaa", ("abuse",)),
        ("isä lyö mua kotona", ("violence", "abuse")),
        ("Min pappa slår mig", ("violence", "abuse")),
        # idioms and everyday use
        ("Kuolen nauruun", ()),
        ("tapan aikaa odotellessa", ()),
        ("ihan tappava biisi", ()),
        ("lyödään vetoa", ()),
        ("hakkaan päätä seinään tän matikan kanssa", ()),
        ("äiti tappaa mut jos se kuulee tästä", ()),
        ("Tää koe tappaa mut", ()),
        ("Tapoin sen bossin pelissä", ()),
        ("I was dying of laughter", ()),
        ("Jag dör av skratt", ()),
        ("Mummo kuoli viime vuonna", ()),
        ("Olen lukenut itsemurhien ehkäisystä", ()),
        # negation
        ("En halua kuolla", ()),
        ("En ole koskaan ajatellut itsemurhaa", ()),
        ("en mä ikinä tappais itteeni", ()),
        ("I have never wanted to kill myself", ()),
        ("jag vill inte dö", ()),
        ("kukaan ei ole lyönyt mua", ()),
        # ordinary
        ("Moi kaikki! Mitä kuuluu?", ()),
        ("en jaksa enää tätä koulua", ()),
        ("En halua mennä huomenna kouluun", ()),
        ("Tämä on viimeinen viesti tältä illalta, hyvää yötä kaikille", ()),
    ],
)
def test_crisis_categories(voikko: Finnish, text: str, expected: tuple[str, ...]) -> None:
    """Crisis expressions give their categories; idioms, negations and chat give none."""
    assert categories(voikko, text) == expected


def test_signal_lists_categories_by_severity_and_the_phrases(voikko: Finnish) -> None:
    """The most severe category comes first and the matched patterns are named."""
    text = "Haluan kuolla ja viiltelen"
    signal = detector().detect(analyser_for(voikko).words(text))
    assert signal is not None
    assert signal.category == "suicide"
    assert signal.categories == ("suicide", "self_harm")
    assert any(p.startswith("suicide:") for p in signal.phrases)
    assert any(p.startswith("self_harm:") for p in signal.phrases)


def test_colloquial_forms_work_without_voikko(plain: Finnish) -> None:
    """Without Voikko the colloquial table and written forms still catch plain phrases."""
    assert categories(plain, "mä haluun kuolla") == ("suicide",)
    assert categories(plain, "itsemurha") == ("suicide",)


SMALL = """
@me = minua|mua
[suicide]
haluta kuolla
[violence]
lyödä @me ; gap=1
uhata tappaa ; strong
[idiom]
tappaa aika
[cancel violence]
pelissä
"""


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["haluta", "kuolla"], ("suicide",)),
        (["haluta", "x", "x", "kuolla"], ("suicide",)),  # gap of two
        (["haluta", "x", "x", "x", "kuolla"], ()),  # too far
        (["kuolla", "haluta"], ()),  # in order unless "any"
        (["ei", "haluta", "kuolla"], ()),  # negated
        (["lyödä", "x", "mua"], ("violence",)),
        (["lyödä", "mua", "pelissä"], ()),  # cancelled
        (["tappaa", "aika"], ()),
    ],
)
def test_lexicon_syntax(plain: Finnish, words: list[str], expected: tuple[str, ...]) -> None:
    """Elements, alternatives, macros, gaps, negation and cancel words work as documented."""
    text = " ".join(words)
    signal = Detector(Lexicon.parse(SMALL)).detect(analyser_for(plain).words(text))
    assert (signal.categories if signal else ()) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("haluta kuolla", "pattern before a section"),
        ("[nonsense]\nx", "unknown section"),
        ("[suicide]\nx ; fast", "unknown flag"),
        ("[suicide]\n^ab", "prefix shorter than 3"),
        ("[suicide]\n@nope x", "no @nope"),
    ],
)
def test_lexicon_errors_name_the_line(source: str, message: str) -> None:
    """A malformed lexicon fails at start-up with the line and the problem."""
    with pytest.raises(ValueError, match=message):
        Lexicon.parse(source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spoken forms Voikko does not know fall back to their written form
        ("joku tönäs mut portaita alas", ("violence",)),
        ("oon miettiny et kaikille ois parempi jos mä kuolisin", ("suicide",)),
        # reported speech: the present participle gives its verb
        ("tyttäreni sanoi haluavansa kuolla", ("suicide",)),
        # a msg pattern spans sentences
        ("mä en jaksa. haluun pois", ("suicide",)),
        # indirect expressions
        ("kaikki olis helpompaa ilman mua", ("suicide",)),
        ("oon kerännyt lääkkeitä koko kuukauden", ("suicide",)),
        ("se sano et tää on meidän salaisuus eikä saa kertoa kenellekään", ("abuse",)),
        # look-alikes
        ("viiltävä tuuli rannalla", ()),
        ("sisko hakkas mut korttipelissä", ()),
        ("isä lyö aina naulat vinoon", ()),
        ("annan vanhat tavarani pois kierrätykseen", ()),
        ("en halua herätä aikaisin huomenna", ()),
    ],
)
def test_indirect_and_spoken_expressions(
    voikko: Finnish, text: str, expected: tuple[str, ...]
) -> None:
    """Round 5 additions: spoken forms, reported speech, indirect phrasing, look-alikes."""
    assert categories(voikko, text) == expected


def test_spoken_variants() -> None:
    """Spoken endings map to the written form they most likely stand for."""
    assert spoken_variants("yrittäny") == ["yrittänyt"]
    assert spoken_variants("tönäs") == ["tönäsi"]
    assert spoken_variants("pitäiskö") == ["pitäisikö"]
    assert "itsetuhoisia" in spoken_variants("itsetuhosia")
    assert spoken_variants("talo") == []


def test_umlaut_variants() -> None:
    """Each a may be ä and each o ö; most restored first; a word with umlauts gives none."""
    assert umlaut_variants("elaa")[0] == "elää"
    assert set(umlaut_variants("ma")) == {"mä"}
    assert "päivä" in umlaut_variants("paiva")
    assert umlaut_variants("elää") == [] and umlaut_variants("kuu") == []


def test_repaired_variants() -> None:
    """Stretched letters shorten to two, then one; a doubled letter is tried single."""
    assert repaired_variants("kuollaaaa")[:2] == ["kuollaa", "kuolla"]
    assert "haluan" in repaired_variants("halluan")


def test_words_carry_restored_readings(voikko: Finnish) -> None:
    """Typed without umlauts, an unknown word gets the restored forms, a known word gets
    them as alternatives; a message with umlauts keeps known words as written."""
    words = analyser_for(voikko).words("paatin etta elan")
    by = {w.lower: w for w in words}
    assert "että" in by["etta"].forms
    assert "päättää" in by["paatin"].alt and "päättää" not in by["paatin"].forms
    mixed = analyser_for(voikko).words("päivä oli paha, paatin luona")
    assert all(not w.alt for w in mixed)
    assert "päättää" in {f for w in with_alternatives(words) for f in w.forms}


def test_numbers_have_a_number_form(voikko: Finnish) -> None:
    """A run of digits also matches the lexicon's "<n>"."""
    assert "<n>" in analyser_for(voikko).words("söin 20 panadolia")[1].forms
