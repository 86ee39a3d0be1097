"""The evaluation set is sound, and screening keeps its measured quality on it.

The personal-data figures are those of the test split, the crisis figures those of
earlier rounds' holdout splits, each measured once after its round
(docs/performance.md). A change that lowers them is a regression. The newest holdout
split (``evaluation.HOLDOUT``) is only checked for soundness here, never scored: its
score is measured once, by ``scripts/bench/moderation``, after its round's rules have
landed, and a test that printed or asserted it on every run would let it steer the
rules. The targets themselves (issue 32) are checked by the bench, not here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation import evaluation
from kuulolla.moderation.logic import screen

LABELS = {*evaluation.CRISIS, *evaluation.PII, "idiom", "negation", "ordinary"}
# Measured on round 14's holdout split (570 messages, 306 of them crisis, written apart
# from the rules of its round and committed before any of them landed;
# docs/performance.md): after round 14, measured once, 298 of 306 found at 298 of 341.
# Its messages (ids h7001–h7570) are now in the dev split, worked in by round 15 (which
# labels t086 of the test split, an assault at a party, violence as the labels say).
ROUND14_IDS = range(7001, 7571)
MEASURED_ROUND14_RECALL = 298 / 306  # 0.974
MEASURED_ROUND14_PRECISION = 298 / 341  # 0.874
# Crisis messages found per way of writing on round 14's holdout split: (found, of).
MEASURED_ROUND14_BY_PATTERN = {
    "no_umlauts": (38, 38),
    "typo": (27, 27),
    "slang": (42, 44),
    "teen": (77, 78),
    "older": (34, 35),
    "third_person": (59, 59),
    "joke": (19, 20),
    "past": (28, 28),
    "emoji": (38, 41),
    "code_switch": (22, 22),
    "news": (2, 3),
    "lang:en": (60, 63),
    "lang:sv": (60, 61),
}
# Measured on round 12's holdout split (531 messages, 313 of them crisis, written apart
# from the rules of its round and committed before any of them landed;
# docs/performance.md): after round 12, measured once, 287 of 313 found at 287 of 311.
# Its messages (ids h5001–h5531) are now in the dev split, worked in by round 13.
ROUND12_IDS = range(5001, 5532)
MEASURED_ROUND12_RECALL = 287 / 313  # 0.917
MEASURED_ROUND12_PRECISION = 287 / 311  # 0.923
# Crisis messages found per way of writing on round 12's holdout split: (found, of).
MEASURED_ROUND12_BY_PATTERN = {
    "no_umlauts": (21, 21),
    "typo": (15, 15),
    "slang": (43, 45),
    "teen": (56, 62),
    "older": (26, 29),
    "third_person": (44, 47),
    "joke": (13, 14),
    "past": (15, 17),
    "emoji": (16, 18),
    "code_switch": (9, 10),
    "fiction": (1, 3),
    "news": (3, 5),
    "lang:en": (67, 78),
    "lang:sv": (47, 48),
}
# Measured on round 11's holdout split (494 messages, 295 of them crisis, written apart
# from the rules of its round and committed before it was measured;
# docs/performance.md): after round 11, measured once, 276 of 295 found at 276 of 297.
# Its messages (ids h4001–h4494) are now in the dev split, worked in by round 12 (which
# labels an overdose suicide as well only when the message says so: see
# moderation/evaluation.py; 6 of the split's overdoses are labelled both, as written).
ROUND11_IDS = range(4001, 4495)
MEASURED_ROUND11_RECALL = 276 / 295  # 0.936
MEASURED_ROUND11_PRECISION = 276 / 297  # 0.929
# Crisis messages found per way of writing on round 11's holdout split: (found, of).
MEASURED_ROUND11_BY_PATTERN = {
    "no_umlauts": (27, 28),
    "typo": (19, 20),
    "slang": (20, 21),
    "teen": (76, 84),
    "older": (51, 53),
    "third_person": (37, 38),
    "joke": (5, 5),
    "past": (10, 10),
    "emoji": (17, 23),
    "code_switch": (27, 27),
    "lang:en": (65, 71),
    "lang:sv": (40, 42),
}
# Measured on the holdout split of round 10 (450 messages, 276 of them crisis, written
# in fresh voices and committed before any rule changed; docs/performance.md): with
# the round-9 lexicon and model 254 of 276 found at 254 of 284; after round 10,
# measured once, 262 of 276 at 262 of 284. Its messages (ids h3001–h3450) are now in
# the dev split, worked in by round 11 (which labels a family member or partner who
# hits as abuse only, as that split did).
ROUND10_IDS = range(3001, 3451)
MEASURED_ROUND10_RECALL = 262 / 276  # 0.949
MEASURED_ROUND10_PRECISION = 262 / 284  # 0.923
# Crisis messages found per way of writing on round 10's holdout split, measured once
# after the round: (found, of).
MEASURED_ROUND10_BY_PATTERN = {
    "no_umlauts": (37, 37),
    "typo": (23, 23),
    "slang": (23, 24),
    "teen": (69, 71),
    "older": (31, 35),
    "third_person": (41, 42),
    "joke": (6, 6),
    "past": (16, 16),
    "emoji": (14, 15),
    "code_switch": (5, 6),
    "lang:en": (66, 71),
    "lang:sv": (40, 44),
}
# Measured on the holdout split of round 9 (607 messages, 358 of them crisis, written
# in other voices than the earlier rounds and committed before any rule changed): with
# the round-8 lexicon and model 309 of 358 found at 309 of 352; after round 9,
# measured once, 327 of 358 at 327 of 368. Its messages (ids h2001–h2607) are now in
# the dev split, worked in by round 10.
ROUND9_IDS = range(2001, 2608)
MEASURED_ROUND9_RECALL = 327 / 358  # 0.913
MEASURED_ROUND9_PRECISION = 327 / 368  # 0.889
# Crisis messages found per way of writing on round 9's holdout split, measured once
# after the round: (found, of).
MEASURED_ROUND9_BY_PATTERN = {
    "no_umlauts": (41, 42),
    "typo": (31, 34),
    "slang": (18, 20),
    "teen": (54, 60),
    "older": (25, 29),
    "third_person": (55, 57),
    "joke": (4, 4),
    "past": (7, 7),
    "emoji": (14, 17),
    "code_switch": (12, 12),
    "lang:en": (77, 87),
    "lang:sv": (33, 37),
}
# Measured on the holdout split of round 8 (477 messages, 279 of them crisis, written
# for issue 32 and committed before any rule changed; docs/performance.md): with the
# round-7 lexicon and model 190 of 279 found at 190 of 230; after round 8, measured
# once, 260 of 279 at 260 of 279.
# Its messages (ids h1001–h1477) are now in the dev split, worked in by round 9.
ROUND8_IDS = range(1001, 1478)
MEASURED_ROUND8_RECALL = 260 / 279  # 0.932
MEASURED_ROUND8_PRECISION = 260 / 279  # 0.932
# Crisis messages found per way of writing on round 8's holdout split, measured once
# after the round (docs/performance.md): (found, of).
MEASURED_ROUND8_BY_PATTERN = {
    "no_umlauts": (73, 76),
    "typo": (20, 22),
    "slang": (35, 37),
    "teen": (38, 43),
    "older": (17, 18),
    "third_person": (33, 34),
    "joke": (12, 12),
    "past": (12, 12),
    "lang:en": (27, 32),
    "lang:sv": (19, 20),
}
# Round 7's holdout split, measured at 54 of 54 found at 54 of 58.
MEASURED_ROUND7_RECALL = 1.0
MEASURED_ROUND7_PRECISION = 0.931
# The test split's crisis messages are now worked into the lexicon and the model.
MEASURED_TEST_CRISIS_RECALL = 1.0
PATTERNS = frozenset(
    {"no_umlauts", "typo", "slang", "teen", "older", "third_person", "idiom", "joke", "past",
     "fiction", "news", "topic", "everyday", "emoji", "code_switch", "lyrics", "game",
     "medical"}
)  # fmt: skip


ROUNDS_IN_DEV = {
    "round8": ROUND8_IDS,
    "round9": ROUND9_IDS,
    "round10": ROUND10_IDS,
    "round11": ROUND11_IDS,
    "round12": ROUND12_IDS,
    "round14": ROUND14_IDS,
}
# The splits the tests below score: the newest holdout is never one of them.
SCORED = {"test", "holdout7", *ROUNDS_IN_DEV}
# Round 13's measured split (ids h6001–h6651): the file holdout13 until its lines are
# moved into dev, then those lines of dev. Only its soundness is checked here.
ROUND13_IDS = range(6001, 6652)
# The newest holdout split, round 15's (ids h8001 on).
ROUND15_IDS = range(8001, 9000)


def _cases(split: str) -> list[evaluation.Case]:
    """The cases of a split, or of an earlier round's holdout messages now in dev."""
    if split not in ROUNDS_IN_DEV:
        return evaluation.load(split)
    ids = ROUNDS_IN_DEV[split]
    return [c for c in evaluation.load("dev") if c.id[0] == "h" and int(c.id[1:]) in ids]


def _round13() -> list[evaluation.Case]:
    """Round 13's measured split, from its own file or, once moved, from dev."""
    if "holdout13" in evaluation.splits():
        return evaluation.load("holdout13")
    return [c for c in evaluation.load("dev") if c.id[0] == "h" and int(c.id[1:]) in ROUND13_IDS]


def _scores(split: str, voikko: Finnish) -> dict[str, evaluation.Score]:
    cases = _cases(split)
    return evaluation.evaluate(
        cases, screener=lambda t: screen(t, policy=evaluation.POLICY, finnish=voikko)
    )


@pytest.fixture(scope="module")
def scores(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of the test split."""
    return _scores("test", voikko)


@pytest.fixture(scope="module")
def round14(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 14's holdout split."""
    return _scores("round14", voikko)


@pytest.fixture(scope="module")
def round12(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 12's holdout split."""
    return _scores("round12", voikko)


@pytest.fixture(scope="module")
def round11(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 11's holdout split."""
    return _scores("round11", voikko)


@pytest.fixture(scope="module")
def round10(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 10's holdout split."""
    return _scores("round10", voikko)


@pytest.fixture(scope="module")
def round9(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 9's holdout split."""
    return _scores("round9", voikko)


@pytest.fixture(scope="module")
def round8(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 8's holdout split."""
    return _scores("round8", voikko)


@pytest.fixture(scope="module")
def round7(voikko: Finnish) -> dict[str, evaluation.Score]:
    """Scores of round 7's holdout split."""
    return _scores("holdout7", voikko)


def test_evaluation_set_is_sound() -> None:
    """Unique ids, known labels and patterns, and every PII string in its text."""
    test = evaluation.load("test")
    cases = [c for split in evaluation.splits() for c in evaluation.load(split)]
    assert len(cases) >= 4500 and len(test) >= 300
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.labels and c.labels <= LABELS for c in cases)
    assert all(c.patterns <= PATTERNS for c in cases)
    assert all(span in c.text for c in cases for span in c.pii)
    assert all(bool(c.pii) == any(label.startswith("pii.") for label in c.labels) for c in cases)
    assert {c.lang for c in test} >= {"fi", "sv", "en"}


@pytest.mark.parametrize("split", ["test", "holdout7", evaluation.HOLDOUT])
def test_split_shares_no_message_with_dev(split: str) -> None:
    """A measured split, and the newest holdout, hold no text of the dev split."""
    dev = {c.text.casefold() for c in evaluation.load("dev")}
    assert [c.id for c in evaluation.load(split) if c.text.casefold() in dev] == []


def test_round14_split_is_in_dev() -> None:
    """Round 14's measured split is folded into dev whole (ids h7001–h7570) and is no
    split of its own any more."""
    ids = {c.id for c in _cases("round14")}
    assert len(ids) == 570 and "holdout14" not in evaluation.splits()


def test_round12_split_is_in_dev() -> None:
    """Round 12's measured split is folded into dev whole (ids h5001–h5531) and is no
    split of its own any more."""
    ids = {c.id for c in _cases("round12")}
    assert len(ids) == 531 and "holdout12" not in evaluation.splits()


def test_round11_split_is_in_dev() -> None:
    """Round 11's measured split is folded into dev whole (ids h4001–h4494) and is no
    split of its own any more."""
    ids = {c.id for c in _cases("round11")}
    assert len(ids) == 494 and "holdout11" not in evaluation.splits()


def test_newest_holdout_is_never_scored_here() -> None:
    """The newest holdout split exists and no test scores it (only its soundness is
    checked): its figures are measured once, by the bench."""
    assert evaluation.HOLDOUT in evaluation.splits()
    assert evaluation.HOLDOUT not in SCORED


def test_round13_split_is_sound() -> None:
    """Round 13's split, in its own file or moved into dev, is whole (ids h6001–h6651),
    has 30 messages of each crisis category, 15 of each way of writing, every language,
    and no text of any other message of the set."""
    round13 = _round13()
    ids = {c.id for c in round13}
    others = {
        c.text.casefold() for name in evaluation.splits() if name != "holdout13"
        for c in evaluation.load(name) if c.id not in ids
    }  # fmt: skip
    labels = Counter(label for c in round13 for label in c.labels)
    patterns = Counter(p for c in round13 for p in c.patterns)
    assert len(ids) == len(round13) == len(ROUND13_IDS)
    assert all(labels[label] >= 30 for label in evaluation.CRISIS), labels
    assert set(patterns) == PATTERNS and min(patterns.values()) >= 15, patterns
    assert {c.lang for c in round13} == {"fi", "sv", "en"}
    assert all(c.id[0] == "h" and int(c.id[1:]) in ROUND13_IDS for c in round13)
    assert [c.id for c in round13 if c.text.casefold() in others] == []


def test_newest_holdout_is_sound() -> None:
    """Round 15's holdout split has 620 messages with unique ids from h8001, 30 of each
    crisis category, 15 of each way of writing, every language, and no text of any
    other split or of itself twice."""
    newest = evaluation.load(evaluation.HOLDOUT)
    others = {
        c.text.casefold() for name in evaluation.splits() if name != evaluation.HOLDOUT
        for c in evaluation.load(name)
    }  # fmt: skip
    labels = Counter(label for c in newest for label in c.labels)
    patterns = Counter(p for c in newest for p in c.patterns)
    assert evaluation.HOLDOUT == "holdout15" and len(newest) >= 620
    assert len({c.id for c in newest}) == len(newest)
    assert all(c.id[0] == "h" and int(c.id[1:]) in ROUND15_IDS for c in newest)
    assert all(c.labels and c.labels <= LABELS for c in newest)
    assert all(labels[label] >= 30 for label in evaluation.CRISIS), labels
    assert set(patterns) == PATTERNS and min(patterns.values()) >= 15, patterns
    assert {c.lang for c in newest} == {"fi", "sv", "en"}
    assert all(span in c.text for c in newest for span in c.pii)
    assert len({c.text.casefold() for c in newest}) == len(newest)
    assert [c.id for c in newest if c.text.casefold() in others] == []


@pytest.mark.parametrize("label", evaluation.PII_TARGETED)
def test_personal_data_targets_hold(scores: dict[str, evaluation.Score], label: str) -> None:
    """Identity codes, phones and e-mails: recall ≥ 0.99, false positives ≤ 1 %."""
    assert scores[label].recall >= evaluation.PII_RECALL
    assert scores[label].false_positive_rate <= evaluation.PII_FALSE_POSITIVES


def test_round14_figures_hold(round14: dict[str, evaluation.Score]) -> None:
    """Round 14's holdout split keeps its recall, and its precision within 0.02."""
    assert round14["crisis.any"].recall >= MEASURED_ROUND14_RECALL
    assert round14["crisis.any"].precision >= MEASURED_ROUND14_PRECISION - 0.02


def test_round14_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 14's split as
    measured after that round."""
    found = _found_by_pattern("round14", voikko, MEASURED_ROUND14_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND14_BY_PATTERN[n][0] for n in found), found


def test_round12_figures_hold(round12: dict[str, evaluation.Score]) -> None:
    """Round 12's holdout split keeps its recall, and its precision within 0.02."""
    assert round12["crisis.any"].recall >= MEASURED_ROUND12_RECALL
    assert round12["crisis.any"].precision >= MEASURED_ROUND12_PRECISION - 0.02


def test_round12_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 12's split as
    measured after that round."""
    found = _found_by_pattern("round12", voikko, MEASURED_ROUND12_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND12_BY_PATTERN[n][0] for n in found), found


def test_round11_figures_hold(round11: dict[str, evaluation.Score]) -> None:
    """Round 11's holdout split keeps its recall, and its precision within 0.02."""
    assert round11["crisis.any"].recall >= MEASURED_ROUND11_RECALL
    assert round11["crisis.any"].precision >= MEASURED_ROUND11_PRECISION - 0.02


def test_round11_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 11's split as
    measured after that round."""
    found = _found_by_pattern("round11", voikko, MEASURED_ROUND11_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND11_BY_PATTERN[n][0] for n in found), found


def test_round10_figures_hold(round10: dict[str, evaluation.Score]) -> None:
    """Round 10's holdout split keeps its recall, and its precision within 0.02."""
    assert round10["crisis.any"].recall >= MEASURED_ROUND10_RECALL
    assert round10["crisis.any"].precision >= MEASURED_ROUND10_PRECISION - 0.02


def _found_by_pattern(
    split: str, voikko: Finnish, measured: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    patterns: dict[str, evaluation.Score] = {}
    evaluation.evaluate(
        _cases(split),
        screener=lambda t: screen(t, policy=evaluation.POLICY, finnish=voikko),
        patterns=patterns,
    )
    return {name: (patterns[name].tp, patterns[name].support) for name in measured}


def test_round10_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 10's split as
    measured after that round."""
    found = _found_by_pattern("round10", voikko, MEASURED_ROUND10_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND10_BY_PATTERN[n][0] for n in found), found


def test_round9_figures_hold(round9: dict[str, evaluation.Score]) -> None:
    """Round 9's holdout split keeps its recall, and its precision within 0.02."""
    assert round9["crisis.any"].recall >= MEASURED_ROUND9_RECALL
    assert round9["crisis.any"].precision >= MEASURED_ROUND9_PRECISION - 0.02


def test_round9_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 9's split as
    measured after that round."""
    found = _found_by_pattern("round9", voikko, MEASURED_ROUND9_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND9_BY_PATTERN[n][0] for n in found), found


def test_round8_figures_hold(round8: dict[str, evaluation.Score]) -> None:
    """Round 8's holdout split keeps its recall, and its precision within 0.02."""
    assert round8["crisis.any"].recall >= MEASURED_ROUND8_RECALL
    assert round8["crisis.any"].precision >= MEASURED_ROUND8_PRECISION - 0.02


def test_round8_ways_of_writing_hold(voikko: Finnish) -> None:
    """Each way of writing finds at least as many crisis messages of round 8's split as
    measured after that round."""
    found = _found_by_pattern("round8", voikko, MEASURED_ROUND8_BY_PATTERN)
    assert all(found[n][0] >= MEASURED_ROUND8_BY_PATTERN[n][0] for n in found), found


def test_round7_figures_hold(round7: dict[str, evaluation.Score]) -> None:
    """Round 7's holdout split keeps its recall, and its precision within 0.02."""
    assert round7["crisis.any"].recall >= MEASURED_ROUND7_RECALL
    assert round7["crisis.any"].precision >= MEASURED_ROUND7_PRECISION - 0.02


def test_test_split_crisis_messages_stay_found(scores: dict[str, evaluation.Score]) -> None:
    """Every crisis message of the test split, now a training split, still alerts."""
    assert scores["crisis.any"].recall >= MEASURED_TEST_CRISIS_RECALL
