"""Fixtures of the moderation tests: the real Voikko, and an analyser without it."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish, analyser


@pytest.fixture(scope="session")
def voikko() -> Finnish:
    """The process's Voikko analyser; the test is skipped (failed in CI) without it."""
    finnish = analyser()
    if not finnish.available:
        from tests.conftest import unavailable

        unavailable("Voikko (libvoikko1, voikko-fi)")
    return finnish


class Plain(Finnish):
    """An analyser that behaves as if Voikko were missing: words are only lowercased."""

    def __init__(self) -> None:
        super().__init__(cache_size=1000)
        self._voikko = None


@pytest.fixture(scope="session")
def plain() -> Finnish:
    """An analyser without Voikko (the fallback)."""
    return Plain()


# The two-organisation application of the accounts tests (socket tests of moderation).
from tests.accounts.conftest import env  # noqa: E402, F401
