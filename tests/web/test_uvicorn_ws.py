"""The uvicorn WebSocket protocol's read-ahead: reading pauses only when messages pile up."""

from __future__ import annotations

from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from kuulolla.web.uvicorn_ws import READ_AHEAD, KuulollaWebSocketProtocol


class Transport:
    """Records pause and resume calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    return None


def protocol() -> tuple[KuulollaWebSocketProtocol, Transport]:
    config = Config(app=app, ws=KuulollaWebSocketProtocol, log_config=None)
    config.load()
    proto = KuulollaWebSocketProtocol(config, ServerState(), {})
    transport = Transport()
    proto.transport = transport  # type: ignore[assignment]
    return proto, transport


def arrive(proto: KuulollaWebSocketProtocol, text: str) -> None:
    proto.curr_msg_data_type = "text"
    proto.frames = [text.encode()]
    proto.send_receive_event_to_app()


@pytest.mark.asyncio
async def test_one_message_taken_at_once_costs_no_pause() -> None:
    """A message the application takes before the next arrives neither pauses nor
    resumes reading."""
    proto, transport = protocol()
    for n in range(5):
        arrive(proto, f"m{n}")
        assert (await proto.receive())["text"] == f"m{n}"
    assert transport.calls == []


@pytest.mark.asyncio
async def test_reading_pauses_when_messages_pile_up_and_resumes_when_taken() -> None:
    """READ_AHEAD waiting messages pause reading once; taking them all resumes it."""
    proto, transport = protocol()
    for n in range(READ_AHEAD + 1):  # data already read is still parsed while paused
        arrive(proto, f"m{n}")
    assert transport.calls == ["pause"]
    received = [(await proto.receive())["text"] for _ in range(READ_AHEAD + 1)]
    assert received == [f"m{n}" for n in range(READ_AHEAD + 1)]
    assert transport.calls == ["pause", "resume"]
