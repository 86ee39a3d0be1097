"""The evaluation set is sound, and screening keeps its measured quality on it.

The figures are those of the held-out test split (docs/performance.md). The lexicon
was never tuned on it, so a change that lowers them is a regression, and a change
that raises the crisis recall to the issue's target turns the expected failure below
into an unexpected pass, which fails too: then update the figures and the docs.
"""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation import evaluation
from kuulolla.moderation.logic import screen

LABELS = {*evaluation.CRISIS, *evaluation.PII, "idiom", "negation", "ordinary"}
# Measured on the test split when it was written (docs/performance.md).
MEASURED_CRISIS_RECALL = 0.909  # 101 of 111
MEASURED_CRISIS_PRECISION = 0.971  # 101 of 104


@pytest.fixture(scope="module")
def scores(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of the test split."""
    return evaluation.evaluate(
        evaluation.load("test"),
        screener=lambda t: screen(t, policy=evaluation.POLICY, finnish=voikko),
    )


def test_evaluation_set_is_sound() -> None:
    """At least 400 messages, unique ids, known labels, and every PII string in its text."""
    dev, test = evaluation.load("dev"), evaluation.load("test")
    cases = dev + test
    assert len(cases) >= 400 and len(test) >= 300
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.labels and c.labels <= LABELS for c in cases)
    assert all(span in c.text for c in cases for span in c.pii)
    assert all(bool(c.pii) == any(label.startswith("pii.") for label in c.labels) for c in cases)
    assert {c.lang for c in test} >= {"fi", "sv", "en"}


def test_test_split_shares_no_message_with_dev() -> None:
    """The held-out split holds no text the lexicon was tuned on."""
    dev = {c.text.casefold() for c in evaluation.load("dev")}
    assert [c.id for c in evaluation.load("test") if c.text.casefold() in dev] == []


@pytest.mark.parametrize("label", evaluation.PII_TARGETED)
def test_personal_data_targets_hold(scores: dict[str, evaluation.Score], label: str) -> None:
    """Identity codes, phones and e-mails: recall ≥ 0.99, false positives ≤ 1 %."""
    assert scores[label].recall >= evaluation.PII_RECALL
    assert scores[label].false_positive_rate <= evaluation.PII_FALSE_POSITIVES


def test_crisis_precision_target_holds(scores: dict[str, evaluation.Score]) -> None:
    """Crisis alerts: precision ≥ 0.80, and no lower than measured."""
    precision = scores["crisis.any"].precision
    assert precision >= evaluation.CRISIS_PRECISION
    assert precision >= MEASURED_CRISIS_PRECISION - 0.02


def test_crisis_recall_does_not_regress(scores: dict[str, evaluation.Score]) -> None:
    """Crisis recall stays at least at the figure measured on the held-out split."""
    assert scores["crisis.any"].recall >= MEASURED_CRISIS_RECALL


@pytest.mark.xfail(strict=True, reason="held-out crisis recall is 0.91; see docs/performance.md")
def test_crisis_recall_target(scores: dict[str, evaluation.Score]) -> None:
    """Issue 5's target: crisis recall ≥ 0.95 on the held-out split."""
    assert scores["crisis.any"].recall >= evaluation.CRISIS_RECALL
