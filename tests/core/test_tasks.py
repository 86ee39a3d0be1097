"""Background tasks end for certain (kuulolla/core/tasks.py)."""

from __future__ import annotations

import asyncio

import pytest

from kuulolla.core.tasks import cancel_and_wait


@pytest.mark.asyncio
async def test_a_task_that_swallowed_its_first_cancellation_still_ends() -> None:
    """A loop whose first cancellation is taken for a failed round (as a driver's own
    error under cancellation was) and goes back to its long sleep is ended all the same."""
    sleeping = asyncio.Event()

    async def housekeeping() -> None:
        try:
            sleeping.set()
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # the round "failed"; the loop goes on
        await asyncio.sleep(3600)

    task = asyncio.create_task(housekeeping())
    await sleeping.wait()
    await asyncio.wait_for(cancel_and_wait([task]), timeout=5)
    assert task.cancelled()
