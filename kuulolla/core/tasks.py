"""Ending background tasks for certain: :func:`cancel_and_wait`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def cancel_and_wait(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and return once every one has ended.

    A cancellation can be lost: Python 3.11's ``asyncio.wait_for`` returns the inner
    result when the inner future completes in the same turn of the loop as the
    cancellation (https://github.com/python/cpython/issues/86296), and a database
    driver closing a connection under a cancellation may raise an error of its own
    instead, which a loop's ``except Exception`` then takes for a failed round (the
    app's housekeeping went back to its hour's sleep and the shutdown waited for it
    for good). A loop around either goes on; a task still running is cancelled again."""
    tasks = list(tasks)
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: a failure was logged where it happened
