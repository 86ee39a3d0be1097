"""Floods: the same text again and again, bursts of messages, and new joiners.

The connection's token bucket (chat/logic.py) already limits how fast a socket may
send frames; these rules are about what one author does to a room:

- **cooldown**: someone who just joined may write only after ``join_cooldown``
  seconds (a drive-by troll usually posts within seconds of arriving);
- **burst**: at most ``burst_count`` messages within ``burst_window`` seconds (a
  paste or a script) and at most ``pace_count`` within ``pace_window`` (a pace no one
  keeps up while reading the room); a person typing short lines a second or two apart
  stays under both;
- **repeat**: the same text (ignoring case, spacing and punctuation) at most
  ``repeat_limit`` times within ``repeat_window`` seconds, or ``short_repeat_limit``
  times for a short reply ("joo", "ok", "kiitos" recur in ordinary talk); a message
  that is one character or one word many times over is refused at once.

:class:`FloodState` is per author and room; the caller keeps it (in the connection's
session) and passes it in with a monotonic ``now``. Only messages that are delivered
or held count: a refused message does not extend the wait.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass, field

_NOT_WORD = re.compile(r"[\W_]+")
_SAME_CHAR = re.compile(r"(.)\1{29}", re.DOTALL)  # one character 30 times in a row


@dataclass(frozen=True, slots=True)
class FloodPolicy:
    join_cooldown: float = 10.0
    # Twelve short lines two seconds apart are ordinary typing and must pass; six
    # lines in five seconds, or more than twenty in a minute, are not (the table of
    # cases in tests/moderation/test_flood.py).
    burst_count: int = 5
    burst_window: float = 5.0
    pace_count: int = 20
    pace_window: float = 60.0
    repeat_limit: int = 2
    repeat_window: float = 120.0
    short_repeat_limit: int = 4
    short_chars: int = 12  # a reply of at most this many characters (of its key) is short
    same_word_limit: int = 10  # the same word this many times in a row is a flood


@dataclass(slots=True)
class FloodState:
    """What one author recently did in one room.

    ``joined_at`` is the monotonic time the author joined (``None``: no cooldown,
    for example a returning member). ``sent`` holds (time, normalised text) of the
    messages that counted, oldest first.
    """

    joined_at: float | None = None
    sent: deque[tuple[float, str]] = field(default_factory=deque)

    def record(self, key: str, now: float, *, keep: float) -> None:
        """Count a delivered or held message; forget what is older than ``keep`` s."""
        self.sent.append((now, key))
        while self.sent and self.sent[0][0] < now - keep:
            self.sent.popleft()


@dataclass(frozen=True, slots=True)
class FloodHit:
    reason: str  # "flood.cooldown", "flood.burst" or "flood.repeat"
    wait: int = 0  # whole seconds until it would pass, when that is known


def key_of(text: str) -> str:
    """The text as compared for repeats: lowercase words only."""
    return _NOT_WORD.sub(" ", text.lower()).strip()


def check(text: str, policy: FloodPolicy, state: FloodState, now: float) -> FloodHit | None:
    """The flood rule ``text`` breaks now, or ``None``. Does not change ``state``."""
    if state.joined_at is not None and now - state.joined_at < policy.join_cooldown:
        return FloodHit("flood.cooldown", _ceil(policy.join_cooldown - (now - state.joined_at)))
    sent = state.sent
    for count, window in (
        (policy.burst_count, policy.burst_window),
        (policy.pace_count, policy.pace_window),
    ):
        # ``sent`` is in time order: the window is full when the count-th latest
        # message is still inside it.
        if len(sent) >= count and (oldest := sent[-count][0]) > now - window:
            return FloodHit("flood.burst", _ceil(oldest + window - now))
    if _SAME_CHAR.search(text):
        return FloodHit("flood.repeat")
    key = key_of(text)
    words = key.split()
    if len(words) >= policy.same_word_limit:
        run = 1
        for previous, word in itertools.pairwise(words):
            run = run + 1 if word == previous else 1
            if run >= policy.same_word_limit:
                return FloodHit("flood.repeat")
    if key:
        since = now - policy.repeat_window
        limit = policy.short_repeat_limit if len(key) <= policy.short_chars else policy.repeat_limit
        if sum(1 for t, k in sent if k == key and t > since) >= limit:
            return FloodHit("flood.repeat")
    return None


def keep_for(policy: FloodPolicy) -> float:
    """How long :meth:`FloodState.record` must remember messages for ``policy``."""
    return max(policy.burst_window, policy.pace_window, policy.repeat_window)


def _ceil(seconds: float) -> int:
    whole = int(seconds)
    return max(1, whole + (1 if seconds > whole else 0))
