"""Floods: cooldown after joining, bursts and repeated text; time passed in."""

from __future__ import annotations

import pytest

from kuulolla.moderation.flood import FloodPolicy, FloodState, check, keep_for, key_of

POLICY = FloodPolicy(
    join_cooldown=10.0, burst_count=3, burst_window=10.0, repeat_limit=2, repeat_window=60.0
)


def sent(*items: tuple[float, str], joined_at: float | None = None) -> FloodState:
    state = FloodState(joined_at=joined_at)
    for when, text in items:
        state.record(key_of(text), when, keep=keep_for(POLICY))
    return state


@pytest.mark.parametrize(
    ("state", "text", "now", "reason", "wait"),
    [
        # cooldown for new joiners
        (sent(joined_at=100.0), "moi", 103.0, "flood.cooldown", 7),
        (sent(joined_at=100.0), "moi", 109.5, "flood.cooldown", 1),
        (sent(joined_at=100.0), "moi", 110.0, None, 0),
        (sent(joined_at=None), "moi", 0.0, None, 0),
        # bursts: three messages within ten seconds, the fourth waits
        (sent((0.0, "a"), (1.0, "b"), (2.0, "c")), "d", 3.0, "flood.burst", 7),
        (sent((0.0, "a"), (1.0, "b"), (2.0, "c")), "d", 10.5, None, 0),
        (sent((0.0, "a"), (1.0, "b")), "c", 2.0, None, 0),
        # repeats: the same text twice within a minute is enough
        (sent((0.0, "Hei?"), (20.0, "hei")), "HEI!!", 30.0, "flood.repeat", 0),
        (sent((0.0, "hei"), (20.0, "hei")), "hei", 61.0, None, 0),
        (sent((0.0, "hei")), "hei", 30.0, None, 0),
        (sent((0.0, "hei"), (20.0, "moi")), "moi kaikki", 30.0, None, 0),
        # one character or one word many times over
        (sent(), "a" * 30, 0.0, "flood.repeat", 0),
        (sent(), "a" * 29, 0.0, None, 0),
        (sent(), "spam " * 10, 0.0, "flood.repeat", 0),
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
    state = sent((0.0, "a"), (50.0, "b"), (100.0, "c"))
    assert [t for t, _ in state.sent] == [50.0, 100.0]


def test_check_does_not_change_the_state() -> None:
    """Checking is pure; the pipeline records what it lets through."""
    state = sent((0.0, "a"))
    check("b", POLICY, state, 1.0)
    assert len(state.sent) == 1
