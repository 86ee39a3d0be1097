"""Crisis signals: categories, idioms, negation, and the lexicon's syntax."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation.crisis import Detector, detector
from kuulolla.moderation.crisis_lexicon import Lexicon
from kuulolla.moderation.text import (
    analyser_for,
    one_edit,
    repaired_variants,
    slip_variants,
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
        ("isä uhkasi tappaa mut jos kerron", ("abuse",)),  # a threat, not the idiom
        ("mut hakattiin eilen", ("violence",)),
        ("They beat me up after school", ("violence",)),
        # abuse, violence at home included (abuse only: the labelling rule)
        ("isäpuoli koskettelee mua öisin", ("abuse",)),
        ("Mut on raiskattu", ("abuse",)),
        # a sexual assault at a party, on a bus or by a stranger is violence (the labels)
        ("Minut raiskattiin juhlissa", ("violence",)),
        ("Olen kokenut seksuaalista väkivaltaa", ("abuse",)),
        ("isä lyö mua kotona", ("abuse",)),
        ("Min pappa slår mig", ("abuse",)),
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


GROUPS = """
[suicide]
(hyvää yötä|good night) ^viimei
(muistaa|muistan kun|aika jolloin) kuolla ; gap=0
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hyvää yötä viimeistä kertaa", ("suicide",)),
        ("good night viimeistä kertaa", ("suicide",)),
        # the words of an alternative are elements of their own, not alternatives
        ("hyvää night viimeistä kertaa", ()),
        ("good yötä viimeistä kertaa", ()),
        ("yötä viimeistä kertaa", ()),
        ("muistan kun kuolla", ("suicide",)),
        ("aika jolloin kuolla", ("suicide",)),
        ("muistan jolloin kuolla", ()),
        ("kun kuolla", ()),
    ],
)
def test_lexicon_groups_hold_alternatives_of_several_words(
    plain: Finnish, text: str, expected: tuple[str, ...]
) -> None:
    """A group's alternatives may have several words, each matched in order as a whole."""
    lexicon = Lexicon.parse(GROUPS)
    signal = Detector(lexicon).detect(analyser_for(plain).words(text))
    assert (signal.categories if signal else ()) == expected
    assert len({p.id for p in lexicon.patterns}) == 2  # a line is one pattern by id


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("haluta kuolla", "pattern before a section"),
        ("[nonsense]\nx", "unknown section"),
        ("[suicide]\nx ; fast", "unknown flag"),
        ("[suicide]\n^ab", "prefix shorter than 3"),
        ("[suicide]\n@nope x", "no @nope"),
        # an alternative of several words written without a group would silently be
        # two elements: a space beside a |, a macro with a space and unpaired or empty
        # groups are errors
        ("[suicide]\nhyvää yötä | good night", "empty alternative"),
        ("[suicide]\nhyvää yötä| good night", "empty alternative"),
        ("@bye = hyvää yötä|good night", "macro's alternatives are single words"),
        ("[suicide]\n(hyvää yötä|good night", "parenthesis without its pair"),
        ("[suicide]\nhyvää yötä|good night)", "parenthesis without its pair"),
        ("[suicide]\n(hyvää yötä|) kaikille", "empty alternative in a group"),
        ("[suicide]\n() kaikille", "empty alternative in a group"),
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


def test_umlaut_variants_of_a_compound() -> None:
    """A long compound's parts are restored apart: each keeps its own vowel harmony."""
    assert "masennuslääkkeitä" in umlaut_variants("masennuslaakkeita")
    assert "rappukäytävässä" in umlaut_variants("rappukaytavassa")


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


def test_many_is_five_to_two_hundred(voikko: Finnish) -> None:
    """ "<many>" is a count of pills, not a dose or milligrams."""
    words = analyser_for(voikko).words("2 5 20 200 500")
    assert ["<many>" in w.forms for w in words] == [False, True, True, True, False]


def test_one_edit() -> None:
    """A letter dropped or added or two swapped, the first letter kept; never a change."""
    assert one_edit("kulla", "kuolla") and one_edit("lfie", "life")
    assert one_edit("cutt", "cut") and one_edit("haula", "halua")
    assert not one_edit("went", "want")  # a letter changed
    assert not one_edit("kill", "skill")  # the first letter
    assert not one_edit("elma", "elämä") and not one_edit("life", "life")


def test_slip_variants() -> None:
    """A consonant doubled and two adjacent letters swapped back, the first letter kept."""
    assert "sillalta" in slip_variants("silalta")
    assert "halua" in slip_variants("haula")
    assert all(v[0] == "h" for v in slip_variants("haula"))


def test_misspelt_words_get_suggested_readings(voikko: Finnish) -> None:
    """A word Voikko does not know gets the forms of the word it most likely misspells,
    as an alternative the crisis rules read and word lists do not."""
    by = {w.lower: w for w in analyser_for(voikko).words("mut on raikattu eilen")}
    assert "raiskata" in by["raikattu"].alt and "raiskata" not in by["raikattu"].forms
    assert not by["raikattu"].known
    viimeinen = analyser_for(voikko).words("tää on mun viimenen viesti")[3]
    assert "viimeinen" in viimeinen.alt


def test_no_suggestions_for_a_message_in_another_language(voikko: Finnish) -> None:
    """An English message is not read as misspelt Finnish."""
    words = analyser_for(voikko).words("thinking about killing myslef tonight honestly")
    assert all(not w.alt for w in words)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("myslef", "myself"),
        ("suicdal", "suicidal"),
        ("kuolal", "kuolla"),
        ("wnat", "want"),
        # letters held down, each run as one letter or two, short words too
        ("diiiieee", "die"),
        ("killl", "kill"),
        ("deaaaad", "dead"),
    ],
)
def test_lexicon_words_read_through_a_slip(written: str, read: str) -> None:
    """A word nothing knows is read as the lexicon word one slip away."""
    assert read in detector()._spelling.repairs(written)


@pytest.mark.parametrize("written", ["went", "skill", "dread", "cute", "lol", "cuuuute", "deeeed"])
def test_real_words_are_not_read_as_lexicon_words(written: str) -> None:
    """A changed letter, a first letter or a short word is no slip."""
    assert not detector()._spelling.repairs(written) & {"want", "kill", "dead", "cut"}


def test_quotation_marks_end_a_clause(voikko: Finnish) -> None:
    """Words inside quotation marks are a clause of their own."""
    words = analyser_for(voikko).words('kaveri kirjoitti "en jaksa enää" ja lähti')
    assert words[4].clause != words[5].clause
