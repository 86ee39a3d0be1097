"""The bare relay of scripts/bench/fanout: the floor for fan-out in Python.

Only the `websockets` library and Redis: one Redis subscription per room per process,
each message encoded once, `websockets.broadcast` to the process's sockets of the
room. No storage, ordering, limits or screening.

    python relay.py PORT REDIS_URL
"""

from __future__ import annotations

import asyncio
import json
import sys

import redis.asyncio as aioredis
from websockets.asyncio.server import broadcast, serve

PREFIX = "relay:room:"


async def main(port: int, redis_url: str) -> None:
    # RESP2: redis-py 8's default RESP3 costs about 10 % more CPU per message read
    # (scripts/bench/broker); the floor should not carry it.
    r = aioredis.Redis.from_url(redis_url, protocol=2)
    pubsub = r.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("relay:control")
    rooms: dict[str, set] = {}

    async def reader() -> None:
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None or message["type"] != "message":
                continue
            conns = rooms.get(message["channel"].decode()[len(PREFIX) :])
            if conns:
                broadcast(conns, message["data"].decode())

    async def handler(ws) -> None:  # type: ignore[no-untyped-def]
        joined: str | None = None
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "send":
                    room = frame["room"]
                    await r.publish(
                        PREFIX + room,
                        json.dumps({"type": "message", "room": room, "text": frame["text"]}),
                    )
                elif frame["type"] == "join":
                    joined = frame["room"]
                    members = rooms.setdefault(joined, set())
                    if not members:
                        await pubsub.subscribe(PREFIX + joined)
                    members.add(ws)
                    await ws.send('{"type":"joined"}')
        finally:
            if joined is not None:
                rooms[joined].discard(ws)

    task = asyncio.create_task(reader())
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        await asyncio.Future()
    task.cancel()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(int(sys.argv[1]), sys.argv[2]))
