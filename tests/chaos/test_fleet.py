"""The chaos clients reach a server the way the balancer in front of the workers does."""

from __future__ import annotations

import random

import pytest
from websockets.asyncio.server import serve

from tests.chaos.fleet import ChaosClient
from tests.ports import free_port


def _closed_port() -> int:
    """A local port nothing listens on (bound, then let go)."""
    return free_port()


@pytest.mark.asyncio
async def test_a_refused_server_is_passed_over_at_once() -> None:
    """With one worker down, every connection lands on the live one without a round of backoff."""

    async def hold(ws) -> None:  # type: ignore[no-untyped-def]
        await ws.wait_closed()

    async with serve(hold, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        live, dead = f"ws://127.0.0.1:{port}/ws", f"ws://127.0.0.1:{_closed_port()}/ws"
        client = ChaosClient(0, "huone", [dead, live], rng=random.Random(3), send_interval=1.0)
        reached = []
        for _ in range(8):  # random order: the dead one comes first about half the time
            ws = await client._reach()
            reached.append(ws.remote_address[1])
            await ws.close()

    assert reached == [port] * 8
    assert 0 < client.log.errors.get("connect:ConnectionRefusedError", 0) < 8
