"""The labelled evaluation set and how screening scores on it.

``data/eval/dev.jsonl`` and ``data/eval/test.jsonl`` hold chat messages written for
this project (Finnish mostly, some Swedish and English), one JSON object a line::

    {"id": "t001", "lang": "fi", "text": "...", "labels": ["crisis.suicide"], "pii": []}

Labels: ``crisis.suicide``, ``crisis.self_harm``, ``crisis.violence``,
``crisis.abuse`` (the message should alert a moderator: it expresses or reports
thoughts, plans or acts of that kind, by the writer or someone close, or raises them
as a concern); ``pii.hetu``, ``pii.phone``, ``pii.email``, ``pii.iban``,
``pii.address`` (with the exact strings in ``pii``, all of which must be masked);
``idiom`` and ``negation`` (look-alikes that should not alert); ``ordinary``.

The lexicon is tuned on the dev split only; the test split was written afterwards
and reports the figures (``scripts/bench/moderation``, docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kuulolla.moderation.links import LinkPolicy
from kuulolla.moderation.logic import Policy, Verdict, screen

EVAL = Path(__file__).resolve().parent / "data" / "eval"
CRISIS = ("crisis.suicide", "crisis.self_harm", "crisis.violence", "crisis.abuse")
PII = ("pii.hetu", "pii.phone", "pii.email", "pii.iban", "pii.address")
# Screening as in a room that lets links through and has no flood state: what is
# measured is the content rules.
POLICY = Policy(links=LinkPolicy("allow"), flood=None)

# Targets from issue 5.
CRISIS_RECALL = 0.95
CRISIS_PRECISION = 0.80
PII_RECALL = 0.99
PII_FALSE_POSITIVES = 0.01
PII_TARGETED = ("pii.hetu", "pii.phone", "pii.email")


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    lang: str
    text: str
    labels: frozenset[str]
    pii: tuple[str, ...]


@dataclass(slots=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0  # cases without the label (for a false positive rate)
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def false_positive_rate(self) -> float:
        return self.fp / self.negatives if self.negatives else 0.0


def load(split: str) -> list[Case]:
    """The cases of ``split`` ("dev", "test" or "holdout")."""
    cases = []
    with (EVAL / f"{split}.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                raw = json.loads(line)
                cases.append(
                    Case(
                        raw["id"],
                        raw["lang"],
                        raw["text"],
                        frozenset(raw["labels"]),
                        tuple(raw["pii"]),
                    )
                )
    return cases


def predicted(case: Case, verdict: Verdict) -> set[str]:
    """The labels screening gave ``case``; a PII kind counts only if every string of
    personal data in the case is gone from the delivered text."""
    out: set[str] = set()
    if verdict.crisis is not None:
        out.update(f"crisis.{c}" for c in verdict.crisis.categories)
    cleared = all(span not in verdict.text for span in case.pii)
    for reason in verdict.reasons:
        if reason.startswith("personal_data."):
            label = "pii." + reason.split(".", 1)[1]
            if label not in case.labels or cleared:
                out.add(label)
    return out


def evaluate(
    cases: Iterable[Case], *, screener: Callable[[str], Verdict] | None = None
) -> dict[str, Score]:
    """Scores per label, plus "crisis.any" (any crisis label, whatever category)."""
    run = screener or (lambda text: screen(text, policy=POLICY))
    scores = {label: Score() for label in (*CRISIS, "crisis.any", *PII)}
    for case in cases:
        got = predicted(case, run(case.text))
        clean = not any(label.startswith("pii.") for label in case.labels)
        for label in (*CRISIS, *PII):
            _count(scores[label], case, label in case.labels, label in got)
            if label in PII and clean:
                scores[label].negatives += 1
        crisis_true = not case.labels.isdisjoint(CRISIS)
        crisis_got = any(label in got for label in CRISIS)
        _count(scores["crisis.any"], case, crisis_true, crisis_got)
    return scores


def _count(score: Score, case: Case, truth: bool, got: bool) -> None:
    if truth and got:
        score.tp += 1
    elif truth:
        score.fn += 1
        score.misses.append(case.id)
    elif got:
        score.fp += 1
        score.false_alarms.append(case.id)


def failures(scores: dict[str, Score]) -> list[str]:
    """The targets of issue 5 that ``scores`` miss, in words (empty when all hold)."""
    out = []
    crisis = scores["crisis.any"]
    if crisis.recall < CRISIS_RECALL:
        out.append(f"crisis recall {crisis.recall:.3f} < {CRISIS_RECALL}")
    if crisis.precision < CRISIS_PRECISION:
        out.append(f"crisis precision {crisis.precision:.3f} < {CRISIS_PRECISION}")
    for label in PII_TARGETED:
        score = scores[label]
        if score.recall < PII_RECALL:
            out.append(f"{label} recall {score.recall:.3f} < {PII_RECALL}")
        if score.false_positive_rate > PII_FALSE_POSITIVES:
            out.append(
                f"{label} false positives {score.false_positive_rate:.3f} > {PII_FALSE_POSITIVES}"
            )
    return out


def table(scores: dict[str, Score]) -> str:
    """A plain-text table of the scores."""
    lines = [f"{'category':18} {'n':>4} {'precision':>9} {'recall':>7} {'FP rate':>8}"]
    for label, score in scores.items():
        fp_rate = f"{score.false_positive_rate:8.3f}" if label.startswith("pii.") else " " * 8
        lines.append(
            f"{label:18} {score.support:4d} {score.precision:9.3f} {score.recall:7.3f} {fp_rate}"
        )
    return "\n".join(lines)
