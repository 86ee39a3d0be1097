"""Fixtures of the directory's tests: the two demo organisations, the demo directory."""

from __future__ import annotations

from dataclasses import dataclass

import pytest_asyncio

from kuulolla.core.db import Database
from kuulolla.core.finnish import analyser
from kuulolla.directory import demo
from kuulolla.rooms import service as rooms
from tests.accounts.conftest import env  # noqa: F401 (the pages' fixture)
from tests.helpers import NOW


@dataclass(frozen=True)
class Orgs:
    a: int
    b: int


@pytest_asyncio.fixture
async def orgs(db: Database) -> Orgs:
    a = await rooms.do_create_organisation(db, slug="arjen-tuki", name="Arjen Tuki ry", now=NOW)
    b = await rooms.do_create_organisation(
        db, slug="nuorten-kanava", name="Nuorten Kanava ry", now=NOW
    )
    return Orgs(a, b)


@pytest_asyncio.fixture
async def demo_directory(db: Database, orgs: Orgs) -> int:
    """The demo directory seeded on NOW; returns how many services it has."""
    if not analyser().available:
        from tests.conftest import unavailable

        unavailable("Voikko (libvoikko1, voikko-fi)")
    return await demo.seed(db, now=NOW)
