"""Word lists of an organisation: inflections and compounds through Voikko."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation.text import Analyser
from kuulolla.moderation.wordlists import WordList

ENTRIES = [
    ("huora", "refuse"),
    ("neeke*", "refuse"),
    ("vittu", "mask"),
    ("tyhmä", "mask"),
    ("snäp*", "hold"),
    ("alkoholi", "hold"),
    ("tavataan kahden", "hold"),
]


def found(finnish: Finnish, text: str) -> list[tuple[str, str, str]]:
    analyser = Analyser(finnish)
    words = WordList.compile(ENTRIES, analyser=analyser)
    return [
        (text[h.start : h.end], h.entry.phrase, h.entry.action)
        for h in words.find(analyser.words(text))
    ]


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("sä oot huora", [("huora", "huora", "refuse")]),
        ("Huoraksi haukuttiin", [("Huoraksi", "huora", "refuse")]),  # inflected
        ("mikä huoranpenikka", [("huoranpenikka", "huora", "refuse")]),  # compound part
        ("neekerit", [("neekerit", "neeke*", "refuse")]),  # prefix entry
        ("vitun tyhmää", [("vitun", "vittu", "mask"), ("tyhmää", "tyhmä", "mask")]),
        ("tyhmimmät jutut", [("tyhmimmät", "tyhmä", "mask")]),  # comparison forms
        ("laita snäppiin", [("snäppiin", "snäp*", "hold")]),
        ("onko sulla alkoholia", [("alkoholia", "alkoholi", "hold")]),
        ("tavataan kahden huomenna", [("tavataan kahden", "tavataan kahden", "hold")]),
        ("tavataan huomenna kahden", []),  # a phrase is words in a row
        ("huomenna on kiva ilma", []),
        ("huoneessa", []),  # shares letters, not a base form
    ],
)
def test_entries_match_inflections_and_compounds(voikko: Finnish, text: str, hits: list) -> None:
    """An entry matches its inflected forms and the compounds that contain it."""
    assert found(voikko, text) == hits


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("sä oot huora", [("huora", "huora", "refuse")]),
        ("Huoraksi haukuttiin", []),  # without Voikko only the written form matches
        ("neekerit", [("neekerit", "neeke*", "refuse")]),
    ],
)
def test_without_voikko_exact_forms_still_match(plain: Finnish, text: str, hits: list) -> None:
    """The fallback matches the lowercase written form and prefix entries."""
    assert found(plain, text) == hits


def test_unknown_action_is_refused(plain: Finnish) -> None:
    """A word list with an action other than mask, hold or refuse is an error."""
    with pytest.raises(ValueError, match="unknown word list action"):
        WordList.compile([("sana", "ban")], analyser=Analyser(plain))  # type: ignore[list-item]


def test_empty_list_is_false(plain: Finnish) -> None:
    """An empty list tells the pipeline to skip the rule."""
    assert not WordList.compile([("", "mask")], analyser=Analyser(plain))


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        # unknown as written, a word with its umlauts: matched as that word
        ("sä oot ihan tyhma", [("tyhma", "tyhmä", "mask")]),
        # a word as written too: the word list keeps that reading ("tyhmat" is no
        # word, "alkoholi" has no umlaut to restore; "laski" is not "läski")
        ("hän laski rahat", []),
    ],
)
def test_words_typed_without_umlauts(
    voikko: Finnish, text: str, hits: list[tuple[str, str, str]]
) -> None:
    """A word Voikko knows only with its umlauts is matched as typed without them; a word
    that is a word as written is not read as another one."""
    analyser = Analyser(voikko)
    words = WordList.compile([*ENTRIES, ("läski", "mask")], analyser=analyser)
    assert [
        (text[h.start : h.end], h.entry.phrase, h.entry.action)
        for h in words.find(analyser.words(text))
    ] == hits
