"""Pure rules of the chat core: tables of cases, no event loop."""

from __future__ import annotations

import pytest

from kuulolla.chat.logic import Sequencer, TokenBucket, clean_nick, clean_text, plan_join
from kuulolla.core.errors import BadRequest, InvalidNick, TooLong

# ------------------------------------------------------------------ Sequencer


@pytest.mark.parametrize(
    ("offers", "delivered", "next_seq", "held"),
    [
        ([1, 2, 3], [1, 2, 3], 4, []),
        ([2, 1, 3], [1, 2, 3], 4, []),
        ([3, 2, 1], [1, 2, 3], 4, []),
        ([1, 1, 2, 2], [1, 2], 3, []),
        ([1, 3, 4], [1], 2, [3, 4]),
        ([0, 1], [1], 2, []),
        ([5], [], 1, [5]),
        ([1, 3, 3, 2], [1, 2, 3], 4, []),
    ],
)
def test_sequencer_orders_and_deduplicates(offers, delivered, next_seq, held) -> None:
    """Offers in any order come out once each, in sequence order; early ones are held."""
    seq: Sequencer[int] = Sequencer(1)
    out: list[int] = []
    for s in offers:
        out += seq.offer(s, s)
    assert out == delivered
    assert seq.next_seq == next_seq
    assert sorted(seq.held) == held


def test_sequencer_reports_gap_before_first_held() -> None:
    """The gap is the inclusive range between what was delivered and the first held item."""
    seq: Sequencer[int] = Sequencer(1)
    seq.offer(1, 1)
    seq.offer(5, 5)
    seq.offer(7, 7)
    assert seq.gap() == (2, 4)


def test_sequencer_has_no_gap_when_nothing_is_held() -> None:
    """With nothing held there is no gap to fill."""
    seq: Sequencer[int] = Sequencer(3)
    assert seq.gap() is None


def test_fill_delivers_rows_then_held_items() -> None:
    """Rows read from the database fill the gap and release the held items behind it."""
    seq: Sequencer[int] = Sequencer(1)
    seq.offer(4, 4)
    out = seq.fill([(1, 1), (2, 2), (3, 3)], through=3)
    assert out == [1, 2, 3, 4]
    assert seq.next_seq == 5


def test_fill_skips_permanent_holes() -> None:
    """A sequence the database does not have up to the filled point is skipped for good."""
    seq: Sequencer[int] = Sequencer(1)
    seq.offer(5, 5)
    out = seq.fill([(1, 1), (3, 3)], through=4)
    assert out == [1, 3, 5]
    assert seq.next_seq == 6


def test_fill_ignores_rows_already_delivered() -> None:
    """Rows at or below what was delivered are not delivered again."""
    seq: Sequencer[int] = Sequencer(1)
    seq.offer(1, 1)
    seq.offer(2, 2)
    out = seq.fill([(1, 1), (2, 2), (3, 3)], through=3)
    assert out == [3]


def test_fill_of_tail_advances_without_held_items() -> None:
    """A fill up to the database's last sequence delivers a tail no later message revealed."""
    seq: Sequencer[int] = Sequencer(1)
    out = seq.fill([(1, 1), (2, 2)], through=2)
    assert out == [1, 2]
    assert seq.next_seq == 3


def test_sequencer_reports_overfull() -> None:
    """Too many held items mark the sequencer overfull, so a fill is started at once."""
    seq: Sequencer[int] = Sequencer(1, max_held=3)
    for s in (3, 4, 5):
        seq.offer(s, s)
    assert seq.overfull


# ------------------------------------------------------------------ TokenBucket


def test_bucket_allows_a_burst_then_refuses() -> None:
    """A full bucket allows `burst` actions at once and refuses the next."""
    bucket = TokenBucket(rate=1.0, burst=3)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]


@pytest.mark.parametrize(("wait", "allowed"), [(0.4, False), (0.5, True), (2.0, True)])
def test_bucket_refills_at_rate(wait: float, allowed: bool) -> None:
    """Tokens come back at `rate` per second."""
    bucket = TokenBucket(rate=2.0, burst=1)
    assert bucket.take(10.0)
    assert bucket.take(10.0 + wait) is allowed


def test_bucket_never_exceeds_burst() -> None:
    """A long pause does not bank more than `burst` tokens."""
    bucket = TokenBucket(rate=10.0, burst=2)
    bucket.take(0.0)
    results = [bucket.take(1000.0) for _ in range(3)]
    assert results == [True, True, False]


def test_bucket_retry_after() -> None:
    """After a refusal, retry_after says how long until the next token."""
    bucket = TokenBucket(rate=2.0, burst=1)
    bucket.take(0.0)
    assert not bucket.take(0.0)
    assert bucket.retry_after() == pytest.approx(0.5)


# ------------------------------------------------------------------ plan_join


@pytest.mark.parametrize(
    ("kwargs", "kind"),
    [
        ({"since": None}, "tail"),
        ({"since": 100}, "after"),
        ({"since": 90}, "after"),
        ({"since": 101}, "resync"),  # from the future
        ({"since": 5, "purged_seq": 10}, "resync"),  # purged by retention
        ({"since": 10, "purged_seq": 10}, "after"),
        ({"since": 59, "first_seq": 90, "history_limit": 30}, "resync"),  # before what it saw
        ({"since": 60, "first_seq": 90, "history_limit": 30}, "after"),
        ({"since": 89, "first_seq": 90, "history_limit": 0}, "resync"),  # history 0: no peeking
        ({"since": 90, "first_seq": 90, "history_limit": 0}, "after"),
        ({"since": 0, "first_seq": 0, "resume_limit": 50}, "resync"),  # too much to replay
    ],
)
def test_plan_join(kwargs: dict[str, int | None], kind: str) -> None:
    """Joining gives the tail, exactly what was missed, or a resync, by the rules."""
    base: dict[str, int | None] = {
        "since": None,
        "last_seq": 100,
        "first_seq": 0,
        "history_limit": 30,
        "purged_seq": 0,
        "resume_limit": 1000,
    }
    base.update(kwargs)
    assert plan_join(**base).kind == kind  # type: ignore[arg-type]


def test_plan_join_tail_uses_history_limit() -> None:
    """A fresh join asks for as many messages as the room's history policy allows."""
    plan = plan_join(
        since=None, last_seq=10, first_seq=0, history_limit=7, purged_seq=0, resume_limit=100
    )
    assert plan.limit == 7


# ------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  hei  ", "hei"),
        ("rivi\r\ntoinen", "rivi\ntoinen"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("zero\u200bwidth", "zerowidth"),
        ("bell\x07", "bell"),
        ("e\u0301", "é"),
        ("<b>tagi</b>", "<b>tagi</b>"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    """Messages are normalised: NFC, no control or direction characters, trimmed."""
    assert clean_text(raw, max_chars=100) == clean


@pytest.mark.parametrize(
    ("raw", "error"), [("", BadRequest), ("  \n ", BadRequest), ("x" * 11, TooLong)]
)
def test_clean_text_refuses(raw: str, error: type[Exception]) -> None:
    """Empty and overlong messages are refused with their own errors."""
    with pytest.raises(error):
        clean_text(raw, max_chars=10)


def test_clean_text_refusal_codes() -> None:
    """An empty message is refused with the stable code `empty`."""
    with pytest.raises(BadRequest) as info:
        clean_text(" ", max_chars=10)
    assert info.value.code == "empty"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Aino", "Aino"),
        ("  Matti   M ", "Matti M"),
        ("Åsa-Lena", "Åsa-Lena"),
        ("O'Brien", "O'Brien"),
        ("tyttö15", "tyttö15"),
        ("nick\u202e", "nick"),
    ],
)
def test_clean_nick_accepts(raw: str, clean: str) -> None:
    """Ordinary nicknames pass, with spaces tidied."""
    assert clean_nick(raw, max_chars=24) == clean


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "a",
        "x" * 25,
        "aino@example.fi",
        "040 123 4567",
        "+358401234567",
        "<script>",
        "a/b",
    ],
)
def test_clean_nick_refuses(raw: str | None) -> None:
    """Nicknames that are empty, too long, contact details or markup are refused."""
    with pytest.raises(InvalidNick):
        clean_nick(raw, max_chars=24)
