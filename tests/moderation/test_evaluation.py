"""The evaluation set is sound, and screening keeps its measured quality on it.

The personal-data figures are those of the test split, the crisis figures those of
the holdout split, the newest one, written before the lexicon last changed and never
trained on (docs/performance.md). A change that lowers them is a regression.
"""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation import evaluation
from kuulolla.moderation.logic import screen

LABELS = {*evaluation.CRISIS, *evaluation.PII, "idiom", "negation", "ordinary"}
# Measured on the holdout split, lexicon and learned model (docs/performance.md): when
# it was written, 53 of 54 found at 53 of 61; since the model no longer learns from
# everyday words alone, 54 of 54 at 54 of 58 (the split was not tuned on).
MEASURED_CRISIS_RECALL = 1.0  # 54 of 54
MEASURED_CRISIS_PRECISION = 0.931  # 54 of 58
# The test split's crisis messages are now worked into the lexicon and the model.
MEASURED_TEST_CRISIS_RECALL = 1.0


def _scores(split: str, voikko: Finnish) -> dict[str, evaluation.Score]:
    return evaluation.evaluate(
        evaluation.load(split),
        screener=lambda t: screen(t, policy=evaluation.POLICY, finnish=voikko),
    )


@pytest.fixture(scope="module")
def scores(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of the test split."""
    return _scores("test", voikko)


@pytest.fixture(scope="module")
def holdout(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of the holdout split."""
    return _scores("holdout", voikko)


def test_evaluation_set_is_sound() -> None:
    """At least 400 messages, unique ids, known labels, and every PII string in its text."""
    dev, test = evaluation.load("dev"), evaluation.load("test")
    cases = dev + test + evaluation.load("holdout")
    assert len(cases) >= 400 and len(test) >= 300
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.labels and c.labels <= LABELS for c in cases)
    assert all(span in c.text for c in cases for span in c.pii)
    assert all(bool(c.pii) == any(label.startswith("pii.") for label in c.labels) for c in cases)
    assert {c.lang for c in test} >= {"fi", "sv", "en"}


@pytest.mark.parametrize("split", ["test", "holdout"])
def test_split_shares_no_message_with_dev(split: str) -> None:
    """A measured split holds no text of the dev split the lexicon is tuned on."""
    dev = {c.text.casefold() for c in evaluation.load("dev")}
    assert [c.id for c in evaluation.load(split) if c.text.casefold() in dev] == []


@pytest.mark.parametrize("label", evaluation.PII_TARGETED)
def test_personal_data_targets_hold(scores: dict[str, evaluation.Score], label: str) -> None:
    """Identity codes, phones and e-mails: recall ≥ 0.99, false positives ≤ 1 %."""
    assert scores[label].recall >= evaluation.PII_RECALL
    assert scores[label].false_positive_rate <= evaluation.PII_FALSE_POSITIVES


def test_crisis_precision_target_holds(holdout: dict[str, evaluation.Score]) -> None:
    """Crisis alerts: precision ≥ 0.80, and no lower than measured."""
    precision = holdout["crisis.any"].precision
    assert precision >= evaluation.CRISIS_PRECISION
    assert precision >= MEASURED_CRISIS_PRECISION - 0.02


def test_crisis_recall_does_not_regress(holdout: dict[str, evaluation.Score]) -> None:
    """Crisis recall stays at least at the figure measured on the holdout split."""
    assert holdout["crisis.any"].recall >= MEASURED_CRISIS_RECALL


def test_test_split_crisis_messages_stay_found(scores: dict[str, evaluation.Score]) -> None:
    """Every crisis message of the test split, now a training split, still alerts."""
    assert scores["crisis.any"].recall >= MEASURED_TEST_CRISIS_RECALL


def test_crisis_recall_target(holdout: dict[str, evaluation.Score]) -> None:
    """Issue 5's target: crisis recall ≥ 0.95 on the newest unseen split."""
    assert holdout["crisis.any"].recall >= evaluation.CRISIS_RECALL
