"""The labelled evaluation set and how screening scores on it.

``data/eval/*.jsonl`` hold chat messages written for this project (Finnish mostly,
some Swedish and English), one JSON object a line::

    {"id": "t001", "lang": "fi", "text": "...", "labels": ["crisis.suicide"], "pii": [],
     "patterns": ["no_umlauts", "teen"]}

Labels: ``crisis.suicide``, ``crisis.self_harm``, ``crisis.violence`` (a threat or
plan to hurt others, or an attack from outside the family), ``crisis.abuse`` (harm or
control by a family member, partner, ex-partner or carer, hitting and threats
included: such a message is abuse only, never also violence), ``crisis.eating`` (disordered eating with danger signs: days
without food, vomiting after meals, laxatives, rapid weight loss, fainting),
``crisis.overdose`` (too much of a medicine, drug or alcohol, or a poison, taken or
swallowed now or very recently) (the message should alert a moderator: it expresses or
reports thoughts, plans or acts of that kind, by the writer or someone close, or
raises them as a concern; an experience told as long past and resolved does not);
``pii.hetu``, ``pii.phone``, ``pii.email``, ``pii.iban``, ``pii.address`` (with the
exact strings in ``pii``, all of which must be masked); ``idiom`` and ``negation``
(look-alikes that should not alert); ``ordinary``.

Overdose and suicide (decided in round 12, dev relabelled to follow): an overdose
taken is ``crisis.overdose``, and ``crisis.suicide`` as well only when the message says
it was meant to end a life: a wish to die, not to wake up or for it all to end, a
farewell, or that it was taken on purpose ("tahallaan", "med flit", "on purpose").
Taking all the pills, a whole jar or a strip without such words ("söin koko purkin
buranaa", "ate the whole strip 💊💊💊") is overdose only, and so is an accident, a
poisoning and a drug or alcohol overdose at a party: the category is read first and
sends help for the poisoning, whatever the intent. A plan to take pills not yet taken
("aion ottaa kaikki lääkkeet tänään", "saving up my pills") is suicide only. The rules
follow the same line: the words of an overdose told as done do not also count as
suicide; a wish to die beside them does.

``patterns`` (optional) say how a message is written, so that figures can be read
per way of writing (:func:`by_pattern`): ``no_umlauts`` (typed without å, ä, ö),
``typo`` (misspelt, stretched letters), ``slang`` (chat spellings, abbreviations),
``teen``, ``older`` (the style of an older adult), ``third_person`` (concern for
someone else), ``idiom`` (a figurative expression, or a literal one that looks like
it), ``joke`` (marked as a joke: haha, lol, emoji), ``past`` (a past experience:
recent, or resolved), ``fiction``, ``news``, ``topic`` (the subject discussed in
general), ``everyday`` (everyday injuries, errands and objects), ``emoji`` (emoji carry
part of the meaning), ``code_switch`` (two languages in one message: "mä oon so done"),
``lyrics`` (a song quoted or asked about), ``game`` (a video or board game),
``medical`` (a question or remark about medicines, doses or an illness).

Splits: ``dev``, ``test`` and ``holdout7`` (round 7's measured split) train the
learned model and tune the lexicon; rounds 8's to 14's measured splits are in ``dev``
(ids h1001–h1477, h2001–h2607, h3001–h3450, h4001–h4494, h5001–h5531, h6001–h6651
and h7001–h7570, each written by a different writer), and so are the probe messages
written during each round; :data:`HOLDOUT` (``holdout15``, ids h8001 on) is the newest
split, written by someone who did not read the rules, committed before any rule
change of round 15 landed, and never read or scored by whoever changed them: it is
measured once, by ``scripts/bench/moderation``, after the round's rules have landed
(docs/performance.md). Tests check its soundness only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kuulolla.moderation.links import LinkPolicy
from kuulolla.moderation.logic import Policy, Verdict, screen

EVAL = Path(__file__).resolve().parent / "data" / "eval"
CRISIS = (
    "crisis.suicide",
    "crisis.self_harm",
    "crisis.violence",
    "crisis.abuse",
    "crisis.eating",
    "crisis.overdose",
)
# The newest holdout split (round 15): never tuned on, scored only by the bench.
HOLDOUT = "holdout15"
PII = ("pii.hetu", "pii.phone", "pii.email", "pii.iban", "pii.address")
# Screening as in a room that lets links through and has no flood state: what is
# measured is the content rules.
POLICY = Policy(links=LinkPolicy("allow"), flood=None)

# Targets from issue 5 (personal data) and issue 32 (crisis; each way of writing).
CRISIS_RECALL = 0.97
CRISIS_PRECISION = 0.90
PATTERN_RECALL = 0.90
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
    patterns: frozenset[str] = frozenset()

    @property
    def crisis(self) -> bool:
        return not self.labels.isdisjoint(CRISIS)


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


def splits() -> list[str]:
    """The names of the splits there are."""
    return sorted(path.stem for path in EVAL.glob("*.jsonl"))


def load(split: str) -> list[Case]:
    """The cases of ``split`` ("dev", "test", "holdout13", ...)."""
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
                        frozenset(raw.get("patterns", ())),
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
    cases: Iterable[Case],
    *,
    screener: Callable[[str], Verdict] | None = None,
    patterns: dict[str, Score] | None = None,
) -> dict[str, Score]:
    """Scores per label, plus "crisis.any" (any crisis label, whatever category).

    When ``patterns`` is given, it is filled with the "crisis.any" score of the cases
    of each pattern and of each language ("lang:sv")."""
    run = screener or (lambda text: screen(text, policy=POLICY))
    scores = {label: Score() for label in (*CRISIS, "crisis.any", *PII)}
    for case in cases:
        got = predicted(case, run(case.text))
        if patterns is not None:
            crisis_got = any(label in got for label in CRISIS)
            for pattern in (*sorted(case.patterns), f"lang:{case.lang}"):
                score = patterns.setdefault(pattern, Score())
                _count(score, case, case.crisis, crisis_got)
                if not case.crisis:
                    score.negatives += 1
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


def failures(scores: dict[str, Score], patterns: dict[str, Score] | None = None) -> list[str]:
    """The targets that ``scores`` (and ``patterns``) miss, in words (empty when all
    hold): crisis recall and precision, recall per pattern, and personal data."""
    out = []
    crisis = scores["crisis.any"]
    if crisis.recall < CRISIS_RECALL:
        out.append(f"crisis recall {crisis.recall:.3f} < {CRISIS_RECALL}")
    if crisis.precision < CRISIS_PRECISION:
        out.append(f"crisis precision {crisis.precision:.3f} < {CRISIS_PRECISION}")
    for pattern, score in sorted((patterns or {}).items()):
        if score.support and score.recall < PATTERN_RECALL:
            out.append(f"{pattern} recall {score.recall:.3f} < {PATTERN_RECALL}")
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


def pattern_table(patterns: dict[str, Score]) -> str:
    """A plain-text confusion table per pattern: crisis messages found and missed,
    other messages that alerted (false alarms) and stayed quiet."""
    lines = [
        f"{'pattern':14} {'crisis':>6} {'found':>5} {'missed':>6} {'recall':>7}"
        f" {'other':>6} {'alarms':>6} {'quiet':>6} {'alarm rate':>10}"
    ]
    for name in sorted(patterns, key=lambda n: (n.startswith("lang:"), n)):
        s = patterns[name]
        recall = f"{s.recall:7.3f}" if s.support else f"{'–':>7}"
        rate = f"{s.fp / s.negatives:10.3f}" if s.negatives else f"{'–':>10}"
        lines.append(
            f"{name:14} {s.support:6d} {s.tp:5d} {s.fn:6d} {recall}"
            f" {s.negatives:6d} {s.fp:6d} {s.negatives - s.fp:6d} {rate}"
        )
    return "\n".join(lines)
