"""A page's live part as server-sent events: read, send when it changed, repeat.

The staff desk and the helper console keep a list on screen current this way: every
``tick`` seconds the stream reads the list again and sends it only when it differs
from the last one sent (a comment keeps the connection alive otherwise). A stream
ends after ``seconds``; the browser's EventSource opens the next one a second later
(``retry``), so no stream holds a request for ever. A browser that does not ask for
``text/event-stream`` gets the list once, as JSON.

When the process begins a graceful shutdown (SIGTERM; web/uvicorn_http.py), every
stream ends at once (:class:`Stopping`): the process need not wait out its grace
period for them, and each browser opens its next stream on a process still serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

STREAM_SECONDS = 55.0  # a stream ends after this; the page opens a new one
STREAM_TICK = 1.0  # how often a stream reads its list again


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
) -> Response:
    """``read()`` as server-sent events, one whenever its value changes, or once as JSON."""
    if not wants_stream(request):
        return JSONResponse(await read())

    stopping = stopping_of(request)

    async def events() -> AsyncIterator[str]:
        last: Any = None
        yield "retry: 1000\n\n"  # the next stream, when this one ends, a second later
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while loop.time() < until and not stopping:
            body = await read()
            if body != last:
                yield f"data: {json.dumps(body)}\n\n"
                last = body
            else:
                yield ": keep-alive\n\n"
            await stopping.sleep(tick)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )
