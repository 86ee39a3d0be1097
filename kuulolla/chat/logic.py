"""Pure rules of the chat core: no I/O, no event loop, time passed in.

- :class:`Sequencer` puts one room's messages in order and finds gaps.
- :class:`TokenBucket` limits how fast one connection may send.
- :func:`plan_join` decides what history a joining client gets.
- :func:`clean_text` and :func:`clean_nick` normalise and check what people type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from kuulolla.core.errors import BadRequest, InvalidNick, TooLong
from kuulolla.core.i18n import N_

T = TypeVar("T")


# ------------------------------------------------------------------ ordering


@dataclass(slots=True)
class Sequencer(Generic[T]):
    """Delivers a room's items exactly once and in sequence order.

    ``next_seq`` is the next sequence this process expects. Items that arrive early are
    held until the gap before them is filled, either by the missing items arriving or
    by :meth:`fill` with rows read from the database. The database is authoritative:
    once it has been read up to a sequence, a sequence it does not contain up to that
    point is a permanent hole (a deduplicated retry or a purged row) and is skipped.
    """

    next_seq: int
    held: dict[int, T] = field(default_factory=dict)
    max_held: int = 10_000

    def offer(self, seq: int, item: T) -> list[T]:
        """Take one item; return the items now deliverable, in order."""
        if seq < self.next_seq or seq in self.held:
            return []
        if seq > self.next_seq:
            self.held[seq] = item
            return []
        self.next_seq = seq + 1
        out = [item]
        self._release(out)
        return out

    def gap(self) -> tuple[int, int] | None:
        """The inclusive range of missing sequences before the first held item, if any."""
        if not self.held:
            return None
        return (self.next_seq, min(self.held) - 1)

    @property
    def overfull(self) -> bool:
        return len(self.held) >= self.max_held

    def fill(self, rows: list[tuple[int, T]], through: int) -> list[T]:
        """Apply database rows covering sequences up to ``through`` (inclusive).

        ``rows`` are (seq, item) pairs sorted by seq. Returns what becomes deliverable.
        """
        out: list[T] = []
        for seq, item in rows:
            if seq < self.next_seq:
                continue
            if seq > through:
                break
            self.held.pop(seq, None)
            out.append(item)
            self.next_seq = seq + 1
        if through >= self.next_seq:
            for seq in [s for s in self.held if s <= through]:
                del self.held[seq]
            self.next_seq = through + 1
        self._release(out)
        return out

    def _release(self, out: list[T]) -> None:
        held = self.held
        while held:
            item = held.pop(self.next_seq, None)
            if item is None:
                break
            out.append(item)
            self.next_seq += 1


# ------------------------------------------------------------------ rate limit


@dataclass(slots=True)
class TokenBucket:
    """``rate`` actions per second on average with bursts of up to ``burst``."""

    rate: float
    burst: int
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        """Spend one token if there is one; ``now`` is a monotonic reading in seconds."""
        if self.tokens < 0:
            self.tokens = float(self.burst)
            self.updated = now
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def retry_after(self) -> float:
        """Seconds until the next token (valid right after a refused ``take``)."""
        return max(0.0, (1.0 - self.tokens) / self.rate) if self.rate > 0 else float("inf")


# ------------------------------------------------------------------ joining


@dataclass(frozen=True, slots=True)
class HistoryPlan:
    """What a joining client gets.

    ``tail``: the last ``limit`` messages. ``after``: every message after ``since``.
    ``resync``: nothing; the client must join again without ``since``.
    """

    kind: Literal["tail", "after", "resync"]
    since: int = 0
    limit: int = 0


def plan_join(
    *,
    since: int | None,
    last_seq: int,
    first_seq: int,
    history_limit: int,
    purged_seq: int,
    resume_limit: int,
) -> HistoryPlan:
    """Decide what history a client joining a room receives.

    ``first_seq`` is the room's last sequence when this participant first joined;
    a resuming client may not reach further back than the history it was shown then,
    so an old ``since`` cannot be used to read past the room's history policy.
    ``purged_seq`` is the highest sequence removed by retention.
    """
    if since is None:
        return HistoryPlan("tail", limit=history_limit)
    if since > last_seq:
        return HistoryPlan("resync")  # from the future: another room's or a lost database's
    if since < purged_seq:
        return HistoryPlan("resync")  # what was missed no longer exists
    if since < first_seq - history_limit:
        return HistoryPlan("resync")  # further back than this participant ever saw
    if last_seq - since > resume_limit:
        return HistoryPlan("resync")  # too much to replay; start fresh
    return HistoryPlan("after", since=since, limit=resume_limit)


# ------------------------------------------------------------------ text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# Nicknames must not carry contact details: anonymity protects the person themself.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_PHONE = re.compile(r"(?:\+|\b0)[\d\s\-()]{6,}\d")
_NICK_ALLOWED = re.compile(r"^[\w .'\-]+$")


def clean_text(text: str, *, max_chars: int) -> str:
    """Normalise a chat message (NFC, no control characters, trimmed) or raise."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    text = _MANY_NEWLINES.sub("\n\n", text).strip()
    if not text:
        raise BadRequest(N_("The message is empty."), code="empty")
    if len(text) > max_chars:
        raise TooLong(N_("The message is too long (at most {max} characters)."), max=max_chars)
    return text


def clean_nick(nick: str | None, *, max_chars: int) -> str:
    """Normalise a nickname or raise :class:`InvalidNick` with the reason."""
    if nick is None:
        raise InvalidNick(N_("Choose a nickname first."), code="nick_required")
    nick = unicodedata.normalize("NFC", _CONTROL.sub("", nick))
    nick = _SPACES.sub(" ", nick).strip()
    if len(nick) < 2:
        raise InvalidNick(N_("The nickname must have at least 2 characters."))
    if len(nick) > max_chars:
        raise InvalidNick(N_("The nickname can have at most {max} characters."), max=max_chars)
    if _EMAIL.search(nick):
        raise InvalidNick(N_("Do not use an e-mail address as a nickname: stay anonymous."))
    if _PHONE.search(nick) or sum(ch.isdigit() for ch in nick) >= 6:
        raise InvalidNick(N_("Do not use a phone number in a nickname: stay anonymous."))
    if not _NICK_ALLOWED.match(nick):
        raise InvalidNick(
            N_("Use letters, numbers, spaces, dots, hyphens and apostrophes in the nickname.")
        )
    return nick
