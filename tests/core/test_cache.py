"""Lifetimes of cached entries."""

from __future__ import annotations

from kuulolla.core.cache import spread


def test_spread_lifetimes_stay_within_the_last_quarter() -> None:
    """Lifetimes from spread() lie between three quarters and all of the seconds, not all equal."""
    lifetimes = [spread(10.0) for _ in range(1000)]
    assert min(lifetimes) >= 7.5 and max(lifetimes) <= 10.0
    assert max(lifetimes) - min(lifetimes) > 1.0
