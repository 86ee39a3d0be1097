"""A small learned second opinion on crisis signals, next to the lexicon.

The lexicon (:mod:`kuulolla.moderation.crisis`) finds the phrasings it knows with
high precision; people in distress keep finding new ones. This model is a logistic
regression over the words' Voikko forms, their negated forms, pairs of adjacent base
forms and the character n-grams (3 to 5 letters) of each word as written, folded to
ASCII with stretched and doubled letters squeezed ("kuollaaaa", "kuolla" and
"kuola" share theirs): the n-grams carry what a writer's slang, typos, missing
umlauts and words Voikko does not know share with the words the model has seen. It
is trained on the project's own labelled messages (the dev and test splits of
``data/eval``, and round 7's holdout split). It adds recall where the lexicon is
silent: a message the lexicon does not flag is flagged when the model's probability
reaches the threshold, and the signal says it came from the model
(``CrisisSignal.source == "model"``) so a moderator's view can mark it as a possible
signal.

The weights are data (``data/crisis_model.json``), made by ``scripts/crisis-model``
from the evaluation set with a fixed seed; nothing is downloaded or trained at run
time. The features, the regularisation and the threshold were chosen by
leave-one-round-out evaluation: the dev split holds seven earlier rounds' independent
holdout splits, each written by a different writer, and for each round a model
trained on everything else scores that round's messages behind the lexicon. The
threshold is the lowest from 0.5 up at which lexicon-or-model keeps a pooled
precision ≥ 0.94 on those predictions (docs/performance.md, "Leave-one-round-out").

It is trained on the text as screening shows it, personal data masked ("Storgatan
12, 65100 Vasa" is "⟦address⟧"), so that a mask token means to it what it means in
the messages that have one. Its signal is not raised for a message the lexicon reads
as a look-alike, and it does not read the clauses the lexicon found to be look-alikes
(see "The learned model's signal" in :mod:`kuulolla.moderation.crisis`).

Scoring sums a word's own features (forms and n-grams) once per word written and
caches the sum, then adds the few pair and negation features of the message: about
as cheap as the model without n-grams (docs/performance.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from kuulolla.core.stopwords import FINNISH_STOP
from kuulolla.moderation.crisis import _COMMON, CrisisSignal, detector
from kuulolla.moderation.crisis_lexicon import CATEGORIES, NEGATIONS, Category
from kuulolla.moderation.text import DATA, Word, with_alternatives

MODEL_FILE = DATA / "crisis_model.json"
TRAINING_SPLITS = ("dev", "test", "holdout7")
# A negation colours the next words ("en halua kuolla"): they get a "¬" feature too.
_NEGATION_REACH = 3
# Character n-grams of a word ("#" and the n-gram, "<" and ">" marking the word's
# ends), over the word folded to ASCII with runs of a letter made one.
GRAM_SIZES = (3, 4, 5)
GRAM = "#"
_FOLD = str.maketrans("äöåáàâéèêëíìîïóòôúùûüý", "aoaaaaeeeeiiiiooouuuuy")
_RUNS = re.compile(r"(.)\1+")
# An n-gram counts this much in training next to a word form (a word has a dozen of
# them and one or two forms): with it, and the L2 penalty below, the n-grams add
# what forms miss without outvoting them. The data file keeps the weights times
# this value, so scoring is a plain sum.
GRAM_VALUE = 0.3
# What is left of a message without its look-alike clauses is read only when it has
# at least this many words: "maanantai taas" is no message of its own.
REST_MIN = 3
_SEED = 1
_EPOCHS = 25
_RATE = 0.3
_L2 = 1e-2
# Weights smaller than these (as scored) are dropped from the data file: the "any"
# model's decide, the categories' only pick a category for what it flags.
_KEEP = 0.02
_KEEP_CATEGORY = 0.05
# Everyday words (the search's Finnish stop words and the lexicon's own: "tämä",
# "olla", "kaikki", "ei") are no features on their own, and neither is a pair of two
# of them, nor their n-grams: otherwise "tämä on mun viimeinen viesti" teaches the
# model that "tämä on" and "kaikki" are signs of crisis, and "Hei kaikki, tämä on
# viesti" raises an alarm. They still colour their neighbours: "ei" negates the next
# words, and a pair with one word of substance ("enää_elää") is kept.
# Words about the room itself ("tänne", "täällä", "viesti") are everyday in a chat too:
# "Tämä on mun ensimmäinen viesti tänne" is one of the commonest first messages.
ROOM_WORDS = frozenset(
    {"tänne", "täällä", "täältä", "tässä", "viesti", "viestiä", "ryhmä", "chat", "keskustelu"}
)
EVERYDAY = FINNISH_STOP | _COMMON | ROOM_WORDS


def features(words: Sequence[Word]) -> dict[str, int]:
    """The features of a message and how often each occurs: each word's forms and
    n-grams (:func:`word_features`), negated forms and adjacent base-form pairs, none
    made of everyday words alone."""
    out: dict[str, int] = {}
    for feature in _context_features(words):
        out[feature] = out.get(feature, 0) + 1
    for word in words:
        for feature in word_features(word.lower, word.forms):
            out[feature] = out.get(feature, 0) + 1
    return out


def _context_features(words: Sequence[Word]) -> list[str]:
    """The features a word makes with its neighbours: "¬" and a form after a
    negation, and pairs of adjacent base forms."""
    out: list[str] = []
    previous: str | None = None
    previous_everyday = False
    negated = 0
    everyday = EVERYDAY
    for word in words:
        forms = word.forms
        if negated:
            out.extend(sorted("¬" + form for form in forms - everyday))
        base = _base(word.lower, forms)
        base_everyday = base in everyday
        if previous is not None and not (previous_everyday and base_everyday):
            out.append(previous + "_" + base)
        previous, previous_everyday = base, base_everyday
        negated = _NEGATION_REACH if not forms.isdisjoint(NEGATIONS) else max(0, negated - 1)
    return out


def fold(lower: str) -> str:
    """A word as the n-grams read it: ASCII letters, runs of a letter made one
    ("kuollaaaa", "kuolla" → "kuola"; "elämää" → "elama")."""
    return _RUNS.sub(r"\1", lower.translate(_FOLD))


def grams(lower: str) -> frozenset[str]:
    """The character n-grams of a word (see :data:`GRAM_SIZES`)."""
    text = "<" + fold(lower) + ">"
    return frozenset(GRAM + text[i : i + n] for n in GRAM_SIZES for i in range(len(text) - n + 1))


def word_features(lower: str, forms: frozenset[str]) -> tuple[str, ...]:
    """The features a word makes on its own: its forms and n-grams, none for an
    everyday word (in a fixed order). Not cached: a word's n-grams would hold some
    kilobytes each; :class:`CrisisModel` caches their scores instead."""
    kept = forms - EVERYDAY
    if kept and lower not in EVERYDAY:
        return tuple(sorted(kept | grams(lower)))
    return tuple(sorted(kept))


def value(feature: str) -> float:
    """How much a feature counts in training (see :data:`GRAM_VALUE`)."""
    return GRAM_VALUE if feature.startswith(GRAM) else 1.0


@lru_cache(maxsize=65_536)
def _base(lower: str, forms: frozenset[str]) -> str:
    """The base form a word stands for in pair features: its first analysed form."""
    others = forms - {lower}
    return min(others) if others else lower


@dataclass(frozen=True, slots=True)
class Logistic:
    """One binary logistic regression: bias and sparse weights (as scored: each
    occurrence of a feature adds its weight)."""

    bias: float
    weights: dict[str, float]

    def probability(self, feats: dict[str, int]) -> float:
        weights = self.weights
        # fsum makes the total independent of the order of the features.
        z = self.bias + math.fsum([weights[f] * n for f, n in feats.items() if f in weights])
        return _sigmoid(z)

    def pruned(self, keep: float = _KEEP) -> Logistic:
        """The model as the data file keeps it (weights rounded, those smaller than
        ``keep`` dropped)."""
        return Logistic(
            round(self.bias, 4),
            {f: round(w, 3) for f, w in sorted(self.weights.items()) if abs(w) >= keep},
        )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train(
    samples: Sequence[dict[str, int]], targets: Sequence[bool], *, seed: int = _SEED
) -> Logistic:
    """Stochastic gradient descent with L2 (applied to the weights a sample touches);
    deterministic for a seed. A feature counts :func:`value` in training; the weights
    returned are multiplied by it, as scored."""
    index: dict[str, int] = {}
    counted = [
        [(index.setdefault(f, len(index)), n) for f, n in sorted(sample.items())]
        for sample in samples
    ]
    values = [value(f) for f in index]
    rows = [[(j, n * values[j]) for j, n in row] for row in counted]
    weights = [0.0] * len(index)
    bias = 0.0
    order = list(range(len(samples)))
    rng = random.Random(seed)
    for _ in range(_EPOCHS):
        rng.shuffle(order)
        for i in order:
            row = rows[i]
            z = bias + sum([weights[j] * x for j, x in row])
            gradient = _sigmoid(z) - (1.0 if targets[i] else 0.0)
            bias -= _RATE * gradient
            for j, x in row:
                w = weights[j]
                weights[j] = w - _RATE * (gradient * x + _L2 * w)
    return Logistic(bias, {f: weights[j] * values[j] for f, j in index.items()})


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The "any crisis" model with its threshold, and one model per category."""

    threshold: float
    any: Logistic
    categories: dict[Category, Logistic]
    trained_on: str  # digest of the training data, so a stale model is noticed
    _word_scores: Callable[[str, frozenset[str]], tuple[float, ...]] = field(
        default=None,  # type: ignore[assignment]
        compare=False,
        repr=False,
    )

    def __post_init__(self) -> None:
        models = (self.any, *(self.categories[c] for c in CATEGORIES))

        # A word's own features (its forms and n-grams) are summed once per word
        # written, for the "any" model and each category's, not once per message;
        # only the seven sums are kept.
        @lru_cache(maxsize=32_768)
        def word_scores(lower: str, forms: frozenset[str]) -> tuple[float, ...]:
            feats = word_features(lower, forms)
            return tuple(math.fsum([m.weights[f] for f in feats if f in m.weights]) for m in models)

        object.__setattr__(self, "_word_scores", word_scores)

    def _z(self, k: int, words: Sequence[Word], context: list[str]) -> float:
        """The log-odds of model ``k`` (0 "any", then :data:`CATEGORIES`)."""
        m = self.any if k == 0 else self.categories[CATEGORIES[k - 1]]
        weights, word_scores = m.weights, self._word_scores
        parts = [word_scores(w.lower, w.forms)[k] for w in words]
        parts += [weights[f] for f in context if f in weights]
        return m.bias + math.fsum(parts)

    def score(self, words: Sequence[Word]) -> float:
        """The "any crisis" probability of a message's words (their alternative
        readings merged, as :meth:`detect` reads them); the same as
        ``self.any.probability(features(words))``, summed word by word."""
        return _sigmoid(self._z(0, words, _context_features(words)))

    def detect(self, words: Sequence[Word]) -> CrisisSignal | None:
        """A model signal for ``words``, or ``None`` below the threshold."""
        if not words:
            return None
        words = with_alternatives(tuple(words))
        context = _context_features(words)
        if _sigmoid(self._z(0, words, context)) < self.threshold:
            return None
        # Not raised for a message told as a look-alike, and read without the sentences
        # the lexicon found to be look-alikes (Detector.model_words).
        rest = detector().model_words(words)
        if rest is None:
            return None
        if len(rest) < len(words):
            if len(rest) < REST_MIN:
                return None
            words, context = rest, _context_features(rest)
            if _sigmoid(self._z(0, words, context)) < self.threshold:
                return None
        z = [self._z(k, words, context) for k in range(1, len(CATEGORIES) + 1)]
        best = CATEGORIES[z.index(max(z))]
        return CrisisSignal((best,), ("model",), source="model")

    def to_json(self) -> str:
        def pack(m: Logistic, keep: float) -> dict[str, object]:
            kept = m.pruned(keep)
            return {"bias": kept.bias, "weights": kept.weights}

        return json.dumps(
            {
                "threshold": self.threshold,
                "trained_on": self.trained_on,
                "any": pack(self.any, _KEEP),
                "categories": {c: pack(self.categories[c], _KEEP_CATEGORY) for c in CATEGORIES},
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
