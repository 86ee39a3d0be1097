"""Real server processes driven by a WebSocket client: two processes with Redis and
PostgreSQL, and the embedded default."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys

import pytest
import websockets

from tests.conftest import TEST_SECRET
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.mark.asyncio
async def test_cross_process_delivery_in_order(shared_cluster: list[ServerProcess]) -> None:
    """Clients on different processes see each other's messages, all of them, in order."""
    a = await Client.connect(shared_cluster[0].ws)
    b = await Client.connect(shared_cluster[1].ws)
    await a.join("huone", "Aino")
    await b.join("huone", "Bertta")
    for i in range(40):
        sender = a if i % 2 == 0 else b
        await sender.send({"type": "send", "room": "huone", "text": f"viesti {i}", "ref": f"r{i}"})
    acks = [f for f in await a.collect("ack", 20) + await b.collect("ack", 20)]
    got_a = await a.messages("huone", 40)
    got_b = await b.messages("huone", 40)
    await a.close()
    await b.close()
    seqs = sorted(ack["seq"] for ack in acks)
    assert [m["seq"] for m in got_a] == seqs
    assert [m["seq"] for m in got_b] == seqs
    assert {m["text"] for m in got_b} == {f"viesti {i}" for i in range(40)}


@pytest.mark.asyncio
async def test_resume_with_since_on_another_process(shared_cluster: list[ServerProcess]) -> None:
    """A client that drops and reconnects to the other process gets exactly what it missed."""
    a = await Client.connect(shared_cluster[0].ws)
    writer = await Client.connect(shared_cluster[1].ws)
    await a.join("huone", "Alma")
    await writer.join("huone", "Kirjoittaja")
    for i in range(3):
        await writer.say("huone", f"ennen {i}", f"b{i}")
    seen = await a.messages("huone", 3)
    last = seen[-1]["seq"]
    token = a.token
    await a.close()
    for i in range(5):
        await writer.say("huone", f"poissa {i}", f"m{i}")
    again = await Client.connect(shared_cluster[1].ws, token=token)
    joined = await again.join("huone", "Alma", since=last)
    await writer.say("huone", "jälkeen", "after")
    live = await again.messages("huone", 1)
    await again.close()
    await writer.close()
    assert [m["text"] for m in joined["history"]] == [f"poissa {i}" for i in range(5)]
    assert [m["text"] for m in live] == ["jälkeen"]


@pytest.mark.asyncio
async def test_resent_ref_on_other_process_is_not_duplicated(
    shared_cluster: list[ServerProcess],
) -> None:
    """A message resent with the same ref through another process is stored and delivered once."""
    watcher = await Client.connect(shared_cluster[0].ws)
    await watcher.join("huone", "Katsoja")
    a = await Client.connect(shared_cluster[0].ws)
    await a.join("huone", "Aada")
    first = await a.say("huone", "vain kerran", "dup-1")
    token = a.token
    await a.close()
    b = await Client.connect(shared_cluster[1].ws, token=token)
    await b.join("huone", "Aada", since=first["seq"])
    second = await b.say("huone", "vain kerran", "dup-1")
    await b.say("huone", "seuraava", "dup-2")
    got = await watcher.messages("huone", 2)
    await watcher.close()
    await b.close()
    assert second["seq"] == first["seq"]
    assert [m["text"] for m in got] == ["vain kerran", "seuraava"]


@pytest.mark.asyncio
async def test_foreign_origin_gets_403(shared_cluster: list[ServerProcess]) -> None:
    """A WebSocket handshake from another site is refused with HTTP 403."""
    with pytest.raises(websockets.InvalidStatus) as info:
        await websockets.connect(shared_cluster[0].ws, origin="https://evil.example")
    assert info.value.response.status_code == 403


@pytest.mark.asyncio
async def test_own_origin_is_accepted(shared_cluster: list[ServerProcess]) -> None:
    """A handshake from the service's own origin is accepted."""
    client = await Client.connect(shared_cluster[0].ws, origin=shared_cluster[0].http)
    assert client.token
    await client.close()


@pytest.mark.asyncio
async def test_oversized_frame_closes_with_1009(shared_cluster: list[ServerProcess]) -> None:
    """A frame over 64 KiB closes the socket with 1009."""
    client = await Client.connect(shared_cluster[0].ws)
    await client.send({"type": "send", "room": "huone", "text": "x" * 70_000, "ref": "big"})
    with pytest.raises(websockets.ConnectionClosed) as info:
        await client.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1009


@pytest.mark.asyncio
async def test_garbage_frames_do_no_harm(shared_cluster: list[ServerProcess]) -> None:
    """Garbage is answered with error frames and the process keeps serving everyone."""
    bystander = await Client.connect(shared_cluster[0].ws)
    await bystander.join("huone", "Sivullinen")
    attacker = await Client.connect(shared_cluster[0].ws)
    answers = []
    for raw in ["{", "[]", '{"type":"send"}', '{"type":"join","room":5}', "\x00" * 100, '"' * 1000]:
        await attacker.ws.send(raw)
        answers.append(await attacker.expect("error"))
    await attacker.ws.send(b"\x00binary")
    with pytest.raises(websockets.ConnectionClosed) as info:
        await attacker.recv()
    await bystander.say("huone", "vielä täällä", "still")
    got = await bystander.messages("huone", 1)
    await bystander.close()
    assert [a["code"] for a in answers][:5] == [
        "bad_json",
        "bad_frame",
        "bad_frame",
        "bad_frame",
        "bad_json",
    ]
    assert answers[5]["code"] in ("bad_json", "bad_frame")
    assert info.value.rcvd is not None and info.value.rcvd.code == 1003
    assert got[0]["text"] == "vielä täällä"
    assert "Traceback" not in shared_cluster[0].output()


@pytest.mark.asyncio
async def test_sigterm_closes_sockets_with_1012(cluster: list[ServerProcess]) -> None:
    """A graceful stop closes open sockets with 1012 so clients reconnect elsewhere."""
    client = await Client.connect(cluster[1].ws)
    await client.join("huone", "Aino")
    cluster[1].stop()
    with pytest.raises(websockets.ConnectionClosed) as info:
        while True:
            await client.recv(timeout=10)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1012
    # uvicorn re-raises SIGTERM after its graceful shutdown, as a process killed by it would.
    assert cluster[1].proc is not None and cluster[1].proc.returncode in (0, -signal.SIGTERM)


@pytest.mark.asyncio
async def test_embedded_default_serves_chat(single: ServerProcess) -> None:
    """One process on SQLite with the in-process broker delivers messages between clients."""
    a = await Client.connect(single.ws)
    b = await Client.connect(single.ws)
    await a.join("huone", "Aino")
    await b.join("huone", "Bertta")
    await a.say("huone", "Moi!", "m1")
    got = await b.messages("huone", 1)
    await a.close()
    await b.close()
    assert got[0]["text"] == "Moi!" and got[0]["from"]["nick"] == "Aino"


@pytest.mark.asyncio
async def test_logs_are_json_without_texts(cluster: list[ServerProcess]) -> None:
    """Server logs are JSON lines and do not contain what people wrote or their addresses."""
    a = await Client.connect(cluster[0].ws)
    await a.join("huone", "Salanimi")
    await a.say("huone", "salainen-kanari-1234", "c1")
    await a.close()
    cluster[0].stop()
    out = cluster[0].output()
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines and all(json.loads(line) for line in lines)
    assert "salainen-kanari-1234" not in out and "Salanimi" not in out
    assert "127.0.0.1:" not in out.replace(f"127.0.0.1:{cluster[0].port}", "")


def test_workers_without_redis_are_refused(sqlite_url: str) -> None:
    """`serve --workers 2` without Redis stops with a clear message."""
    env = {
        "KUULOLLA_ENV": "test",
        "KUULOLLA_SECRET_KEY": TEST_SECRET,
        "KUULOLLA_DATABASE_URL": sqlite_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "kuulolla", "serve", "--workers", "2"],
        env={**__import__("os").environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "KUULOLLA_REDIS_URL" in result.stderr


@pytest.mark.asyncio
async def test_workers_share_messages_through_redis(
    postgres_url: str, redis_url: str, broker_prefix: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """`serve --workers 2` with Redis runs two workers whose clients all see every message."""
    from tests.e2e.conftest import seed_rooms
    from tests.e2e.servers import server_env

    await asyncio.to_thread(seed_rooms, postgres_url)
    server = ServerProcess(
        server_env(postgres_url, redis_url=redis_url, prefix=broker_prefix), tmp_path / "w.log"
    )
    await asyncio.to_thread(server.start, "--workers", "2")
    try:
        clients = [await Client.connect(server.ws) for _ in range(8)]
        for i, c in enumerate(clients):
            await c.join("huone", f"Nimi{i}")
        for i, c in enumerate(clients):
            await c.say("huone", f"hei {i}", f"w{i}")
        for c in clients:
            got = await c.messages("huone", 8)
            assert sorted(m["text"] for m in got) == sorted(f"hei {i}" for i in range(8))
            await c.close()
    finally:
        server.stop()
