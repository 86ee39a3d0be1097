"""A TCP proxy in front of a server, for journeys through a bad network.

A browser that loads the service through the proxy reaches the server as before, until
the test says otherwise:

- :meth:`SocketProxy.stall`: a silent outage. Connections stay open and nothing passes
  either way (what is sent waits in the proxy); new connections are accepted and hang.
  A mobile network that stops carrying packets looks like this: the socket seems fine.
- :meth:`SocketProxy.drop`: a cut. Every connection is closed at once and new ones are
  closed as soon as they are accepted, as when a network goes away.
- :meth:`SocketProxy.restore`: the network is back; connections stalled meanwhile are
  cut (their browser has given up on them), new ones pass.

The proxy runs its own event loop in a thread, so the synchronous Playwright API of
the tests can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from tests.ports import free_port

CHUNK = 65536


class SocketProxy:
    def __init__(self, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target_port = target_port
        self.port = free_port()
        self.mode = "pass"  # "pass", "stall" or "drop"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter | None]] = set()

    @property
    def http(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------ control

    def start(self) -> SocketProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def stall(self) -> None:
        """Hold every byte from now on; connections stay open."""
        self._call(self._set("stall"))

    def drop(self) -> None:
        """Close every connection now and each new one as it comes."""
        self._call(self._set("drop"))

    def restore(self) -> None:
        """Pass bytes again; connections held by a stall are closed."""
        self._call(self._set("pass"))

    def stop(self) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, work: object) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(10)  # type: ignore[arg-type]

    # ------------------------------------------------------------ the loop's side

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.host, self.port)

    async def _stop(self) -> None:
        self._cut_all()
        if self._server is not None:
            self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _set(self, mode: str) -> None:
        assert self._flowing is not None
        previous, self.mode = self.mode, mode
        if mode == "pass":
            if previous == "stall":
                self._cut_all()
            self._flowing.set()
        else:
            self._flowing.clear()
            if mode == "drop":
                self._cut_all()

    def _cut_all(self) -> None:
        for client, upstream in list(self._links):
            for writer in (client, upstream):
                if writer is not None:
                    writer.transport.abort()
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "drop":
            writer.transport.abort()
            return
        link: tuple[asyncio.StreamWriter, asyncio.StreamWriter | None] = (writer, None)
        self._links.add(link)
        try:
            assert self._flowing is not None
            await self._flowing.wait()  # a stalled network: the connection hangs
            if link not in self._links:
                return
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
            self._links.discard(link)
            link = (writer, up_writer)
            self._links.add(link)
            await asyncio.gather(
                self._pump(reader, up_writer, link), self._pump(up_reader, writer, link)
            )
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._links.discard(link)
            for w in link:
                if w is not None:
                    w.transport.abort()

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        link: tuple[asyncio.StreamWriter, asyncio.StreamWriter | None],
    ) -> None:
        assert self._flowing is not None
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            await self._flowing.wait()
            if link not in self._links:
                return
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()


@contextlib.contextmanager
def proxied(target_port: int) -> Iterator[SocketProxy]:
    proxy = SocketProxy(target_port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
