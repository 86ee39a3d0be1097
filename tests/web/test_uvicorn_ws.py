"""The uvicorn WebSocket protocol (web/uvicorn_ws.py): read-ahead pauses reading only when
messages pile up, and an overflowing reader is closed.

The protocol subclasses uvicorn's and uses its internal state; uvicorn is held to one
minor version in pyproject.toml, and these tests fail first when a new one changes it."""

from __future__ import annotations

from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState
from websockets.protocol import State

from kuulolla.chat.protocol import CLOSE_TRY_AGAIN
from kuulolla.web.uvicorn_ws import READ_AHEAD, KuulollaWebSocketProtocol, RawWebSocketHandle


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


class WritingTransport(Transport):
    """Also records writes, reports a write buffer of a set size and can abort."""

    def __init__(self, buffered: int) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.buffered = buffered

    def write(self, data: bytes) -> None:
        self.written.append(bytes(data))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def abort(self) -> None:
        self.calls.append("abort")


@pytest.mark.asyncio
async def test_overflow_closes_with_try_again_through_uvicorns_state() -> None:
    """A raw write to a reader that fell behind sends a 1013 close frame, tells the
    application the socket is gone, resumes paused reading and arms the close timer,
    through the protocol attributes uvicorn keeps (close_sent, conn, queue, read_paused,
    close_timer)."""
    proto, _ = protocol()
    transport = WritingTransport(buffered=10_000)
    proto.transport = transport  # type: ignore[assignment]
    proto.handshake_complete = True
    proto.conn.state = State.OPEN
    proto.read_paused = True
    handle = RawWebSocketHandle(proto)

    assert handle.write(b"frame", limit=1_000) is None
    assert transport.written == [b"\x88\x02" + CLOSE_TRY_AGAIN.to_bytes(2, "big")]
    assert proto.close_sent and not proto.read_paused
    assert transport.calls == ["resume"]
    assert await proto.receive() == {"type": "websocket.disconnect", "code": CLOSE_TRY_AGAIN}
    assert proto.close_timer is not None
    proto.close_timer.cancel()
    assert handle.write(b"frame", limit=1_000) is False  # nothing more after the close
