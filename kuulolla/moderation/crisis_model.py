"""A small learned second opinion on crisis signals, next to the lexicon.

The lexicon (:mod:`kuulolla.moderation.crisis`) finds the phrasings it knows with
high precision; people in distress keep finding new ones. This model is a logistic
regression over the words' Voikko forms, their negated forms and pairs of adjacent
base forms, trained on the project's own labelled messages (the dev and test splits
of ``data/eval``, and round 7's holdout split). It adds recall where the lexicon is silent: a message the lexicon
does not flag is flagged when the model's probability reaches the threshold, and the
signal says it came from the model (``CrisisSignal.source == "model"``) so a
moderator's view can mark it as a possible signal.

The weights are data (``data/crisis_model.json``), made by ``scripts/crisis-model``
from the evaluation set with a fixed seed; nothing is downloaded or trained at run
time. The threshold was chosen on out-of-fold predictions of the dev split (the
highest recall at which lexicon-or-model keeps precision ≥ 0.95 there), before the
holdout split was scored (docs/performance.md).

Scoring is a dictionary lookup per feature: a few microseconds a message.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

from kuulolla.core.stopwords import FINNISH_STOP
from kuulolla.moderation.crisis import _COMMON, CrisisSignal
from kuulolla.moderation.crisis_lexicon import CATEGORIES, NEGATIONS, Category
from kuulolla.moderation.text import DATA, Word, with_alternatives

MODEL_FILE = DATA / "crisis_model.json"
TRAINING_SPLITS = ("dev", "test", "holdout7")
# A negation colours the next words ("en halua kuolla"): they get a "¬" feature too.
_NEGATION_REACH = 3
_SEED = 1
_EPOCHS = 25
_RATE = 0.3
_L2 = 1e-4
_KEEP = 0.1  # weights smaller than this are dropped from the data file
# A message none of whose word forms carries at least this weight in the "any" model
# is not scored at all: on every message of the evaluation set but the newest holdout
# (which tests do not screen), lexicon-or-model decides the same with and without this
# gate (tests/moderation/test_crisis_model.py), and much of ordinary chat skips the
# model.
_GATE = 0.25
# Everyday words (the search's Finnish stop words and the lexicon's own: "tämä",
# "olla", "kaikki", "ei") are no features on their own, and neither is a pair of two
# of them: otherwise "tämä on mun viimeinen viesti" teaches the model that "tämä on"
# and "kaikki" are signs of crisis, and "Hei kaikki, tämä on viesti" raises an alarm.
# They still colour their neighbours: "ei" negates the next words, and a pair with
# one word of substance ("enää_elää") is kept.
# Words about the room itself ("tänne", "täällä", "viesti") are everyday in a chat too:
# "Tämä on mun ensimmäinen viesti tänne" is one of the commonest first messages.
ROOM_WORDS = frozenset(
    {"tänne", "täällä", "täältä", "tässä", "viesti", "viestiä", "ryhmä", "chat", "keskustelu"}
)
EVERYDAY = FINNISH_STOP | _COMMON | ROOM_WORDS


def features(words: Sequence[Word]) -> set[str]:
    """The features of a message: forms, negated forms and adjacent base-form pairs,
    none made of everyday words alone."""
    out: set[str] = set()
    previous: str | None = None
    previous_everyday = False
    negated = 0
    everyday = EVERYDAY
    for word in words:
        forms = word.forms
        kept = forms - everyday
        out.update(kept)
        if negated:
            out.update(["¬" + form for form in kept])
        base = _base(word.lower, forms)
        base_everyday = base in everyday
        if previous is not None and not (previous_everyday and base_everyday):
            out.add(previous + "_" + base)
        previous, previous_everyday = base, base_everyday
        negated = _NEGATION_REACH if not forms.isdisjoint(NEGATIONS) else max(0, negated - 1)
    return out


@lru_cache(maxsize=65_536)
def _base(lower: str, forms: frozenset[str]) -> str:
    """The base form a word stands for in pair features: its first analysed form."""
    others = forms - {lower}
    return min(others) if others else lower


@dataclass(frozen=True, slots=True)
class Logistic:
    """One binary logistic regression: bias and sparse weights."""

    bias: float
    weights: dict[str, float]

    def probability(self, feats: Iterable[str]) -> float:
        weights = self.weights
        if not isinstance(feats, set | frozenset):
            feats = set(feats)
        # Only the few features that have a weight are summed (the intersection walks
        # the smaller side); fsum makes the total independent of set order.
        z = self.bias + math.fsum([weights[f] for f in weights.keys() & feats])
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train(samples: Sequence[set[str]], targets: Sequence[bool], *, seed: int = _SEED) -> Logistic:
    """Stochastic gradient descent with L2; deterministic for a seed."""
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(samples)))
    rng = random.Random(seed)
    for _ in range(_EPOCHS):
        rng.shuffle(order)
        for i in order:
            feats = samples[i]
            z = bias + sum(weights.get(f, 0.0) for f in feats)
            gradient = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - (
                1.0 if targets[i] else 0.0
            )
            bias -= _RATE * gradient
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - _RATE * (gradient + _L2 * w)
    return Logistic(bias, weights)


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The "any crisis" model with its threshold, and one model per category."""

    threshold: float
    any: Logistic
    categories: dict[Category, Logistic]
    trained_on: str  # digest of the training data, so a stale model is noticed
    triggers: frozenset[str] = frozenset()  # word forms that open the gate

    def __post_init__(self) -> None:
        if not self.triggers:
            strong = frozenset(
                f
                for f, w in self.any.weights.items()
                if w >= _GATE and "_" not in f and not f.startswith("¬") and f not in EVERYDAY
            )
            object.__setattr__(self, "triggers", strong)

    def detect(self, words: Sequence[Word], *, gate: bool = True) -> CrisisSignal | None:
        """A model signal for ``words``, or ``None`` below the threshold."""
        if not words:
            return None
        words = with_alternatives(tuple(words))
        if gate:
            triggers = self.triggers
            if triggers.isdisjoint(chain.from_iterable([w.forms for w in words])):
                return None
        feats = features(words)
        if self.any.probability(feats) < self.threshold:
            return None
        best = max(CATEGORIES, key=lambda c: self.categories[c].probability(feats))
        return CrisisSignal((best,), ("model",), source="model")

    def to_json(self) -> str:
        def pack(m: Logistic) -> dict[str, object]:
            kept = {f: round(w, 3) for f, w in sorted(m.weights.items()) if abs(w) >= _KEEP}
            return {"bias": round(m.bias, 4), "weights": kept}

        return json.dumps(
            {
                "threshold": self.threshold,
                "trained_on": self.trained_on,
                "any": pack(self.any),
                "categories": {c: pack(self.categories[c]) for c in CATEGORIES},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> CrisisModel:
        data = json.loads(text)

        def unpack(m: dict[str, object]) -> Logistic:
            weights = m["weights"]
            assert isinstance(weights, dict)
            return Logistic(float(m["bias"]), {str(k): float(v) for k, v in weights.items()})  # type: ignore[arg-type]

        return cls(
            threshold=float(data["threshold"]),
            any=unpack(data["any"]),
            # A category the model was not trained for is never its pick.
            categories={
                c: unpack(data["categories"][c]) if c in data["categories"] else Logistic(-30.0, {})
                for c in CATEGORIES
            },
            trained_on=str(data["trained_on"]),
        )


def training_digest() -> str:
    """SHA-256 of the training splits as they are now."""
    digest = hashlib.sha256()
    for split in TRAINING_SPLITS:
        digest.update((DATA / "eval" / f"{split}.jsonl").read_bytes())
    return digest.hexdigest()


@cache
def model() -> CrisisModel:
    """The shipped model (loaded once)."""
    return CrisisModel.from_json(MODEL_FILE.read_text(encoding="utf-8"))
