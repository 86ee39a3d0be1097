"""A page's live part as server-sent events: read, send when it changed, repeat.

The staff desk and the helper console keep a list on screen current this way: every
``tick`` seconds the stream reads the list again and sends it only when it differs
from the last one sent (a comment keeps the connection alive otherwise). A stream
ends after ``seconds``; the browser's EventSource opens the next one a second later
(``retry``), so no stream holds a request for ever. A browser that does not ask for
``text/event-stream`` gets the list once, as JSON.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

STREAM_SECONDS = 55.0  # a stream ends after this; the page opens a new one
STREAM_TICK = 1.0  # how often a stream reads its list again


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

    async def events() -> AsyncIterator[str]:
        last: Any = None
        yield "retry: 1000\n\n"  # the next stream, when this one ends, a second later
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while loop.time() < until:
            body = await read()
            if body != last:
                yield f"data: {json.dumps(body)}\n\n"
                last = body
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(tick)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )
