"""Fan-out between processes: order, gap filling from the database, presence."""

from __future__ import annotations

import json

import pytest

from kuulolla.chat import store
from kuulolla.chat.fanout import Fanout, RoomRef
from kuulolla.chat.sockets import OutFrame
from kuulolla.core.broker import MemoryBroker, MemoryBrokerClient
from kuulolla.core.broker_redis import RedisBroker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from tests.helpers import eventually, make_room


class ListSink:
    """A socket that records what it is sent."""

    def __init__(self) -> None:
        self.closed = False
        self.frames: list[dict] = []

    def push(self, frame: OutFrame) -> None:
        self.frames.append(json.loads(frame.payload))

    async def close(self, code: int) -> None:
        self.closed = True

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f["type"] == "message"]


class LossyClient(MemoryBrokerClient):
    """A broker client whose publishes of chosen message sequences are lost."""

    def __init__(self, hub: MemoryBroker, drop: set[int]) -> None:
        super().__init__(hub)
        self.drop = drop

    def publish(self, channel: str, data: bytes) -> None:
        if data.startswith(b"m "):
            seq = int(data.split(b"\n", 1)[0].split(b" ")[2])
            if seq in self.drop:
                return
        super().publish(channel, data)


async def node(db: Database, broker: MemoryBrokerClient) -> tuple[Fanout, store.Committer]:
    fanout = Fanout(
        db=db, broker=broker, clock=Clock(), secret="s" * 32, gap_wait=0.02, poll_interval=0.2
    )
    await fanout.start()
    slugs: dict[int, str] = {}
    committer = store.Committer(
        db, clock=Clock(), on_committed=lambda s: fanout.committed(slugs, s)
    )
    committer.start()
    return fanout, committer


def d(room: int, i: int) -> store.Draft:
    return store.Draft(
        room_id=room, author_key=b"k" * 16, nick="N", role="visitor", text=f"t{i}", ref_key=None
    )


@pytest.mark.asyncio
async def test_messages_reach_other_process_in_order(db: Database) -> None:
    """A sink on another process receives every message once, in sequence order."""
    room = await make_room(db)
    hub = MemoryBroker()
    (fa, ca), (fb, cb) = await node(db, hub.attach()), await node(db, hub.attach())
    ref = RoomRef(room, "huone")
    sink = ListSink()
    h = await fb.attach(ref, sink)
    fb.activate(h, sink, 0)
    for i in range(30):
        await (ca if i % 2 else cb).submit(d(room, i))
    await eventually(lambda: len(sink.seqs()) == 30)
    for f, c in ((fa, ca), (fb, cb)):
        await c.stop()
        await f.close()
    assert sink.seqs() == list(range(1, 31))


@pytest.mark.asyncio
async def test_lost_broker_messages_are_filled_from_database(db: Database) -> None:
    """Messages the broker lost (inside and at the end of a burst) are read from the database."""
    room = await make_room(db)
    hub = MemoryBroker()
    fa, ca = await node(db, LossyClient(hub, drop={3, 4, 10}))
    fb, cb = await node(db, hub.attach())
    ref = RoomRef(room, "huone")
    sink = ListSink()
    h = await fb.attach(ref, sink)
    fb.activate(h, sink, 0)
    for i in range(10):
        await ca.submit(d(room, i))
    # 3 and 4 are found as a gap; 10, the last, only by the periodic check.
    await eventually(lambda: len(sink.seqs()) == 10)
    for f, c in ((fa, ca), (fb, cb)):
        await c.stop()
        await f.close()
    assert sink.seqs() == list(range(1, 11))
    assert fb.metrics.gaps_filled >= 3


@pytest.mark.asyncio
async def test_joining_sink_gets_nothing_twice(db: Database) -> None:
    """Frames delivered while a sink joins are buffered and only those after its history are sent."""
    room = await make_room(db)
    hub = MemoryBroker()
    fa, ca = await node(db, hub.attach())
    ref = RoomRef(room, "huone")
    watcher = ListSink()
    h = await fa.attach(ref, watcher)
    fa.activate(h, watcher, 0)
    for i in range(3):
        await ca.submit(d(room, i))
    joiner = ListSink()
    h = await fa.attach(ref, joiner)
    await ca.submit(d(room, 3))  # delivered while joining: buffered
    await eventually(lambda: len(watcher.seqs()) == 4)
    last, _, history = await store.read_history(db, room, since=None, limit=2)
    fa.activate(h, joiner, last)
    await ca.submit(d(room, 4))
    await eventually(lambda: len(joiner.seqs()) == 1)
    await ca.stop()
    await fa.close()
    assert [m.seq for m in history] == [3, 4]
    assert joiner.seqs() == [5]


@pytest.mark.asyncio
async def test_presence_counts_sockets_of_every_process(db: Database) -> None:
    """The room's count is the sum over processes, and sockets are told when it changes."""
    room = await make_room(db)
    hub = MemoryBroker()
    (fa, ca), (fb, cb) = await node(db, hub.attach()), await node(db, hub.attach())
    ref = RoomRef(room, "huone")
    a1, b1, b2 = ListSink(), ListSink(), ListSink()
    for f, s in ((fa, a1), (fb, b1), (fb, b2)):
        h = await f.attach(ref, s)
        f.activate(h, s, 0)
    await eventually(
        lambda: any(fr.get("count") == 3 for fr in a1.frames if fr["type"] == "presence")
    )
    fb.detach(fb.hubs[room], b2)
    await eventually(lambda: [fr["count"] for fr in a1.frames if fr["type"] == "presence"][-1] == 2)
    for f, c in ((fa, ca), (fb, cb)):
        await c.stop()
        await f.close()


@pytest.mark.asyncio
async def test_a_host_on_another_process_is_present_everywhere(db: Database) -> None:
    """A host's socket on one process makes every process's sockets hear that a host is
    present, and that none is when it goes."""
    room = await make_room(db)
    hub = MemoryBroker()
    (fa, ca), (fb, cb) = await node(db, hub.attach()), await node(db, hub.attach())
    ref = RoomRef(room, "huone")
    visitor, host = ListSink(), ListSink()
    for f, s in ((fa, visitor), (fb, host)):
        h = await f.attach(ref, s)
        f.activate(h, s, 0)

    def hosts() -> list[bool]:
        return [fr.get("host", False) for fr in visitor.frames if fr["type"] == "presence"]

    await eventually(lambda: bool(hosts()))
    assert hosts()[-1] is False
    fb.set_host(fb.hubs[room], host, True)
    await eventually(lambda: hosts()[-1] is True)
    assert fa.host_present(fa.hubs[room])
    fb.detach(fb.hubs[room], host)
    await eventually(lambda: hosts()[-1] is False)
    for f, c in ((fa, ca), (fb, cb)):
        await c.stop()
        await f.close()


@pytest.mark.asyncio
async def test_every_broker_subscription_calls_the_reconnect_hook(
    db: Database, redis_url: str, broker_prefix: str
) -> None:
    """The reconnect hook runs when the link is made and again after Redis drops it."""
    from redis.asyncio import Redis

    broker = RedisBroker(redis_url, prefix=broker_prefix)
    fanout = Fanout(db=db, broker=broker, clock=Clock(), secret="s" * 32, poll_interval=0.2)
    calls: list[int] = []
    fanout.on_reconnected = lambda: calls.append(1)
    admin = Redis.from_url(redis_url)
    try:
        await fanout.start()
        await eventually(lambda: len(calls) == 1)
        await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        await eventually(lambda: len(calls) == 2, within=10)
    finally:
        await fanout.close()
        await broker.close()
        await admin.aclose()
    assert calls == [1, 1]
