"""The polled server-sent event stream behind the desk's and the console's live lists."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from kuulolla.web.streams import polled


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
