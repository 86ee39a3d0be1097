"""Quality and cost of the moderation screening; run through scripts/bench/moderation."""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable

from kuulolla.chat.logic import clean_text
from kuulolla.chat.protocol import Author, MessageFrame, encode
from kuulolla.core.finnish import Finnish
from kuulolla.moderation import evaluation
from kuulolla.moderation.crisis_model import model as crisis_model
from kuulolla.moderation.flood import FloodPolicy, FloodState
from kuulolla.moderation.links import LinkPolicy
from kuulolla.moderation.logic import OFF, Policy, compile_words, screen
from kuulolla.moderation.text import analyser_for

# A room as an organisation might set it up: a short word list, links held unless
# they go to the national services, flood rules on.
WORDS = [
    ("huora", "refuse"), ("neeke*", "refuse"), ("homo", "hold"), ("vittu", "mask"),
    ("perkele", "mask"), ("paska", "mask"), ("kusipää", "mask"), ("mulkku", "mask"),
    ("snäp*", "hold"), ("whatsapp", "hold"), ("telegram", "hold"), ("discord", "hold"),
    ("alkoholi", "hold"), ("kalja", "hold"), ("huume", "hold"), ("pilvi", "hold"),
    ("tavataan kahden", "hold"), ("läski", "mask"), ("idiootti", "mask"), ("ruma", "mask"),
]  # fmt: skip
ALLOWED = frozenset({"mieli.fi", "nuortenlinkki.fi", "sekasin.fi", "kela.fi", "112.fi"})


def timings(run: Callable[[str], object], texts: list[str], rounds: int) -> list[float]:
    """Microseconds per call, each text ``rounds`` times (garbage collection paused,
    as timeit does, so a collection that happens to fall in one call does not land in
    the p99 of whichever rule was running)."""
    out: list[float] = []
    clock = time.perf_counter_ns
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            for text in texts:
                start = clock()
                run(text)
                out.append((clock() - start) / 1000)
    finally:
        gc.enable()
    return out


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--split",
        default=evaluation.HOLDOUT if evaluation.HOLDOUT in evaluation.splits() else "dev",
        choices=evaluation.splits(),
        help=f"the split to score (the newest holdout, {evaluation.HOLDOUT}, when it exists)",
    )
    parser.add_argument("--rounds", type=int, default=20, help="timing passes over the texts")
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    parser.add_argument(
        "--timing-texts",
        default="train",
        choices=("train", "all"),
        help="time the dev and test splits (as earlier rounds did) or every split",
    )
    args = parser.parse_args(argv)

    finnish = Finnish()
    if not finnish.available:
        print("Voikko is missing (libvoikko1, voikko-fi): figures would not be meaningful.")
        return 1

    cases = evaluation.load(args.split)
    patterns: dict[str, evaluation.Score] = {}
    scores = evaluation.evaluate(
        cases,
        screener=lambda t: screen(t, policy=evaluation.POLICY, finnish=finnish),
        patterns=patterns,
    )
    langs = {lang: sum(c.lang == lang for c in cases) for lang in sorted({c.lang for c in cases})}
    print(f"Evaluation set, {args.split} split: {len(cases)} messages {langs}")
    print(evaluation.table(scores))
    print()
    print("Crisis by way of writing (a message counts under each of its patterns)")
    print(evaluation.pattern_table(patterns))
    fails = evaluation.failures(scores, patterns)
    print(
        f"Targets (crisis recall ≥ {evaluation.CRISIS_RECALL} at precision ≥"
        f" {evaluation.CRISIS_PRECISION}, recall ≥ {evaluation.PATTERN_RECALL} per pattern;"
        " personal data): " + ("all met" if not fails else "NOT MET: " + "; ".join(fails))
    )
    print()
    if args.misses:
        text_of = {c.id: c.text for c in cases}
        for label, score in scores.items():
            for kind, ids in (("missed", score.misses), ("false alarm", score.false_alarms)):
                for case_id in ids:
                    print(f"{label:18} {kind:11} {case_id:6} {text_of[case_id]}")
        print()

    texts = [c.text for c in evaluation.load("dev") + evaluation.load("test")]
    if args.timing_texts == "all":
        texts = [c.text for split in evaluation.splits() for c in evaluation.load(split)]
    ordinary = [c.text for c in cases if c.labels <= {"ordinary"}]
    policy = Policy(
        words=compile_words(WORDS, finnish=finnish),
        links=LinkPolicy("hold", ALLOWED),
        flood=FloodPolicy(),
    )

    def full(text: str) -> object:
        return screen(text, policy=policy, state=FloodState(), now=0.0, finnish=finnish)

    def empty(text: str) -> object:
        return screen(text, policy=OFF, state=FloodState(), now=0.0, finnish=finnish)

    author = Author(nick="Aino", role="visitor", id="x1")

    def chat_path(text: str) -> object:
        cleaned = clean_text(text, max_chars=2000)
        return encode(
            MessageFrame(
                room="nuoret", seq=1, ts="2025-01-01T12:00:00Z", from_=author, text=cleaned
            )
        )

    # The learned model alone, on words already analysed (as screening hands them on).
    words_of = analyser_for(finnish).words
    analysed = {text: words_of(text) for text in texts}
    learned = crisis_model()

    def model_only(text: str) -> object:
        return learned.detect(analysed[text])

    cold = timings(full, texts, 1)  # every word analysed by Voikko for the first time
    rows = [
        ("screen, first sight of every word", cold),
        ("screen, all messages", timings(full, texts, args.rounds)),
        ("screen, ordinary chat only", timings(full, ordinary, args.rounds * 3)),
        ("empty pipeline (Policy OFF)", timings(empty, texts, args.rounds)),
        ("chat path: clean_text + encode frame", timings(chat_path, texts, args.rounds)),
        ("crisis model alone (analysed words)", timings(model_only, texts, args.rounds)),
    ]
    base = summary(rows[3][1])[0]
    print(f"Screening cost per message ({len(texts)} texts, {args.rounds} rounds; µs)")
    print(f"{'':40} {'median':>8} {'p99':>8} {'× empty':>8}")
    for name, values in rows:
        median, p99 = summary(values)
        print(f"{name:40} {median:8.1f} {p99:8.1f} {median / base:8.1f}")
    return 0 if not fails else 2


if __name__ == "__main__":
    sys.exit(main())
