"""A small protocol client for end-to-end tests, on the `websockets` library."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets


class Client:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.token: str | None = None
        self.inbox: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, url: str, token: str | None = None, **kwargs: Any) -> Client:
        client = cls(await websockets.connect(url, compression=None, **kwargs))
        frame: dict[str, Any] = {"type": "hello", "v": 1}
        if token:
            frame["token"] = token
        await client.send(frame)
        welcome = await client.expect("welcome")
        client.token = welcome["token"]
        return client

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.inbox.append(frame)
        return frame

    async def expect(self, kind: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def join(
        self, room: str, nick: str = "Testi", since: int | None = None
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "join", "room": room, "nick": nick}
        if since is not None:
            frame["since"] = since
        await self.send(frame)
        while True:
            reply = await self.recv()
            if reply["type"] in ("joined", "error"):
                return reply

    async def say(self, room: str, text: str, ref: str) -> dict[str, Any]:
        await self.send({"type": "send", "room": room, "text": text, "ref": ref})
        return await self.expect("ack", ref=ref)

    async def messages(self, room: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Collect `count` message frames of `room` (including any already in the inbox)."""
        got = [f for f in self.inbox if f["type"] == "message" and f["room"] == room]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(got) < count:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if frame["type"] == "message" and frame["room"] == room:
                got.append(frame)
        return got

    async def collect(self, kind: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Receive until `count` frames of type `kind` have arrived (counting the inbox)."""
        got = [f for f in self.inbox if f["type"] == kind]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(got) < count:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if frame["type"] == kind:
                got.append(frame)
        return got

    async def close(self) -> None:
        await self.ws.close()
