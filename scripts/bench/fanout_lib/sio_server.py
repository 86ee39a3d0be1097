"""python-socketio peer of scripts/bench/fanout: the usual Python choice, with its
Redis manager so two processes share rooms; served by uvicorn, compression off.

    python sio_server.py PORT REDIS_URL
"""

from __future__ import annotations

import sys

import socketio
import uvicorn


def main(port: int, redis_url: str) -> None:
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=socketio.AsyncRedisManager(redis_url),
        transports=["websocket"],
        cors_allowed_origins="*",
    )

    @sio.on("join")
    async def join(sid: str, room: str) -> None:
        await sio.enter_room(sid, room)
        await sio.emit("joined", room, to=sid)

    @sio.on("send")
    async def send(sid: str, data: dict) -> None:
        await sio.emit("message", data, room=data["room"])

    uvicorn.run(
        socketio.ASGIApp(sio),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        ws_per_message_deflate=False,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
