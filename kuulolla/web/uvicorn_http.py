"""uvicorn's httptools HTTP protocol with the limits a public server needs.

uvicorn times out a keep-alive connection only after a response: a connection that
never sends a request, or sends its headers a byte at a time, is held for ever (a
review held 3,000 such connections, 3,028 descriptors, on one process). llhttp
also takes headers of any length. This protocol adds, per connection:

- a **header timeout**: a request's line and headers must arrive within
  ``header_timeout`` seconds of the connection opening or of the request's first
  byte; otherwise the connection is closed;
- a **header size cap** of :data:`MAX_HEADER_BYTES` (request line and headers, as
  nginx's default buffers allow): more is answered with 431 and closed;
- a **connection cap** per process (``max_connections``, WebSockets included): a
  connection over it is closed at once, before anything is read, so a balancer
  passes the client to another process.

The body of a request is bounded by web/bodies.py; uvicorn's own keep-alive timeout
covers the time between requests. The limits are set from the settings when the
application is built (web/app.py: ``app_from_env``), as the WebSocket protocol's are.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kuulolla.core import metrics

MAX_HEADER_BYTES = 32 * 1024


class KuulollaHttpProtocol(HttpToolsProtocol):
    header_timeout: float = 10.0
    max_connections: int = 10_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    # ------------------------------------------------------------ connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            metrics.REQUESTS_REFUSED.labels("connections").inc()
            transport.abort()
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """uvicorn begins a graceful shutdown: the page streams of the process end now
        (web/streams.py, ``Stopping``) instead of holding it for its grace period."""
        stopping = self.app_state.get("stopping")
        if stopping is not None:
            stopping.stop()
        super().shutdown()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()

    # ------------------------------------------------------------ requests

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        if self.transport.is_closing():
            return  # refused while the headers came in: no request starts
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.transport.is_closing():
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self.transport.is_closing():
            super().on_message_complete()

    # ------------------------------------------------------------ limits

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES and not self.transport.is_closing():
            metrics.REQUESTS_REFUSED.labels("headers").inc()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-length: 0\r\nconnection: close\r\n\r\n"
            )
            self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        if self.header_timeout > 0:
            self._header_timer = self.loop.call_later(self.header_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _timed_out(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            metrics.REQUESTS_REFUSED.labels("header_timeout").inc()
            self.transport.close()
