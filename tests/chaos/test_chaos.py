"""Short versions of the fault scenarios (the long ones run from scripts/chaos).

Each counts, for every client, messages missing since it joined, duplicates, order
inversions and messages acknowledged but absent from the database; each must be zero.
Each runs on a clone of the session's migrated template database (the migrations have
tests of their own; scripts/chaos migrates a new database itself).
"""

from __future__ import annotations

import pytest

from tests.chaos.resume import resume_edges
from tests.chaos.scenarios import run_scenario
from tests.conftest import unavailable

pytestmark = pytest.mark.e2e

SECONDS = 8.0


@pytest.fixture(autouse=True)
def _components(redis_available: bool, postgres_available: bool) -> None:
    import shutil

    if shutil.which("redis-server") is None:
        unavailable("redis-server (to run a private Redis)")
    if not postgres_available:
        unavailable("PostgreSQL")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "scenario", ["churn", "worker-kill", "worker-deploy", "redis-crash", "pubsub-loss"]
)
async def test_scenario_loses_nothing(scenario: str, postgres_template: str | None) -> None:
    """Under the fault, no client misses, doubles or reorders a message, and nothing acknowledged is lost."""
    outcome = await run_scenario(scenario, SECONDS, clients=16, template=postgres_template)
    assert outcome.passed, outcome.report()


@pytest.mark.asyncio
async def test_resume_edge_cases_resync(postgres_template: str | None) -> None:
    """A since in the future, older than what is kept, or in a closed room gets resync, never a partial replay."""
    outcome = await resume_edges(template=postgres_template)
    assert outcome.passed, outcome.report()
