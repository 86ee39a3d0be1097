"""Floods: cooldown after joining, bursts and repeated text; time passed in.

The cases come in pairs: what ordinary typing looks like (passes) next to the flood
it is nearest to (refused).
"""

from __future__ import annotations

import pytest

from kuulolla.moderation.flood import FloodPolicy, FloodState, check, keep_for, key_of

POLICY = FloodPolicy()  # the defaults are what rooms run with

TWELVE_LINES = [
    "moi",
    "onks täällä ketään",
    "mulla on ollu tosi huono viikko",
    "koulussa",
    "joo",
    "ne kaverit ei puhu mulle",
    "en tiiä",
    "joo",
    "mitä te tekisitte",
    "ok",
    "kiitos",
    "joo",
]


def sent(*items: tuple[float, str], joined_at: float | None = None) -> FloodState:
    state = FloodState(joined_at=joined_at)
    for when, text in items:
        state.record(key_of(text), when, keep=keep_for(POLICY))
    return state


def every(seconds: float, texts: list[str], start: float = 0.0) -> FloodState:
    """A state in which ``texts`` were sent ``seconds`` apart from ``start``."""
    return sent(*((start + i * seconds, text) for i, text in enumerate(texts)))


def run(texts: list[str], seconds: float) -> list[str | None]:
    """Send ``texts`` ``seconds`` apart, recording what passes; the reasons, in order."""
    state, reasons = FloodState(), []
    for i, text in enumerate(texts):
        now = i * seconds
        hit = check(text, POLICY, state, now)
        reasons.append(hit.reason if hit else None)
        if hit is None:
            state.record(key_of(text), now, keep=keep_for(POLICY))
    return reasons


@pytest.mark.parametrize(
    ("texts", "seconds", "refused_from"),
    [
        # ordinary typing: twelve short lines, two or even one second apart, "joo" thrice
        (TWELVE_LINES, 2.0, None),
        (TWELVE_LINES, 1.0, None),
        # a paste or a script: six lines within a few seconds, the sixth is refused
        ([f"rivi {i}" for i in range(8)], 0.5, 5),
        # a steady minute of lines 2.5 s apart is past any reading pace: the 21st waits
        ([f"rivi {i}" for i in range(22)], 2.5, 20),
        # a short reply may recur four times in two minutes, not a fifth
        (["joo"] * 5, 6.0, 4),
        # a longer text only twice
        (["tulkaa kaikki katsomaan tätä"] * 3, 6.0, 2),
    ],
)
def test_sequences(texts: list[str], seconds: float, refused_from: int | None) -> None:
    """Ordinary typing passes whole; a flood passes up to its limit and no further."""
    reasons = run(texts, seconds)
    first = next((i for i, r in enumerate(reasons) if r is not None), None)
    assert first == refused_from


@pytest.mark.parametrize(
    ("state", "text", "now", "reason", "wait"),
    [
        # cooldown for new joiners
        (sent(joined_at=100.0), "moi", 103.0, "flood.cooldown", 7),
        (sent(joined_at=100.0), "moi", 109.5, "flood.cooldown", 1),
        (sent(joined_at=100.0), "moi", 110.0, None, 0),
        (sent(joined_at=None), "moi", 0.0, None, 0),
        # burst: five lines in five seconds, the sixth waits until the first is old enough
        (every(1.0, ["a", "b", "c", "d", "e"]), "f", 4.5, "flood.burst", 1),
        (every(1.0, ["a", "b", "c", "d", "e"]), "f", 5.0, None, 0),
        (every(0.5, ["a", "b", "c", "d", "e"]), "f", 2.5, "flood.burst", 3),
        (every(1.0, ["a", "b", "c", "d"]), "e", 3.5, None, 0),
        # pace: twenty lines in a minute, the 21st waits for the oldest to leave it
        (every(2.5, [f"r{i}" for i in range(20)]), "x", 50.0, "flood.burst", 10),
        (every(3.0, [f"r{i}" for i in range(20)]), "x", 60.0, None, 0),
        (every(2.5, [f"r{i}" for i in range(19)]), "x", 47.5, None, 0),
        # repeats of a longer text: twice within two minutes is enough
        (
            sent((0.0, "Onko täällä ketään?"), (20.0, "onko TÄÄLLÄ ketään")),
            "onko täällä ketään!!",
            30.0,
            "flood.repeat",
            0,
        ),
        (
            sent((0.0, "onko täällä ketään"), (20.0, "onko täällä ketään")),
            "onko täällä ketään",
            121.0,
            None,
            0,
        ),
        (sent((0.0, "onko täällä ketään")), "onko täällä ketään", 30.0, None, 0),
        # repeats of a short reply: four within two minutes pass, a fifth does not
        (every(10.0, ["joo", "Joo", "joo!", "JOO"]), "joo", 40.0, "flood.repeat", 0),
        (every(10.0, ["joo", "joo", "joo"]), "joo", 30.0, None, 0),
        (every(10.0, ["joo", "joo", "joo", "joo"]), "ok", 40.0, None, 0),
        # a different text is never a repeat
        (sent((0.0, "hei"), (20.0, "moi")), "moi kaikki", 30.0, None, 0),
        # one character or one word many times over
        (sent(), "a" * 30, 0.0, "flood.repeat", 0),
        (sent(), "a" * 29, 0.0, None, 0),
        (sent(), "spam " * 10, 0.0, "flood.repeat", 0),
        (sent(), "spam " * 9, 0.0, None, 0),
        (sent(), "hahahahahahahahahahahahahahahaha", 0.0, None, 0),
        (sent(), "no no no no no", 0.0, None, 0),
    ],
)
def test_flood_rules(
    state: FloodState, text: str, now: float, reason: str | None, wait: int
) -> None:
    """Each flood rule fires exactly when its limit is passed, with the wait in seconds."""
    hit = check(text, POLICY, state, now)
    got = (hit.reason, hit.wait) if hit else (None, 0)
    assert got == (reason, wait)


def test_record_forgets_what_is_older_than_it_must_keep() -> None:
    """The state holds only the messages the rules can still look at."""
    state = sent((0.0, "a"), (100.0, "b"), (200.0, "c"))
    assert [t for t, _ in state.sent] == [100.0, 200.0]


def test_check_does_not_change_the_state() -> None:
    """Checking is pure; the pipeline records what it lets through."""
    state = sent((0.0, "a"))
    check("b", POLICY, state, 1.0)
    assert len(state.sent) == 1
