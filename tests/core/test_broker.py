"""The Redis broker against a real Redis: delivery, batching and recovery of the link."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
import uvloop

from kuulolla.core import broker_redis
from kuulolla.core.broker import MemoryBroker
from kuulolla.core.broker_redis import RedisBroker
from tests.conftest import unavailable
from tests.e2e.proxy import SocketProxy
from tests.helpers import eventually
from tests.ports import free_port


@pytest.mark.asyncio
async def test_published_messages_reach_subscribers(redis_url: str, broker_prefix: str) -> None:
    """A message published by one broker reaches another broker subscribed to the channel."""
    got: list[tuple[str, bytes]] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    b = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: None, lambda: None)
    await b.start(lambda c, d: got.append((c, d)), lambda: None)
    channel = f"{broker_prefix}:room:1"
    await b.subscribe(channel)
    for i in range(100):
        a.publish(channel, b"m %d" % i)
    await eventually(lambda: len(got) == 100)
    await a.close()
    await b.close()
    assert [d for _, d in got] == [b"m %d" % i for i in range(100)]
    assert {c for c, _ in got} == {channel}


def test_messages_flow_on_uvloop_as_the_server_runs(redis_url: str, broker_prefix: str) -> None:
    """On uvloop (the server's event loop), published messages reach a subscriber and
    nothing is dropped."""

    async def scenario() -> tuple[list[bytes], int, int]:
        got: list[bytes] = []
        a = RedisBroker(redis_url, prefix=broker_prefix)
        b = RedisBroker(redis_url, prefix=broker_prefix)
        await a.start(lambda c, d: None, lambda: None)
        await b.start(lambda c, d: got.append(d), lambda: None)
        channel = f"{broker_prefix}:room:1"
        await b.subscribe(channel)
        for i in range(50):
            a.publish(channel, b"m %d" % i)
            await asyncio.sleep(0)
        await eventually(lambda: len(got) == 50)
        await a.close()
        await b.close()
        return got, a.dropped, b.dropped

    got, dropped_a, dropped_b = uvloop.run(scenario())
    assert got == [b"m %d" % i for i in range(50)]
    assert dropped_a == dropped_b == 0


@pytest.mark.asyncio
async def test_payloads_with_line_breaks_and_any_bytes_arrive_intact(
    redis_url: str, broker_prefix: str
) -> None:
    """Published bytes (line breaks, NUL, non-ASCII) and channel names arrive unchanged."""
    got: list[tuple[str, bytes]] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    b = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: None, lambda: None)
    await b.start(lambda c, d: got.append((c, d)), lambda: None)
    channel = f"{broker_prefix}:huone:äö"
    await b.subscribe(channel)
    payloads = [b"m 1\r\n$3\r\nx", b"\x00\xff" * 40, "hyvää yötä ✓".encode(), b""]
    for data in payloads:
        a.publish(channel, data)
    await eventually(lambda: len(got) == len(payloads))
    await a.close()
    await b.close()
    assert got == [(channel, d) for d in payloads]


@pytest.mark.asyncio
async def test_killed_publishing_connection_is_replaced(redis_url: str, broker_prefix: str) -> None:
    """After Redis drops the publishing connection, later publishes go out on a new one."""
    got: list[bytes] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    b = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: None, lambda: None)
    await b.start(lambda c, d: got.append(d), lambda: None)
    channel = f"{broker_prefix}:room:7"
    await b.subscribe(channel)
    a.publish(channel, b"before")
    await eventually(lambda: got == [b"before"])
    admin = aioredis.Redis.from_url(redis_url)
    clients = await admin.client_list(_type="normal")
    # Only publishing connections (other tests may share this Redis).
    publishing = [c["id"] for c in clients if c["cmd"] == "publish"]
    for client_id in publishing:
        await admin.client_kill_filter(_id=client_id)
    await admin.aclose()
    assert publishing

    async def keep_publishing() -> None:
        while b"after" not in got:
            a.publish(channel, b"after")
            await asyncio.sleep(0.05)

    await asyncio.wait_for(keep_publishing(), 5)
    await a.close()
    await b.close()
    assert got[0] == b"before" and b"after" in got


@pytest.mark.asyncio
async def test_unsubscribed_channel_is_not_delivered(redis_url: str, broker_prefix: str) -> None:
    """After unsubscribing, messages on that channel no longer arrive."""
    got: list[bytes] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: got.append(d), lambda: None)
    channel = f"{broker_prefix}:room:2"
    await a.subscribe(channel)
    a.publish(channel, b"one")
    await eventually(lambda: got == [b"one"])
    await a.unsubscribe(channel)
    a.publish(channel, b"two")
    a.publish(f"{broker_prefix}:room:3", b"other")
    await asyncio.sleep(0.3)
    await a.close()
    assert got == [b"one"]


@pytest.mark.asyncio
async def test_killed_pubsub_link_recovers_and_resubscribes(
    redis_url: str, broker_prefix: str
) -> None:
    """After CLIENT KILL TYPE pubsub the broker reconnects, resubscribes and reports it."""
    got: list[bytes] = []
    reconnects: list[int] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: got.append(d), lambda: reconnects.append(1))
    channel = f"{broker_prefix}:room:4"
    await a.subscribe(channel)
    admin = aioredis.Redis.from_url(redis_url)
    before = len(reconnects)
    await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
    await eventually(lambda: len(reconnects) > before and a.connected)
    a.publish(channel, b"after")
    await eventually(lambda: b"after" in got)
    await admin.aclose()
    await a.close()
    assert a.connected


@pytest.mark.asyncio
async def test_subscribe_returns_once_redis_has_the_subscription(
    redis_url: str, broker_prefix: str
) -> None:
    """A publish made right after subscribe returns reaches the new subscriber."""
    got: list[bytes] = []
    a = RedisBroker(redis_url, prefix=broker_prefix)
    await a.start(lambda c, d: got.append(d), lambda: None)
    admin = aioredis.Redis.from_url(redis_url)
    receivers = []
    for i in range(20):
        channel = f"{broker_prefix}:room:{100 + i}"
        await a.subscribe(channel)
        receivers.append(await admin.publish(channel, b"m"))
    await admin.aclose()
    await a.close()
    assert receivers == [1] * 20


@pytest.mark.asyncio
async def test_a_silent_link_is_dropped_and_made_again(
    redis_url: str, broker_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subscription link whose PING goes unanswered is dropped, made again and
    resubscribed (the link runs through a proxy that goes silent, so the shared Redis
    and the other tests using it are not paused)."""
    monkeypatch.setattr(broker_redis, "HEARTBEAT", 0.1)
    host_port = redis_url.split("://", 1)[1].split("/", 1)[0]
    proxy = SocketProxy(int(host_port.rsplit(":", 1)[1])).start()
    got: list[bytes] = []
    events: list[str] = []
    a = RedisBroker(
        redis_url.replace(host_port, f"127.0.0.1:{proxy.port}"),
        prefix=broker_prefix,
        on_event=events.append,
    )
    admin = aioredis.Redis.from_url(redis_url)
    try:
        await a.start(lambda c, d: got.append(d), lambda: None)
        channel = f"{broker_prefix}:room:9"
        await a.subscribe(channel)
        proxy.stall()
        await eventually(lambda: "disconnected" in events)
        proxy.restore()
        await eventually(lambda: "reconnected" in events and a.connected)
        await admin.publish(channel, b"after")
        await eventually(lambda: b"after" in got)
    finally:
        await admin.aclose()
        await a.close()
        proxy.stop()
    assert got == [b"after"]


@pytest.mark.asyncio
async def test_password_in_the_url_is_sent_and_a_wrong_one_never_connects(
    redis_url: str, broker_prefix: str
) -> None:
    """A user and password in the URL authenticate both links; a wrong password leaves
    the broker unconnected and its publishes dropped."""
    admin = aioredis.Redis.from_url(redis_url)
    user = f"{broker_prefix}-user"
    await admin.execute_command(
        "ACL", "SETUSER", user, "on", ">sala-sana", "&*", "+subscribe", "+unsubscribe",
        "+publish", "+ping",
    )  # fmt: skip
    base = redis_url.split("://", 1)[1]
    got: list[bytes] = []
    a = RedisBroker(f"redis://{user}:sala-sana@{base}", prefix=broker_prefix)
    wrong = RedisBroker(f"redis://{user}:väärä@{base}", prefix=broker_prefix)
    try:
        await a.start(lambda c, d: got.append(d), lambda: None)
        await wrong.start(lambda c, d: None, lambda: None)
        channel = f"{broker_prefix}:room:11"
        await a.subscribe(channel)
        a.publish(channel, b"hei")
        await eventually(lambda: got == [b"hei"])
        wrong.publish(channel, b"ei")
        assert a.connected and not wrong.connected and wrong.dropped == 1
    finally:
        await a.close()
        await wrong.close()
        await admin.execute_command("ACL", "DELUSER", user)
        await admin.aclose()


@pytest.mark.asyncio
async def test_unreachable_redis_does_not_block_publishers() -> None:
    """With Redis down, publishing returns at once and start does not fail."""
    a = RedisBroker("redis://127.0.0.1:1/0", prefix="x")
    await a.start(lambda c, d: None, lambda: None)
    for _ in range(10):
        a.publish("x:room:1", b"m")
    assert not a.connected
    assert a.dropped == 10
    await a.close()


@pytest.mark.asyncio
async def test_memory_broker_delivers_to_other_clients() -> None:
    """The in-process broker delivers to every client subscribed to the channel, on the next loop turn."""
    hub = MemoryBroker()
    got: list[bytes] = []
    a, b = hub.attach(), hub.attach()
    await a.start(lambda c, d: None, lambda: None)
    await b.start(lambda c, d: got.append(d), lambda: None)
    await b.subscribe("ch")
    a.publish("ch", b"hei")
    assert got == []
    await asyncio.sleep(0)
    assert got == [b"hei"]


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A private redis-server speaking TLS only, with a self-signed certificate:
    (port, certificate file)."""
    if shutil.which("redis-server") is None or shutil.which("openssl") is None:
        unavailable("redis-server and openssl (for a TLS Redis)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    unavailable("a redis-server built with TLS")
                time.sleep(0.05)
        yield port, cert
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.asyncio
async def test_rediss_url_verifies_the_certificate(tls_redis: tuple[int, Path]) -> None:
    """Over rediss:// with the server's CA named, messages flow; without it (an
    unknown CA), the broker never connects."""
    port, cert = tls_redis
    got: list[bytes] = []
    trusted = RedisBroker(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert}", prefix="tls")
    unknown = RedisBroker(f"rediss://127.0.0.1:{port}/0", prefix="tls")
    try:
        await trusted.start(lambda c, d: got.append(d), lambda: None)
        await unknown.start(lambda c, d: None, lambda: None)
        await trusted.subscribe("tls:room:1")
        trusted.publish("tls:room:1", b"salattu")
        await eventually(lambda: got == [b"salattu"])
        assert trusted.connected and not unknown.connected
    finally:
        await trusted.close()
        await unknown.close()
