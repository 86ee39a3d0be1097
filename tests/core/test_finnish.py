"""Finnish base forms through the real Voikko."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish, tokens


@pytest.fixture(scope="module")
def fi() -> Finnish:
    analyser = Finnish()
    if not analyser.available:
        from tests.conftest import unavailable

        unavailable("Voikko (libvoikko1, voikko-fi)")
    return analyser


@pytest.mark.parametrize("word", ["parisuhteessa", "parisuhteesta", "parisuhde", "Parisuhteen"])
def test_inflected_forms_share_a_base(fi: Finnish, word: str) -> None:
    """Inflected forms of a word have the same base form."""
    assert "parisuhde" in fi.analyse(word).bases


def test_compound_parts_are_found(fi: Finnish) -> None:
    """A compound gives its parts, so 'koulukiusaamisesta' relates to 'kiusaaminen'."""
    analysis = fi.analyse("koulukiusaamisesta")
    assert "koulu" in analysis.parts and "kiusata" in analysis.parts
    assert set(fi.analyse("kiusaaminen").forms) & set(analysis.forms) == {"kiusata"}


def test_derivational_suffixes_are_not_parts(fi: Finnish) -> None:
    """'+inen' in 'itsetuhoinen' is a suffix, not a compound part."""
    assert "inen" not in fi.analyse("itsetuhoisia").parts
    assert "+inen" not in fi.analyse("itsetuhoisia").parts


@pytest.mark.parametrize(
    ("word", "verb"),
    [
        ("satuttanut", "satuttaa"),
        ("tehnyt", "tehdä"),
        ("raiskattu", "raiskata"),
        ("ostanut", "ostaa"),
        ("haluavansa", "haluta"),
        ("tappavansa", "tappaa"),
    ],
)
def test_participles_give_their_verb(fi: Finnish, word: str, verb: str) -> None:
    """A past or present active participle's bases include its verb after the
    participle's own base form."""
    bases = fi.analyse(word).bases
    assert bases[0] != verb and verb in bases


def test_unknown_words_fall_back_to_themselves(fi: Finnish) -> None:
    """Colloquial or unknown words are kept as written, lowercased."""
    analysis = fi.analyse("Mä")
    assert analysis.bases == ("mä",) and not analysis.known


def test_forms_of_text(fi: Finnish) -> None:
    """forms() gives every base form and part of every word in order."""
    assert fi.forms("Kiusaaminen koulussa") == ["kiusata", "koulu"]


def test_tokens_keep_positions() -> None:
    """Tokens carry their offsets in the original text."""
    text = "Hei, vaimo-parka 12!"
    assert [(t.text, text[t.start : t.end]) for t in tokens(text)] == [
        ("Hei", "Hei"),
        ("vaimo-parka", "vaimo-parka"),
        ("12", "12"),
    ]
