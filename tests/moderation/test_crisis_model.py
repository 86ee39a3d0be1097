"""The learned crisis model: its features, its place behind the lexicon, its data."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation import evaluation
from kuulolla.moderation.crisis_lexicon import CATEGORIES
from kuulolla.moderation.crisis_model import (
    GRAM,
    CrisisModel,
    Logistic,
    features,
    model,
    train,
    training_digest,
)
from kuulolla.moderation.logic import screen
from kuulolla.moderation.text import analyser_for, with_alternatives


def test_shipped_model_is_trained_on_the_current_splits() -> None:
    """A change to the dev or test split needs `scripts/crisis-model` run again."""
    assert model().trained_on == training_digest()


def test_features_mark_negated_words(voikko: Finnish) -> None:
    """Words after a negation get a ¬ feature; base-form pairs are included."""
    found = features(analyser_for(voikko).words("en halua kuolla"))
    assert {"¬kuolla", "kuolla"} <= found.keys() and any(f.endswith("_kuolla") for f in found)


def test_features_of_plain_words_carry_no_negation(voikko: Finnish) -> None:
    """Without a negation no ¬ feature appears."""
    found = features(analyser_for(voikko).words("haluan kuolla"))
    assert "kuolla" in found and not any(f.startswith("¬") for f in found)


def test_everyday_words_alone_make_no_features(voikko: Finnish) -> None:
    """Everyday words are no features, nor is a pair of two; a pair with one other is."""
    found = features(analyser_for(voikko).words("tämä on kaikki kirja tänne"))
    assert not found.keys() & {"tämä", "olla", "on", "kaikki", "tänne", "tämä_olla", "olla_kaikki"}
    assert "kirja" in found and any(f.startswith("kaikki_") for f in found)


def test_training_is_deterministic() -> None:
    """The same samples and seed give the same weights."""
    samples = [{"a": 1, "b": 1}, {"b": 1, "c": 2}, {"c": 1}, {"a": 1}]
    targets = [True, False, False, True]
    assert train(samples, targets).weights == train(samples, targets).weights


def test_model_round_trips_through_json() -> None:
    """to_json and from_json keep threshold, digest and the kept weights."""
    m = CrisisModel(
        threshold=0.8,
        any=Logistic(-1.0, {"kuolla": 2.5, "tiny": 0.001}),
        categories={c: Logistic(0.0, {"x": 1.0}) for c in CATEGORIES},
        trained_on="abc",
    )
    back = CrisisModel.from_json(m.to_json())
    assert (back.threshold, back.trained_on, back.any.weights) == (0.8, "abc", {"kuolla": 2.5})


def test_model_signal_says_where_it_came_from(voikko: Finnish) -> None:
    """A phrasing the lexicon misses but the model knows yields a "model" signal."""
    verdict = screen(
        "mun ei tarvii enää kestää tätä kauaa",
        policy=evaluation.POLICY,
        finnish=voikko,
    )
    assert verdict.crisis is not None and verdict.crisis.source == "model"


def test_lexicon_signal_comes_first(voikko: Finnish) -> None:
    """A phrase the lexicon knows is a lexicon signal, not a model one."""
    verdict = screen("haluan kuolla", policy=evaluation.POLICY, finnish=voikko)
    assert verdict.crisis is not None and verdict.crisis.source == "lexicon"


@pytest.mark.parametrize(
    "text",
    ["kuolen nauruun", "tapan aikaa", "en ole ikinä halunnut kuolla", "tänään on ihana ilma"],
)
def test_idioms_and_negations_stay_quiet(voikko: Finnish, text: str) -> None:
    """Everyday idioms and reassurance raise no signal from either source."""
    assert screen(text, policy=evaluation.POLICY, finnish=voikko).crisis is None


@pytest.mark.parametrize(
    "text",
    [
        "Hei kaikki, tämä on viesti",
        "Hei kaikki, tämä on testiviesti",
        "Tämä on mun ensimmäinen viesti tänne",
        "Hei kaikki, tämä on ensimmäinen kerta kun kirjoitan",
        "Kaikki tämä on uutta mulle",
    ],
)
def test_chat_openers_stay_quiet(voikko: Finnish, text: str) -> None:
    """A greeting or a first message raises no signal (none of these is in the training data)."""
    assert screen(text, policy=evaluation.POLICY, finnish=voikko).crisis is None


def test_nicknames_are_not_scored_by_the_model(voikko: Finnish) -> None:
    """The model looks at messages only; a nickname gets the lexicon alone."""
    text = "mun ei tarvii enää kestää tätä kauaa"
    assert screen(text, policy=evaluation.POLICY, finnish=voikko, kind="nick").crisis is None


def test_features_count_ngrams_of_the_folded_word(voikko: Finnish) -> None:
    """A word's n-grams are read folded to ASCII with letter runs squeezed, so the
    stretched, the umlaut-less and the plain spelling share them."""
    words_of = analyser_for(voikko).words
    plain = {f for f in features(words_of("elämää")) if f.startswith(GRAM)}
    assert plain == {f for f in features(words_of("elamaaaa")) if f.startswith(GRAM)}
    assert {"#<ela", "#ama>"} <= plain


def test_everyday_words_make_no_ngrams(voikko: Finnish) -> None:
    """An everyday word gives no n-gram features."""
    found = features(analyser_for(voikko).words("tämä on kaikki"))
    assert not any(f.startswith(GRAM) for f in found)


def test_score_sums_the_features_word_by_word(voikko: Finnish) -> None:
    """The cached word-by-word score equals the model's probability of the message's
    features."""
    words_of = analyser_for(voikko).words
    m = model()
    for text in ("en jaksa enää, haluun vaan kuolla", "moi kaikki, mitä kuuluu?"):
        words = with_alternatives(words_of(text))
        assert m.score(words) == pytest.approx(m.any.probability(features(words)), abs=1e-9)
