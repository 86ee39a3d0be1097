"""Train kuulolla/moderation/data/crisis_model.json; see scripts/crisis-model."""

from __future__ import annotations

import argparse
import random

from kuulolla.core.finnish import analyser
from kuulolla.moderation import evaluation
from kuulolla.moderation.crisis import detector
from kuulolla.moderation.crisis_lexicon import CATEGORIES
from kuulolla.moderation.crisis_model import (
    MODEL_FILE,
    TRAINING_SPLITS,
    CrisisModel,
    features,
    train,
    training_digest,
)
from kuulolla.moderation.text import analyser_for, with_alternatives

FOLDS = 5
MIN_PRECISION = 0.95  # lexicon-or-model precision on out-of-fold dev predictions
CANDIDATES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, help="use this instead of choosing one")
    args = parser.parse_args()

    words_of = analyser_for(analyser()).words
    lexicon = detector()
    dev = evaluation.load("dev")
    cases = [c for split in TRAINING_SPLITS for c in evaluation.load(split)]
    samples = [features(with_alternatives(words_of(c.text))) for c in cases]
    crisis = [any(label in c.labels for label in evaluation.CRISIS) for c in cases]

    # Out-of-fold probabilities on dev choose the threshold.
    n_dev = len(dev)
    # Where the lexicon finds a crisis, or finds the message to be no crisis though it
    # speaks like one (an idiom, a joke, a past that is over), the model is not asked.
    examined = [lexicon.examine(words_of(c.text), text=c.text) for c in dev]
    dev_lexicon = [signal is not None for signal, _ in examined]
    dev_quiet = [quiet for _, quiet in examined]
    order = list(range(n_dev))
    random.Random(7).shuffle(order)
    oof = [0.0] * n_dev
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        kept = [i for i in range(len(cases)) if i not in held]
        m = train([samples[i] for i in kept], [crisis[i] for i in kept])
        for i in held:
            oof[i] = m.probability(samples[i])
    chosen = args.threshold
    print(f"out-of-fold on dev ({n_dev} messages), lexicon or model:")
    for t in CANDIDATES:
        pred = [dev_lexicon[i] or (not dev_quiet[i] and oof[i] >= t) for i in range(n_dev)]
        tp = sum(p and y for p, y in zip(pred, crisis[:n_dev], strict=True))
        fp = sum(p and not y for p, y in zip(pred, crisis[:n_dev], strict=True))
        fn = sum(y and not p for p, y in zip(pred, crisis[:n_dev], strict=True))
        recall, precision = tp / (tp + fn), tp / (tp + fp)
        print(f"  threshold {t:.2f}: recall {recall:.3f} precision {precision:.3f}")
        if args.threshold is None and precision >= MIN_PRECISION and chosen is None:
            chosen = t
    if chosen is None:
        chosen = CANDIDATES[-1]
    print(f"threshold {chosen}")

    model = CrisisModel(
        threshold=chosen,
        any=train(samples, crisis),
        categories={
            c: train(samples, [f"crisis.{c}" in case.labels for case in cases]) for c in CATEGORIES
        },
        trained_on=training_digest(),
    )
    MODEL_FILE.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
