"""Ending background tasks for certain: :func:`cancel_and_wait` from outside, and
:func:`raise_if_cancelled` in a loop that catches a failed round and goes on.

The pattern of a background round::

    while True:
        await asyncio.sleep(interval)
        try:
            await do_round(...)
        except Exception:
            raise_if_cancelled()  # a cancellation a driver turned into its own error
            log.warning(...)
"""

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


def raise_if_cancelled() -> None:
    """Raise :class:`asyncio.CancelledError` when the current task has been cancelled.

    Call it first in the ``except Exception`` of a loop that takes an error for a
    failed round and goes on: a database driver cancelled in the middle of a statement
    may raise an error of its own instead of the cancellation (seen with aiosqlite),
    and the loop went back to sleep as if the round had failed. A cancellation still
    pending (``Task.cancelling()``, Python 3.11) ends the loop instead."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
