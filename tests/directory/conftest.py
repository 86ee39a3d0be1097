"""Fixtures of the directory's tests: the two demo organisations, the demo directory."""

from __future__ import annotations

import pytest_asyncio

from kuulolla.core.db import Database
from kuulolla.core.finnish import analyser
from kuulolla.directory import demo
from tests.accounts.conftest import env  # noqa: F401 (the pages' fixture)
from tests.conftest import unavailable
from tests.helpers import NOW
from tests.questions.conftest import Orgs, orgs  # noqa: F401 (the two demo organisations)


@pytest_asyncio.fixture
async def demo_directory(db: Database, orgs: Orgs) -> int:  # noqa: F811 (the fixture above)
    """The demo directory seeded on NOW; returns how many services it has."""
    if not analyser().available:
        unavailable("Voikko (libvoikko1, voikko-fi)")
    return await demo.seed(db, now=NOW)
