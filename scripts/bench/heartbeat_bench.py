"""Server CPU of the browser client's heartbeat (web/static/js/chat-client.js).

A browser cannot see the server's WebSocket pings, so the client sends ``ping`` after
4 s without a frame and counts an unanswered one as a lost connection. In a quiet room
every open page then sends one ``ping`` every 4 s. This starts one server process
(SQLite, the in-process broker), joins ``--sockets`` clients to a room and measures the
process's CPU time in alternating rounds: the sockets silent, then each pinging every
4 s as an idle browser does. Prints both per round, their medians, and the CPU per
ping: (pinging - silent) / pings per second.

    scripts/bench/heartbeat                    400 sockets, 3 rounds of each, 20 s
    scripts/bench/heartbeat --sockets 1000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.e2e.servers

from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.migrations import upgrade
from kuulolla.rooms import service as rooms
from tests.e2e.servers import ServerProcess, server_env

PING_EVERY = 4.0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def seed(url: str) -> None:
    db = Database.from_url(url)
    try:
        now = datetime.now(UTC)
        await do_create_organisation(db, slug="bench", name="Bench", now=now)
        await rooms.do_create_room(
            db, organisation="bench", slug="huone", names={"fi": "Huone"}, now=now
        )
    finally:
        await db.dispose()


async def idle_browser(port: int, i: int, pinging: asyncio.Event) -> None:
    origin = f"http://127.0.0.1:{port}"
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", origin=origin) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "v": 1}))
        await ws.recv()
        await ws.send(json.dumps({"type": "join", "room": "huone", "nick": f"Kuuntelija {i}"}))

        async def drain() -> None:
            async for _ in ws:
                pass

        reader = asyncio.create_task(drain())
        await asyncio.sleep((i % 40) / 10)  # spread over the 4 s
        try:
            while True:
                if pinging.is_set():
                    await ws.send('{"type":"ping"}')
                await asyncio.sleep(PING_EVERY)
        finally:
            reader.cancel()


async def measure(
    port: int, pid: int, sockets: int, rounds: int, seconds: float
) -> dict[str, list[float]]:
    pinging = asyncio.Event()
    browsers = []
    for i in range(sockets):
        browsers.append(asyncio.create_task(idle_browser(port, i, pinging)))
        if i % 20 == 19:
            await asyncio.sleep(0.2)
    await asyncio.sleep(8)
    found: dict[str, list[float]] = {"silent": [], "pinging": []}
    for r in range(2 * rounds):
        if r % 2:
            pinging.set()
        else:
            pinging.clear()
        await asyncio.sleep(PING_EVERY)  # the previous mode's last sends are done
        c0, t0 = cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(seconds)
        found["pinging" if r % 2 else "silent"].append(
            (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        )
    for task in browsers:
        task.cancel()
    await asyncio.gather(*browsers, return_exceptions=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        asyncio.run(seed(url))
        server = ServerProcess(
            server_env(url, KUULOLLA_ENV="development"), Path(folder) / "server.log"
        )
        server.start()
        try:
            assert server.proc is not None
            found = asyncio.run(
                measure(server.port, server.proc.pid, args.sockets, args.rounds, args.seconds)
            )
        finally:
            server.stop()
    silent = statistics.median(found["silent"])
    pinging = statistics.median(found["pinging"])
    rate = args.sockets / PING_EVERY
    print(f"{args.sockets} sockets in one room, {rate:.0f} pings/s while pinging")
    for mode, values in found.items():
        print(f"  {mode:8} " + " ".join(f"{v * 1000:6.1f}" for v in values) + "  ms CPU per s")
    print(f"  median silent {silent * 1000:.1f}, pinging {pinging * 1000:.1f} ms CPU per s")
    print(f"  CPU per ping answered: {(pinging - silent) / rate * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
