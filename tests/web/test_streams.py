"""The polled server-sent event stream behind the desk's and the console's live lists."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from uvicorn.server import ServerState

from kuulolla.web.streams import Stopping, polled, stream_events
from kuulolla.web.uvicorn_http import KuulollaHttpProtocol


def app_reading(values: list[dict[str, int]]) -> Starlette:
    reads: Iterator[dict[str, int]] = iter(values)

    async def endpoint(request: Request) -> Response:
        async def read() -> dict[str, int]:
            return next(reads, values[-1])

        return await polled(request, read, seconds=0.05, tick=0.01)

    return Starlette(routes=[Route("/live", endpoint)])


def test_without_event_stream_the_list_comes_once_as_json() -> None:
    """A plain request gets the list once, as JSON."""
    with TestClient(app_reading([{"n": 1}, {"n": 2}])) as client:
        answer = client.get("/live")
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"n": 1}


def test_a_value_is_sent_only_when_it_changes() -> None:
    """The stream sends each new value once and keeps the connection alive between them."""
    with TestClient(app_reading([{"n": 1}, {"n": 1}, {"n": 2}])) as client:
        answer = client.get("/live", headers={"accept": "text/event-stream"})
    lines = answer.text.split("\n\n")
    assert answer.headers["cache-control"] == "no-store"
    assert lines[0] == "retry: 1000"
    assert [line for line in lines if line.startswith("data:")] == [
        'data: {"n": 1}',
        'data: {"n": 2}',
    ]
    assert ": keep-alive" in lines


def test_a_stream_ends_at_once_when_the_process_begins_to_stop() -> None:
    """With the process stopping, a stream sends only its retry line and ends, however
    long it was to last."""

    async def endpoint(request: Request) -> Response:
        async def read() -> dict[str, int]:
            return {"n": 1}

        return await polled(request, read, seconds=60, tick=1)

    stopping = Stopping()
    stopping.stop()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        yield {"stopping": stopping}

    app = Starlette(routes=[Route("/live", endpoint)], lifespan=lifespan)
    with TestClient(app) as client:
        answer = client.get("/live", headers={"accept": "text/event-stream"})
    assert answer.text == "retry: 1000\n\n"


@pytest.mark.asyncio
async def test_a_stop_cuts_a_streams_sleep_short_and_wakes_its_hooks() -> None:
    """Stopping.sleep returns when stop() is called, and each on_stop hook runs once."""
    stopping = Stopping()
    woken: list[str] = []
    stopping.on_stop(lambda: woken.append("queue"))
    sleeper = asyncio.create_task(stopping.sleep(60))
    await asyncio.sleep(0)
    stopping.stop()
    stopping.stop()
    await asyncio.wait_for(sleeper, 5)
    assert bool(stopping) and woken == ["queue"]


def test_uvicorns_shutdown_stops_the_streams() -> None:
    """The HTTP protocol's graceful shutdown sets the application's Stopping."""
    stopping = Stopping()
    proto = KuulollaHttpProtocol(
        config=uvicorn.Config(app_reading([{"n": 1}])),
        server_state=ServerState(),
        app_state={"stopping": stopping},
        _loop=asyncio.new_event_loop(),
    )
    closed: list[bool] = []
    proto.transport = SimpleNamespace(close=lambda: closed.append(True))  # type: ignore[assignment]
    proto.shutdown()
    proto.loop.close()
    assert bool(stopping) and closed == [True]


class FakeChanges:
    """Changes on a fake clock: a wait with nothing new moves the clock on by its whole
    timeout (the fallback); one with a change since its mark returns at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.count = 0

    def changed(self) -> None:
        self.count += 1

    def mark(self) -> int:
        return self.count

    async def wait(self, mark: int, timeout: float) -> bool:
        if self.count != mark:
            return True
        self.now += timeout
        return False


async def run_stream(changes: FakeChanges, read: Any) -> list[str]:
    return [
        event
        async for event in stream_events(
            read,
            seconds=60,
            tick=15,
            stopping=Stopping(),
            changes=changes,
            spacing=0,
            now=lambda: changes.now,
        )
    ]


@pytest.mark.asyncio
async def test_a_stream_on_changes_reads_only_at_the_fallback_while_nothing_changes() -> None:
    """Waiting on changes, a minute with none reads four times (every 15 s), not sixty."""
    changes = FakeChanges()
    reads: list[float] = []

    async def read() -> dict[str, int]:
        reads.append(changes.now)
        return {"n": 1}

    events = await run_stream(changes, read)
    assert reads == [0, 15, 30, 45]
    assert events == ['data: {"n": 1}\n\n'] + [": keep-alive\n\n"] * 3


@pytest.mark.asyncio
async def test_a_change_during_a_read_is_read_again_at_once() -> None:
    """A change that comes while the stream reads (after its mark) is sent without
    waiting for the fallback: the next read is at the same moment."""
    changes = FakeChanges()
    reads: list[float] = []

    async def read() -> dict[str, int]:
        reads.append(changes.now)
        if len(reads) == 1:
            changes.changed()  # someone took a visitor while the list was read
        return {"n": min(len(reads), 2)}

    events = await run_stream(changes, read)
    assert reads == [0, 0, 15, 30, 45]
    assert events[:2] == ['data: {"n": 1}\n\n', 'data: {"n": 2}\n\n']
