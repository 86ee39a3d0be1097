"""uvicorn's sans-I/O WebSocket protocol with a direct write path for fan-out.

Fan-out sends the same frame to many sockets. Through plain ASGI every recipient
costs a coroutine call, a state check and a fresh WebSocket framing of the same
payload. This protocol adds one ASGI scope extension, ``kuulolla.raw_websocket``,
through which the application writes an already framed message (server frames are
unmasked, so the bytes are identical for every recipient) to the transport
synchronously. The handshake, reading, pings and closing stay uvicorn's.

Everything else the application sends still goes through ASGI; both paths write to
the transport synchronously from the event loop, so frames keep their order.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from kuulolla.chat.protocol import CLOSE_TRY_AGAIN
from kuulolla.chat.sockets import RAW_EXTENSION


class RawWebSocketHandle:
    """The application's handle on one connection (see chat/sockets.py:RawSink)."""

    __slots__ = ("_proto",)

    def __init__(self, proto: KuulollaWebSocketProtocol) -> None:
        self._proto = proto

    def write(self, wire: bytes, limit: int) -> bool | None:
        """One call per recipient of a fan-out, so it does everything in one place."""
        proto = self._proto
        if proto.close_sent or proto.disconnected or not proto.handshake_complete:
            return False
        transport = proto.transport
        if transport.get_write_buffer_size() > limit:
            self.overflow_close(CLOSE_TRY_AGAIN)
            return None
        transport.write(wire)
        return True

    def overflow_close(self, code: int) -> None:
        """Close a connection whose reader fell behind.

        The close frame goes after what is already buffered and nothing more is
        written; a reader that never resumes is cut off after the close timeout, so the
        memory this connection holds stays bounded.
        """
        proto = self._proto
        if proto.close_sent or proto.disconnected:
            return
        proto.conn.send_close(code)
        proto.transport.write(b"".join(proto.conn.data_to_send()))
        proto.close_sent = True
        proto.queue.put_nowait({"type": "websocket.disconnect", "code": code})
        if proto.read_paused:
            proto.read_paused = False
            proto.transport.resume_reading()
        proto.close_timer = proto.loop.call_later(proto.close_timeout, proto.transport.abort)


class _Queue:
    """A single-consumer stand-in for the asyncio.Queue uvicorn keeps per socket.

    asyncio.Queue holds three deques and an Event (itself a deque) per instance, about
    2.5 KB; with thousands of idle sockets that is most of the per-socket memory.
    Only uvicorn's ``receive`` consumes it, so a list and one waiter do.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class _Event:
    """A slot-based asyncio.Event for uvicorn's per-socket ``writable`` flag."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter
        return True


# Messages read ahead of the application before reading pauses (see
# KuulollaWebSocketProtocol.send_receive_event_to_app).
READ_AHEAD = 2


class KuulollaWebSocketProtocol(WebSocketsSansIOProtocol):
    # Set from the settings when the app is built (web/app.py:app_from_env). The kernel
    # otherwise grows a socket's send buffer up to net.ipv4.tcp_wmem's maximum (often
    # 4 MiB): memory per connection, and a backlog that hides a reader that stopped
    # reading from the outbox bound.
    send_buffer_bytes: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Queue()  # type: ignore[assignment]
        self.writable = _Event()  # type: ignore[assignment]
        self.writable.set()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if self.send_buffer_bytes:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer_bytes)

    def send_receive_event_to_app(self) -> None:
        """Queue a received message for the application; pause reading only once
        ``READ_AHEAD`` are waiting.

        uvicorn pauses after every message and resumes when the application takes it:
        two changes to the event loop's interest set (two system calls) per message,
        though the application nearly always takes it at once. Reading on while one
        message waits keeps the bound (a few messages of at most ``ws_max_size`` per
        socket) without those calls."""
        paused = self.read_paused
        self.read_paused = True  # uvicorn's method pauses when this is False
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        if not paused and self.queue.qsize() >= READ_AHEAD:
            self.read_paused = True
            self.transport.pause_reading()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            # The handshake's request and response (headers and all) are only used to
            # accept; a long-lived socket need not keep them.
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None and self.response.status_code == 101:
            scope["extensions"][RAW_EXTENSION] = RawWebSocketHandle(self)
