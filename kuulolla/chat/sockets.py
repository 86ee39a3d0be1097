"""Outgoing frames and the sockets they are written to.

An :class:`OutFrame` is encoded once; its WebSocket wire form (an unmasked text frame:
identical for every recipient) is built once on first use. A socket is a *sink* with
a synchronous ``push``: fan-out loops over local sinks and pushes, with no task,
coroutine or encoding per recipient.

Inside :func:`corked` (the committer's acknowledgements and deliveries of one batch)
each raw socket collects its frames and gets them in one write when the block ends: a
sender's acknowledgement and its own message cost one system call, not two. Once the
block is :func:`sealed <seal>` (the acknowledgements are out), only sockets already
holding frames keep collecting; every other socket is written at once, so the
recipients of a fan-out cost no bookkeeping.

Two sinks exist:

- :class:`RawSink` writes wire bytes straight to the connection's transport. It is
  used under uvicorn with :mod:`kuulolla.web.uvicorn_ws`, which exposes the transport
  through an ASGI scope extension. The outbox is the transport's write buffer; when it
  holds more than the limit the socket is closed with 1013 and nothing more is
  written, so a reader that stopped reading costs at most the limit.
- :class:`AsgiSink` is the portable fallback for other ASGI servers (and Starlette's
  TestClient): a bounded deque drained by one writer task per socket.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import struct
from collections.abc import Iterator
from typing import Any, Protocol

from kuulolla.chat.protocol import CLOSE_TRY_AGAIN, ServerFrame, encode

log = logging.getLogger(__name__)

RAW_EXTENSION = "kuulolla.raw_websocket"


def text_frame(payload: bytes) -> bytes:
    """``payload`` as one unmasked, final WebSocket text frame (RFC 6455, 5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return b"\x81\x7e" + struct.pack("!H", n) + payload
    return b"\x81\x7f" + struct.pack("!Q", n) + payload


class OutFrame:
    """An encoded server frame, shared by every socket that receives it."""

    __slots__ = ("payload", "seq", "ts", "wire")

    def __init__(self, payload: bytes, seq: int = 0, ts: float = 0.0) -> None:
        self.payload = payload
        self.seq = seq
        self.ts = ts  # commit time (epoch seconds) of a message frame, for latency metrics
        # Framed at once: nearly every frame goes to a raw socket, and an attribute
        # costs a fan-out less per recipient than a property.
        self.wire = text_frame(payload)

    @classmethod
    def of(cls, frame: ServerFrame, seq: int = 0, ts: float = 0.0) -> OutFrame:
        return cls(encode(frame), seq, ts)

    @property
    def text(self) -> str:
        return self.payload.decode()


class Sink(Protocol):
    closed: bool

    def push(self, frame: OutFrame) -> None:
        """Queue ``frame`` for sending; never blocks. A closed sink drops it."""

    async def close(self, code: int) -> None:
        """Send what is queued, then close the socket with ``code``."""


class RawWebSocket(Protocol):
    """What the uvicorn protocol extension offers (see web/uvicorn_ws.py)."""

    def write(self, wire: bytes, limit: int) -> bool | None:
        """Write a framed message: True when written, False when the socket is closing,
        None when more than ``limit`` bytes were waiting (the socket is then closed
        with 1013 and nothing is written)."""

    def overflow_close(self, code: int) -> None: ...


CLOSE_TIMEOUT = 5.0

# While corked: each raw sink's frames, waiting for the end of the block. One event
# loop per process and no await inside a corked block, so module-level slots will do.
_cork: dict[RawSink, list[bytes]] | None = None
_sealed = False


@contextlib.contextmanager
def corked() -> Iterator[None]:
    """Collect what raw sinks are pushed in this (synchronous) block and write each
    sink's frames with one call at its end. Nested blocks join the outer one."""
    global _cork, _sealed
    if _cork is not None:
        yield
        return
    pending: dict[RawSink, list[bytes]] = {}
    _cork = pending
    try:
        yield
    finally:
        _cork = None
        _sealed = False
        for sink, wires in pending.items():
            if not sink.closed:
                sink._write(wires[0] if len(wires) == 1 else b"".join(wires))


def seal() -> None:
    """From here to the end of the corked block, collect frames only for sockets that
    already have some; write to the others at once. Their order is kept: a socket
    with nothing collected has nothing that must go before."""
    global _sealed
    if _cork is not None:
        _sealed = True


class RawSink:
    __slots__ = ("_raw", "_ws", "closed", "limit", "on_overflow")

    def __init__(
        self, websocket: Any, raw: RawWebSocket, *, limit: int, on_overflow: Any = None
    ) -> None:
        self._ws = websocket
        self._raw = raw
        self.limit = limit
        self.closed = False
        self.on_overflow = on_overflow

    def push(self, frame: OutFrame) -> None:
        # One call per recipient of a fan-out: the direct write is inlined here.
        if self.closed:
            return
        cork = _cork
        if cork is not None:
            wires = cork.get(self)
            if wires is not None:
                wires.append(frame.wire)
                return
            if not _sealed:
                cork[self] = [frame.wire]
                return
        written = self._raw.write(frame.wire, self.limit)
        if written is not True:
            self._failed(written)

    def _write(self, wire: bytes) -> None:
        written = self._raw.write(wire, self.limit)
        if written is not True:
            self._failed(written)

    def _failed(self, written: bool | None) -> None:
        self.closed = True
        # None: over the limit, and the handle has started the close.
        if written is None and self.on_overflow is not None:
            self.on_overflow()

    async def close(self, code: int) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                self._ws.send({"type": "websocket.close", "code": code}), CLOSE_TIMEOUT
            )


class AsgiSink:
    """A bounded outbox drained by one task through the ASGI ``send`` callable."""

    def __init__(self, websocket: Any, *, limit: int, on_overflow: Any = None) -> None:
        self._ws = websocket
        self.limit = limit
        self.closed = False
        self.on_overflow = on_overflow
        self._queue: collections.deque[OutFrame] = collections.deque()
        self._bytes = 0
        self._wakeup = asyncio.Event()
        self._task = asyncio.create_task(self._writer(), name="asgi-sink")
        self._close_code: int | None = None

    def push(self, frame: OutFrame) -> None:
        if self.closed:
            return
        self._queue.append(frame)
        self._bytes += len(frame.payload)
        if self._bytes > self.limit:
            self._queue.clear()
            self._bytes = 0
            self.closed = True
            self._close_code = CLOSE_TRY_AGAIN
            if self.on_overflow is not None:
                self.on_overflow()
        self._wakeup.set()

    async def _writer(self) -> None:
        ws = self._ws
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                while self._queue:
                    frame = self._queue.popleft()
                    self._bytes -= len(frame.payload)
                    await ws.send({"type": "websocket.send", "text": frame.text})
                if self._close_code is not None:
                    with contextlib.suppress(Exception):
                        await ws.send({"type": "websocket.close", "code": self._close_code})
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            self.closed = True

    async def close(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            self._close_code = code
            self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), CLOSE_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError, Exception):
            self._task.cancel()
