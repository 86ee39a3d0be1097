"""Chaos clients: many WebSocket clients that behave as the browser client does
(resume with `since`, resend what is not acknowledged with the same ref, jittered
backoff), and log everything they receive for the verifier."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed


@dataclass
class ClientLog:
    """What one client saw: the verifier's input."""

    index: int
    room: str
    join_seq: int | None = None  # the room's last sequence at the first join
    received: list[int] = field(
        default_factory=list
    )  # message seqs after join_seq, in arrival order
    acked: dict[str, int] = field(default_factory=dict)  # ref -> seq
    texts: dict[str, str] = field(default_factory=dict)  # ref -> text sent
    latencies: list[float] = field(default_factory=list)  # seconds, for messages with a timestamp
    connects: int = 0
    connect_times: list[float] = field(default_factory=list)
    resyncs: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    close_codes: list[int] = field(default_factory=list)


class ChaosClient:
    def __init__(
        self,
        index: int,
        room: str,
        urls: list[str],
        *,
        rng: random.Random,
        send_interval: float,
        text_size: int = 40,
        small_receive_buffer: bool = False,
    ) -> None:
        self.log = ClientLog(index, room)
        self.urls = urls
        self.rng = rng
        self.send_interval = send_interval
        self.text_size = text_size
        self.small_receive_buffer = small_receive_buffer
        self.token: str | None = None
        self.last_seq: int | None = None  # where to resume from
        self.max_seen = 0
        self.after_resync = False
        self.pending: dict[str, str] = {}
        self.sent = 0
        self.sending = True
        self.reading = True  # a slow reader stops reading
        self.stop = asyncio.Event()
        self.ws: Any = None
        self.connected = asyncio.Event()
        self.background: set[asyncio.Future[None]] = set()

    # ---------------------------------------------------------------- control

    def drop(self) -> None:
        """Cut the connection abruptly, as a network drop would."""
        ws = self.ws
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.transport.abort()

    async def run(self) -> None:
        attempt = 0
        while not self.stop.is_set():
            try:
                await self._session(await self._reach())
                attempt = 0
            except (
                OSError,
                ConnectionClosed,
                TimeoutError,
                websockets.InvalidHandshake,
                websockets.InvalidURI,
            ) as exc:
                name = f"session:{type(exc).__name__}"
                self.log.errors[name] = self.log.errors.get(name, 0) + 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug in this client must show, not stall the run
                self.log.errors[f"client:{type(exc).__name__}"] = (
                    self.log.errors.get(f"client:{type(exc).__name__}", 0) + 1
                )
            if self.connected.is_set():
                attempt = 0  # the connection worked: a new drop starts the backoff afresh
            self.connected.clear()
            self.ws = None
            if self.stop.is_set():
                break
            attempt += 1
            # Full jitter, as the browser client: 0 .. min(30 s, 0.25 s × 2^attempt).
            await asyncio.sleep(self.rng.random() * min(30.0, 0.25 * 2 ** min(attempt, 7)))

    async def _reach(self) -> Any:
        """A connection to one of the servers, tried in random order, as the balancer in
        front of them does (nginx passes a connection it could not open to the next
        server, deploy/nginx.conf): a worker that is down costs a refused connection,
        not a round of backoff. The last server's error is raised when none answers."""
        urls = self.rng.sample(self.urls, len(self.urls))
        for url in urls[:-1]:
            try:
                return await self._connect(url)
            except (OSError, TimeoutError) as exc:
                name = f"connect:{type(exc).__name__}"
                self.log.errors[name] = self.log.errors.get(name, 0) + 1
        return await self._connect(urls[-1])

    async def _connect(self, url: str) -> Any:
        if not self.small_receive_buffer:
            return await websockets.connect(
                url, compression=None, open_timeout=5, max_queue=64, max_size=2**21
            )
        host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        return await websockets.connect(
            url, sock=sock, compression=None, open_timeout=5, max_queue=4, max_size=2**21
        )

    async def _session(self, ws: Any) -> None:
        self.ws = ws
        try:
            self.log.connects += 1
            self.log.connect_times.append(time.monotonic())
            hello: dict[str, Any] = {"type": "hello", "v": 1}
            if self.token:
                hello["token"] = self.token
            await ws.send(json.dumps(hello))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
            self.token = welcome["token"]
            await self._join(ws)
            sender = asyncio.create_task(self._send_loop(ws))
            try:
                await self._read_loop(ws)
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 2)
            close = ws.protocol.close_rcvd
            if close is not None:
                self.log.close_codes.append(close.code)

    async def _join(self, ws: Any) -> None:
        frame: dict[str, Any] = {
            "type": "join",
            "room": self.log.room,
            "nick": f"Asiakas {self.log.index}",
        }
        if self.last_seq is not None:
            frame["since"] = self.last_seq
        await ws.send(json.dumps(frame))

    async def _resend(self, ws: Any) -> None:
        for ref, text in list(self.pending.items()):
            await ws.send(
                json.dumps({"type": "send", "room": self.log.room, "text": text, "ref": ref})
            )

    async def _send_loop(self, ws: Any) -> None:
        await self.connected.wait()
        while True:
            await asyncio.sleep(self.send_interval * (0.5 + self.rng.random()))
            if not self.sending:
                continue
            self.sent += 1
            ref = f"c{self.log.index}-{self.sent}"
            stamp = f"{time.time():.6f}"
            text = f"{ref} {stamp} " + "ä" * max(0, self.text_size - len(ref) - len(stamp) - 2)
            self.pending[ref] = text
            self.log.texts[ref] = text
            await ws.send(
                json.dumps({"type": "send", "room": self.log.room, "text": text, "ref": ref})
            )

    async def _read_loop(self, ws: Any) -> None:
        while True:
            if not self.reading:
                await asyncio.sleep(0.2)
                continue
            frame = json.loads(await ws.recv())
            kind = frame["type"]
            if kind == "message":
                self._take(frame)
            elif kind == "ack":
                self.pending.pop(frame["ref"], None)
                self.log.acked[frame["ref"]] = frame["seq"]
            elif kind == "joined":
                if self.log.join_seq is None:
                    self.log.join_seq = frame["seq"]
                for message in frame["history"]:
                    if self.after_resync and message["seq"] <= self.max_seen:
                        continue  # after a resync the tail is shown again on purpose
                    self._take(message)
                self.after_resync = False
                self.last_seq = max(self.last_seq or 0, frame["seq"])
                self.connected.set()
                await self._resend(ws)
            elif kind == "error":
                code = frame["code"]
                self.log.errors[code] = self.log.errors.get(code, 0) + 1
                if code == "resync":
                    self.log.resyncs += 1
                    self.last_seq = None
                    self.after_resync = True
                    await self._join(ws)
                elif code in ("unavailable", "rate_limited"):
                    if not self.connected.is_set():
                        await asyncio.sleep(0.5 + self.rng.random())
                        await self._join(ws)
                    elif frame.get("ref") in self.pending:
                        ref = frame["ref"]

                        async def later(ref: str = ref) -> None:
                            await asyncio.sleep(0.5 + self.rng.random())
                            if ref in self.pending and self.ws is ws:
                                with contextlib.suppress(Exception):
                                    await ws.send(
                                        json.dumps(
                                            {
                                                "type": "send",
                                                "room": self.log.room,
                                                "text": self.pending[ref],
                                                "ref": ref,
                                            }
                                        )
                                    )

                        self.background.add(task := asyncio.ensure_future(later()))
                        task.add_done_callback(self.background.discard)

    def _take(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if self.log.join_seq is None or seq <= self.log.join_seq:
            return  # the history shown at the first join, before this client was here
        self.log.received.append(seq)
        self.max_seen = max(self.max_seen, seq)
        self.last_seq = max(self.last_seq or 0, seq)
        parts = message["text"].split(" ", 2)
        if len(parts) >= 2:
            with contextlib.suppress(ValueError):
                self.log.latencies.append(time.time() - float(parts[1]))
