"""A page's live part as server-sent events: read, send when it changed, repeat.

The staff desk and the helper console keep a list on screen current this way: the
stream reads the list and sends it only when it differs from the last one sent (a
comment keeps the connection alive otherwise), then waits and reads again. With
``changes`` (the helper console: the organisation's queue changes, queue/changes.py)
it waits until something changed, or ``tick`` seconds at most (the fallback, for text
that changes with time and a lost wake-up); without, it reads every ``tick`` seconds
(the desk). A stream ends after ``seconds``; the browser's EventSource opens the next
one a second later (``retry``), so no stream holds a request for ever. A browser that
does not ask for ``text/event-stream`` gets the list once, as JSON.

When the process begins a graceful shutdown (SIGTERM; web/uvicorn_http.py), every
stream ends at once (:class:`Stopping`): the process need not wait out its grace
period for them, and each browser opens its next stream on a process still serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

STREAM_SECONDS = 55.0  # a stream ends after this; the page opens a new one
STREAM_TICK = 1.0  # how often a stream without ``changes`` reads its list again


class Changes(Protocol):
    """What a stream waits on between reads (queue/changes.py ``OrganisationChanges``).
    A change that comes while the stream reads must not be lost: the stream takes a
    mark before it reads, and a change after the mark ends the wait at once. A stop
    of the process must end the wait too (an ``on_stop`` hook of :class:`Stopping`)."""

    def mark(self) -> int: ...

    async def wait(self, mark: int, timeout: float) -> bool: ...


class Stopping:
    """Whether this process has begun a graceful shutdown (``request.state.stopping``).
    The HTTP protocol calls :meth:`stop` when uvicorn begins to shut down; streams
    check it and sleep through :meth:`sleep`, which a stop cuts short; ``on_stop``
    hooks wake streams that wait on something else (the queue's changes)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._hooks: list[Callable[[], None]] = []

    def __bool__(self) -> bool:
        return self._event.is_set()

    def on_stop(self, hook: Callable[[], None]) -> None:
        self._hooks.append(hook)

    def stop(self) -> None:
        if self._event.is_set():
            return
        self._event.set()
        for hook in self._hooks:
            hook()

    async def sleep(self, seconds: float) -> None:
        """``seconds``, or until the process begins to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)


def stopping_of(request: Request) -> Stopping:
    """The process's :class:`Stopping` (a new one where the app has none, as in tests
    that build a request by hand)."""
    stopping = getattr(request.state, "stopping", None)
    return stopping if isinstance(stopping, Stopping) else Stopping()


def wants_stream(request: Request) -> bool:
    """Whether the request asks for server-sent events (as a browser's EventSource does)."""
    return "text/event-stream" in request.headers.get("accept", "")


async def polled(
    request: Request,
    read: Callable[[], Awaitable[Any]],
    *,
    seconds: float = STREAM_SECONDS,
    tick: float = STREAM_TICK,
    changes: Changes | None = None,
) -> Response:
    """``read()`` as server-sent events, one whenever its value changes, or once as JSON.
    With ``changes``, read again when they say something changed, else after ``tick``."""
    if not wants_stream(request):
        return JSONResponse(await read())

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"  # the next stream, when this one ends, a second later
        async for event in stream_events(
            read, seconds=seconds, tick=tick, changes=changes, stopping=stopping_of(request)
        ):
            yield event

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def stream_events(
    read: Callable[[], Awaitable[Any]],
    *,
    seconds: float,
    tick: float,
    stopping: Stopping,
    changes: Changes | None = None,
    spacing: float = STREAM_TICK,
    now: Callable[[], float] | None = None,
) -> AsyncIterator[str]:
    """The events of :func:`polled` for ``seconds`` (by ``now``, the loop's clock unless
    given): a ``data`` event whenever ``read()`` differs from the last one sent, a
    keep-alive comment otherwise. Woken by ``changes``, a stream reads at most once
    every ``spacing`` seconds, so a burst of changes costs no more than polling did."""
    now = now or asyncio.get_running_loop().time
    last: Any = None
    until = now() + seconds
    read_at = -spacing
    while now() < until and not stopping:
        gap = spacing - (now() - read_at) if changes is not None else 0.0
        if gap > 0:
            await stopping.sleep(gap)
            if stopping:
                break
        read_at = now()
        mark = changes.mark() if changes is not None else 0
        body = await read()
        if body != last:
            yield f"data: {json.dumps(body)}\n\n"
            last = body
        else:
            yield ": keep-alive\n\n"
        if changes is None:
            await stopping.sleep(tick)
        else:
            await changes.wait(mark, max(0.0, min(tick, until - now())))
