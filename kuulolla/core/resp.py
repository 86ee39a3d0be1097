"""One Redis connection as an asyncio protocol: the broker's two hot links.

Through redis-py's asyncio client each message read off a subscription wakes a task
and climbs through several coroutines (stream reader, parser, retry, pub/sub
bookkeeping), and each publish wakes the publishing task twice: about 57 µs of CPU
per message received one at a time, against 22 µs when the protocol's own callback
parses it (measured with uvloop and hiredis; docs/performance.md). The broker's links
need three commands only (PUBLISH, SUBSCRIBE/UNSUBSCRIBE and PING), so they speak
RESP2 themselves: a command is written to the transport synchronously, and replies
are parsed by hiredis (the parser redis-py uses) in ``data_received`` and handed to
a callback. No task, future or stream per message. The shared limiter's attempts
(core/limits.py, its take script by ``EVALSHA``) go over such a link too.

The URL means what it means to redis-py, whose parser reads it: ``redis://`` with an
optional user and password (sent with AUTH), ``rediss://`` for TLS (certificates
verified unless ``ssl_cert_reqs=none``; ``ssl_ca_certs`` names a CA file) and
``unix://`` for a socket; with ``select`` the path's database is chosen. Everything
else the service does with Redis stays on redis-py.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from typing import Any

import hiredis
from redis.asyncio.connection import SSLConnection, parse_url

Reply = Any  # bytes, int, list, hiredis.ReplyError or None, as hiredis parses them
ReplyHandler = Callable[[Reply], None]


def command(*parts: bytes) -> bytes:
    """``parts`` as one RESP command (an array of bulk strings)."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


class LinkError(ConnectionError):
    """The connection could not be made, or Redis refused the credentials."""


class Link(asyncio.Protocol):
    """A Redis connection. Replies go to ``on_reply`` in order; ``lost`` resolves when
    the connection is gone (for whatever reason)."""

    def __init__(self, on_reply: ReplyHandler) -> None:
        self.on_reply = on_reply
        self.transport: asyncio.Transport | None = None
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._reader = hiredis.Reader()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports do not derive from asyncio.Transport: no isinstance.)
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        try:
            while (reply := reader.gets()) is not False:
                self.on_reply(reply)
        except hiredis.ProtocolError:
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.lost.done():
            self.lost.set_result(None)

    # use

    @property
    def open(self) -> bool:
        transport = self.transport
        return transport is not None and not transport.is_closing()

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def buffered(self) -> int:
        """Bytes written but not yet taken by the kernel."""
        return self.transport.get_write_buffer_size() if self.transport is not None else 0

    def abort(self) -> None:
        """Drop the connection at once (``lost`` resolves)."""
        if self.transport is not None:
            self.transport.abort()
        elif not self.lost.done():
            self.lost.set_result(None)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _ssl_context(params: dict[str, Any]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=params.get("ssl_ca_certs"))
    if str(params.get("ssl_cert_reqs", "required")).lower() == "none":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def connect(
    url: str, on_reply: ReplyHandler, *, timeout: float = 2.0, select: bool = False
) -> Link:
    """Open a connection to the Redis at ``url`` and authenticate; replies after that
    go to ``on_reply``. ``select``: also choose the URL's database (keys are stored;
    pub/sub ignores databases). Raises :class:`LinkError` (or OSError, TimeoutError)."""
    params: dict[str, Any] = dict(parse_url(url))
    loop = asyncio.get_running_loop()
    replies: list[Reply] = []
    arrived = asyncio.Event()

    def first_reply(reply: Reply) -> None:
        replies.append(reply)
        arrived.set()

    async def answer() -> Reply:
        while not replies:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), timeout)
        return replies.pop(0)

    if "path" in params:
        made = loop.create_unix_connection(lambda: Link(first_reply), params["path"])
    else:
        made = loop.create_connection(
            lambda: Link(first_reply),
            params.get("host", "localhost"),
            params.get("port", 6379),
            ssl=_ssl_context(params) if params.get("connection_class") is SSLConnection else None,
        )
    _, link = await asyncio.wait_for(made, timeout)
    try:
        password = params.get("password")
        if password is not None:
            username = params.get("username")
            parts = [b"AUTH"] + ([username.encode()] if username else []) + [password.encode()]
            link.write(command(*parts))
            if isinstance(await answer(), hiredis.ReplyError):
                raise LinkError("Redis refused the credentials")
        database = int(params.get("db") or 0)
        if select and database:
            link.write(command(b"SELECT", b"%d" % database))
            if isinstance(await answer(), hiredis.ReplyError):
                raise LinkError("Redis refused the database")
    except BaseException:
        link.abort()
        raise
    link.on_reply = on_reply
    return link
